"""Workshops: preparing them, who may run them, finding them by join code, deleting them whole."""
import secrets
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from ..models import PROCESS_TITLE_MAX_CHARS
from ..models import (NAME_MAX_CHARS, TITLE_MAX_CHARS, Board, Idea, Process, StakeholderGroup,
                      Workshop, WorkshopFacilitator)
from . import photos, stocktaking, validate
from .changes import WorkshopChange
from .errors import BoardNotEmpty, InvalidInput, NotFound

# Easy to read aloud and type: no 0/O, 1/I/l. 31 symbols ** 8 = 8.5e11 codes.
JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
JOIN_CODE_LENGTH = 8
LANGUAGES = ("de", "en")
COLOURS = ("yellow", "blue", "green", "pink", "orange", "purple", "teal", "grey")
PURPOSE_MAX_CHARS = 4000
QUESTION_MAX_CHARS = 300


@dataclass
class BoardSpec:
    """A board as the preparation form describes it; `id` is None for a new board."""
    title: str
    question: str = ""
    colour: str = "yellow"
    id: int | None = None
    remove: bool = False
    # cards | stocktaking (a Bestandsaufnahme: cards with fields, domain/stocktaking.py). None
    # leaves an existing board as it is.
    kind: str | None = None


@dataclass
class WorkshopSpec:
    title: str
    event_date: date | None = None
    place: str = ""
    purpose: str = ""
    language: str = "de"
    stakeholder_groups: tuple[str, ...] = ()
    boards: tuple[BoardSpec, ...] = ()
    process_title: str = ""
    organiser: str = ""


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(raw: str) -> str:
    """Accept what people type: lower case, spaces and dashes."""
    return "".join(ch for ch in str(raw).upper() if ch.isalnum())[:32]


def format_join_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _clean(spec: WorkshopSpec) -> WorkshopSpec:
    if spec.language not in LANGUAGES:
        raise InvalidInput(field="language")
    groups = tuple(dict.fromkeys(
        validate.text(g, NAME_MAX_CHARS * 2, "stakeholder_groups") for g in spec.stakeholder_groups
        if str(g).strip()))
    boards = []
    for board in spec.boards:
        if board.colour not in COLOURS:
            raise InvalidInput(field="colour")
        boards.append(BoardSpec(
            title=board.title if board.remove else validate.text(board.title, TITLE_MAX_CHARS,
                                                                 "board_title"),
            question=validate.text(board.question, QUESTION_MAX_CHARS, "question", required=False),
            colour=board.colour, id=board.id, remove=board.remove,
            kind=_kind(board.kind)))
    return WorkshopSpec(
        title=validate.text(spec.title, TITLE_MAX_CHARS, "title"),
        event_date=spec.event_date,
        place=validate.text(spec.place, TITLE_MAX_CHARS, "place", required=False),
        purpose=validate.text(spec.purpose, PURPOSE_MAX_CHARS, "purpose", required=False),
        language=spec.language, stakeholder_groups=groups, boards=tuple(boards),
        process_title=validate.text(spec.process_title, PROCESS_TITLE_MAX_CHARS, "process",
                                    required=False),
        organiser=validate.text(spec.organiser, TITLE_MAX_CHARS, "organiser", required=False))


def _kind(kind: str | None) -> str | None:
    if kind not in (None, *stocktaking.KINDS):
        raise InvalidInput(field="board_kind")
    return kind


def _unused_join_code(session: Session) -> str:
    while True:
        code = new_join_code()
        if not session.scalar(select(exists().where(Workshop.join_code == code))):
            return code


def _apply(session: Session, workshop: Workshop, spec: WorkshopSpec) -> None:
    workshop.title, workshop.event_date = spec.title, spec.event_date
    workshop.place, workshop.purpose, workshop.language = spec.place, spec.purpose, spec.language
    workshop.organiser = spec.organiser
    if spec.process_title and (workshop.process is None
                               or workshop.process.title != spec.process_title):
        workshop.process = session.scalar(
            select(Process).where(Process.title == spec.process_title)
        ) or Process(title=spec.process_title)
    existing_groups = {g.name: g for g in workshop.stakeholder_groups}
    workshop.stakeholder_groups = [
        existing_groups.get(name) or StakeholderGroup(name=name) for name in spec.stakeholder_groups]
    for position, group in enumerate(workshop.stakeholder_groups):
        group.position = position
    by_id = {board.id: board for board in workshop.boards}
    kept: list[Board] = []
    for board_spec in spec.boards:
        board = by_id.pop(board_spec.id, None) if board_spec.id is not None else Board()
        if board is None:
            raise NotFound(field="board_id")
        if board_spec.remove:
            if board.id and session.scalar(select(exists().where(Idea.board_id == board.id))):
                raise BoardNotEmpty(title=board.title)
            continue
        board.title, board.question, board.colour = (
            board_spec.title, board_spec.question, board_spec.colour)
        if board_spec.kind is not None:
            stocktaking.set_kind(board, board_spec.kind, spec.language)
        kept.append(board)
    # Boards the form did not mention stay, after the ones it listed.
    kept.extend(sorted(by_id.values(), key=lambda b: b.position))
    workshop.boards = kept
    for position, board in enumerate(kept):
        board.position = position
    workshop.projector_board_ids = [
        board_id for board_id in (workshop.projector_board_ids or [])
        if board_id in {b.id for b in kept}]


def create_workshop(session: Session, facilitator_id: int, spec: WorkshopSpec) -> Workshop:
    """A new workshop owned by `facilitator_id`, with its boards and a fresh join code."""
    spec = _clean(spec)
    workshop = Workshop(join_code=_unused_join_code(session),
                        screen_key=secrets.token_urlsafe(24), seq=1, updated_seq=1)
    _apply(session, workshop, spec)
    session.add(workshop)
    session.flush()
    for board in workshop.boards:
        board.updated_seq = 1
    workshop.projector_board_ids = [board.id for board in workshop.boards]
    session.add(WorkshopFacilitator(workshop_id=workshop.id, facilitator_id=facilitator_id))
    session.commit()
    return workshop


def update_workshop(session: Session, workshop_id: int, spec: WorkshopSpec) -> Workshop:
    """Change title, details, stakeholder groups and boards; screens follow live."""
    spec = _clean(spec)
    workshop = get_workshop(session, workshop_id)
    with WorkshopChange(session, workshop_id, "workshop_updated") as change:
        # A refusal half-way through _apply rolls back what it changed (and flushed) before.
        _apply(session, workshop, spec)
        session.flush()
        change.touch(workshop, *workshop.boards)
    return workshop


def get_workshop(session: Session, workshop_id: int) -> Workshop:
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound(field="workshop")
    return workshop


def find_by_join_code(session: Session, raw_code: str) -> Workshop:
    workshop = session.scalar(select(Workshop).where(
        Workshop.join_code == normalise_join_code(raw_code)))
    if workshop is None:
        raise NotFound(field="join_code")
    return workshop


def id_by_join_code(session: Session, raw_code: str) -> int:
    """The id alone (a socket connecting needs no more)."""
    workshop_id = session.scalar(select(Workshop.id).where(
        Workshop.join_code == normalise_join_code(raw_code)))
    if workshop_id is None:
        raise NotFound(field="join_code")
    return workshop_id


def id_by_screen_key(session: Session, key: str) -> int:
    workshop_id = session.scalar(select(Workshop.id).where(Workshop.screen_key == str(key)))
    if workshop_id is None:
        raise NotFound(field="screen_key")
    return workshop_id


def find_by_screen_key(session: Session, key: str) -> Workshop:
    workshop = session.scalar(select(Workshop).where(Workshop.screen_key == str(key)))
    if workshop is None:
        raise NotFound(field="screen_key")
    return workshop


def can_run(session: Session, facilitator_id: int | None, workshop_id: int) -> bool:
    if facilitator_id is None:
        return False
    return bool(session.scalar(select(exists().where(
        WorkshopFacilitator.workshop_id == workshop_id,
        WorkshopFacilitator.facilitator_id == facilitator_id))))


def workshops_of(session: Session, facilitator_id: int) -> list[Workshop]:
    return list(session.scalars(
        select(Workshop).join(WorkshopFacilitator)
        .where(WorkshopFacilitator.facilitator_id == facilitator_id)
        .order_by(Workshop.event_date.desc(), Workshop.id.desc())))


def add_facilitator(session: Session, workshop_id: int, facilitator_id: int) -> None:
    if not can_run(session, facilitator_id, workshop_id):
        session.add(WorkshopFacilitator(workshop_id=workshop_id, facilitator_id=facilitator_id))
    session.commit()


def idea_counts(session: Session, workshop_id: int) -> dict[int, int]:
    rows = session.execute(select(Idea.board_id, func.count(Idea.id)).where(
        Idea.workshop_id == workshop_id, Idea.state == "visible").group_by(Idea.board_id))
    return dict(rows.all())


def delete_workshop(session: Session, workshop_id: int) -> None:
    """Delete the workshop and everything in it: boards, ideas, participants, memberships,
    the files of its photos, and the files others keep for it: each function in the session's
    info "workshop_files" names some (the app's record PDF and its status, say)."""
    workshop = get_workshop(session, workshop_id)
    files = photos.files_of(session, workshop_id)
    for files_of in session.info.get("workshop_files", ()):
        files += files_of(workshop)
    session.execute(delete(Workshop).where(Workshop.id == workshop_id))
    session.commit()
    photos.remove_files(files)
