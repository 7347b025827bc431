"""Room names and the one place that emits to rooms.

Rooms: one per workshop and audience (staff see everything; the public room holds phones and the
projector and gets redacted payloads) and one per board. With MESSAGE_QUEUE set, every
announcement (its emits to each audience `together`) goes through Redis, as one message, to the
sockets of every server process.
"""
import time

from flask import current_app

from .domain import presence
from .domain.changes import PUBLIC, STAFF, Change, change_payload, round_payload, round_payloads
from .models import VoteRound
from .extensions import db, socketio
from .message_queue import together

PRESENCE_DELAY_SECONDS = 1.0
# Consoles and projectors ("screens") show tallies live; phones show "x of y have voted".
VOTES_INTERVAL_SECONDS = {"screens": 0.15, "phones": 1.0}
_presence_pending: set[int] = set()
_votes_pending: set[tuple[int, str]] = set()
_votes_sent_at: dict[tuple[int, str], float] = {}


def staff_room(workshop_id: int) -> str:
    return f"workshop:{workshop_id}:staff"


def public_room(workshop_id: int) -> str:
    return f"workshop:{workshop_id}:public"


def board_room(board_id: int) -> str:
    return f"board:{board_id}"


def screen_room(workshop_id: int) -> str:
    return f"workshop:{workshop_id}:screen"


def phones_room(workshop_id: int) -> str:
    """Participants only (the public room also holds the projectors)."""
    return f"workshop:{workshop_id}:phones"


# Card events reach phones only at the card's table: a phone shows one board, and sending every
# board's cards to every phone multiplied the frames per post by the number of boards
# (bench/realtime.py: 6x the frames, a full core at 500 phones).
CARD_EVENTS = ("idea_posted", "idea_updated")


def publish(change: Change) -> None:
    """Announce a committed change to every screen of its workshop, each audience its own view."""
    if change.seq is None:
        # Votes take no sequence number; their tallies go out coalesced.
        for round_ in change.rounds:
            announce_votes_soon(change.workshop_id, round_.id)
        return
    staff, public = change_payload(change, STAFF), change_payload(change, PUBLIC)
    # Building the payloads may have opened a read transaction; close it before emitting, which
    # can yield to other greenlets (and, with a message queue, waits on Redis).
    db.session.commit()
    with together(socketio.server):  # several processes: one Redis message, not two
        socketio.emit(change.event, staff, to=staff_room(change.workshop_id))
        if change.event in CARD_EVENTS:
            rooms = [screen_room(change.workshop_id)] + sorted(
                {board_room(idea.board_id) for idea in change.ideas})
            socketio.emit(change.event, public, to=rooms)
        else:
            socketio.emit(change.event, public, to=public_room(change.workshop_id))


def announce_moderation(workshop_id: int, payload: dict) -> None:
    """Who posts how much and who is muted: for the consoles only."""
    socketio.emit("moderation_changed", payload, to=staff_room(workshop_id))


def announce_presence_soon(workshop_id: int) -> None:
    """Send online counts once per second at most: a hall of phones connects within seconds."""
    if workshop_id in _presence_pending:
        return
    _presence_pending.add(workshop_id)
    socketio.start_background_task(_announce_presence, current_app._get_current_object(),
                                   workshop_id)


def _announce_presence(app, workshop_id: int) -> None:
    socketio.sleep(PRESENCE_DELAY_SECONDS)
    _presence_pending.discard(workshop_id)
    with app.app_context():
        payload = presence.counts(db.session, workshop_id)
        team = presence.facilitators(db.session, workshop_id)
        db.session.remove()
    # Phones do not show who is online; the console and the projector do. Only consoles learn
    # which facilitators are on the console: names of staff are not for the wall.
    with together(socketio.server):
        socketio.emit("presence_changed", {**payload, "facilitators": team},
                      to=staff_room(workshop_id))
        socketio.emit("presence_changed", payload, to=screen_room(workshop_id))


def announce_votes_soon(workshop_id: int, round_id: int) -> None:
    """Tallies and "x of y have voted", throttled per round and audience: the first dot is
    shown at once, then consoles and projectors get at most one broadcast every 0.15 s and
    phones one a second. A trailing 0.5 s debounce to everyone put the projector's p99 at
    1.3 s with 100 phones dotting within 10 s; 0.15 s to everyone cost 13 ms of CPU per dot
    at 250 phones, most of it frames to phones (bench/realtime.py --dots). Not sequenced:
    every sync carries the current tallies."""
    app = current_app._get_current_object()
    for audience, interval in VOTES_INTERVAL_SECONDS.items():
        key = (round_id, audience)
        if key in _votes_pending:
            continue
        _votes_pending.add(key)
        wait = max(0.0, _votes_sent_at.get(key, 0.0) + interval - time.monotonic())
        socketio.start_background_task(_announce_votes, app, workshop_id, round_id, audience,
                                       wait)


def _announce_votes(app, workshop_id: int, round_id: int, audience: str, wait: float) -> None:
    socketio.sleep(wait)
    key = (round_id, audience)
    # Before reading: a dot committed from now on asks for a broadcast of its own.
    _votes_pending.discard(key)
    _votes_sent_at[key] = time.monotonic()
    with app.app_context():
        round_ = db.session.get(VoteRound, round_id)
        if audience == "screens":
            payloads = round_payloads(round_, (STAFF, PUBLIC))
            staff, public = payloads[STAFF], payloads[PUBLIC]
        else:
            public = round_payload(round_, PUBLIC)
        db.session.remove()
    if audience == "screens":
        with together(socketio.server):
            socketio.emit("votes_changed", {"rounds": [staff]}, to=staff_room(workshop_id))
            socketio.emit("votes_changed", {"rounds": [public]}, to=screen_room(workshop_id))
    else:
        socketio.emit("votes_changed", {"rounds": [public]}, to=phones_room(workshop_id))
