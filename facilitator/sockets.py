"""Socket.IO handlers: identify the connection, check its role on every event, call the domain,
answer with an ack `{ok: true, ...}` or `{ok: false, error, message}`."""
from dataclasses import asdict, dataclass
from functools import wraps

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, join_room
from sqlalchemy.exc import TimeoutError as PoolTimeout

from . import admission, auth, broadcast, presence_batch
from .domain import (boards, clusters, history, ideas, measures, phases, presence, voting,
                     workshops)
from .domain.changes import PUBLIC, STAFF, changes_since, idea_payload, paging_state
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
    facilitator_id: int | None = None


def _identify(auth_data: dict) -> Conn:
    role = auth_data.get("role")
    if role == SCREEN:
        workshop = workshops.find_by_screen_key(db.session, auth_data.get("key", ""))
        return Conn(SCREEN, workshop.id)
    workshop = workshops.find_by_join_code(db.session, str(auth_data.get("code", "")))
    if role == STAFF_ROLE:
        if not workshops.can_run(db.session, auth.facilitator_id(), workshop.id):
            raise Forbidden()
        return Conn(STAFF_ROLE, workshop.id, facilitator_id=auth.facilitator_id())
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
    if conn.role == SCREEN:
        join_room(broadcast.screen_room(conn.workshop_id))
    if conn.role == PARTICIPANT:
        join_room(broadcast.phones_room(conn.workshop_id))
    if conn.board_id is not None:
        join_room(broadcast.board_room(conn.board_id))
    presence_batch.arrived(current_app._get_current_object(), request.sid, conn.workshop_id,
                           conn.role, conn.board_id, conn.participant_id, conn.facilitator_id)
    _live_sids.add(request.sid)
    _start_heartbeat()


@socketio.on("disconnect")
def on_disconnect(*_reason):
    _live_sids.discard(request.sid)
    presence_batch.left(current_app._get_current_object(), request.sid)


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
            lane = admission.admit(request.sid, event,
                                   1 if conn is None or conn.role == PARTICIPANT else 4)
            if lane is None:
                return admission.BUSY
            try:
                if conn is None or conn.role not in roles:
                    raise Forbidden()
                return {"ok": True, **handler(conn, data if isinstance(data, dict) else {})}
            except DomainError as error:
                db.session.rollback()
                return {"ok": False, "error": error.code, "message": message_for(error)}
            except PoolTimeout:
                db.session.rollback()
                return admission.BUSY
            finally:
                admission.release(lane)
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
    # A phone's first sync is its own board's cards (a sixth of a six-table hall's rows).
    snapshot = changes_since(db.session, conn.workshop_id, since, audience, conn.participant_id,
                             conn.board_id if conn.role == PARTICIPANT else None)
    if conn.role == PARTICIPANT:
        participant = _participant(conn)
        snapshot["my_votes"] = {
            round_.id: voting.my_votes(db.session, round_, participant)
            for round_ in voting.rounds_of(db.session, conn.workshop_id)}
    return snapshot


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


@handles("update_board", STAFF_ROLE)
def on_update_board(conn: Conn, data: dict) -> dict:
    _still_runs(conn)
    board = boards.update_settings(db.session, conn.workshop_id, data.get("board_id"),
                                   data.get("settings"))
    return {"board_id": board.id}


def _still_runs(conn: Conn) -> None:
    """A facilitator removed from a workshop loses its actions at once, not at reconnect."""
    if not workshops.can_run(db.session, auth.facilitator_id(), conn.workshop_id):
        raise Forbidden()


# --- Clustering and moderation (undoable) -------------------------------------------------------

def _staff(conn: Conn) -> int:
    """The acting facilitator, checked again on every action."""
    _still_runs(conn)
    return auth.facilitator_id()


STAFF_ACTIONS = {
    "create_cluster": lambda conn, d: clusters.create_cluster(
        db.session, conn.workshop_id, _staff(conn), d.get("board_id"), d.get("heading", ""),
        d.get("colour", "grey"), d.get("idea_ids", [])),
    "update_cluster": lambda conn, d: clusters.update_cluster(
        db.session, conn.workshop_id, _staff(conn), d.get("cluster_id"), d.get("heading"),
        d.get("colour"), d.get("base_heading")),
    "move_cluster": lambda conn, d: clusters.move_cluster(
        db.session, conn.workshop_id, _staff(conn), d.get("cluster_id"), d.get("position")),
    "dissolve_cluster": lambda conn, d: clusters.dissolve_cluster(
        db.session, conn.workshop_id, _staff(conn), d.get("cluster_id")),
    "merge_clusters": lambda conn, d: clusters.merge_clusters(
        db.session, conn.workshop_id, _staff(conn), d.get("source_id"), d.get("target_id")),
    "move_idea": lambda conn, d: clusters.move_idea(
        db.session, conn.workshop_id, _staff(conn), d.get("idea_id"), d.get("cluster_id"),
        d.get("position"), d.get("board_id")),
    "hide_idea": lambda conn, d: clusters.set_hidden(
        db.session, conn.workshop_id, _staff(conn), d.get("idea_id"), d.get("hidden")),
    "correct_idea": lambda conn, d: clusters.correct_text(
        db.session, conn.workshop_id, _staff(conn), d.get("idea_id"), d.get("text")),
    "merge_duplicates": lambda conn, d: clusters.merge_duplicates(
        db.session, conn.workshop_id, _staff(conn), d.get("idea_id"), d.get("into_id")),
    "place_on_matrix": lambda conn, d: clusters.place_on_matrix(
        db.session, conn.workshop_id, _staff(conn), d.get("cluster_id"), d.get("x"),
        d.get("y")),
    "save_measure": lambda conn, d: measures.save_measure(
        db.session, conn.workshop_id, _staff(conn), _measure_spec(d), d.get("measure_id")),
    "delete_measure": lambda conn, d: measures.delete_measure(
        db.session, conn.workshop_id, _staff(conn), d.get("measure_id")),
    "undo": lambda conn, d: history.undo(db.session, conn.workshop_id, _staff(conn)),
    "redo": lambda conn, d: history.redo(db.session, conn.workshop_id, _staff(conn)),
}


def _measure_spec(data: dict) -> measures.MeasureSpec:
    fields = ("title", "description", "thematic_field", "responsible", "partners", "horizon",
              "board_id", "source_idea_ids", "source_cluster_id")
    defaults = measures.MeasureSpec(title="")
    return measures.MeasureSpec(**{name: data.get(name, getattr(defaults, name))
                                   for name in fields})


def _register_staff_action(event: str, action) -> None:
    @handles(event, STAFF_ROLE)
    def on_action(conn: Conn, data: dict) -> dict:
        row = action(conn, data)
        return {"id": row.id, "history": history.history_state(
            db.session, conn.workshop_id, auth.facilitator_id())}
    on_action.__name__ = f"on_{event}"


for _event, _action in STAFF_ACTIONS.items():
    _register_staff_action(_event, _action)


@handles("history", STAFF_ROLE)
def on_history(conn: Conn, data: dict) -> dict:
    return {"history": history.history_state(db.session, conn.workshop_id, _staff(conn))}


# --- Running the workshop -------------------------------------------------------------------------

@handles("set_phase", STAFF_ROLE)
def on_set_phase(conn: Conn, data: dict) -> dict:
    _still_runs(conn)
    changed = phases.set_phase(db.session, conn.workshop_id, data.get("board_ids", []),
                               data.get("phase"))
    return {"board_ids": [board.id for board in changed]}


@handles("set_timer", STAFF_ROLE)
def on_set_timer(conn: Conn, data: dict) -> dict:
    _still_runs(conn)
    workshop = phases.set_timer(db.session, conn.workshop_id, data.get("action"),
                                data.get("seconds"))
    return {"timer": phases.timer_state(workshop)}


@handles("set_projector", STAFF_ROLE)
def on_set_projector(conn: Conn, data: dict) -> dict:
    _still_runs(conn)
    workshop = phases.set_projector(db.session, conn.workshop_id, data.get("view"),
                                    data.get("target_id"), data.get("board_ids"))
    return {"view": workshop.projector_view}


@handles("set_projector_paging", STAFF_ROLE)
def on_set_projector_paging(conn: Conn, data: dict) -> dict:
    _still_runs(conn)
    workshop = phases.set_projector_paging(db.session, conn.workshop_id, data.get("action"),
                                           data.get("seconds"))
    return {"paging": paging_state(workshop)}


# --- Prioritisation ---------------------------------------------------------------------------------

@handles("open_round", STAFF_ROLE)
def on_open_round(conn: Conn, data: dict) -> dict:
    _still_runs(conn)
    spec_fields = voting.RoundSpec.__dataclass_fields__
    spec = voting.RoundSpec(**{name: data[name] for name in spec_fields if name in data})
    return {"round_id": voting.open_round(db.session, conn.workshop_id, spec).id}


@handles("update_round", STAFF_ROLE)
def on_update_round(conn: Conn, data: dict) -> dict:
    _still_runs(conn)
    round_ = voting.update_round(db.session, conn.workshop_id, data.get("round_id"),
                                 data.get("settings"))
    return {"round_id": round_.id}


def _voted(conn: Conn, round_id, mine: dict) -> dict:
    broadcast.announce_votes_soon(conn.workshop_id, round_id)
    return {"round_id": round_id, "my_votes": mine}


@handles("place_dot", PARTICIPANT)
def on_place_dot(conn: Conn, data: dict) -> dict:
    mine = voting.place_dot(db.session, _participant(conn), data.get("round_id"),
                            data.get("target_id"), data.get("client_id"))
    return _voted(conn, data["round_id"], mine)


@handles("remove_dot", PARTICIPANT)
def on_remove_dot(conn: Conn, data: dict) -> dict:
    mine = voting.remove_dot(db.session, _participant(conn), data.get("round_id"),
                             data.get("target_id"))
    return _voted(conn, data["round_id"], mine)


@handles("rate_option", PARTICIPANT)
def on_rate_option(conn: Conn, data: dict) -> dict:
    mine = voting.rate_option(db.session, _participant(conn), data.get("round_id"),
                              data.get("option_id"), data.get("value"))
    return _voted(conn, data["round_id"], mine)
