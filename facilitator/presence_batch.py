"""Presence writes coalesced: sockets arriving and leaving within a quarter of a second are
written in one transaction, not one each. A hall connecting within seconds paid a transaction
per phone (8% of the server's CPU while 300 phones connected, bench/realtime.py --py-spy);
on SQLite each also contended for the one write lock with the posts."""
from flask import Flask
from sqlalchemy.exc import OperationalError

from . import broadcast
from .domain import presence
from .extensions import db, socketio

FLUSH_SECONDS = 0.25

_arrivals: dict[str, dict] = {}
_departures: set[str] = set()
_touched: set[int] = set()
_workshop_of: dict[str, int] = {}
_scheduled = False


def arrived(app: Flask, sid: str, workshop_id: int, role: str, board_id: int | None,
            participant_id: int | None, facilitator_id: int | None) -> None:
    """Count the socket as online with the next write."""
    _arrivals[sid] = {"sid": sid, "workshop_id": workshop_id, "role": role,
                      "board_id": board_id, "participant_id": participant_id,
                      "facilitator_id": facilitator_id}
    _workshop_of[sid] = workshop_id
    _touched.add(workshop_id)
    _schedule(app)


def left(app: Flask, sid: str) -> None:
    """Forget the socket with the next write (at once in memory if it was never written)."""
    workshop_id = _workshop_of.pop(sid, None)
    if workshop_id is None:
        return
    if _arrivals.pop(sid, None) is None:
        _departures.add(sid)
    _touched.add(workshop_id)
    _schedule(app)


def _schedule(app: Flask) -> None:
    global _scheduled
    if not _scheduled:
        _scheduled = True
        socketio.start_background_task(_write_soon, app)


def _write_soon(app: Flask) -> None:
    global _scheduled
    socketio.sleep(FLUSH_SECONDS)
    _scheduled = False
    arrivals, departures, touched = list(_arrivals.values()), list(_departures), set(_touched)
    _arrivals.clear()
    _departures.clear()
    _touched.clear()
    with app.app_context():
        try:
            presence.record(db.session, arrivals, departures)
        except OperationalError:
            # SQLite busy beyond its timeout: the next write takes them along. Presence is a
            # number on the screens, never a condition for posting.
            db.session.rollback()
            app.logger.warning("presence of %d sockets not recorded yet: database busy",
                               len(arrivals) + len(departures))
            for row in arrivals:
                _arrivals.setdefault(row["sid"], row)
            _departures.update(departures)
            _touched.update(touched)
            _schedule(app)
            return
        finally:
            db.session.remove()
        for workshop_id in touched:
            broadcast.announce_presence_soon(workshop_id)
