"""Guidelines (Leitlinien) per thematic field of a process, drafted in the closing event and
consent-checked.

Each save is a new version (1, 2, …); older versions stay as they were. A consent check on a
version is an ordinary consent vote round (`voting.open_round`, kind "consent") in one event of
the process, so the phones, projector and the event's record handle it unchanged; the version
remembers its round. The consent result is read from that round's results: the version is
adopted when its option meets less total resistance than the passive option ("keep drafting").
"""
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import ProcessField, ProcessGuideline, VoteRound, Workshop
from . import validate, voting
from .errors import InvalidInput, NotFound

GUIDELINE_MAX_CHARS = 4000


def _field(session: Session, process_id: int, field_id) -> ProcessField:
    field = session.get(ProcessField, validate.integer(field_id, "field_id"))
    if field is None or field.process_id != process_id:
        raise NotFound(field="field_id")
    return field


def save(session: Session, process_id: int, field_id, text: str) -> ProcessGuideline:
    """A new version of the field's guideline (the current one is the highest version)."""
    field = _field(session, process_id, field_id)
    text = validate.text(text, GUIDELINE_MAX_CHARS, "guideline")
    latest = current(session, field.id)
    if latest is not None and latest.text == text:
        return latest  # saving unchanged text makes no new version
    version = (session.scalar(select(func.max(ProcessGuideline.version)).where(
        ProcessGuideline.field_id == field.id)) or 0) + 1
    row = ProcessGuideline(process_id=process_id, field_id=field.id, version=version, text=text)
    session.add(row)
    session.commit()
    return row


def versions(session: Session, field_id: int) -> list[ProcessGuideline]:
    """Every version of the field's guideline, newest first."""
    return list(session.scalars(select(ProcessGuideline).where(
        ProcessGuideline.field_id == field_id).order_by(ProcessGuideline.version.desc())))


def current(session: Session, field_id: int) -> ProcessGuideline | None:
    rows = versions(session, field_id)
    return rows[0] if rows else None


def by_field(session: Session, process_id: int) -> dict[int, list[ProcessGuideline]]:
    """All versions per field id of the process, newest first."""
    out: dict[int, list[ProcessGuideline]] = {}
    for row in session.scalars(select(ProcessGuideline).where(
            ProcessGuideline.process_id == process_id).order_by(
            ProcessGuideline.field_id, ProcessGuideline.version.desc())):
        out.setdefault(row.field_id, []).append(row)
    return out


def _excerpt(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def start_consent_check(session: Session, process_id: int, guideline_id, workshop_id,
                        question: str, adopt: str, keep_drafting: str) -> VoteRound:
    """Open a consent check on one version in an event of the process. The texts come from the
    caller (translated there): `question` names the field and version, `adopt` is the option
    (the guideline's text is appended as far as an option holds), `keep_drafting` the passive
    option. The whole room votes."""
    guideline = session.get(ProcessGuideline, validate.integer(guideline_id, "guideline_id"))
    if guideline is None or guideline.process_id != process_id:
        raise NotFound(field="guideline_id")
    if guideline.round_id is not None and session.get(VoteRound, guideline.round_id):
        raise InvalidInput(field="guideline_id")  # one check per version
    event = session.get(Workshop, validate.integer(workshop_id, "workshop_id"))
    if event is None or event.process_id != process_id:
        raise NotFound(field="workshop_id")
    option = _excerpt(f"{adopt}: {guideline.text}", voting.OPTION_MAX_CHARS)
    round_ = voting.open_round(session, event.id, voting.RoundSpec(
        kind="consent", question=_excerpt(question, 300), options=[option],
        passive_option=_excerpt(keep_drafting, voting.OPTION_MAX_CHARS), whole_room=True))
    guideline.round_id = round_.id
    session.commit()
    return round_


@dataclass
class ConsentResult:
    state: str            # open | closed
    answers: int          # phones that answered
    resistance: int       # total resistance to adopting this version
    passive: int          # total resistance to keep drafting
    adopted: bool | None  # None while the check is open


def consent_result(session: Session, guideline: ProcessGuideline) -> ConsentResult | None:
    """The consent check's outcome; None if no check was held on this version."""
    round_ = session.get(VoteRound, guideline.round_id) if guideline.round_id else None
    if round_ is None:
        return None
    rows = {row["id"]: row for row in voting.results(session, round_)}
    adopt, passive = rows[1], rows[0]
    closed = round_.state == "closed"
    return ConsentResult(round_.state, adopt["answers"], adopt["score"], passive["score"],
                         (adopt["score"] < passive["score"] or
                          (adopt["answers"] > 0 and adopt["score"] == 0)) if closed else None)
