"""The steering group's field priorities and schedule of measures over plain forms (post, then
back): a member answers on their personal-link page, a facilitator of the process records the
steering group's decisions on the process page (templates/facilitator/_steering_priorities.html).

The member page itself is `process.steering`; `member_context()` and `page_context()` give the
templates what they show."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from .. import auth
from ..domain import processes, steering
from ..domain.errors import DomainError
from ..extensions import db, limiter
from ..messages import message_for

bp = Blueprint("steering", __name__)


def _member(secret: str):
    try:
        return steering.member_by_secret(db.session, secret)
    except DomainError:
        abort(404)


def _process(process_id: int):
    """The process if the signed-in facilitator is on its team; 404 otherwise."""
    if not processes.can_run(db.session, auth.facilitator_id(), process_id):
        abort(404)
    return processes.get_process(db.session, process_id)


def _prefixed(prefix: str) -> dict[int, str]:
    """Form fields `<prefix><id>` as {id: value}."""
    return {int(name[len(prefix):]): value for name, value in request.form.items()
            if name.startswith(prefix) and name[len(prefix):].isdigit()}


def member_context(member) -> dict:
    """What a member's page shows besides the rounds: the fields to rate (title and question
    only) and the schedule decided so far (measure title, start, organisation, date)."""
    process = processes.get_process(db.session, member.process_id)
    return {"fields": process.fields,
            "ratings": steering.member_ratings(db.session, member),
            "priority_names": priority_names(),
            "schedule_rows": [(m, e) for m, e in steering.schedule_rows(db.session, process.id)
                              if e is not None],
            "my_responses": steering.member_responses(db.session, member)}


def page_context(process) -> dict:
    """What the process page's steering-priorities part shows (facilitators only)."""
    return {"field_answers": steering.field_answers(db.session, process.id),
            "priority_names": priority_names(),
            "schedule_rows": steering.schedule_rows(db.session, process.id),
            "schedule_responses": steering.responses(db.session, process.id),
            "today": date.today()}


def priority_names() -> dict[int, str]:
    return {1: _("high"), 2: _("medium"), 3: _("low")}


@bp.post("/steering/<secret>/fields")
@limiter.limit("60 per minute")
def rate_fields(secret: str):
    member = _member(secret)
    try:
        steering.rate_fields(db.session, member, _prefixed("field-"))
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
    else:
        flash(_("Your priorities are saved."), "success")
    return redirect(url_for("process.steering", secret=secret, _anchor="field-priorities"))


@bp.post("/steering/<secret>/schedule/<int:entry_id>")
@limiter.limit("60 per minute")
def respond(secret: str, entry_id: int):
    member = _member(secret)
    try:
        steering.respond(db.session, member, entry_id, request.form.get("answer", ""),
                         request.form.get("comment", ""))
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
    else:
        flash(_("Your answer is saved."), "success")
    return redirect(url_for("process.steering", secret=secret, _anchor=f"schedule-{entry_id}"))


@bp.post("/console/process/<int:process_id>/priorities")
@auth.facilitator_required
def record_priorities(process_id: int):
    """The steering group's decision on the fields' priority, with its date."""
    process = _process(process_id)
    try:
        steering.record_priorities(db.session, process.id, _prefixed("priority-"),
                                   request.form.get("decided_on", ""))
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
    else:
        flash(_("The steering group's priorities are recorded."), "success")
    return redirect(url_for("process.page", process_id=process.id, _anchor="field-priorities"))


@bp.post("/console/process/<int:process_id>/schedule/<int:measure_id>")
@auth.facilitator_required
def set_schedule(process_id: int, measure_id: int):
    """The steering group's schedule for one measure: start, organisation, date decided."""
    process = _process(process_id)
    try:
        steering.set_schedule(db.session, process.id, measure_id,
                              request.form.get("start_period", ""),
                              request.form.get("responsible", ""),
                              request.form.get("decided_on", ""))
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
    else:
        flash(_("The schedule is saved."), "success")
    return redirect(url_for("process.page", process_id=process.id,
                            _anchor=f"schedule-{measure_id}"))
