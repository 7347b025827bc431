"""Sequence numbers, committed changes and what each audience may see of them.

Every change to a workshop takes the next per-workshop sequence number in the same transaction
(a row lock on PostgreSQL, the write lock on SQLite), so numbers are gap-free, commit in order and
stay right with several server processes. A screen that saw number N asks for rows changed after N.
"""
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Callable

from sqlalchemy import bindparam, exists, func, select, true, update
from sqlalchemy.orm import Session, joinedload, object_session, scoped_session, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from .presence import STALE_AFTER
from ..database import IN_ONE_FLUSH
from ..models import Board, Cluster, Connection, Idea, Measure, VoteRound, Workshop, utcnow

STAFF = "staff"
PUBLIC = "public"
# A screen further behind than this gets a whole snapshot instead of the rows it missed.
FULL_SNAPSHOT_AFTER = 2000


@dataclass
class Change:
    """One committed change, named by its past-tense event (`idea_posted`, `board_updated`...)."""
    event: str
    workshop_id: int
    # None for a change that takes no number (votes: every sync carries the current tallies).
    seq: int | None
    workshop: Workshop | None = None
    boards: list[Board] = field(default_factory=list)
    ideas: list[Idea] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    rounds: list[VoteRound] = field(default_factory=list)
    # The facilitator who made it (staff only): a console names a colleague's rename.
    by: int | None = None


def end_read_before_write(session: Session) -> None:
    """SQLite: end a transaction that has only read before writing. Its snapshot may be older
    than another process's last commit (the import job, a second server), and SQLite then
    refuses the write at once ("database is locked") instead of waiting for the lock; a fresh
    transaction that writes first waits its turn. Objects read so far stay loaded."""
    if isinstance(session, scoped_session):
        session = session()  # the app's session of this request or socket event
    if (session.in_transaction() and not (session.new or session.dirty or session.deleted)
            and session.get_bind().dialect.name == "sqlite"):
        session.commit()


# Built once; Core, not the ORM's bulk UPDATE, which evaluated its WHERE against every object
# of the session to keep them in step: a quarter of a post's CPU (bench/realtime.py --py-spy).
_NEXT_SEQ = (update(Workshop.__table__).where(Workshop.__table__.c.id == bindparam("workshop_id"))
             .values(seq=Workshop.__table__.c.seq + 1).returning(Workshop.__table__.c.seq))


def next_seq(session: Session, workshop_id: int) -> int:
    """Take the workshop's next sequence number; holds the workshop's write lock until commit.
    A workshop this session holds shows the number taken."""
    seq = session.connection().execute(_NEXT_SEQ, {"workshop_id": workshop_id}).scalar_one()
    _show_taken_number(session, workshop_id, seq)
    return seq


def _show_taken_number(session: Session, workshop_id: int, seq: int) -> None:
    workshop = session.identity_map.get(identity_key(Workshop, workshop_id))
    if workshop is not None:
        set_committed_value(workshop, "seq", seq)


@cache
def _row_lock_sql(dialect) -> str:
    """The workshop's row lock alone, as every sequence number takes it (FOR NO KEY UPDATE, as
    an UPDATE of the row: inserting a card, which refers to the workshop, does not wait)."""
    return str(select(Workshop.id).where(Workshop.id == bindparam("workshop_id"))
               .with_for_update(key_share=True).compile(dialect=dialect))


@lru_cache(maxsize=32)
def _numbered_when_written(statement):
    """PostgreSQL: the statement and, if it wrote, the workshop's next number, in one
    statement, sent after the row lock. Its snapshot is taken after the lock, so a board
    closed while it waited is seen closed (in one statement that takes the lock itself, the
    rest would be read as it was before the wait)."""
    written = statement.cte("written")
    numbered = (update(Workshop).where(Workshop.id == bindparam("change_workshop_id"),
                                       exists(select(true()).select_from(written)))
                .values(seq=Workshop.seq + 1).returning(Workshop.seq).cte("numbered"))
    return (select(written, numbered.c.seq.label("change_seq"))
            .select_from(written).join(numbered, true()))


def commit_and_announce(session: Session, change: Change) -> Change:
    """Commit, then hand the change to the session's announcer (the broadcaster in the app)."""
    session.commit()
    announcer: Callable[[Change], None] | None = session.info.get("announcer")
    if announcer:
        announcer(change)
    return change


class WorkshopChange:
    """The one unit of work behind every write to a workshop:

        with WorkshopChange(session, workshop_id, "idea_posted") as change:
            ...check, refuse by raising a DomainError, change rows...
            change.touch(idea)

    On entering, the workshop's next sequence number is taken (which serialises the write with
    every other write to the workshop, across server processes); a refusal (any exception)
    rolls back, giving the number back, so a refused write changes nothing; on leaving, every
    touched row gets the number, the transaction commits, and only then is the change
    announced. `sequenced=False` (votes) takes no number: the body locks what it needs.
    `discard()` ends the write without a change (a replay answered with what was stored).

    `one_write=True` (a post, the hall's hot path): the body's change is one statement,
    `change.write(statement, parameters)`, that numbers its rows with `WorkshopChange.number`
    and may write nothing (a refusal the statement checks under the lock). The number is taken
    only when it wrote; on PostgreSQL the row lock, the statement and COMMIT go to the database
    in one flush, so the lock every other write waits for is held for no round trip at all."""

    def __init__(self, session: Session, workshop_id: int, event: str, by: int | None = None,
                 sequenced: bool = True, one_write: bool = False) -> None:
        self.session, self.workshop_id, self.event, self.by = session, workshop_id, event, by
        self.sequenced, self.one_write = sequenced, one_write
        self.seq: int | None = None
        self.rows: dict[tuple, object] = {}
        self.discarded = False

    def __enter__(self):
        end_read_before_write(self.session)
        if self.sequenced and not self.one_write:
            self.seq = next_seq(self.session, self.workshop_id)
        return self

    # The sequence number a `one_write` change takes, as SQL for its statement.
    number = (select(Workshop.seq + 1).where(Workshop.id == bindparam("change_workshop_id"))
              .scalar_subquery().label("updated_seq"))

    def write(self, statement, parameters: dict) -> list:
        """A `one_write` change's statement (INSERT or UPDATE ... RETURNING, its rows numbered
        with `number`; built once, its values in `parameters`): its rows; none when it wrote
        nothing (nothing is numbered)."""
        assert self.one_write and self.seq is None
        parameters = {**parameters, "change_workshop_id": self.workshop_id}
        # Executed as SQL, not as the ORM's bulk INSERT of `parameters` as rows.
        connection = self.session.connection()
        if connection.dialect.name != "postgresql":
            # SQLite: the statement takes the database's write lock, held until the commit.
            rows = connection.execute(statement, parameters).all()
            if rows:
                self.seq = next_seq(self.session, self.workshop_id)
            return rows
        rows = connection.execute(_numbered_when_written(statement), parameters,
                                  execution_options={IN_ONE_FLUSH: (
                                      [(_row_lock_sql(connection.dialect),
                                        {"workshop_id": self.workshop_id})],
                                      [("COMMIT", None)])}).all()
        if rows:
            self.seq = rows[0].change_seq
            _show_taken_number(self.session, self.workshop_id, self.seq)
        return rows

    def touch(self, *rows) -> None:
        """Rows to number and announce (a workshop, boards, ideas, clusters, measures, rounds)."""
        for row in rows:
            self.rows.setdefault((type(row), id(row)), row)
            if self.seq is not None:
                # Numbered now, so a new row is inserted with its number (no extra UPDATE).
                row.updated_seq = self.seq

    def discard(self) -> None:
        self.session.rollback()
        self.discarded = True

    def __exit__(self, error_type, error, _traceback) -> bool:
        if self.discarded:
            return False
        if error_type is not None or (self.one_write and self.seq is None):
            self.session.rollback()  # (a one_write change that wrote nothing: no change)
            return False
        try:
            self.before_commit()
            if self.one_write and (self.session.new or self.session.dirty or self.session.deleted):
                raise RuntimeError(f"{self.event}: a one_write change writes through write() only")
            self.session.flush()
        except BaseException:
            self.session.rollback()
            raise
        if self.seq is not None:
            for row in self.rows.values():
                row.updated_seq = self.seq
        commit_and_announce(self.session, self.change())
        return False

    def before_commit(self) -> None:
        """A hook for subclasses (the undo history) to add rows before the commit."""

    def change(self) -> Change:
        grouped: dict = {"boards": [], "ideas": [], "clusters": [], "measures": [], "rounds": []}
        workshop = None
        for row in self.rows.values():
            if isinstance(row, Workshop):
                workshop = row
            else:
                grouped[_GROUPS[type(row)]].append(row)
        return Change(self.event, self.workshop_id, self.seq, workshop=workshop, by=self.by,
                      **grouped)


_GROUPS = {Board: "boards", Idea: "ideas", Cluster: "clusters", Measure: "measures",
           VoteRound: "rounds"}


def register_row(kind: type, group: str) -> None:
    """A plain object standing for a row (a card written without the ORM) joins a group."""
    _GROUPS[kind] = group


def workshop_payload(workshop: Workshop) -> dict:
    return {
        "id": workshop.id,
        "seq": workshop.updated_seq,
        "title": workshop.title,
        "join_code": workshop.join_code,
        "language": workshop.language,
        "board_ids": [board.id for board in workshop.boards],
        "projector_board_ids": list(workshop.projector_board_ids or []),
        "stakeholder_groups": [{"id": g.id, "name": g.name} for g in workshop.stakeholder_groups],
        "projector_view": workshop.projector_view,
        "projector_target_id": workshop.projector_target_id,
        "projector_paging": paging_state(workshop),
        "timer": timer_state(workshop),
        "results_published": bool(workshop.results_published),
        **content_languages(workshop),
    }


def content_languages(workshop: Workshop) -> dict:
    """The facilitator's translations of the content and the projector's second language."""
    from .translations import content_map  # it builds on this module's sequence numbers
    return {"translations": content_map(workshop),
            "projector_language": workshop.projector_language}


def paging_state(workshop: Workshop) -> dict:
    """How the projector pages: paused?, the count of next/previous presses, seconds a page."""
    return {"paused": workshop.projector_paging_paused, "step": workshop.projector_page_step,
            "seconds": workshop.projector_page_seconds}


def timer_state(workshop: Workshop) -> dict:
    """Seconds left and whether the countdown runs (screens count down on their own clock)."""
    return countdown(workshop.timer_seconds, workshop.timer_ends_at)


def countdown(seconds: int, ends_at) -> dict:
    """`timer_state` from the two columns: runs while `ends_at` is set, else `seconds` are left."""
    if ends_at is None:
        return {"running": False, "remaining": seconds}
    left = (ends_at - utcnow()).total_seconds()
    return {"running": True, "remaining": max(0, round(left))}


def board_payload(board: Board) -> dict:
    return {
        "id": board.id,
        "seq": board.updated_seq,
        "title": board.title,
        "question": board.question,
        "colour": board.colour,
        "position": board.position,
        "is_open": board.is_open,
        "concealed": board.concealed,
        "revealed": board.revealed,
        "max_ideas_per_person": board.max_ideas_per_person,
        "phase": board.phase,
        # A stock-taking board's card fields (domain/stocktaking.py); null on other boards.
        "card_fields": board.card_fields or None,
    }


def idea_payload(idea: Idea, board: Board, audience: str, viewer_id: int | None = None) -> dict:
    """An idea as one audience may see it: staff see everything; the public never sees the text
    of a hidden or withdrawn idea, nor of a concealed board's idea before it is revealed; its
    author (`viewer_id`) gets `mine` and their own text of a hidden, merged or concealed card."""
    payload = {"id": idea.id, "seq": idea.updated_seq, "board_id": idea.board_id,
               "client_id": idea.client_id, "state": idea.state, "text": None, "author": None,
               "cluster_id": idea.cluster_id, "position": idea.position,
               "merged_into_id": idea.merged_into_id, "duplicates": [], "authors": 1,
               "created_at": idea.created_at.isoformat() + "Z", "source": idea.source,
               "translation": None, "translation_lang": None, "entry": None}
    mine = viewer_id is not None and idea.participant_id == viewer_id
    if mine:
        payload["mine"] = True
        if idea.state in ("hidden", "merged"):
            # The author keeps their own words, to see which card the facilitation took out.
            payload["text"], payload["entry"] = idea.text, idea.entry
    if audience == PUBLIC and idea.state != "visible":
        return payload
    concealed = audience == PUBLIC and board.concealed and not board.revealed
    if concealed and not mine:
        payload["state"] = "concealed"
        return payload
    payload["text"] = idea.text
    payload["entry"] = idea.entry
    payload["translation"] = idea.translation
    payload["translation_lang"] = idea.translation_lang
    payload["author"] = idea.participant.display_name if idea.participant else None
    # On a concealed board the author of the kept card sees their own words only: the texts
    # merged into it are others' and stay hidden until the board is revealed.
    payload["duplicates"] = [
        {"id": d.id, "text": d.text if not concealed or d.participant_id == viewer_id else None}
        for d in idea.duplicates]
    payload["authors"] = 1 + len(idea.duplicates)
    if audience == STAFF:
        payload["original_text"] = idea.original_text
    return payload


def cluster_payload(cluster: Cluster) -> dict:
    return {"id": cluster.id, "seq": cluster.updated_seq, "board_id": cluster.board_id,
            "heading": cluster.heading, "colour": cluster.colour, "position": cluster.position,
            "state": cluster.state, "matrix_x": cluster.matrix_x, "matrix_y": cluster.matrix_y}


def measure_payload(measure: Measure) -> dict:
    return {"id": measure.id, "seq": measure.updated_seq, "board_id": measure.board_id,
            "title": measure.title, "description": measure.description,
            "thematic_field": measure.thematic_field,
            "responsible": measure.responsible, "partners": measure.partners,
            "horizon": measure.horizon, "due_date": measure.due_date,
            "status": measure.status, "indicator": measure.indicator, "cost": measure.cost,
            "source_idea_ids": list(measure.source_idea_ids or []),
            "source_cluster_id": measure.source_cluster_id, "position": measure.position,
            "state": measure.state}


def round_payload(round_: VoteRound, audience: str) -> dict:
    """A voting round with its targets; its results only to staff, or to everyone once revealed
    (or, for dots, while tallies are set visible)."""
    return round_payloads(round_, (audience,))[audience]


def round_payloads(round_: VoteRound, audiences=(STAFF, PUBLIC)) -> dict[str, dict]:
    """`round_payload` for several audiences from one reading of the round's targets, votes and
    voters (a round's tallies go out to consoles and projectors every 0.15 s while a room votes:
    reading them once per audience was most of a dot's server CPU, bench/realtime.py --dots)."""
    # Imported here: voting builds on this module's Change and sequence numbers.
    from .voting import results, targets, voter_count
    session = object_session(round_)
    concealed = set(session.scalars(select(Board.id).where(
        Board.workshop_id == round_.workshop_id, Board.concealed.is_(True),
        Board.revealed.is_(False))))

    def hidden(target: dict) -> bool:
        # A card on a board still collecting hidden is not read out to the room by a round.
        return round_.target_kind == "idea" and target["board_id"] in concealed

    voters = voter_count(session, round_)
    listed = targets(session, round_)
    public_tallies = round_.revealed or (round_.kind == "dots" and round_.tallies_visible)
    ranked = results(session, round_, listed) if STAFF in audiences or public_tallies else None
    common = {
        "id": round_.id, "seq": round_.updated_seq, "kind": round_.kind,
        "question": round_.question, "target_kind": round_.target_kind,
        "board_ids": list(round_.board_ids or []), "whole_room": round_.whole_room,
        "options": list(round_.options or []),
        "dots_per_person": round_.dots_per_person, "max_per_item": round_.max_per_item,
        "allow_own": round_.allow_own, "tallies_visible": round_.tallies_visible,
        "state": round_.state, "revealed": round_.revealed,
        "final_order": list(round_.final_order or []),
        "final_order_reason": round_.final_order_reason or "",
        "voters": voters,
        "eligible": _eligible(session, round_, voters),
    }
    payloads = {}
    for audience in audiences:
        payload = {**common, "targets": [
            {"id": t["id"], "board_id": t["board_id"],
             "label": t["label"] if audience == STAFF or not hidden(t) else None}
            for t in listed]}
        if audience == STAFF:
            payload["results"] = [dict(row) for row in ranked]
        elif public_tallies:
            # Revealing the round does not reveal the board: a concealed card's dots show, its
            # words do not.
            payload["results"] = [{**row, "label": None} if hidden(row) else dict(row)
                                  for row in ranked]
        payloads[audience] = payload
    return payloads


def change_payload(change: Change, audience: str) -> dict:
    payload: dict = {"seq": change.seq}
    if audience == STAFF and change.by is not None:
        payload["by"] = change.by
    if change.workshop is not None:
        payload["workshop"] = workshop_payload(change.workshop)
    if change.boards:
        payload["boards"] = [board_payload(board) for board in change.boards]
    if change.ideas:
        payload["ideas"] = [idea_payload(idea, idea.board, audience) for idea in change.ideas]
    if change.clusters:
        payload["clusters"] = [cluster_payload(cluster) for cluster in change.clusters]
    if change.measures:
        payload["measures"] = [measure_payload(measure) for measure in change.measures]
    if change.rounds:
        payload["rounds"] = [round_payload(round_, audience) for round_ in change.rounds]
    return payload


def _eligible(session: Session, round_: VoteRound, voters: int | None = None) -> int:
    """"y" in "x of y have voted": phones online now at the round's boards (anywhere in the
    workshop for a workshop-wide round or one opened to the whole room), and never fewer than
    those who voted."""
    from .voting import voter_count
    query = select(func.count(func.distinct(Connection.participant_id))).where(
        Connection.workshop_id == round_.workshop_id, Connection.role == "participant",
        Connection.seen_at >= utcnow() - STALE_AFTER)
    if round_.board_ids and not round_.whole_room:
        query = query.where(Connection.board_id.in_(round_.board_ids))
    if voters is None:
        voters = voter_count(session, round_)
    return max(session.scalar(query), voters)


def is_whole(since: int, current: int) -> bool:
    """Does a screen that last saw `since` get everything (new, far behind, or ahead of this
    database, restored from a backup), rather than the rows changed after `since`?"""
    return since <= 0 or since > current or current - since > FULL_SNAPSHOT_AFTER


def changes_since(session: Session, workshop_id: int, since: int, audience: str,
                  viewer_id: int | None = None, board_id: int | None = None) -> dict:
    """What a screen that last saw `since` needs: the rows changed after it, or all of them
    (`full`) when it is new, far behind, or ahead of this database (restored from a backup).
    With `board_id` (a phone at its table) only that board's cards: a phone shows one board."""
    workshop = session.get(Workshop, workshop_id)
    current = workshop.seq
    full = is_whole(since, current)
    floor = 0 if full else since
    boards = {board.id: board for board in workshop.boards}
    # Authors joined in, duplicates in one more query, not one query per card: a hall of phones
    # syncs at once on connect. (`Idea.duplicates` is self-referential: its lazy="selectin"
    # is not applied without a join_depth, each card lazy-loaded its own.)
    query = select(Idea).options(
        joinedload(Idea.participant), selectinload(Idea.duplicates)).where(
        Idea.workshop_id == workshop_id, Idea.updated_seq > floor)
    if board_id is not None:
        query = query.where(Idea.board_id == board_id)
    if full:
        shown = ("visible",) if audience == PUBLIC else ("visible", "hidden")
        shown_to_viewer = Idea.state.in_(shown)
        if viewer_id is not None:
            # A phone's own cards stay in its list, with what happened to them.
            shown_to_viewer |= Idea.participant_id == viewer_id
        query = query.where(shown_to_viewer)
    ideas = session.scalars(query.order_by(Idea.id)).all()
    changed = {model: session.scalars(select(model).where(
        model.workshop_id == workshop_id, model.updated_seq > floor).order_by(model.id)).all()
        for model in (Cluster, Measure)}
    rounds = session.scalars(select(VoteRound).where(
        VoteRound.workshop_id == workshop_id).order_by(VoteRound.id)).all()
    return {
        "seq": current,
        "full": full,
        "workshop": workshop_payload(workshop),
        "boards": [board_payload(b) for b in boards.values() if full or b.updated_seq > floor],
        "ideas": [idea_payload(i, boards[i.board_id], audience, viewer_id) for i in ideas],
        "clusters": [cluster_payload(c) for c in changed[Cluster]],
        "measures": [measure_payload(m) for m in changed[Measure]],
        # Few, and their tallies change without a sequence number: always all of them.
        "rounds": [round_payload(r, audience) for r in rounds],
    }
