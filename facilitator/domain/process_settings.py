"""Editing a participation process after it was made: its title, organiser and description, its
thematic fields, its stakeholder groups and its team.

Every change is one unit of work: it is checked completely first, then written in one commit;
bad input raises a named error and changes nothing.

What reaches the events already made:
- Thematic fields: an event's boards keep their own titles, questions and colours (the room saw
  them so); renaming a field changes the field, its chapter in the compendium and the boards of
  events made from now on. A field is removed only while no board of any event works on it and
  it has no guideline: its results would otherwise lose their chapter (`FieldInUse`).
- Stakeholder groups: a new group is offered by every event of the process (phones joining
  from now on see it); a renamed group is renamed in every event that offers it under its old
  name (participants who chose it keep their choice); a removed group is no longer offered by
  events made from now on, while events already made keep it, so nobody's choice is lost.
- Team: a new member may run every event of the process (`processes.add_facilitator`); a removed
  member no longer runs the process's events. The last member is never removed (`LastOfTeam`).
"""
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..models import (NAME_MAX_CHARS, PROCESS_TITLE_MAX_CHARS, TITLE_MAX_CHARS, Board,
                      Facilitator, Process, ProcessFacilitator, ProcessField, ProcessGroup,
                      ProcessGuideline, StakeholderGroup, Workshop, WorkshopFacilitator)
from . import processes, validate, workshops
from .errors import DomainError, InvalidInput, NotFound

DESCRIPTION_MAX_CHARS = 4000
GROUP_MAX_CHARS = NAME_MAX_CHARS * 2


class FieldInUse(DomainError):
    """Boards of events work on the field, or it has a guideline: `events` names them."""
    code = "field_in_use"


class NameTaken(DomainError):
    """The process already has a field or group of this name."""
    code = "process_name_taken"


class LastOfTeam(DomainError):
    """The process's last facilitator cannot leave its team."""
    code = "last_of_team"


class NoSuchAccount(DomainError):
    code = "no_such_account"


# --- title, organiser, description ------------------------------------------------------------

def update_details(session: Session, process_id, title, organiser, description) -> Process:
    """Title, organiser and description. Events keep the organiser they were made with."""
    process = processes.get_process(session, process_id)
    cleaned = (validate.text(title, PROCESS_TITLE_MAX_CHARS, "title"),
               validate.text(organiser, TITLE_MAX_CHARS, "organiser", required=False),
               validate.text(description, DESCRIPTION_MAX_CHARS, "description", required=False))
    process.title, process.organiser, process.description = cleaned
    session.commit()
    return process


# --- thematic fields ------------------------------------------------------------------------------

def _field(session: Session, process: Process, field_id) -> ProcessField:
    field = session.get(ProcessField, validate.integer(field_id, "field_id"))
    if field is None or field.process_id != process.id:
        raise NotFound(field="field_id")
    return field


def _unique(existing, name: str, kind: str) -> None:
    if name.casefold() in {other.casefold() for other in existing}:
        raise NameTaken(field=kind, name=name)


def _renumber(rows) -> None:
    for position, row in enumerate(rows):
        row.position = position


def add_field(session: Session, process_id, title, question="", colour="yellow") -> ProcessField:
    """A new thematic field at the end; events made from now on can work on it."""
    process = processes.get_process(session, process_id)
    title = validate.text(title, TITLE_MAX_CHARS, "field")
    question = validate.text(question, workshops.QUESTION_MAX_CHARS, "question", required=False)
    if colour not in workshops.COLOURS:
        raise InvalidInput(field="colour")
    _unique((f.title for f in process.fields), title, "field")
    field = ProcessField(title=title, question=question, colour=colour,
                         position=len(process.fields))
    process.fields.append(field)
    session.commit()
    return field


def edit_field(session: Session, process_id, field_id, title, question=None,
               colour=None) -> ProcessField:
    """Rename a field (and change its question or colour); boards already made keep theirs."""
    process = processes.get_process(session, process_id)
    field = _field(session, process, field_id)
    title = validate.text(title, TITLE_MAX_CHARS, "field")
    if question is not None:
        question = validate.text(question, workshops.QUESTION_MAX_CHARS, "question",
                                 required=False)
    if colour is not None and colour not in workshops.COLOURS:
        raise InvalidInput(field="colour")
    _unique((f.title for f in process.fields if f.id != field.id), title, "field")
    field.title = title
    if question is not None:
        field.question = question
    if colour is not None:
        field.colour = colour
    session.commit()
    return field


def move_field(session: Session, process_id, field_id, offset) -> list[ProcessField]:
    """Move a field up (-1) or down (+1) in the process's order; at either end nothing moves."""
    process = processes.get_process(session, process_id)
    field = _field(session, process, field_id)
    offset = validate.integer(offset, "offset", minimum=-1, maximum=1)
    order = list(process.fields)
    index = order.index(field)
    target = index + offset
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
    _renumber(order)
    session.commit()
    session.expire(process, ["fields"])
    return list(process.fields)


def field_users(session: Session, process_id: int, field_id: int) -> list[str]:
    """The titles of the events whose boards work on the field, in the process's order."""
    return list(dict.fromkeys(session.scalars(
        select(Workshop.title).join(Board, Board.workshop_id == Workshop.id).where(
            Board.field_id == field_id, Workshop.process_id == process_id)
        .order_by(Workshop.event_position, Workshop.id))))


def remove_field(session: Session, process_id, field_id) -> None:
    """Remove a field no event works on and that has no guideline; otherwise `FieldInUse`."""
    process = processes.get_process(session, process_id)
    field = _field(session, process, field_id)
    users = field_users(session, process.id, field.id)
    # Boards of events in other processes (an event moved away) also keep their field.
    boards = session.scalar(select(func.count()).select_from(Board).where(
        Board.field_id == field.id))
    guideline = session.scalar(select(func.count()).select_from(ProcessGuideline).where(
        ProcessGuideline.field_id == field.id))
    if users or boards or guideline:
        raise FieldInUse(field="field_id", title=field.title, events=", ".join(users),
                         guideline=bool(guideline))
    process.fields.remove(field)
    _renumber(process.fields)
    session.commit()


# --- stakeholder groups -----------------------------------------------------------------------

def _group(session: Session, process: Process, group_id) -> ProcessGroup:
    group = session.get(ProcessGroup, validate.integer(group_id, "group_id"))
    if group is None or group.process_id != process.id:
        raise NotFound(field="group_id")
    return group


def add_group(session: Session, process_id, name) -> ProcessGroup:
    """A new stakeholder group; every event of the process offers it from now on."""
    process = processes.get_process(session, process_id)
    name = validate.text(name, GROUP_MAX_CHARS, "stakeholder_groups")
    _unique((g.name for g in process.groups), name, "stakeholder_groups")
    group = ProcessGroup(name=name, position=len(process.groups))
    process.groups.append(group)
    for event in processes.events(session, process.id):
        if name not in {g.name for g in event.stakeholder_groups}:
            event.stakeholder_groups.append(
                StakeholderGroup(name=name, position=len(event.stakeholder_groups)))
    session.commit()
    return group


def rename_group(session: Session, process_id, group_id, name) -> ProcessGroup:
    """Rename a group here and in every event that offers it under its old name."""
    process = processes.get_process(session, process_id)
    group = _group(session, process, group_id)
    name = validate.text(name, GROUP_MAX_CHARS, "stakeholder_groups")
    _unique((g.name for g in process.groups if g.id != group.id), name, "stakeholder_groups")
    old = group.name
    group.name = name
    for event in processes.events(session, process.id):
        names = {g.name for g in event.stakeholder_groups}
        for offered in event.stakeholder_groups:
            # An event that already offers the new name keeps both as they are.
            if offered.name == old and name not in names:
                offered.name = name
    session.commit()
    return group


def remove_group(session: Session, process_id, group_id) -> None:
    """Events made from now on no longer offer the group; events already made keep it, so no
    participant's choice is lost."""
    process = processes.get_process(session, process_id)
    group = _group(session, process, group_id)
    process.groups.remove(group)
    _renumber(process.groups)
    session.commit()


# --- the team -----------------------------------------------------------------------------------

def add_to_team(session: Session, process_id, name) -> Facilitator:
    """Add a colleague by the name of their account (as the workshop team page does)."""
    process = processes.get_process(session, process_id)
    name = validate.text(name, NAME_MAX_CHARS, "name")
    account = session.scalar(select(Facilitator).where(Facilitator.name == name))
    if account is None:
        raise NoSuchAccount(field="name", name=name)
    processes.add_facilitator(session, process.id, account.id)
    return account


def team_members(session: Session, process_id: int) -> list[Facilitator]:
    return list(session.scalars(select(Facilitator).join(
        ProcessFacilitator, ProcessFacilitator.facilitator_id == Facilitator.id).where(
        ProcessFacilitator.process_id == process_id).order_by(Facilitator.name)))


def remove_from_team(session: Session, process_id, facilitator_id) -> None:
    """The member no longer runs the process or its events; the last member always stays."""
    process = processes.get_process(session, process_id)
    facilitator_id = validate.integer(facilitator_id, "facilitator_id")
    members = processes.team(session, process.id)
    if facilitator_id not in members:
        raise NotFound(field="facilitator_id")
    if len(members) == 1:
        raise LastOfTeam(field="facilitator_id")
    event_ids = [e.id for e in processes.events(session, process.id)]
    for event_id in event_ids:
        others = session.scalar(select(func.count()).select_from(WorkshopFacilitator).where(
            WorkshopFacilitator.workshop_id == event_id,
            WorkshopFacilitator.facilitator_id != facilitator_id))
        # An event nobody else runs keeps them (an event never ends up without a facilitator).
        if others:
            session.execute(delete(WorkshopFacilitator).where(
                WorkshopFacilitator.workshop_id == event_id,
                WorkshopFacilitator.facilitator_id == facilitator_id))
    session.execute(delete(ProcessFacilitator).where(
        ProcessFacilitator.process_id == process.id,
        ProcessFacilitator.facilitator_id == facilitator_id))
    session.commit()


# --- the process page's live part -------------------------------------------------------------

def live_figures(session: Session, process_id: int) -> list[dict]:
    """Per event, in order: its state and counts (phones joined, visible cards, dots and ratings
    cast), as the process page shows them and refreshes them without a reload."""
    from ..models import Vote, VoteRound
    rows = []
    for event in processes.events(session, process_id):
        votes = session.scalar(select(func.count(Vote.id)).join(
            VoteRound, VoteRound.id == Vote.round_id).where(
            VoteRound.workshop_id == event.id)) or 0
        rows.append({"id": event.id, "state": processes.event_state(session, event),
                     **processes.participation(session, event.id), "votes": votes})
    return rows
