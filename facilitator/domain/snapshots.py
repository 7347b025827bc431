"""A phone's sync, its whole snapshot built once per sequence number and board.

A hall connects within seconds, and every phone at a board asks for the same snapshot at the same
sequence number: the workshop with its translations, the boards, clusters and measures, and its
board's public cards. Built for each phone, that was 42% of the server's CPU while 1,000 phones
connected (bench/realtime.py --py-spy). Every change to those rows takes the workshop's next
number (changes.WorkshopChange), so what was built at number N holds until the number moves. The
number is read from the database at every sync, so a change another server process made is seen
at once; the cache is this process's own.

What stays per phone: its own cards (with what happened to them, on any board they were moved
to), the timer's seconds left, the rounds (their tallies and turnout take no number) and its
votes.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload, selectinload

from ..models import Idea, Participant, VoteRound, Workshop
from .changes import PUBLIC, changes_since, countdown, idea_payload, is_whole, round_payload
from .errors import NotFound

# Boards whose snapshot a process keeps (the latest number of each): far more than the boards of
# the workshops running at once; a finished workshop's boards fall out.
KEPT = 256


@dataclass(frozen=True)
class Shared:
    """What every phone at one board gets at one number; never changed once built (many
    phones' answers hold its lists)."""
    version: tuple[str, int]  # (join code, number): a deleted workshop's id may come back
    snapshot: dict            # changes_since for the public, without a viewer
    timer: tuple[int, datetime | None]
    has_rounds: bool


_kept: dict[tuple[int, int | None], Shared] = {}


def _head():
    """The number, the join code, whether the participant still exists and whether they have
    cards in the workshop: one statement per sync, built once."""
    workshop_id, participant_id = bindparam("workshop_id"), bindparam("participant_id")
    return (select(Workshop.seq, Workshop.join_code,
                   select(Participant.id).where(Participant.id == participant_id).exists(),
                   select(Idea.id).where(Idea.workshop_id == workshop_id,
                                         Idea.participant_id == participant_id).exists())
            .where(Workshop.id == workshop_id))


_HEAD = _head()


def phone_sync(session: Session, workshop_id: int, since: int, participant_id: int,
               board_id: int | None) -> dict:
    """What `changes_since(session, workshop_id, since, PUBLIC, participant_id, board_id)`
    answers, the same to the byte; a whole snapshot shares all but the phone's own part with
    every phone at the board. NotFound when the participant was deleted."""
    head = session.execute(_HEAD, {"workshop_id": workshop_id,
                                   "participant_id": participant_id}).one_or_none()
    if head is None:
        raise NotFound(field="workshop")
    current, join_code, participant_exists, has_cards = head
    if not participant_exists:
        raise NotFound(field="participant")
    if not is_whole(since, current):
        return changes_since(session, workshop_id, since, PUBLIC, participant_id, board_id)
    shared = _kept.get((workshop_id, board_id))
    if shared is None or shared.version != (join_code, current):
        shared = _build(session, workshop_id, join_code, board_id)
    snapshot = shared.snapshot
    cards = snapshot["ideas"]
    if has_cards:
        cards = _with_own_cards(session, workshop_id, cards, participant_id, board_id)
    return {**snapshot,
            "workshop": {**snapshot["workshop"], "timer": countdown(*shared.timer)},
            "ideas": cards,
            "rounds": _rounds(session, workshop_id) if shared.has_rounds else []}


def _build(session: Session, workshop_id: int, join_code: str, board_id: int | None) -> Shared:
    snapshot = changes_since(session, workshop_id, 0, PUBLIC, None, board_id)
    workshop = session.get(Workshop, workshop_id)  # loaded by changes_since: no statement
    # Under PostgreSQL's read committed, a change committed meanwhile may be in it already (as
    # in any snapshot): it is kept under the number it says, and rebuilt when the number moves.
    shared = Shared((join_code, snapshot["seq"]), snapshot,
                    (workshop.timer_seconds, workshop.timer_ends_at), bool(snapshot["rounds"]))
    _kept.pop((workshop_id, board_id), None)
    _kept[(workshop_id, board_id)] = shared
    while len(_kept) > KEPT:
        del _kept[next(iter(_kept))]
    return shared


def _with_own_cards(session: Session, workshop_id: int, shared_cards: list[dict],
                    participant_id: int, board_id: int | None) -> list[dict]:
    """The board's public cards with the phone's own in their place: `mine`, and its own words
    of a card the facilitation hid or merged. Its cards on other boards are left out of the
    shared list too (a card moved away after the shared part was built)."""
    own = session.scalars(select(Idea).options(
        joinedload(Idea.participant), joinedload(Idea.board), selectinload(Idea.duplicates))
        .where(Idea.workshop_id == workshop_id, Idea.participant_id == participant_id,
               Idea.updated_seq > 0)).all()
    own_ids = {idea.id for idea in own}
    cards = [card for card in shared_cards if card["id"] not in own_ids]
    cards += [idea_payload(idea, idea.board, PUBLIC, participant_id) for idea in own
              if board_id is None or idea.board_id == board_id]
    return sorted(cards, key=lambda card: card["id"])


def _rounds(session: Session, workshop_id: int) -> list[dict]:
    """Every round with its tallies now (votes take no number); opening one takes a number, so
    a snapshot without rounds needs no statement for them."""
    return [round_payload(round_, PUBLIC) for round_ in session.scalars(
        select(VoteRound).where(VoteRound.workshop_id == workshop_id).order_by(VoteRound.id))]
