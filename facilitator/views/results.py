"""Results back to the participants: a read-only page, once the facilitator has published it
(views/documentation.py), reachable from the phone's board page and by a QR code on the
projector. It shows the facilitation's published summaries, the rankings of public votes and the
measures, in the phone's language (interface texts; card texts stay as written). It is built
from the record (reports/record.py), so it never shows a hidden or withdrawn card or any name,
and it goes with the workshop when that is deleted."""
from flask import Blueprint, abort, render_template, request
from flask_babel import get_locale

from .. import links, qr
from ..domain import workshops
from ..domain.errors import NotFound
from ..extensions import db
from ..reports.html import Formats, horizon_name
from ..reports.record import build_record
from ..reports.sections import section_title, status_name

bp = Blueprint("results", __name__)


def _published(code: str):
    try:
        workshop = workshops.find_by_join_code(db.session, code)
    except NotFound:
        abort(404)
    if not workshop.results_published:
        abort(404)
    request.workshop_language = workshop.language
    return workshop


def results_url(workshop) -> str:
    from flask import url_for
    return links.public_base() + url_for("results.page", code=workshop.join_code)


@bp.get("/w/<code>/results")
def page(code: str):
    workshop = _published(code)
    record = build_record(db.session, workshop.id, include_names=False)
    # Rankings only of items the record shows: a card hidden after the vote is not read out.
    shown = {card.id for board in record.boards for card in board.cards}
    for board in record.boards:
        for round_ in board.rounds:
            if round_.target_kind == "idea":
                round_.rows = [row for row in round_.rows if row.target_id in shown]
    response = render_template("participant/results.html", workshop=workshop, record=record,
                               docs=record.documentation, section_title=section_title,
                               status_name=status_name, horizon_name=horizon_name,
                               fmt=Formats(str(get_locale())))
    return response, 200, {"X-Robots-Tag": "noindex"}


@bp.get("/qr/<code>/results.svg")
def qr_code(code: str):
    workshop = _published(code)
    from flask import Response
    response = Response(qr.svg(results_url(workshop)), mimetype="image/svg+xml")
    response.cache_control.no_store = True
    return response
