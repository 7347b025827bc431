"""Retention: after a period, a workshop's raw participation data is deleted for good, while
what the workshop produced stays.

Deleted: who wrote which card (authorship), the participants themselves (their names, groups
and phone tokens), every vote and rating, who was online (presence) and the facilitators' undo
history (it can hold texts that were withdrawn or corrected). Kept: the cards' texts, clusters,
measures, rounds with their final order, photos, the record and any export already made.

It only happens once the record has been made (the caller says how to tell), so the
documentation with its vote results is never lost to a deadline. The period runs from the end
of the workshop's day (its creation day when it has no date); 0 days means "until the workshop
is deleted"."""
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Callable

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ..models import (Connection, Idea, Participant, StaffAction, Vote, VoteRound, Workshop,
                      utcnow)
from .changes import WorkshopChange
from .errors import InvalidInput

MAX_DAYS = 3650


@dataclass(frozen=True)
class Deleted:
    """What one run deleted of one workshop's raw participation data."""
    workshop_id: int
    participants: int
    votes: int
    authored_cards: int
    presence: int
    undo_steps: int


def period_days(workshop: Workshop, installation_days: int) -> int:
    """The workshop's own period if it has one, else the installation's."""
    return installation_days if workshop.retention_days is None else workshop.retention_days


def due_at(workshop: Workshop, installation_days: int) -> datetime | None:
    """When the raw participation data falls due for deletion; None when it is kept."""
    days = period_days(workshop, installation_days)
    if not days:
        return None
    day = workshop.event_date or workshop.created_at.date()
    return datetime.combine(day + timedelta(days=1), time.min) + timedelta(days=days)


def set_period(session: Session, workshop_id: int, days: int | None) -> None:
    """The workshop's own period in days (None: follow the installation, 0: keep)."""
    if days is not None and (not isinstance(days, int) or isinstance(days, bool)
                             or not 0 <= days <= MAX_DAYS):
        raise InvalidInput(field="retention_days", max=MAX_DAYS)
    session.get(Workshop, workshop_id).retention_days = days
    session.commit()


def delete_participation(session: Session, workshop_id: int) -> Deleted:
    """Delete one workshop's raw participation data now, in one transaction. It takes the
    workshop's next number: the authors' names go from the cards, and no phone's snapshot
    shared before (domain/snapshots.py) may be handed out again."""
    def count(model, *where) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where))

    rounds = select(VoteRound.id).where(VoteRound.workshop_id == workshop_id)
    with WorkshopChange(session, workshop_id, "workshop_updated") as change:
        deleted = Deleted(
            workshop_id=workshop_id,
            participants=count(Participant, Participant.workshop_id == workshop_id),
            votes=count(Vote, Vote.round_id.in_(rounds)),
            authored_cards=count(Idea, Idea.workshop_id == workshop_id,
                                 Idea.participant_id.is_not(None)),
            presence=count(Connection, Connection.workshop_id == workshop_id,
                           Connection.role == "participant"),
            undo_steps=count(StaffAction, StaffAction.workshop_id == workshop_id))
        # Explicit rather than left to ON DELETE: the same on every database and foreign-key
        # setting.
        session.execute(update(Idea).where(Idea.workshop_id == workshop_id)
                        .values(participant_id=None))
        session.execute(delete(Vote).where(Vote.round_id.in_(rounds)))
        session.execute(delete(Connection).where(Connection.workshop_id == workshop_id,
                                                 Connection.role == "participant"))
        session.execute(delete(StaffAction).where(StaffAction.workshop_id == workshop_id))
        session.execute(delete(Participant).where(Participant.workshop_id == workshop_id))
        workshop = session.get(Workshop, workshop_id)
        workshop.participation_deleted_at = utcnow()
        change.touch(workshop)
    return deleted


def delete_due(session: Session, installation_days: int,
               record_made: Callable[[Workshop], bool],
               now: datetime | None = None) -> list[Deleted]:
    """Delete the raw participation data of every workshop whose period has passed and whose
    record has been made; the others wait for the next run."""
    now = now or utcnow()
    pending = session.scalars(select(Workshop).where(
        Workshop.participation_deleted_at.is_(None)).order_by(Workshop.id)).all()
    done = []
    for workshop in pending:
        due = due_at(workshop, installation_days)
        if due is not None and due <= now and record_made(workshop):
            done.append(delete_participation(session, workshop.id))
    return done
