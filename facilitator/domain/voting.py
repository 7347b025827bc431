"""Prioritisation: dot voting with budgets, and the consent check (systemic consensing).

The server enforces every rule: budget, cap per item, own cards, open round, and a dot made with
an id on the phone counts once — a replay is refused and changes nothing."""
from dataclasses import dataclass, field

from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import (Board, Cluster, Idea, Measure, Participant, SpentDot, Vote, VoteRound,
                      utcnow)
from . import validate
from .changes import WorkshopChange
from .errors import (AlreadyCounted, InvalidInput, ItemCapReached, NotFound, OwnIdeaNotAllowed,
                     RoundClosed, VoteBudgetExceeded)

DOT_TARGETS = ("idea", "cluster", "measure")
MAX_DOTS = 50
RESISTANCE_MAX = 10
MAX_OPTIONS = 8
OPTION_MAX_CHARS = 200


@dataclass
class RoundSpec:
    kind: str = "dots"  # dots | consent
    target_kind: str = "cluster"
    board_ids: list = field(default_factory=list)
    question: str = ""
    dots_per_person: int = 3
    max_per_item: int = 3
    allow_own: bool = True
    tallies_visible: bool = False
    options: list = field(default_factory=list)
    passive_option: str = ""
    # Every phone in the room gets the round and may vote, wherever it sits.
    whole_room: bool = False


def suggested_budget(option_count: int) -> int:
    """About a third of the options, at least one (a common rule of thumb for dot voting)."""
    return max(1, round(option_count / 3))


def _scope_boards(session: Session, workshop_id: int, board_ids) -> list[int]:
    if not isinstance(board_ids, list):
        raise InvalidInput(field="board_ids")
    wanted = [validate.integer(board_id, "board_ids") for board_id in board_ids]
    known = set(session.scalars(select(Board.id).where(Board.workshop_id == workshop_id)))
    if not set(wanted) <= known:
        raise NotFound(field="board_ids")
    return list(dict.fromkeys(wanted))


def open_round(session: Session, workshop_id: int, spec: RoundSpec) -> VoteRound:
    """Start a dot-voting round or a consent check; phones show it at once."""
    if spec.kind not in ("dots", "consent"):
        raise InvalidInput(field="kind")
    question = validate.text(spec.question, 300, "question", required=False)
    board_ids = _scope_boards(session, workshop_id, spec.board_ids)
    round_ = VoteRound(workshop_id=workshop_id, kind=spec.kind, question=question,
                       board_ids=board_ids, allow_own=validate.flag(spec.allow_own, "allow_own"),
                       tallies_visible=validate.flag(spec.tallies_visible, "tallies_visible"),
                       whole_room=validate.flag(spec.whole_room, "whole_room"))
    if spec.kind == "dots":
        if spec.target_kind not in DOT_TARGETS:
            raise InvalidInput(field="target_kind")
        round_.target_kind = spec.target_kind
        round_.dots_per_person = validate.integer(spec.dots_per_person, "dots_per_person", 1,
                                                  MAX_DOTS)
        round_.max_per_item = validate.integer(spec.max_per_item, "max_per_item", 1,
                                               round_.dots_per_person)
    else:
        if not isinstance(spec.options, list) or not 1 <= len(spec.options) <= MAX_OPTIONS:
            raise InvalidInput(field="options")
        texts = [validate.text(spec.passive_option, OPTION_MAX_CHARS, "options")] + [
            validate.text(option, OPTION_MAX_CHARS, "options") for option in spec.options]
        round_.target_kind = "option"
        round_.options = [{"id": index, "text": text} for index, text in enumerate(texts)]
        round_.dots_per_person = round_.max_per_item = RESISTANCE_MAX
    with WorkshopChange(session, workshop_id, "round_updated") as change:
        session.add(round_)
        change.touch(round_)
    return round_


def _round(session: Session, workshop_id: int, round_id) -> VoteRound:
    round_ = session.get(VoteRound, validate.integer(round_id, "round_id"))
    if round_ is None or round_.workshop_id != workshop_id:
        raise NotFound(field="round_id")
    return round_


FINAL_ORDER_REASON_MAX_CHARS = 2000


def _locked_round(session: Session, workshop_id: int, round_id,
                  shared: bool = False) -> VoteRound:
    """The round, its row locked until commit (PostgreSQL), read fresh after the lock.

    Closing a round and a vote on it lock the same row, so they happen one after the other: a
    vote that got in first is counted before the close commits; one that comes after sees the
    round closed and is refused. No vote commits after the close (it did, up to 30 ms later,
    when the vote only read the state). `shared`: a lock for votes, which do not wait for each
    other (FOR SHARE), only for a close. SQLite has one writer: the same order by itself."""
    round_id = validate.integer(round_id, "round_id")
    if session.get_bind().dialect.name == "sqlite":
        # SQLite knows no row locks: a write that changes nothing takes the database's write
        # lock first, so the checks below read what is current.
        session.execute(update(VoteRound).where(VoteRound.id == round_id).values(
            state=VoteRound.state))
    else:
        session.execute(select(VoteRound.id).where(VoteRound.id == round_id)
                        .with_for_update(read=shared))
    round_ = session.get(VoteRound, round_id, populate_existing=True)
    if round_ is None or round_.workshop_id != workshop_id:
        raise NotFound(field="round_id")
    return round_


def update_round(session: Session, workshop_id: int, round_id, settings) -> VoteRound:
    """Close or reopen, show tallies while voting, reveal results, open the round to the whole
    room, or set the final order (and why it differs from the vote)."""
    allowed = {"state", "tallies_visible", "revealed", "whole_room", "final_order",
               "final_order_reason"}
    if not isinstance(settings, dict) or not settings or set(settings) - allowed:
        raise InvalidInput(field="settings")
    with WorkshopChange(session, workshop_id, "round_updated") as change:
        round_ = _locked_round(session, workshop_id, round_id)
        if "state" in settings:
            if settings["state"] not in ("open", "closed"):
                raise InvalidInput(field="state")
            round_.state = settings["state"]
        for name in ("tallies_visible", "revealed", "whole_room"):
            if name in settings:
                setattr(round_, name, validate.flag(settings[name], name))
        if "final_order" in settings:
            order = settings["final_order"]
            if not isinstance(order, list):
                raise InvalidInput(field="final_order")
            valid = {target["id"] for target in targets(session, round_)}
            order = [validate.integer(t, "final_order") for t in order]
            if not set(order) <= valid or len(set(order)) != len(order):
                raise InvalidInput(field="final_order")
            round_.final_order = order
        if "final_order_reason" in settings:
            # Why the facilitation's order differs from the vote (objection 5 of issue 9).
            round_.final_order_reason = validate.text(settings["final_order_reason"],
                                                      FINAL_ORDER_REASON_MAX_CHARS,
                                                      "final_order_reason", required=False)
        change.touch(round_)
    return round_


def targets(session: Session, round_: VoteRound, target_id: int | None = None) -> list[dict]:
    """What the round votes on, in board order: {id, label, board_id}; with `target_id` only
    that one (if the round votes on it). Columns, not objects: a round's payload reads them
    several times a second while a room votes."""
    if round_.kind == "consent":
        return [{"id": o["id"], "label": o["text"], "board_id": None} for o in round_.options
                if target_id is None or o["id"] == target_id]
    scope = round_.board_ids
    if round_.target_kind == "measure":
        query = select(Measure.id, Measure.title, Measure.board_id).where(
            Measure.workshop_id == round_.workshop_id, Measure.state == "active")
        if scope:
            query = query.where(Measure.board_id.in_(scope))
        if target_id is not None:
            query = query.where(Measure.id == target_id)
        return [{"id": id_, "label": title, "board_id": board_id} for id_, title, board_id
                in session.execute(query.order_by(Measure.position, Measure.id))]
    if round_.target_kind == "cluster":
        query = select(Cluster.id, Cluster.heading, Cluster.board_id).join(
            Board, Board.id == Cluster.board_id).where(
            Cluster.workshop_id == round_.workshop_id, Cluster.state == "active")
        if scope:
            query = query.where(Cluster.board_id.in_(scope))
        if target_id is not None:
            query = query.where(Cluster.id == target_id)
        return [{"id": id_, "label": heading, "board_id": board_id} for id_, heading, board_id
                in session.execute(query.order_by(Board.position, Cluster.position, Cluster.id))]
    query = select(Idea.id, Idea.text, Idea.board_id, Idea.participant_id).join(
        Board, Board.id == Idea.board_id).where(
        Idea.workshop_id == round_.workshop_id, Idea.state == "visible")
    if scope:
        query = query.where(Idea.board_id.in_(scope))
    if target_id is not None:
        query = query.where(Idea.id == target_id)
    return [{"id": id_, "label": text, "board_id": board_id, "author_id": author_id}
            for id_, text, board_id, author_id in session.execute(query.order_by(
                Board.position, Idea.cluster_id.is_(None), Idea.position, Idea.id))]


def _open_round_for(session: Session, participant: Participant, round_id) -> VoteRound:
    """The round to vote in, open, read after the locks a vote needs. On PostgreSQL the round
    is locked for sharing: votes go side by side and a close waits for them (and they for it);
    the voter's own row is locked for update, so one phone's votes (two tabs, two server
    processes) go one at a time and its budget and cap are counted after the other committed.
    Locking the round for update put the whole room's dots in one queue, each holding the lock
    for six round trips (bench/hot_paths.py --db)."""
    if session.get_bind().dialect.name != "sqlite":
        session.execute(select(Participant.id).where(Participant.id == participant.id)
                        .with_for_update(key_share=True))
    round_ = _locked_round(session, participant.workshop_id, round_id, shared=True)
    if round_.state != "open":
        raise RoundClosed()
    return round_


def _vote(session: Session, participant: Participant) -> WorkshopChange:
    """A vote's unit of work: no sequence number (tallies are not sequenced: every sync carries
    them, and screens hear `votes_changed`), the round's row lock instead."""
    return WorkshopChange(session, participant.workshop_id, "votes_changed", sequenced=False)


def _target(session: Session, round_: VoteRound, target_id) -> dict:
    target_id = validate.integer(target_id, "target_id")
    target = next(iter(targets(session, round_, target_id)), None)
    if target is None:
        raise NotFound(field="target_id")
    return target


def _own(session: Session, round_: VoteRound, target: dict, participant: Participant) -> bool:
    if round_.target_kind == "idea":
        return target["author_id"] == participant.id
    if round_.target_kind == "cluster":
        return session.scalar(select(func.count(Idea.id)).where(
            Idea.cluster_id == target["id"], Idea.participant_id == participant.id,
            Idea.state == "visible")) > 0
    return False


def place_dot(session: Session, participant: Participant, round_id, target_id,
              client_id) -> dict:
    """Put one dot on a target; returns the participant's dots in the round. A dot's id counts
    once, even after the dot was taken back."""
    client_id = validate.client_id(client_id)
    with _vote(session, participant) as change:
        round_ = _open_round_for(session, participant, round_id)
        if round_.kind != "dots":
            raise InvalidInput(field="round_id")
        if _spent(session, round_, client_id):
            raise AlreadyCounted()
        target = _target(session, round_, target_id)
        if not round_.allow_own and _own(session, round_, target, participant):
            raise OwnIdeaNotAllowed()
        mine = my_votes(session, round_, participant)
        if sum(mine.values()) >= round_.dots_per_person:
            raise VoteBudgetExceeded(max=round_.dots_per_person)
        if mine.get(target["id"], 0) >= round_.max_per_item:
            raise ItemCapReached(max=round_.max_per_item)
        try:
            session.execute(insert(Vote).values(
                round_id=round_.id, participant_id=participant.id, target_id=target["id"],
                client_id=client_id, value=1, created_at=utcnow()))
        except IntegrityError:
            raise AlreadyCounted() from None
        change.touch(round_)
    # What the phone holds now: read before the dot, under the round's lock, plus the dot.
    mine[target["id"]] = mine.get(target["id"], 0) + 1
    return mine


def _spent(session: Session, round_: VoteRound, client_id: str) -> bool:
    """Was a dot with this id placed in the round already (and maybe taken back since)?"""
    return bool(session.scalar(select(
        exists().where(Vote.round_id == round_.id, Vote.client_id == client_id)
        | exists().where(SpentDot.round_id == round_.id, SpentDot.client_id == client_id))))


def remove_dot(session: Session, participant: Participant, round_id, target_id) -> dict:
    """Take back one of the participant's dots from a target while the round is open."""
    with _vote(session, participant) as change:
        round_ = _open_round_for(session, participant, round_id)
        if round_.kind != "dots":
            raise InvalidInput(field="round_id")
        target_id = validate.integer(target_id, "target_id")
        vote = session.scalar(select(Vote).where(
            Vote.round_id == round_.id, Vote.participant_id == participant.id,
            Vote.target_id == target_id).order_by(Vote.id.desc()).limit(1))
        if vote is None:
            raise NotFound(field="target_id")
        session.add(SpentDot(round_id=round_.id, client_id=vote.client_id))
        session.delete(vote)
        change.touch(round_)
    return my_votes(session, round_, participant)


def rate_option(session: Session, participant: Participant, round_id, option_id, value) -> dict:
    """Consent check: the participant's resistance (0 none … 10 veto) to one option."""
    with _vote(session, participant) as change:
        round_ = _open_round_for(session, participant, round_id)
        if round_.kind != "consent":
            raise InvalidInput(field="round_id")
        option = _target(session, round_, option_id)
        value = validate.integer(value, "value", 0, RESISTANCE_MAX)
        client_id = f"consent-{participant.id}-{option['id']}"
        vote = session.scalar(select(Vote).where(Vote.round_id == round_.id,
                                                 Vote.client_id == client_id))
        if vote is None:
            session.add(Vote(round_id=round_.id, participant_id=participant.id,
                             target_id=option["id"], value=value, client_id=client_id))
        else:
            vote.value = value
        change.touch(round_)
    return my_votes(session, round_, participant)


def my_votes(session: Session, round_: VoteRound, participant: Participant) -> dict[int, int]:
    """Dots per target (dots) or resistance per option (consent) of one participant."""
    rows = session.execute(select(Vote.target_id, func.sum(Vote.value)).where(
        Vote.round_id == round_.id, Vote.participant_id == participant.id).group_by(
        Vote.target_id))
    return {target_id: int(total) for target_id, total in rows.all()}


def my_votes_in(session: Session, round_ids: list[int],
                participant_id: int) -> dict[int, dict[int, int]]:
    """`my_votes` of several rounds in one statement (a phone's first sync): {round: {target:
    dots or resistance}}, every round present."""
    mine: dict[int, dict[int, int]] = {round_id: {} for round_id in round_ids}
    if not round_ids:
        return mine
    rows = session.execute(select(Vote.round_id, Vote.target_id, func.sum(Vote.value)).where(
        Vote.round_id.in_(round_ids), Vote.participant_id == participant_id).group_by(
        Vote.round_id, Vote.target_id))
    for round_id, target_id, total in rows.all():
        mine[round_id][target_id] = int(total)
    return mine


def voter_count(session: Session, round_: VoteRound) -> int:
    return session.scalar(select(func.count(func.distinct(Vote.participant_id))).where(
        Vote.round_id == round_.id))


def results(session: Session, round_: VoteRound, listed: list[dict] | None = None) -> list[dict]:
    """Ranked results. Dots: most dots first. Consent: least total resistance first, with the
    distribution of answers. Equal scores share a rank and are marked as a tie. `listed`: the
    round's targets, if read already."""
    if listed is None:
        listed = targets(session, round_)
    votes = session.execute(select(Vote.target_id, Vote.value).where(Vote.round_id == round_.id))
    by_target: dict[int, list[int]] = {t["id"]: [] for t in listed}
    for target_id, value in votes.all():
        by_target.setdefault(target_id, []).append(value)
    rows = []
    for target in listed:
        values = by_target[target["id"]]
        row = {"id": target["id"], "label": target["label"], "board_id": target["board_id"]}
        if round_.kind == "dots":
            row["score"] = sum(values)
        else:
            row["score"] = sum(values)
            row["answers"] = len(values)
            row["distribution"] = [values.count(v) for v in range(RESISTANCE_MAX + 1)]
            row["passive"] = target["id"] == 0
        rows.append(row)
    descending = round_.kind == "dots"
    rows.sort(key=lambda r: -r["score"] if descending else r["score"])
    first_at: dict[int, int] = {}
    sharing: dict[int, int] = {}
    for index, row in enumerate(rows):
        first_at.setdefault(row["score"], index)
        sharing[row["score"]] = sharing.get(row["score"], 0) + 1
    for row in rows:
        row["rank"] = first_at[row["score"]] + 1
        row["tie"] = sharing[row["score"]] > 1
    return rows


def rounds_of(session: Session, workshop_id: int) -> list[VoteRound]:
    return list(session.scalars(select(VoteRound).where(
        VoteRound.workshop_id == workshop_id).order_by(VoteRound.id)))
