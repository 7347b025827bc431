"""The console's "Dokumentation" page: the facilitation writes the record's own sections
(imprint, foreword, programme, board summaries, quotes, dissent, next steps …), sees which are
still empty before exporting, downloads the action plan, and publishes the results to the
participants. A plain form that works without JavaScript; the domain checks everything."""
from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from .. import auth
from ..domain import documentation
from ..domain.documentation import PROGRAMME_FIELDS, PhotoDetails
from ..domain.errors import DomainError
from ..extensions import db
from ..messages import message_for
from ..models import Idea, Photo
from ..reports.csv_export import export_action_plan_csv
from ..reports.sections import consent_note, section_title

bp = Blueprint("documentation", __name__, url_prefix="/console")
EMPTY_PROGRAMME_ROWS = 3  # blank rows offered below the programme's filled ones


def _form_values(board_ids: list[int], programme_rows: int) -> tuple[dict, list, dict]:
    """The form's fields as the domain takes them."""
    form = request.form
    texts = {key: form.get(f"text-{key}", "") for key in documentation.WORKSHOP_KEYS
             if documentation.BY_KEY[key].kind == "text" and f"text-{key}" in form}
    programme = [{name: form.get(f"programme-{n}-{name}", "") for name in PROGRAMME_FIELDS}
                 for n in range(programme_rows)]
    boards = {}
    for board_id in board_ids:
        values = {key: form.get(f"board-{board_id}-{key}", "")
                  for key in ("summary", "dissent", "open_questions")
                  if f"board-{board_id}-{key}" in form}
        values["quotes"] = [int(v) for v in form.getlist(f"board-{board_id}-quotes")
                            if v.isdigit()]
        boards[board_id] = values
    return texts, programme, boards


def _save_photos(workshop_id: int, photos: list[Photo]) -> None:
    for photo in photos:
        prefix = f"photo-{photo.id}-"
        if prefix + "credit" not in request.form:
            continue
        documentation.save_photo_details(db.session, workshop_id, photo.id, PhotoDetails(
            credit=request.form.get(prefix + "credit", ""),
            taken_on=request.form.get(prefix + "taken_on", ""),
            consent=request.form.get(prefix + "consent", "")))


@bp.route("/<int:workshop_id>/documentation", methods=["GET", "POST"])
@auth.facilitator_required
def page(workshop_id: int):
    workshop = auth.runnable_workshop(workshop_id)
    request.workshop_language = workshop.language
    boards = list(workshop.boards)
    photos = list(db.session.scalars(select(Photo).where(
        Photo.workshop_id == workshop_id, Photo.kind == "photo").order_by(Photo.id)))
    docs = documentation.documentation_of(db.session, workshop_id)
    status = 200
    if request.method == "POST":
        rows = request.form.get("programme_rows", type=int) or 0
        texts, programme, board_values = _form_values([b.id for b in boards],
                                                      min(max(rows, 0), 60))
        try:
            docs = documentation.save_documentation(db.session, workshop_id, texts, programme,
                                                    board_values)
            _save_photos(workshop_id, photos)
        except DomainError as error:
            db.session.rollback()
            flash(message_for(error) + f" ({error.params.get('field', '')})", "error")
            status = 422
        else:
            flash(_("Documentation saved."), "info")
            return redirect(url_for(".page", workshop_id=workshop_id) + "#still-empty")
    cards = {board.id: list(db.session.scalars(select(Idea).where(
        Idea.board_id == board.id, Idea.state == "visible").order_by(Idea.position, Idea.id)))
        for board in boards}
    titles = {board.id: board.title for board in boards}
    return render_template(
        "facilitator/documentation.html", workshop=workshop, boards=boards, docs=docs,
        cards=cards, photos=photos, titles=titles, section_title=section_title,
        consent_note=consent_note, consents=documentation.PHOTO_CONSENTS,
        missing=documentation.missing(docs, [b.id for b in boards]),
        programme_rows=len(docs.programme) + EMPTY_PROGRAMME_ROWS,
        workshop_keys=[k for k in documentation.WORKSHOP_KEYS
                       if documentation.BY_KEY[k].kind == "text"]), status


@bp.post("/<int:workshop_id>/results/publish")
@auth.facilitator_required
def publish(workshop_id: int):
    auth.runnable_workshop(workshop_id)
    published = request.form.get("published") == "1"
    documentation.publish_results(db.session, workshop_id, published)
    flash(_("The results page is now open to the participants.") if published
          else _("The results page is closed again."), "info")
    return redirect(url_for(".page", workshop_id=workshop_id) + "#publish")


@bp.get("/<int:workshop_id>/action-plan.csv")
@auth.facilitator_required
def action_plan_csv(workshop_id: int):
    """The measures as the steering group's action plan, for Excel."""
    auth.runnable_workshop(workshop_id)
    return Response(export_action_plan_csv(db.session, workshop_id),
                    mimetype="text/csv; charset=utf-8", headers={
                        "Content-Disposition": 'attachment; filename="massnahmenplan.csv"'})
