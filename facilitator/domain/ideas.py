"""Posting, editing, withdrawing and moderating ideas (cards)."""
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import IDEA_MAX_CHARS, Board, Idea, Participant
from . import stocktaking, validate
from ..database import forget_deleted
from .changes import WorkshopChange
from .history import erase_from_history
from .errors import BoardClosed, Forbidden, IdeaLimitReached, NotFound


@dataclass
class Posted:
    idea: Idea
    duplicate: bool


def _board(session: Session, workshop_id: int, board_id) -> Board:
    board = session.get(Board, validate.integer(board_id, "board_id"))
    if board is None or board.workshop_id != workshop_id:
        raise NotFound(field="board_id")
    return board


def _find_by_client_id(session: Session, workshop_id: int, client_id: str) -> Idea | None:
    return session.scalar(
        select(Idea).where(Idea.workshop_id == workshop_id, Idea.client_id == client_id))


def _same_idea_again(existing: Idea, participant: Participant) -> Posted:
    if existing.participant_id != participant.id:
        raise Forbidden(field="client_id")
    return Posted(existing, duplicate=True)


def accepts_ideas(board: Board) -> bool:
    """Ideas are written, edited and withdrawn only while the board collects and is open."""
    return board.is_open and board.phase == "collect"


def _may_post(session: Session, board: Board, participant: Participant) -> None:
    if not accepts_ideas(board):
        raise BoardClosed()
    if board.max_ideas_per_person is not None:
        posted = session.scalar(select(func.count(Idea.id)).where(
            Idea.board_id == board.id, Idea.participant_id == participant.id,
            Idea.state != "withdrawn"))
        if posted >= board.max_ideas_per_person:
            raise IdeaLimitReached(max=board.max_ideas_per_person)


def post_idea(session: Session, participant: Participant, board_id, client_id, text,
              fields=None, exists=None) -> Posted:
    """Store a new idea once: a repeated `client_id` returns the idea stored the first time.
    On a stock-taking board `fields` ({key: text} or [{key, value}]) and `exists` make its row
    (domain/stocktaking.py); elsewhere they are ignored."""
    client_id = validate.client_id(client_id)
    workshop_id = participant.workshop_id
    board = _board(session, workshop_id, board_id)
    entry, text = stocktaking.entry_for(board, text, fields, exists)
    # A phone re-sending an idea that is stored already needs no lock (a race with another
    # process is caught by the unique index below).
    existing = _find_by_client_id(session, workshop_id, client_id)
    if existing is not None:
        session.rollback()
        return _same_idea_again(existing, participant)
    # From here until the commit every other post of the workshop waits for this one (the row
    # lock of the sequence number): as few round trips as possible (bench/realtime.py --db).
    with WorkshopChange(session, workshop_id, "idea_posted") as change:
        _may_post(session, board, participant)
        # A new card joins the end of the board's unsorted cards (they may be arranged already),
        # its position worked out inside the INSERT.
        idea = Idea(workshop_id=workshop_id, board=board, participant=participant,
                    client_id=client_id, text=text, entry=entry,
                    position=select(func.coalesce(func.max(Idea.position) + 1, 0)).where(
                        Idea.board_id == board.id, Idea.cluster_id.is_(None)).scalar_subquery())
        change.touch(idea)
        session.add(idea)
        try:
            session.flush()
        except IntegrityError:
            # Another server process stored the same client_id between our check and insert.
            change.discard()
            return _same_idea_again(_find_by_client_id(session, workshop_id, client_id),
                                    participant)
    return Posted(idea, duplicate=False)


def _own_open_idea(session: Session, participant: Participant, idea_id) -> Idea:
    idea = session.get(Idea, validate.integer(idea_id, "idea_id"))
    if idea is None or idea.workshop_id != participant.workshop_id or idea.state != "visible":
        raise NotFound(field="idea_id")
    if idea.participant_id != participant.id:
        raise Forbidden(field="idea_id")
    if not accepts_ideas(idea.board):
        raise BoardClosed()
    return idea


def edit_idea(session: Session, participant: Participant, idea_id, text, fields=None,
              exists=None) -> Idea:
    """The author rewrites their own idea while its board is open (a stock-taking card: its
    fields)."""
    if fields is None and exists is None:
        text = validate.text(text, IDEA_MAX_CHARS)
    with WorkshopChange(session, participant.workshop_id, "idea_updated") as change:
        idea = _own_open_idea(session, participant, idea_id)
        if fields is not None or exists is not None:
            if exists is None and idea.entry:
                exists = idea.entry.get("exists")
            idea.entry, idea.text = stocktaking.entry_for(idea.board, text, fields, exists)
        else:
            idea.text = text
            if idea.entry is not None and idea.board.card_fields:
                # Rewritten as plain text: the text is the first field's value again.
                keys = [f["key"] for f in idea.board.card_fields]
                values = {key: value for key, value in idea.entry.get("values", {}).items()
                          if key in keys}
                idea.entry, idea.text = stocktaking.entry_for(
                    idea.board, text, {**values, keys[0]: text}, idea.entry.get("exists"))
        change.touch(idea)
    return idea


def withdraw_idea(session: Session, participant: Participant, idea_id) -> Idea:
    """The author takes back their idea; its text is erased, not just hidden: also from the
    facilitators' undo history, where an earlier move or correction kept a copy of it."""
    with WorkshopChange(session, participant.workshop_id, "idea_updated") as change:
        idea = _own_open_idea(session, participant, idea_id)
        idea.state = "withdrawn"
        idea.text, idea.original_text, idea.entry = "", None, None
        erase_from_history(session, idea)
        change.touch(idea)
    # The erased words may still sit in SQLite's write-ahead log: copy it over (secure_delete
    # has zeroed the old cells) and empty it, unless a reader holds it (then at a later one).
    forget_deleted(session, wait=False)
    return idea
