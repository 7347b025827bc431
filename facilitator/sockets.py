"""Socket.IO handlers: identify the connection, check its role on every event, call the domain,
answer with an ack `{ok: true, ...}` or `{ok: false, error, message}`."""
from dataclasses import asdict, dataclass
from functools import wraps

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, join_room

from . import auth, broadcast
from .domain import boards, ideas, presence, workshops
from .domain.changes import PUBLIC, STAFF, changes_since, idea_payload
from .domain.errors import DomainError, Forbidden, NotFound
from .extensions import db, socketio
from .messages import message_for
from .models import Participant

PARTICIPANT, STAFF_ROLE, SCREEN = "participant", "staff", "screen"
HEARTBEAT_SECONDS = 30
_live_sids: set[str] = set()
_heartbeat_started = False


@dataclass
class Conn:
    """What a socket was allowed at connect time; kept for the life of the connection."""
    role: str
    workshop_id: int
    participant_id: int | None = None
    board_id: int | None = None


def _identify(auth_data: dict) -> Conn:
    role = auth_data.get("role")
    if role == SCREEN:
        workshop = workshops.find_by_screen_key(db.session, auth_data.get("key", ""))
        return Conn(SCREEN, workshop.id)
    workshop = workshops.find_by_join_code(db.session, str(auth_data.get("code", "")))
    if role == STAFF_ROLE:
        if not workshops.can_run(db.session, auth.facilitator_id(), workshop.id):
            raise Forbidden()
        return Conn(STAFF_ROLE, workshop.id)
    participant = auth.current_participant(workshop.id)
    if role != PARTICIPANT or participant is None:
        raise Forbidden()
    board_id = auth_data.get("board_id")
    if not any(board.id == board_id for board in workshop.boards):
        board_id = None
    return Conn(PARTICIPANT, workshop.id, participant.id, board_id)


@socketio.on("connect")
def on_connect(auth_data=None):
    try:
        conn = _identify(auth_data if isinstance(auth_data, dict) else {})
    except DomainError as error:
        raise ConnectionRefusedError(error.code) from None
    session["conn"] = asdict(conn)
    audience = broadcast.staff_room if conn.role == STAFF_ROLE else broadcast.public_room
    join_room(audience(conn.workshop_id))
    if conn.board_id is not None:
        join_room(broadcast.board_room(conn.board_id))
    presence.connected(db.session, request.sid, conn.workshop_id, conn.role, conn.board_id,
                       conn.participant_id)
    _live_sids.add(request.sid)
    _start_heartbeat()
    broadcast.announce_presence_soon(conn.workshop_id)


@socketio.on("disconnect")
def on_disconnect(*_reason):
    _live_sids.discard(request.sid)
    workshop_id = presence.disconnected(db.session, request.sid)
    if workshop_id is not None:
        broadcast.announce_presence_soon(workshop_id)


def _start_heartbeat() -> None:
    global _heartbeat_started
    if not _heartbeat_started:
        _heartbeat_started = True
        socketio.start_background_task(_heartbeat, current_app._get_current_object())


def _heartbeat(app) -> None:
    """Keep this process's connections counted; rows of a crashed process expire on their own."""
    while True:
        socketio.sleep(HEARTBEAT_SECONDS)
        with app.app_context():
            presence.still_alive(db.session, list(_live_sids))


def handles(event: str, *roles: str):
    """Register a handler for `event` that only the given roles may send."""
    def decorate(handler):
        @socketio.on(event)
        @wraps(handler)
        def wrapped(data=None):
            conn = Conn(**session["conn"]) if "conn" in session else None
            try:
                if conn is None or conn.role not in roles:
                    raise Forbidden()
                return {"ok": True, **handler(conn, data if isinstance(data, dict) else {})}
            except DomainError as error:
                db.session.rollback()
                return {"ok": False, "error": error.code, "message": message_for(error)}
        return wrapped
    return decorate


def _participant(conn: Conn) -> Participant:
    participant = db.session.get(Participant, conn.participant_id)
    if participant is None:
        raise NotFound(field="participant")
    return participant


@handles("sync", PARTICIPANT, STAFF_ROLE, SCREEN)
def on_sync(conn: Conn, data: dict) -> dict:
    since = data.get("since", 0)
    since = since if isinstance(since, int) and not isinstance(since, bool) else 0
    audience = STAFF if conn.role == STAFF_ROLE else PUBLIC
    return changes_since(db.session, conn.workshop_id, since, audience, conn.participant_id)


@handles("post_idea", PARTICIPANT)
def on_post_idea(conn: Conn, data: dict) -> dict:
    posted = ideas.post_idea(db.session, _participant(conn), data.get("board_id"),
                             data.get("client_id"), data.get("text"))
    return {"idea": idea_payload(posted.idea, posted.idea.board, PUBLIC, conn.participant_id),
            "duplicate": posted.duplicate}


@handles("edit_idea", PARTICIPANT)
def on_edit_idea(conn: Conn, data: dict) -> dict:
    idea = ideas.edit_idea(db.session, _participant(conn), data.get("idea_id"), data.get("text"))
    return {"idea": idea_payload(idea, idea.board, PUBLIC, conn.participant_id)}


@handles("withdraw_idea", PARTICIPANT)
def on_withdraw_idea(conn: Conn, data: dict) -> dict:
    idea = ideas.withdraw_idea(db.session, _participant(conn), data.get("idea_id"))
    return {"idea": idea_payload(idea, idea.board, PUBLIC, conn.participant_id)}


@handles("hide_idea", STAFF_ROLE)
def on_hide_idea(conn: Conn, data: dict) -> dict:
    _still_runs(conn)
    idea = ideas.set_hidden(db.session, conn.workshop_id, data.get("idea_id"), data.get("hidden"))
    return {"idea": idea_payload(idea, idea.board, STAFF)}


@handles("update_board", STAFF_ROLE)
def on_update_board(conn: Conn, data: dict) -> dict:
    _still_runs(conn)
    board = boards.update_settings(db.session, conn.workshop_id, data.get("board_id"),
                                   data.get("settings"))
    return {"board_id": board.id}


@handles("show_boards", STAFF_ROLE)
def on_show_boards(conn: Conn, data: dict) -> dict:
    _still_runs(conn)
    workshop = workshops.set_projector_boards(db.session, conn.workshop_id, data.get("board_ids"))
    return {"board_ids": workshop.projector_board_ids}


def _still_runs(conn: Conn) -> None:
    """A facilitator removed from a workshop loses its actions at once, not at reconnect."""
    if not workshops.can_run(db.session, auth.facilitator_id(), conn.workshop_id):
        raise Forbidden()
