"""Working groups (Arbeitsgruppen) of a participation process: one per thematic field, as in
Kaiserslautern, where working groups carried the four fields on after the workshops.

A facilitator of the process opens a field's working group (optionally with a description and
a note on when and where it meets). A participant of any event of the process signs up from
their phone:

- **with consent** (a checkbox with its purpose) they leave a name and a contact (e-mail or
  phone number), so the facilitation team can invite them;
- **without consent** nothing personal is stored: the row only counts them as interested.

The same phone may change or withdraw its sign-up; withdrawal deletes the row. Contacts are for
the process's facilitators only (the process page and its CSV): not for steering-group members,
not on the public results, and the compendium prints counts only.

Deleting: a sign-up belongs to the workshop it was made in (`workshop_id`), so deleting that
workshop deletes it, like all of the workshop's personal data. Deleting the field or the
working group deletes its sign-ups (database cascades); so would deleting the process. Retention
(domain/retention.py) deletes the phone's participant row but keeps a consented sign-up — the
person agreed to be invited to the working group, which outlives the workshop — only its link
to the phone is emptied, so from then on the facilitation removes it on request.

A meeting of the working group is an event of the process (`processes.create_event`, kind
"working_group", the field as its one board), linked in `working_group_meetings`.
"""
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import (CONTACT_MAX_CHARS, NAME_MAX_CHARS, Participant, ProcessField, Workshop,
                      WorkingGroup, WorkingGroupMeeting, WorkingGroupSignup)
from . import processes, validate, workshops
from .errors import Forbidden, InvalidInput, NotFound

DESCRIPTION_MAX_CHARS = 1000
MEETING_NOTE_MAX_CHARS = 300
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()/.\-]+$")


@dataclass
class Overview:
    """A working group as the process page shows it."""
    group: WorkingGroup
    field: ProcessField
    members: list[WorkingGroupSignup]  # with consent: name and contact
    interested: int  # without consent: only counted
    meetings: list[Workshop] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.members) + self.interested


# --- the facilitator's side -----------------------------------------------------------------------

def _field(session: Session, process_id: int, field_id) -> ProcessField:
    item = session.get(ProcessField, validate.integer(field_id, "field_id"))
    if item is None or item.process_id != process_id:
        raise NotFound(field="field_id")
    return item


def get_group(session: Session, process_id: int, group_id) -> WorkingGroup:
    group = session.get(WorkingGroup, validate.integer(group_id, "group_id"))
    if group is None or group.process_id != process_id:
        raise NotFound(field="group_id")
    return group


def open_group(session: Session, process_id: int, field_id, description: str = "",
               meeting_note: str = "") -> WorkingGroup:
    """Open the field's working group for sign-ups (one per field). Opening it again updates
    its description and meeting note and reopens it."""
    item = _field(session, process_id, field_id)
    description = validate.text(description, DESCRIPTION_MAX_CHARS, "description",
                                required=False)
    meeting_note = validate.text(meeting_note, MEETING_NOTE_MAX_CHARS, "meeting_note",
                                 required=False)
    group = session.scalar(select(WorkingGroup).where(WorkingGroup.field_id == item.id))
    if group is None:
        group = WorkingGroup(process_id=process_id, field_id=item.id)
        session.add(group)
    group.description, group.meeting_note, group.open = description, meeting_note, True
    session.commit()
    return group


def set_open(session: Session, process_id: int, group_id, is_open: bool) -> WorkingGroup:
    """Stop or resume taking sign-ups; existing sign-ups stay."""
    group = get_group(session, process_id, group_id)
    group.open = validate.flag(is_open, "open")
    session.commit()
    return group


def groups_of(session: Session, process_id: int) -> list[WorkingGroup]:
    """The process's working groups in the order of their fields."""
    return list(session.scalars(select(WorkingGroup).join(
        ProcessField, ProcessField.id == WorkingGroup.field_id).where(
        WorkingGroup.process_id == process_id).order_by(ProcessField.position, ProcessField.id)))


def members(session: Session, group_id: int) -> list[WorkingGroupSignup]:
    """Sign-ups with consent (name and contact), oldest first. Facilitators of the process only."""
    return list(session.scalars(select(WorkingGroupSignup).where(
        WorkingGroupSignup.group_id == group_id, WorkingGroupSignup.consent.is_(True))
        .order_by(WorkingGroupSignup.created_at, WorkingGroupSignup.id)))


def counts(session: Session, group_id: int) -> tuple[int, int]:
    """(members with contact, interested without) — all anyone but the team learns."""
    rows = dict(session.execute(select(WorkingGroupSignup.consent, func.count()).where(
        WorkingGroupSignup.group_id == group_id).group_by(WorkingGroupSignup.consent)).all())
    return rows.get(True, 0), rows.get(False, 0)


def meetings(session: Session, group_id: int) -> list[Workshop]:
    return list(session.scalars(select(Workshop).join(
        WorkingGroupMeeting, WorkingGroupMeeting.workshop_id == Workshop.id).where(
        WorkingGroupMeeting.group_id == group_id).order_by(Workshop.event_position, Workshop.id)))


def overview(session: Session, process_id: int) -> list[Overview]:
    fields = {f.id: f for f in session.scalars(select(ProcessField).where(
        ProcessField.process_id == process_id))}
    return [Overview(group, fields[group.field_id], members(session, group.id),
                     counts(session, group.id)[1], meetings(session, group.id))
            for group in groups_of(session, process_id)]


def remove_signup(session: Session, process_id: int, signup_id) -> None:
    """The facilitation deletes a sign-up (a person asked them to, by mail or in person)."""
    signup = session.get(WorkingGroupSignup, validate.integer(signup_id, "signup_id"))
    if signup is None:
        raise NotFound(field="signup_id")
    get_group(session, process_id, signup.group_id)  # NotFound for another process's sign-up
    session.delete(signup)
    session.commit()


def create_meeting(session: Session, process_id: int, group_id, facilitator_id: int,
                   title: str, event_date: date | None = None) -> Workshop:
    """A meeting of the working group: the process's next event (kind "working_group") with
    the group's field as its one board. `create_event` commits the event; if linking it then
    fails the event is deleted again, so no half-made meeting stays."""
    group = get_group(session, process_id, group_id)
    event = processes.create_event(session, process_id, facilitator_id, processes.EventSpec(
        title, kind="working_group", event_date=event_date, field_ids=[group.field_id]))
    try:
        session.add(WorkingGroupMeeting(group_id=group.id, workshop_id=event.id))
        session.commit()
    except Exception:
        session.rollback()
        workshops.delete_workshop(session, event.id)
        raise
    return event


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def members_csv(session: Session, process_id: int, headers: tuple[str, ...]) -> bytes:
    """Everyone who left a contact, per working group: UTF-8 with BOM, `;`, CRLF (what German
    Excel opens); cells a spreadsheet would run as a formula are quoted as text. `headers`:
    working group, name, contact, signed up in (event), signed up on — in the caller's
    language."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    titles = dict(session.execute(select(Workshop.id, Workshop.title).where(
        Workshop.process_id == process_id)).all())
    for item in overview(session, process_id):
        for signup in item.members:
            writer.writerow([_cell(v) for v in (
                item.field.title, signup.name, signup.contact,
                titles.get(signup.workshop_id, ""), signup.created_at.date().isoformat())])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- the phone's side -----------------------------------------------------------------------------

def open_for_workshop(session: Session, workshop: Workshop) -> list[tuple[WorkingGroup, ProcessField]]:
    """The working groups a phone in this workshop may sign up for: the open ones of its
    process (none when the workshop belongs to no process)."""
    if workshop.process_id is None:
        return []
    return [tuple(row) for row in session.execute(select(WorkingGroup, ProcessField).join(
        ProcessField, ProcessField.id == WorkingGroup.field_id).where(
        WorkingGroup.process_id == workshop.process_id, WorkingGroup.open.is_(True))
        .order_by(ProcessField.position, ProcessField.id))]


def group_for_phone(session: Session, workshop: Workshop, group_id) -> tuple[WorkingGroup,
                                                                                ProcessField]:
    """A working group of the workshop's process (open or not), else NotFound."""
    if workshop.process_id is None:
        raise NotFound(field="group_id")
    group = get_group(session, workshop.process_id, group_id)
    return group, session.get(ProcessField, group.field_id)


def check_contact(value) -> str:
    contact = validate.text(value, CONTACT_MAX_CHARS, "contact")
    digits = sum(ch.isdigit() for ch in contact)
    if _EMAIL.match(contact) or (_PHONE.match(contact) and 5 <= digits <= 20):
        return contact
    raise InvalidInput(field="contact")


def sign_up(session: Session, participant: Participant, group_id, consent: bool,
            name: str = "", contact: str = "") -> WorkingGroupSignup:
    """The phone's sign-up for a working group of its workshop's process; a second sign-up of
    the same phone replaces the first.

    With consent, a name and a contact (e-mail or phone number) are required and stored.
    Without consent nothing personal is stored; a name or contact typed anyway is refused
    (field "consent"), so nobody leaves data believing it is kept while it is not — or
    the reverse. Every refusal changes nothing."""
    consent = validate.flag(consent, "consent")
    workshop = session.get(Workshop, participant.workshop_id)
    group, _ = group_for_phone(session, workshop, group_id)
    if not group.open:
        raise Forbidden(field="group_closed")
    if consent:
        name = validate.text(name, NAME_MAX_CHARS * 2, "name")
        contact = check_contact(contact)
    else:
        typed = [validate.text(v, CONTACT_MAX_CHARS, "name", required=False) for v in (name, contact)]
        if any(typed):
            raise InvalidInput(field="consent")
        name = contact = None
    for attempt in (1, 2):
        signup = session.scalar(select(WorkingGroupSignup).where(
            WorkingGroupSignup.group_id == group.id,
            WorkingGroupSignup.participant_id == participant.id))
        if signup is None:
            signup = WorkingGroupSignup(group_id=group.id, participant_id=participant.id,
                                        workshop_id=workshop.id)
            session.add(signup)
        signup.consent, signup.name, signup.contact = consent, name, contact
        try:
            session.commit()
            return signup
        except IntegrityError:
            # The same phone's sign-up sent twice at once: the other one made the row first;
            # this one updates it.
            session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def mine(session: Session, participant: Participant) -> dict[int, WorkingGroupSignup]:
    """This phone's sign-ups, by working group id."""
    return {s.group_id: s for s in session.scalars(select(WorkingGroupSignup).where(
        WorkingGroupSignup.participant_id == participant.id))}


def withdraw(session: Session, participant: Participant, group_id) -> bool:
    """The phone withdraws its own sign-up: the row is deleted. False when there was none."""
    signup = session.scalar(select(WorkingGroupSignup).where(
        WorkingGroupSignup.group_id == validate.integer(group_id, "group_id"),
        WorkingGroupSignup.participant_id == participant.id))
    if signup is None:
        return False
    session.delete(signup)
    session.commit()
    return True
