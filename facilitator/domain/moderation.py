"""The facilitation's tools against a flood: mute a phone (its further posts are refused until it
is unmuted) and hide many cards at once, all of one participant's or a chosen few, as one undoable
action. Who posts how much is shown to staff only."""
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from ..models import Idea, Participant
from . import validate
from .errors import DomainError, InvalidInput, NotFound
from .history import StaffChange

OVERVIEW_SIZE = 20
MAX_BULK = 500


class ParticipantMuted(DomainError):
    """The facilitation muted this phone: it may read and vote, not post."""
    code = "muted"


def refuse_if_muted(participant: Participant) -> None:
    if participant.muted:
        raise ParticipantMuted()


def _participant(session: Session, workshop_id: int, participant_id=None,
                 idea_id=None) -> Participant:
    """A participant of this workshop, named by id or as the author of one of its cards."""
    if (participant_id is None) == (idea_id is None):
        raise InvalidInput(field="participant_id")
    if idea_id is not None:
        idea = session.get(Idea, validate.integer(idea_id, "idea_id"))
        if idea is None or idea.workshop_id != workshop_id or idea.participant_id is None:
            raise NotFound(field="idea_id")
        participant_id = idea.participant_id
    participant = session.get(Participant, validate.integer(participant_id, "participant_id"))
    if participant is None or participant.workshop_id != workshop_id:
        raise NotFound(field="participant_id")
    return participant


def set_muted(session: Session, workshop_id: int, muted, participant_id=None,
              idea_id=None) -> Participant:
    """Mute (or unmute) a phone, named by id or by one of its cards."""
    muted = validate.flag(muted, "muted")
    participant = _participant(session, workshop_id, participant_id, idea_id)
    participant.muted = muted
    session.commit()
    return participant


def overview(session: Session, workshop_id: int, size: int = OVERVIEW_SIZE) -> list[dict]:
    """The phones that posted most (and every muted one), most cards first: who floods shows at
    the top. `name` is what the person chose to be called, or None."""
    visible = func.sum(case((Idea.state == "visible", 1), else_=0))
    hidden = func.sum(case((Idea.state == "hidden", 1), else_=0))
    rows = session.execute(
        select(Participant.id, Participant.display_name, Participant.muted,
               func.coalesce(visible, 0), func.coalesce(hidden, 0))
        .outerjoin(Idea, Idea.participant_id == Participant.id)
        .where(Participant.workshop_id == workshop_id)
        .group_by(Participant.id, Participant.display_name, Participant.muted)
        .having((func.count(Idea.id) > 0) | Participant.muted)
        .order_by(Participant.muted.desc(), func.count(Idea.id).desc(), Participant.id)
        .limit(size)).all()
    return [{"id": pid, "name": name or None, "muted": bool(muted),
             "visible": int(shown), "hidden": int(hid)}
            for pid, name, muted, shown, hid in rows]


def hide_cards(session: Session, workshop_id: int, facilitator_id: int | None, idea_ids=None,
               participant_id=None) -> int:
    """Hide every visible card of one participant, or the chosen cards, as one undoable action;
    returns how many were hidden. Nothing visible among them: NotFound, and nothing changes."""
    if (idea_ids is None) == (participant_id is None):
        raise InvalidInput(field="idea_ids")
    query = select(Idea).where(Idea.workshop_id == workshop_id, Idea.state == "visible")
    if idea_ids is not None:
        if not isinstance(idea_ids, list) or not 0 < len(idea_ids) <= MAX_BULK:
            raise InvalidInput(field="idea_ids")
        query = query.where(Idea.id.in_([validate.integer(i, "idea_ids") for i in idea_ids]))
    else:
        query = query.where(Idea.participant_id == _participant(
            session, workshop_id, participant_id).id)
    with StaffChange(session, workshop_id, facilitator_id, "hide_cards",
                     "idea_updated") as change:
        cards = list(session.scalars(query.order_by(Idea.id)))
        if not cards:
            raise NotFound(field="idea_ids")
        for card in cards:
            change.track(card)
            card.state = "hidden"
    return len(cards)
