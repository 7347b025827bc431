"""Who is online: one row per live socket, refreshed while it lives, counted per board."""
from datetime import timedelta

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from ..models import Connection, Facilitator, utcnow

# A server process refreshes its rows more often than this; older rows belong to a dead process.
STALE_AFTER = timedelta(seconds=90)


def connected(session: Session, sid: str, workshop_id: int, role: str,
              board_id: int | None = None, participant_id: int | None = None,
              facilitator_id: int | None = None) -> None:
    session.merge(Connection(sid=sid, workshop_id=workshop_id, role=role, board_id=board_id,
                             participant_id=participant_id, facilitator_id=facilitator_id,
                             seen_at=utcnow()))
    session.commit()


def record(session: Session, arrivals: list[dict], departures: list[str]) -> None:
    """Many sockets' arrivals (Connection columns but seen_at) and departures, in one write.
    Arrivals first: a socket that came and went before the write leaves no row behind."""
    now = utcnow()
    if arrivals:
        session.execute(insert(Connection), [{**row, "seen_at": now} for row in arrivals])
    if departures:
        session.execute(delete(Connection).where(Connection.sid.in_(departures)))
    session.commit()


def disconnected(session: Session, sid: str) -> int | None:
    """Forget a socket; returns its workshop so its counts can be announced."""
    workshop_id = session.scalar(select(Connection.workshop_id).where(Connection.sid == sid))
    session.execute(delete(Connection).where(Connection.sid == sid))
    session.commit()
    return workshop_id


def still_alive(session: Session, sids: list[str]) -> None:
    now = utcnow()
    if sids:
        session.execute(update(Connection).where(Connection.sid.in_(sids)).values(seen_at=now))
    session.execute(delete(Connection).where(Connection.seen_at < now - STALE_AFTER))
    session.commit()


def counts(session: Session, workshop_id: int) -> dict:
    """Participants online in the workshop and per board (a phone on two tabs counts once)."""
    fresh = (Connection.workshop_id == workshop_id, Connection.role == "participant",
             Connection.seen_at >= utcnow() - STALE_AFTER)
    total = session.scalar(select(func.count(func.distinct(Connection.participant_id)))
                           .where(*fresh))
    per_board = session.execute(
        select(Connection.board_id, func.count(func.distinct(Connection.participant_id)))
        .where(*fresh, Connection.board_id.is_not(None)).group_by(Connection.board_id))
    return {"participants": total, "boards": {str(b): n for b, n in per_board.all()}}


def facilitators(session: Session, workshop_id: int) -> list[dict]:
    """Facilitators with a console open on the workshop now, by name (two tabs count once)."""
    rows = session.execute(
        select(Facilitator.id, Facilitator.name).join(
            Connection, Connection.facilitator_id == Facilitator.id)
        .where(Connection.workshop_id == workshop_id, Connection.role == "staff",
               Connection.seen_at >= utcnow() - STALE_AFTER)
        .distinct().order_by(Facilitator.name, Facilitator.id))
    return [{"id": row.id, "name": row.name} for row in rows]
