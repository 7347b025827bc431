"""Socket.IO handlers: identify the connection, check its role on every event, call the domain,
answer with an ack `{ok: true, ...}` or `{ok: false, error, message}`."""
from dataclasses import asdict, dataclass
from functools import wraps

from flask import current_app, request, session
from flask_socketio import ConnectionRefusedError, join_room
from socketio import packet as socketio_packet
from sqlalchemy.exc import TimeoutError as PoolTimeout

from . import admission, auth, broadcast, code_gate, presence_batch, protocol
from .domain import (boards, clusters, history, ideas, measures, moderation, participants,
                     phases, presence, snapshots, voting, workshops)
from .domain.changes import PUBLIC, STAFF, changes_since, idea_payload, paging_state
from .domain.errors import DomainError, Forbidden, InvalidInput, NotFound
from .extensions import db, socketio
from .messages import message_for
from .models import Participant
from .socket_limits import ADMITTED, DISCONNECT, Limits, SocketLimits

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
        return Conn(SCREEN, workshops.id_by_screen_key(db.session, auth_data.get("key", "")))
    code = str(auth_data.get("code", ""))
    if role == STAFF_ROLE:
        workshop_id = workshops.id_by_join_code(db.session, code)
        if not workshops.can_run(db.session, auth.facilitator_id(), workshop_id):
            raise Forbidden()
        return Conn(STAFF_ROLE, workshop_id, facilitator_id=auth.facilitator_id())
    workshop_id, participant_id, board_id = participants.at_table(
        db.session, code, auth.participant_tokens(), auth_data.get("board_id"))
    if role != PARTICIPANT or participant_id is None:
        raise Forbidden()
    return Conn(PARTICIPANT, workshop_id, participant_id, board_id)


# A connect refused for a passing reason (the database busy or its pool exhausted at that
# instant): the page asks again at once instead of waiting for its 8 s timer (static/js/live.js).
RETRY_SOON = "retry"


@socketio.on("connect")
def on_connect(auth_data=None):
    try:
        conn = _identify(auth_data if isinstance(auth_data, dict) else {})
    except DomainError as error:
        raise ConnectionRefusedError(code_gate.socket_refusal(error)) from None
    except Exception:  # noqa: BLE001 - any failure here must refuse, see below
        # Not answered by Flask-SocketIO's error handler: its answer (a dict) would accept the
        # socket half-way, without its role and rooms, every event then refused as forbidden
        # while the page shows "connected".
        current_app.logger.exception("socket connect failed; the client is told to retry")
        db.session.rollback()
        raise ConnectionRefusedError(RETRY_SOON) from None
    session["conn"] = asdict(conn)
    audience = broadcast.staff_room if conn.role == STAFF_ROLE else broadcast.public_room
    join_room(audience(conn.workshop_id))
    if conn.role == SCREEN:
        join_room(broadcast.screen_room(conn.workshop_id))
    if conn.role == PARTICIPANT:
        join_room(broadcast.phones_room(conn.workshop_id))
    if conn.board_id is not None:
        join_room(broadcast.board_room(conn.board_id))
    # The refusal's text is translated when first needed (sockets.guard_against_floods).
    _flood_gate[request.sid] = (conn.participant_id, None)
    presence_batch.arrived(current_app._get_current_object(), request.sid, conn.workshop_id,
                           conn.role, conn.board_id, conn.participant_id, conn.facilitator_id)
    _live_sids.add(request.sid)
    _start_heartbeat()


@socketio.on("disconnect")
def on_disconnect(*_reason):
    _live_sids.discard(request.sid)
    _flood_gate.pop(request.sid, None)
    for forget in _forget:
        forget(request.sid)
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


# --- The boundary: every event is checked against facilitator/protocol.py ----------------------

_handled: set[str] = set()


class RateLimited(DomainError):
    code = "rate_limited"


def handles(event: str, *roles: str):
    """Register the handler of a registered event: only the roles the protocol names may send it
    (rate limits were checked before, in `guard_against_floods`), and the handler runs only on a
    payload its schema allows. Roles written here too must be the protocol's."""
    if event not in protocol.CLIENT_EVENTS:
        raise LookupError(f"socket event {event!r}: add it to facilitator/protocol.py first")
    spec = protocol.CLIENT_EVENTS[event]
    if roles and set(roles) != set(spec.senders):
        raise ValueError(f"socket event {event!r}: protocol.py says {spec.senders}, not {roles}")

    def decorate(handler):
        @wraps(handler)
        def wrapped(*args):
            conn = Conn(**session["conn"]) if "conn" in session else None
            lane = admission.admit(request.sid, event,
                                   1 if conn is None or conn.role == PARTICIPANT else 4)
            if lane is None:
                return admission.BUSY
            try:
                if conn is None or conn.role not in spec.senders:
                    raise Forbidden()
                try:
                    data = protocol.check_payload(spec, args)
                except DomainError as error:
                    return _refusal(error, boundary=True)
                return {"ok": True, **handler(conn, data)}
            except DomainError as error:
                db.session.rollback()
                return _refusal(error)
            except PoolTimeout:
                db.session.rollback()
                return admission.BUSY
            finally:
                admission.release(lane)
        socketio.on(event)(wrapped)
        _handled.add(event)
        return wrapped
    return decorate


def _refusal(error: DomainError, boundary: bool = False) -> dict:
    answer = {"ok": False, "error": error.code, "message": message_for(error)}
    if boundary:
        # Which field the schema refused: for developers (people read the message).
        answer["field"] = error.params.get("field", "payload")
    return answer


# --- Rate limits, before an event costs anything ---------------------------------------------------

# sid -> (participant id, refusal text in the connection's language, None until first refused)
_flood_gate: dict[str, tuple[int | None, str | None]] = {}
_dropping: set[str] = set()


def guard_against_floods(server, app) -> None:
    """Check the limits where python-socketio receives an event, before it costs a greenlet, a
    Flask request context or a database session: a refused event is answered right there. With
    the check inside the handlers, a burst of 400 events from one phone delayed another phone's
    post by 1-2.5 s on two loaded cores; here each refusal is a dictionary lookup."""
    if not app.config.get("RATELIMIT_ENABLED", True):
        return
    limits = SocketLimits(Limits(**app.config.get("SOCKET_LIMITS", {})))
    handle = server._handle_event

    def gated(eio_sid, namespace, id, data):
        sid = server.manager.sid_from_eio_sid(eio_sid, namespace or "/")
        if sid in _dropping:
            return  # being disconnected for flooding: not worth an answer
        participant_id, refusal = _flood_gate.get(sid, (None, ""))
        event = protocol.CLIENT_EVENTS.get(data[0] if data else None)
        verdict = limits.admit(sid, participant_id, bool(event and event.participant_write))
        if verdict == ADMITTED:
            return handle(eio_sid, namespace, id, data)
        if verdict == DISCONNECT and sid not in _dropping:
            app.logger.warning("socket %s disconnected: flooding", sid)
            _dropping.add(sid)
            server.start_background_task(_drop, server, sid)
        if id is not None:
            if refusal is None:
                refusal = _flood_refusal(app, server.get_environ(sid, namespace or "/"))
                if sid in _flood_gate:  # not gone meanwhile (then nothing is to be kept)
                    _flood_gate[sid] = (participant_id, refusal)
            server._send_packet(eio_sid, server.packet_class(
                socketio_packet.ACK, namespace=namespace, id=id, data=[
                    {"ok": False, "error": RateLimited.code, "message": refusal}]))

    server._handle_event = gated
    _forget.append(limits.forget)


_forget: list = []


def _flood_refusal(app, environ) -> str:
    """The refusal in the connection's language, worked out once for a connection that floods
    (at connect, for every phone, the language alone was 2% of the server's CPU while a hall
    connected)."""
    if environ is None:  # disconnected meanwhile: the answer goes nowhere
        return ""
    with app.request_context(environ):
        return message_for(RateLimited())


def _drop(server, sid: str) -> None:
    server.sleep(0.1)  # the refusal's answer goes out first
    try:
        server.disconnect(sid)
    finally:
        _dropping.discard(sid)


@socketio.on("*")
def on_unknown_event(event, *args):
    """An event the protocol does not know (or a frame that was not JSON) is answered, never
    left without an answer for the phone to wait on."""
    if event == protocol.MALFORMED:
        return _refusal(InvalidInput(field="payload"), boundary=True)
    return _refusal(_UnknownEvent())


@socketio.on_error_default
def on_unexpected_error(error: Exception) -> dict:
    """No handler fails silently: the sender gets `server_error` (it retries or says so) and
    the exception is logged; whatever the handler had begun is rolled back."""
    current_app.logger.error("socket event %s failed", getattr(request, "event", {}).get(
        "message"), exc_info=error)
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - a broken connection must not hide the first error
        current_app.logger.exception("rollback after a failed socket event failed too")
    return {"ok": False, "error": "server_error", "message": message_for(_ServerError())}


class _ServerError(DomainError):
    code = "server_error"


class _UnknownEvent(DomainError):
    code = "unknown_event"


def _participant(conn: Conn) -> Participant:
    participant = db.session.get(Participant, conn.participant_id)
    if participant is None:
        raise NotFound(field="participant")
    return participant


@handles("sync")
def on_sync(conn: Conn, data: dict) -> dict:
    since = data.get("since", 0)
    if conn.role != PARTICIPANT:
        return changes_since(db.session, conn.workshop_id, since,
                             STAFF if conn.role == STAFF_ROLE else PUBLIC)
    # A phone's first sync is its own board's cards (a sixth of a six-table hall's rows), and
    # all but its own part is built once for every phone at the board (domain/snapshots.py).
    snapshot = snapshots.phone_sync(db.session, conn.workshop_id, since, conn.participant_id,
                                    conn.board_id)
    snapshot["my_votes"] = voting.my_votes_in(
        db.session, [round_["id"] for round_ in snapshot["rounds"]], conn.participant_id)
    return snapshot


@dataclass
class Author:
    """The participant of a connection as a post needs it; the post reads, in the statement it
    needs anyway, whether they still exist and are muted (a ban takes effect at once)."""
    id: int
    workshop_id: int


@handles("post_idea")
def on_post_idea(conn: Conn, data: dict) -> dict:
    posted = ideas.post_idea(db.session, Author(conn.participant_id, conn.workshop_id),
                             data.get("board_id"), data.get("client_id"), data.get("text"),
                             data.get("fields"), data.get("exists"))
    return {"idea": idea_payload(posted.idea, posted.idea.board, PUBLIC, conn.participant_id),
            "duplicate": posted.duplicate}


@handles("edit_idea")
def on_edit_idea(conn: Conn, data: dict) -> dict:
    participant = _participant(conn)
    moderation.refuse_if_muted(participant)
    idea = ideas.edit_idea(db.session, participant, data.get("idea_id"), data.get("text"),
                           data.get("fields"), data.get("exists"))
    return {"idea": idea_payload(idea, idea.board, PUBLIC, conn.participant_id)}


@handles("withdraw_idea")
def on_withdraw_idea(conn: Conn, data: dict) -> dict:
    idea = ideas.withdraw_idea(db.session, _participant(conn), data.get("idea_id"))
    return {"idea": idea_payload(idea, idea.board, PUBLIC, conn.participant_id)}


@handles("update_board")
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
              "due_date", "status", "indicator", "cost", "board_id", "source_idea_ids", "source_cluster_id")
    defaults = measures.MeasureSpec(title="")
    return measures.MeasureSpec(**{name: data.get(name, getattr(defaults, name))
                                   for name in fields})


def _register_staff_action(event: str, action) -> None:
    @handles(event)
    def on_action(conn: Conn, data: dict) -> dict:
        row = action(conn, data)
        return {"id": row.id, "history": history.history_state(
            db.session, conn.workshop_id, auth.facilitator_id())}
    on_action.__name__ = f"on_{event}"


for _event, _action in STAFF_ACTIONS.items():
    _register_staff_action(_event, _action)


@handles("history")
def on_history(conn: Conn, data: dict) -> dict:
    return {"history": history.history_state(db.session, conn.workshop_id, _staff(conn))}


# --- Running the workshop -------------------------------------------------------------------------

@handles("set_phase")
def on_set_phase(conn: Conn, data: dict) -> dict:
    _still_runs(conn)
    changed = phases.set_phase(db.session, conn.workshop_id, data.get("board_ids", []),
                               data.get("phase"))
    return {"board_ids": [board.id for board in changed]}


@handles("set_timer")
def on_set_timer(conn: Conn, data: dict) -> dict:
    _still_runs(conn)
    workshop = phases.set_timer(db.session, conn.workshop_id, data.get("action"),
                                data.get("seconds"))
    return {"timer": phases.timer_state(workshop)}


@handles("set_projector")
def on_set_projector(conn: Conn, data: dict) -> dict:
    _still_runs(conn)
    workshop = phases.set_projector(db.session, conn.workshop_id, data.get("view"),
                                    data.get("target_id"), data.get("board_ids"))
    return {"view": workshop.projector_view}


@handles("set_projector_paging")
def on_set_projector_paging(conn: Conn, data: dict) -> dict:
    _still_runs(conn)
    workshop = phases.set_projector_paging(db.session, conn.workshop_id, data.get("action"),
                                           data.get("seconds"))
    return {"paging": paging_state(workshop)}


# --- Prioritisation ---------------------------------------------------------------------------------

@handles("open_round")
def on_open_round(conn: Conn, data: dict) -> dict:
    _still_runs(conn)
    spec_fields = voting.RoundSpec.__dataclass_fields__
    spec = voting.RoundSpec(**{name: data[name] for name in spec_fields if name in data})
    return {"round_id": voting.open_round(db.session, conn.workshop_id, spec).id}


@handles("update_round")
def on_update_round(conn: Conn, data: dict) -> dict:
    _still_runs(conn)
    round_ = voting.update_round(db.session, conn.workshop_id, data.get("round_id"),
                                 data.get("settings"))
    return {"round_id": round_.id}


def _voted(conn: Conn, round_id, mine: dict) -> dict:
    # The domain's announcer already scheduled the tallies (`votes_changed`).
    return {"round_id": round_id, "my_votes": mine}


@handles("place_dot")
def on_place_dot(conn: Conn, data: dict) -> dict:
    mine = voting.place_dot(db.session, _participant(conn), data.get("round_id"),
                            data.get("target_id"), data.get("client_id"))
    return _voted(conn, data["round_id"], mine)


@handles("remove_dot")
def on_remove_dot(conn: Conn, data: dict) -> dict:
    mine = voting.remove_dot(db.session, _participant(conn), data.get("round_id"),
                             data.get("target_id"))
    return _voted(conn, data["round_id"], mine)


@handles("rate_option")
def on_rate_option(conn: Conn, data: dict) -> dict:
    mine = voting.rate_option(db.session, _participant(conn), data.get("round_id"),
                              data.get("option_id"), data.get("value"))
    return _voted(conn, data["round_id"], mine)


# --- Against a flood (facilitator/domain/moderation.py) ------------------------------------------

def _moderation_changed(conn: Conn) -> list[dict]:
    participants = moderation.overview(db.session, conn.workshop_id)
    db.session.commit()
    broadcast.announce_moderation(conn.workshop_id, {"participants": participants})
    return participants


@handles("mute_participant")
def on_mute_participant(conn: Conn, data: dict) -> dict:
    _still_runs(conn)
    moderation.set_muted(db.session, conn.workshop_id, data.get("muted"),
                         data.get("participant_id"), data.get("idea_id"))
    return {"participants": _moderation_changed(conn)}


@handles("hide_cards")
def on_hide_cards(conn: Conn, data: dict) -> dict:
    hidden = moderation.hide_cards(db.session, conn.workshop_id, _staff(conn),
                                   data.get("idea_ids"), data.get("participant_id"))
    _moderation_changed(conn)
    return {"hidden": hidden, "history": history.history_state(
        db.session, conn.workshop_id, auth.facilitator_id())}


@handles("list_participants")
def on_list_participants(conn: Conn, data: dict) -> dict:
    _still_runs(conn)
    return {"participants": moderation.overview(db.session, conn.workshop_id)}


# Every event of the protocol has its handler, and no handler exists outside the protocol.
assert _handled == set(protocol.CLIENT_EVENTS), set(protocol.CLIENT_EVENTS) ^ _handled
