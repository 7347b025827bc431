"""Working groups on the phone (domain/working_groups.py): a participant of an event of the
process signs up from the board or results page ("Join the working group …"): name and contact
only with the consent box ticked, otherwise only counted; the same phone can change or withdraw
its sign-up, and withdrawing deletes it.

The routes sit on the participant blueprint, so the phone's language applies as on every phone
page; every text here is participant-facing (tests/test_i18n.py checks this file)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import auth, code_gate
from ..domain import working_groups
from ..domain.errors import DomainError
from ..extensions import db, limiter
from ..messages import message_for
from ..models import CONTACT_MAX_CHARS, NAME_MAX_CHARS
from .participant import bp as phone_bp


def open_working_groups(workshop):
    """The open working groups a phone of this workshop may join (none without a participant
    of the workshop on this phone, or when the workshop belongs to no process)."""
    if workshop is None or workshop.process_id is None:
        return []
    if auth.current_participant(workshop.id) is None:
        return []
    return working_groups.open_for_workshop(db.session, workshop)



def _phone(code: str):
    """The workshop and this phone's participant in it; a phone that has not joined is sent to
    join first."""
    workshop = code_gate.workshop_for_code(code)
    participant = auth.current_participant(workshop.id)
    return workshop, participant


def _not_joined(workshop):
    flash(_("Please join the workshop first."), "error")
    return redirect(url_for("participant.join", code=workshop.join_code))


@phone_bp.get("/w/<code>/working-groups")
def working_groups_page(code: str):
    workshop, participant = _phone(code)
    if participant is None:
        return _not_joined(workshop)
    groups = working_groups.open_for_workshop(db.session, workshop)
    mine = working_groups.mine(db.session, participant)
    # A group this phone signed up for stays listed (to withdraw) after it stops taking sign-ups.
    shown = {g.id for g, _f in groups}
    for group_id in mine:
        if group_id not in shown:
            groups.append(working_groups.group_for_phone(db.session, workshop, group_id))
    response = render_template("participant/working_groups.html", workshop=workshop,
                               groups=groups, mine=mine)
    return response, 200, {"Cache-Control": "private, no-store"}


@phone_bp.route("/w/<code>/working-groups/<int:group_id>", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def working_group_sign_up(code: str, group_id: int):
    workshop, participant = _phone(code)
    if participant is None:
        return _not_joined(workshop)
    try:
        group, field = working_groups.group_for_phone(db.session, workshop, group_id)
    except DomainError:
        abort(404)
    mine = working_groups.mine(db.session, participant).get(group.id)
    form = {"consent": bool(mine and mine.consent), "name": (mine.name if mine else "") or "",
            "contact": (mine.contact if mine else "") or ""}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = {"consent": request.form.get("consent") == "yes",
                "name": request.form.get("name", ""), "contact": request.form.get("contact", "")}
        try:
            signup = working_groups.sign_up(db.session, participant, group.id, form["consent"],
                                            form["name"], form["contact"])
        except DomainError as error:
            db.session.rollback()
            errors[_error_field(error)] = _phone_message(error)
            status = 422
        else:
            if signup.consent:
                flash(_("Thank you. You are signed up for the working group “%(field)s”. "
                        "The facilitation team will invite you.", field=field.title), "success")
            else:
                flash(_("Thank you. You are counted as interested in the working group "
                        "“%(field)s”. Nothing about you was stored.", field=field.title),
                      "success")
            return redirect(url_for("participant.working_groups_page", code=workshop.join_code))
    response = render_template("participant/working_group.html", workshop=workshop, group=group,
                               field=field, form=form, errors=errors, signed_up=mine,
                               name_max=NAME_MAX_CHARS * 2, contact_max=CONTACT_MAX_CHARS)
    return response, status, {"Cache-Control": "private, no-store"}


def _error_field(error: DomainError) -> str:
    field = error.params.get("field")
    return field if field in ("consent", "name", "contact") else "form"


def _phone_message(error: DomainError) -> str:
    field = error.params.get("field")
    if field == "consent":
        return _("To leave your name and contact, please tick the box that you agree. "
                 "Without it, leave both fields empty.")
    if field == "contact":
        return _("Please give an e-mail address or a phone number.")
    if field == "name" and error.code == "text_empty":
        return _("Please write your name.")
    if field == "group_closed":
        return _("This working group is not taking sign-ups right now.")
    return message_for(error)


@phone_bp.post("/w/<code>/working-groups/<int:group_id>/withdraw")
@limiter.limit("30 per minute")
def working_group_withdraw(code: str, group_id: int):
    """The phone's own sign-up only: it is deleted."""
    workshop, participant = _phone(code)
    if participant is None:
        return _not_joined(workshop)
    try:
        working_groups.group_for_phone(db.session, workshop, group_id)
    except DomainError:
        abort(404)
    if working_groups.withdraw(db.session, participant, group_id):
        flash(_("Your sign-up was withdrawn and deleted."), "success")
    return redirect(url_for("participant.working_groups_page", code=workshop.join_code))
