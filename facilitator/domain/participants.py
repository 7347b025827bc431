"""Anonymous participants: a random token per phone, a name and group only if chosen."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import NAME_MAX_CHARS, Participant, StakeholderGroup, Workshop
from . import validate
from .errors import InvalidInput
from .tokens import digest, new_secret


def _group_id(session: Session, workshop: Workshop, group_id) -> int | None:
    if group_id in (None, ""):
        return None
    group = session.get(StakeholderGroup, validate.integer(group_id, "stakeholder_group"))
    if group is None or group.workshop_id != workshop.id:
        raise InvalidInput(field="stakeholder_group")
    return group.id


def join(session: Session, workshop: Workshop, display_name=None,
         stakeholder_group_id=None) -> tuple[Participant, str]:
    """Register a phone; returns the participant and the secret token the phone keeps."""
    name = validate.text(display_name, NAME_MAX_CHARS, "display_name", required=False) or None
    participant = Participant(workshop_id=workshop.id, display_name=name,
                              stakeholder_group_id=_group_id(session, workshop,
                                                             stakeholder_group_id))
    token = new_secret()
    participant.token_hash = digest(token)
    session.add(participant)
    session.commit()
    return participant, token


def update_profile(session: Session, participant: Participant, display_name=None,
                   stakeholder_group_id=None) -> Participant:
    """A returning phone may change the name and group it chose."""
    workshop = session.get(Workshop, participant.workshop_id)
    participant.display_name = validate.text(
        display_name, NAME_MAX_CHARS, "display_name", required=False) or None
    participant.stakeholder_group_id = _group_id(session, workshop, stakeholder_group_id)
    session.commit()
    return participant


def find(session: Session, workshop_id: int, token: str | None) -> Participant | None:
    if not token:
        return None
    return session.scalar(select(Participant).where(
        Participant.workshop_id == workshop_id, Participant.token_hash == digest(token)))
