"""Posting, editing, withdrawing and moderating ideas (cards)."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import IDEA_MAX_CHARS, Board, Idea, Participant, utcnow
from . import stocktaking, validate
from ..database import forget_deleted
from .changes import WorkshopChange, register_row
from .history import erase_from_history
from .errors import BoardClosed, Forbidden, IdeaLimitReached, NotFound
from .moderation import ParticipantMuted


@dataclass
class Posted:
    idea: "Idea | NewIdea"
    duplicate: bool


@dataclass
class BoardView:
    """What a new card's payloads read of its board (idea_payload: concealed until revealed)."""
    id: int
    concealed: bool
    revealed: bool
    # A stock-taking board's fields (domain/stocktaking.py); None on other boards.
    card_fields: list | None = None


@dataclass
class AuthorView:
    display_name: str | None


@dataclass
class NewIdea:
    """A card as `post_idea` stored it, without the ORM: the announcement and the ack read these
    fields (idea_payload), so a post neither reloads the row after its commit nor lazy-loads its
    board, author and duplicates (bench/realtime.py --py-spy: 4 statements per post)."""
    id: int
    workshop_id: int
    board_id: int
    participant_id: int
    client_id: str
    text: str
    position: int
    created_at: datetime
    board: BoardView
    participant: AuthorView
    updated_seq: int = 0
    state: str = "visible"
    cluster_id: int | None = None
    merged_into_id: int | None = None
    original_text: str | None = None
    source: str = "phone"
    translation: str | None = None
    translation_lang: str | None = None
    entry: dict | None = None
    duplicates: tuple = ()


register_row(NewIdea, "ideas")


def _find_by_client_id(session: Session, workshop_id: int, client_id: str) -> Idea | None:
    return session.scalar(
        select(Idea).where(Idea.workshop_id == workshop_id, Idea.client_id == client_id))


def _same_idea_again(existing: Idea, participant) -> Posted:
    if existing.participant_id != participant.id:
        raise Forbidden(field="client_id")
    return Posted(existing, duplicate=True)


def accepts_ideas(board: Board) -> bool:
    """Ideas are written, edited and withdrawn only while the board collects and is open."""
    return board.is_open and board.phase == "collect"


def _may_post(session: Session, board: Board, participant) -> None:
    if not accepts_ideas(board):
        raise BoardClosed()
    if board.max_ideas_per_person is not None:
        if session.scalar(_own_ideas(board.id, participant.id)) >= board.max_ideas_per_person:
            raise IdeaLimitReached(max=board.max_ideas_per_person)


def _own_ideas(board_id: int, participant_id: int):
    return select(func.count(Idea.id)).where(
        Idea.board_id == board_id, Idea.participant_id == participant_id,
        Idea.state != "withdrawn")


def _accepts_post(board_id: int, participant_id: int):
    """`_may_post` as SQL, for the INSERT to check under the workshop's lock."""
    return (Board.is_open.is_(True) & (Board.phase == "collect")
            & (Board.max_ideas_per_person.is_(None)
               | (_own_ideas(board_id, participant_id).scalar_subquery()
                  < Board.max_ideas_per_person)))


# A post's two statements are built once, their values passed as parameters: building them
# anew was a third of a post's CPU in-process (bench/hot_paths.py).
_WHAT_A_POST_READS = (
    select(Participant.muted, Participant.display_name, Board.id, Board.concealed,
           Board.revealed, Board.card_fields,
           # A stored idea with this client_id (a phone sending it again).
           select(Idea.id).where(Idea.workshop_id == bindparam("workshop_id"),
                                 Idea.client_id == bindparam("client_id")).scalar_subquery())
    .select_from(Participant)
    .outerjoin(Board, (Board.id == bindparam("board_id"))
               & (Board.workshop_id == bindparam("workshop_id")))
    .where(Participant.id == bindparam("participant_id"),
           Participant.workshop_id == bindparam("workshop_id")))


def _insert_post(columns: tuple[str, ...]):
    """INSERT ... SELECT of a new card, its `columns` from parameters named "new_<column>" (a
    parameter named as a workshop's column, `created_at`, would be taken as a value to SET by
    the UPDATE that numbers the card): nothing when the board does not take it
    (`_accepts_post`); at the end of the board's unsorted cards (they may be arranged
    already); numbered by its WorkshopChange."""
    board_id = bindparam("new_board_id")
    position = select(func.coalesce(func.max(Idea.position) + 1, 0)).where(
        Idea.board_id == board_id, Idea.cluster_id.is_(None)).scalar_subquery()
    values = select(
        *(bindparam(f"new_{name}", type_=Idea.__table__.c[name].type) for name in columns),
        position, WorkshopChange.number
    ).where(Board.id == board_id, _accepts_post(board_id, bindparam("new_participant_id")))
    return (insert(Idea).from_select([*columns, "position", "updated_seq"], values)
            .returning(Idea.id, Idea.position))


_POST_COLUMNS = ("workshop_id", "board_id", "participant_id", "client_id", "text", "state",
                 "source", "created_at")
# A stock-taking card has its entry; any other leaves the column NULL (not JSON 'null').
_INSERT_POST = {False: _insert_post(_POST_COLUMNS), True: _insert_post((*_POST_COLUMNS, "entry"))}


def post_idea(session: Session, participant, board_id, client_id, text, fields=None,
              exists=None) -> Posted:
    """Store a new idea once: a repeated `client_id` returns the idea stored the first time.
    `participant` is a Participant or anything with its `id` and `workshop_id` (a socket keeps
    those for its connection): whether it still exists and is not muted is read here, with
    everything else a post needs, in one statement. On a stock-taking board `fields` ({key:
    text} or [{key, value}]) and `exists` make its row (domain/stocktaking.py); elsewhere they
    are ignored."""
    client_id = validate.client_id(client_id)
    board_id = validate.integer(board_id, "board_id")
    workshop_id = participant.workshop_id
    # One read before the lock: the author (gone? muted?), the board (this workshop's?) and a
    # stored idea with this client_id (a phone re-sending needs no lock; a race with another
    # process is caught by the unique index below).
    # (Core on the session's connection: the ORM's execution layer added a third to the read.)
    row = session.connection().execute(_WHAT_A_POST_READS, {
        "workshop_id": workshop_id, "board_id": board_id, "participant_id": participant.id,
        "client_id": client_id}).one_or_none()
    if row is None:
        raise NotFound(field="participant")
    muted, display_name, found_board_id, concealed, revealed, card_fields, stored_id = row
    if muted:
        raise ParticipantMuted()
    if found_board_id is None:
        raise NotFound(field="board_id")
    board_view = BoardView(board_id, concealed, revealed, card_fields)
    entry, text = stocktaking.entry_for(board_view, text, fields, exists)
    if stored_id is not None:
        session.rollback()
        return _same_idea_again(session.get(Idea, stored_id), participant)
    columns = {"workshop_id": workshop_id, "board_id": board_id,
               "participant_id": participant.id, "client_id": client_id, "text": text,
               "state": "visible", "source": "phone", "created_at": utcnow()}
    if entry is not None:
        columns["entry"] = entry
    # Every other write of the workshop waits for this one (the sequence number's row lock):
    # one INSERT that checks the board (open, collecting, the author's limit), works out the
    # card's position and takes the number; on PostgreSQL sent with the lock and the commit in
    # one flush (WorkshopChange.write).
    with WorkshopChange(session, workshop_id, "idea_posted", one_write=True) as change:
        try:
            inserted = change.write(_INSERT_POST[entry is not None],
                                    {f"new_{name}": value for name, value in columns.items()})
        except IntegrityError:
            # Another server process stored the same client_id between our check and insert.
            change.discard()
            return _same_idea_again(_find_by_client_id(session, workshop_id, client_id),
                                    participant)
        if not inserted:
            # The board closed or the author reached its limit: say which.
            board = session.get(Board, board_id)
            if board is None:
                raise NotFound(field="board_id")
            _may_post(session, board, participant)
            raise BoardClosed()
        idea = NewIdea(id=inserted[0].id, position=inserted[0].position,
                       board=board_view,
                       participant=AuthorView(display_name),
                       **{name: value for name, value in columns.items()
                          if name not in ("state", "source")})
        change.touch(idea)
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
