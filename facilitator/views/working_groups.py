"""Working groups of a process (domain/working_groups.py): the facilitators' part of the process
page. The phone's sign-up screen is in views/working_groups_phone.py.

Facilitators (the process's team only, like the rest of the process page) open a field's working
group, see its members with their contacts, download them as CSV, remove a sign-up on request,
and create the group's meetings as events of the process. Steering-group members never see any
of it (their personal link shows only the decisions put before them).
"""
from datetime import date

from flask import Blueprint, Response, flash, redirect, request, url_for
from flask_babel import gettext as _

from .. import auth
from ..domain import working_groups
from ..domain.errors import DomainError
from ..extensions import db
from ..messages import message_for
from .process import _process
from .working_groups_phone import open_working_groups

bp = Blueprint("working_groups", __name__)


@bp.app_context_processor
def _template_helpers():
    """For the includes in the process page and the phone's board and results pages."""
    def working_group_overview(process_id):
        return working_groups.overview(db.session, process_id)

    return {"open_working_groups": open_working_groups,
            "working_group_overview": working_group_overview}


# --- the facilitators' side -----------------------------------------------------------------------

def _back(process_id: int):
    return redirect(url_for("process.page", process_id=process_id, _anchor="working-groups"))


def _refused(error: DomainError) -> None:
    db.session.rollback()
    flash(message_for(error), "error")


@bp.post("/console/process/<int:process_id>/working-groups")
@auth.facilitator_required
def open_group(process_id: int):
    process = _process(process_id)
    try:
        working_groups.open_group(db.session, process.id, request.form.get("field_id", type=int),
                                  request.form.get("description", ""),
                                  request.form.get("meeting_note", ""))
    except DomainError as error:
        _refused(error)
    return _back(process.id)


@bp.post("/console/process/<int:process_id>/working-groups/<int:group_id>/open")
@auth.facilitator_required
def set_open(process_id: int, group_id: int):
    process = _process(process_id)
    try:
        working_groups.set_open(db.session, process.id, group_id,
                                request.form.get("open") == "1")
    except DomainError as error:
        _refused(error)
    return _back(process.id)


@bp.post("/console/process/<int:process_id>/working-groups/<int:group_id>/meetings")
@auth.facilitator_required
def create_meeting(process_id: int, group_id: int):
    process = _process(process_id)
    try:
        event_date = date.fromisoformat(request.form["event_date"]) \
            if request.form.get("event_date") else None
    except ValueError:
        event_date = None
    try:
        event = working_groups.create_meeting(db.session, process.id, group_id,
                                              auth.facilitator_id(),
                                              request.form.get("title", ""), event_date)
    except DomainError as error:
        _refused(error)
    else:
        flash(_("The meeting “%(event)s” is the process's next event.", event=event.title),
              "success")
    return _back(process.id)


@bp.post("/console/process/<int:process_id>/working-groups/signups/<int:signup_id>/delete")
@auth.facilitator_required
def remove_signup(process_id: int, signup_id: int):
    process = _process(process_id)
    try:
        working_groups.remove_signup(db.session, process.id, signup_id)
    except DomainError as error:
        _refused(error)
    else:
        flash(_("The sign-up was deleted."), "success")
    return _back(process.id)


@bp.get("/console/process/<int:process_id>/working-groups.csv")
@auth.facilitator_required
def members_csv(process_id: int):
    """Names and contacts of everyone who agreed to be invited: the team's download only."""
    process = _process(process_id)
    data = working_groups.members_csv(db.session, process.id, (
        _("Working group"), _("Name"), _("Contact"), _("Signed up in"), _("Signed up on")))
    response = Response(data, mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = \
        f'attachment; filename="working-groups-{process.id}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
