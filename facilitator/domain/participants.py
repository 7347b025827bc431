"""Anonymous participants: a random token per phone, a name and group only if chosen."""
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ..models import NAME_MAX_CHARS, Board, Idea, Participant, StakeholderGroup, Workshop
from . import validate
from .changes import WorkshopChange
from .errors import InvalidInput, NotFound
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
    name = validate.text(display_name, NAME_MAX_CHARS, "display_name", required=False) or None
    group_id = _group_id(session, workshop, stakeholder_group_id)
    cards = [] if name == participant.display_name else session.scalars(
        select(Idea).where(Idea.participant_id == participant.id)).all()
    if not cards:
        participant.display_name, participant.stakeholder_group_id = name, group_id
        session.commit()
        return participant
    # The name is on the person's cards: they change with it, under the next number, so screens
    # show the new one and no snapshot shared before (domain/snapshots.py) is handed out again.
    with WorkshopChange(session, workshop.id, "idea_updated") as change:
        participant.display_name, participant.stakeholder_group_id = name, group_id
        change.touch(*cards)
    return participant


def find(session: Session, workshop_id: int, token: str | None) -> Participant | None:
    if not token:
        return None
    return session.scalar(select(Participant).where(
        Participant.workshop_id == workshop_id, Participant.token_hash == digest(token)))


def at_table(session: Session, join_code: str, tokens, board_id) -> tuple[int, int | None,
                                                                          int | None]:
    """A phone connecting, in one statement: the workshop of `join_code` (NotFound), the
    participant one of the phone's `tokens` (its cookie's) names there or None, and `board_id`
    if it is one of the workshop's boards, else None. A hall connects within seconds: loading
    the workshop, the participant and the boards as objects was a fifth of a connect's CPU."""
    from .workshops import normalise_join_code
    digests = [digest(token) for token in tokens if isinstance(token, str) and token]
    if not isinstance(board_id, int) or isinstance(board_id, bool):
        board_id = None
    row = session.execute(_AT_TABLE, {"join_code": normalise_join_code(join_code),
                                      "digests": digests, "board_id": board_id}).one_or_none()
    if row is None:
        raise NotFound(field="join_code")
    return row[0], row[1], row[2]


def _at_table():
    """Built once: building the statement and its cache key for every phone was half of the
    statement's cost (bench/realtime.py --py-spy, 1,000 phones connecting)."""
    return (select(Workshop.id, Participant.id, Board.id).select_from(Workshop)
            .outerjoin(Participant, (Participant.workshop_id == Workshop.id)
                       & Participant.token_hash.in_(bindparam("digests", expanding=True)))
            .outerjoin(Board, (Board.workshop_id == Workshop.id)
                       & (Board.id == bindparam("board_id")))
            .where(Workshop.join_code == bindparam("join_code"))
            .limit(1))


_AT_TABLE = _at_table()


def exists(session: Session, participant_id: int | None) -> bool:
    """Still there (not deleted with their data)?"""
    return participant_id is not None and session.scalar(
        select(Participant.id).where(Participant.id == participant_id)) is not None
