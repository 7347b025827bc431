"""The steering group (Lenkungsgruppe) of a participation process.

Named members reach their page by a personal link (only its hash is stored) and see only what
the steering group decides on:

- **votes on a round** of an event (dots or a consent check), kept in rows of their own
  (`SteeringVote`) so they never mix with the participants' (`Vote`); `side_by_side()` shows both;
- **the priority of the thematic fields**: each member answers 1 (high), 2 (medium) or 3 (low)
  per field (`rate_field`); a facilitator sees the answers gathered (`field_answers`) and records
  the steering group's decision, the agreed priority per field with its date
  (`record_priorities`); `fields_by_priority()` orders the fields by it;
- **the schedule of measures**: per measure of the process's catalogue (each measure once,
  `processes.round_measures`) a start period ("2027 Q1"), the responsible organisation and the
  date of the decision, entered by a facilitator (`set_schedule`); members may agree or object
  with a comment (`respond`).

A schedule entry names its measure by the measure's identity across the process
(`processes.identity`), so it stays with the measure however often it is carried forward.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (NAME_MAX_CHARS, TITLE_MAX_CHARS, FieldPriority, Measure, ProcessField,
                      ScheduleEntry, ScheduleResponse, SteeringDecision, SteeringFieldRating,
                      SteeringMember, SteeringVote, VoteRound, Workshop)
from . import tokens, validate, voting
from .errors import InvalidInput, ItemCapReached, NotFound, RoundClosed, VoteBudgetExceeded
from .processes import get_process, identity, round_measures

# A field's priority: 1 high, 2 medium, 3 low (members' answers and the decision alike).
PRIORITIES = (1, 2, 3)
PERIOD_MAX_CHARS = 32
COMMENT_MAX_CHARS = 500
ANSWERS = ("agree", "object")


# --- members -------------------------------------------------------------------------------------

def add_member(session: Session, process_id, name: str) -> tuple[SteeringMember, str]:
    """A named steering-group member and their personal link's secret (shown once)."""
    process = get_process(session, process_id)
    secret = tokens.new_secret()
    member = SteeringMember(process_id=process.id, secret_hash=tokens.digest(secret),
                            name=validate.text(name, NAME_MAX_CHARS * 2, "name"))
    session.add(member)
    session.commit()
    return member, secret


def members(session: Session, process_id: int) -> list[SteeringMember]:
    return list(session.scalars(select(SteeringMember).where(
        SteeringMember.process_id == process_id).order_by(SteeringMember.id)))


def member_by_secret(session: Session, secret: str) -> SteeringMember:
    member = session.scalar(select(SteeringMember).where(
        SteeringMember.secret_hash == tokens.digest(secret)))
    if member is None:
        raise NotFound(field="secret")
    return member


def put_to_steering_group(session: Session, round_id) -> SteeringDecision:
    """Let the steering group vote on a round of one of the process's events: dots, or a
    consent check (each member's resistance 0–10 per option)."""
    round_ = session.get(VoteRound, validate.integer(round_id, "round_id"))
    if round_ is None:
        raise NotFound(field="round_id")
    workshop = session.get(Workshop, round_.workshop_id)
    if workshop.process_id is None:
        raise InvalidInput(field="workshop")
    decision = session.scalar(select(SteeringDecision).where(
        SteeringDecision.round_id == round_.id))
    if decision is None:
        decision = SteeringDecision(process_id=workshop.process_id, round_id=round_.id)
        session.add(decision)
        session.commit()
    return decision


def decisions(session: Session, process_id: int) -> list[SteeringDecision]:
    """What the steering group decides on — all a member sees."""
    return list(session.scalars(select(SteeringDecision).where(
        SteeringDecision.process_id == process_id).order_by(SteeringDecision.id)))


def _decision_for(session: Session, member: SteeringMember, decision_id) -> SteeringDecision:
    decision = session.get(SteeringDecision, validate.integer(decision_id, "decision_id"))
    if decision is None or decision.process_id != member.process_id:
        raise NotFound(field="decision_id")
    return decision


def member_votes(session: Session, decision: SteeringDecision, member: SteeringMember
                 ) -> dict[int, int]:
    return dict(session.execute(select(SteeringVote.target_id, SteeringVote.value).where(
        SteeringVote.decision_id == decision.id, SteeringVote.member_id == member.id)).all())


def steering_dot(session: Session, member: SteeringMember, decision_id, target_id,
                 delta: int = 1) -> dict[int, int]:
    """A member puts (+1) or takes back (-1) one dot; the round's budget and cap apply."""
    decision = _decision_for(session, member, decision_id)
    if decision.state != "open":
        raise RoundClosed()
    if delta not in (1, -1):
        raise InvalidInput(field="delta")
    round_ = session.get(VoteRound, decision.round_id)
    if round_.kind != "dots":
        raise InvalidInput(field="decision_id")
    target_id = validate.integer(target_id, "target_id")
    if target_id not in {t["id"] for t in voting.targets(session, round_)}:
        raise NotFound(field="target_id")
    mine = member_votes(session, decision, member)
    if delta > 0 and sum(mine.values()) >= round_.dots_per_person:
        raise VoteBudgetExceeded(max=round_.dots_per_person)
    if delta > 0 and mine.get(target_id, 0) >= round_.max_per_item:
        raise ItemCapReached(max=round_.max_per_item)
    vote = session.scalar(select(SteeringVote).where(
        SteeringVote.decision_id == decision.id, SteeringVote.member_id == member.id,
        SteeringVote.target_id == target_id))
    if vote is None and delta < 0:
        raise NotFound(field="target_id")
    if vote is None:
        session.add(SteeringVote(decision_id=decision.id, member_id=member.id,
                                 target_id=target_id, value=1))
    elif vote.value + delta <= 0:
        session.delete(vote)
    else:
        vote.value += delta
    session.commit()
    return member_votes(session, decision, member)


def steering_rate(session: Session, member: SteeringMember, decision_id, option_id,
                  value) -> dict[int, int]:
    """Consent check: a member's resistance (0 none … 10 veto) to one option."""
    decision = _decision_for(session, member, decision_id)
    if decision.state != "open":
        raise RoundClosed()
    round_ = session.get(VoteRound, decision.round_id)
    if round_.kind != "consent":
        raise InvalidInput(field="decision_id")
    option_id = validate.integer(option_id, "option_id")
    if option_id not in {o["id"] for o in round_.options}:
        raise NotFound(field="option_id")
    value = validate.integer(value, "value", 0, voting.RESISTANCE_MAX)
    vote = session.scalar(select(SteeringVote).where(
        SteeringVote.decision_id == decision.id, SteeringVote.member_id == member.id,
        SteeringVote.target_id == option_id))
    if vote is None:
        session.add(SteeringVote(decision_id=decision.id, member_id=member.id,
                                 target_id=option_id, value=value))
    else:
        vote.value = value
    session.commit()
    return member_votes(session, decision, member)


def close_decision(session: Session, decision_id, closed: bool = True) -> SteeringDecision:
    decision = session.get(SteeringDecision, validate.integer(decision_id, "decision_id"))
    if decision is None:
        raise NotFound(field="decision_id")
    decision.state = "closed" if closed else "open"
    session.commit()
    return decision


def steering_scores(session: Session, decision: SteeringDecision) -> dict[int, int]:
    return {target: int(total) for target, total in session.execute(
        select(SteeringVote.target_id, func.sum(SteeringVote.value)).where(
            SteeringVote.decision_id == decision.id).group_by(SteeringVote.target_id)).all()}


def steering_voters(session: Session, decision: SteeringDecision) -> int:
    return session.scalar(select(func.count(func.distinct(SteeringVote.member_id))).where(
        SteeringVote.decision_id == decision.id)) or 0


def side_by_side(session: Session, round_: VoteRound) -> list[dict]:
    """The round's targets with the participants' score and the steering group's in two
    columns (never added up), ranked by the participants' vote as the room saw it. Dots: sums
    of dots; consent check: sums of resistance (lower is more agreement)."""
    decision = session.scalar(select(SteeringDecision).where(
        SteeringDecision.round_id == round_.id))
    steering = steering_scores(session, decision) if decision else {}
    return [{**row, "participants": row["score"], "steering": steering.get(row["id"], 0)}
            for row in voting.results(session, round_)]



# --- the priority of the thematic fields ---------------------------------------------------------

def _field_of(session: Session, process_id: int, field_id) -> ProcessField:
    process_field = session.get(ProcessField, validate.integer(field_id, "field_id"))
    if process_field is None or process_field.process_id != process_id:
        raise NotFound(field="field_id")
    return process_field


def _priority(value, name: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    return validate.integer(value, name, PRIORITIES[0], PRIORITIES[-1])


def member_ratings(session: Session, member: SteeringMember) -> dict[int, int]:
    """A member's answers: {field id: 1 high | 2 medium | 3 low}."""
    return dict(session.execute(select(SteeringFieldRating.field_id, SteeringFieldRating.value)
                                .where(SteeringFieldRating.member_id == member.id)).all())


def rate_fields(session: Session, member: SteeringMember, ratings: dict) -> dict[int, int]:
    """A member's answer on the fields' priority, {field id: 1|2|3}, in one unit of work: every
    value is checked before anything is saved. A field left out keeps its earlier answer; None
    takes the answer back."""
    checked = {}
    for field_id, value in ratings.items():
        process_field = _field_of(session, member.process_id, field_id)
        checked[process_field.id] = None if value in (None, "") else _priority(value, "value")
    rows = {r.field_id: r for r in session.scalars(select(SteeringFieldRating).where(
        SteeringFieldRating.member_id == member.id))}
    for field_id, value in checked.items():
        row = rows.get(field_id)
        if value is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(SteeringFieldRating(member_id=member.id, field_id=field_id, value=value))
        else:
            row.value = value
    session.commit()
    return member_ratings(session, member)


def rate_field(session: Session, member: SteeringMember, field_id, value) -> dict[int, int]:
    return rate_fields(session, member, {field_id: value})


@dataclass
class FieldAnswers:
    """The members' answers on one field, gathered for the facilitators (never per name)."""
    field: ProcessField
    counts: dict = field(default_factory=dict)  # {1: n, 2: n, 3: n}
    answers: int = 0
    mean: float | None = None
    decided: FieldPriority | None = None


def field_answers(session: Session, process_id) -> list[FieldAnswers]:
    """Per field of the process, in the process's order: how many members answered high,
    medium, low, their mean, and the decision recorded so far."""
    process = get_process(session, process_id)
    counts = {}
    for field_id, value, number in session.execute(
            select(SteeringFieldRating.field_id, SteeringFieldRating.value,
                   func.count(SteeringFieldRating.id))
            .join(ProcessField, ProcessField.id == SteeringFieldRating.field_id)
            .where(ProcessField.process_id == process.id)
            .group_by(SteeringFieldRating.field_id, SteeringFieldRating.value)).all():
        counts.setdefault(field_id, {})[value] = number
    decided = field_priorities(session, process.id)
    rows = []
    for process_field in process.fields:
        mine = counts.get(process_field.id, {})
        answers = sum(mine.values())
        mean = (sum(v * n for v, n in mine.items()) / answers) if answers else None
        rows.append(FieldAnswers(process_field, {p: mine.get(p, 0) for p in PRIORITIES},
                                 answers, mean, decided.get(process_field.id)))
    return rows


def _day(value, name: str = "decided_on") -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidInput(field=name)


def record_priorities(session: Session, process_id, priorities: dict, decided_on) -> dict:
    """The steering group's decision, entered by a facilitator: {field id: 1|2|3, or None to
    take a field's priority back}, decided on one date. One unit of work: every value is
    checked before anything is saved."""
    process = get_process(session, process_id)
    day = _day(decided_on)
    checked = {}
    for field_id, value in priorities.items():
        process_field = _field_of(session, process.id, field_id)
        checked[process_field.id] = None if value in (None, "") else _priority(value, "priority")
    current = field_priorities(session, process.id)
    for field_id, value in checked.items():
        row = current.get(field_id)
        if value is None:
            if row is not None:
                session.delete(row)
        elif row is None:
            session.add(FieldPriority(process_id=process.id, field_id=field_id, priority=value,
                                      decided_on=day))
        elif (row.priority, row.decided_on) != (value, day):
            row.priority, row.decided_on = value, day
    session.commit()
    return field_priorities(session, process.id)


def field_priorities(session: Session, process_id: int) -> dict[int, FieldPriority]:
    return {p.field_id: p for p in session.scalars(select(FieldPriority).where(
        FieldPriority.process_id == process_id))}


def fields_by_priority(session: Session, process_id) -> list[tuple[ProcessField,
                                                                    FieldPriority | None]]:
    """The process's fields ordered by the agreed priority (high first; the process's order
    among equals); fields without a decision come last, in the process's order."""
    process = get_process(session, process_id)
    decided = field_priorities(session, process.id)
    ordered = sorted(process.fields, key=lambda f: (
        decided[f.id].priority if f.id in decided else len(PRIORITIES) + 1, f.position, f.id))
    return [(f, decided.get(f.id)) for f in ordered]


# --- the schedule of measures --------------------------------------------------------------------

def schedule(session: Session, process_id: int) -> dict[tuple, ScheduleEntry]:
    """{measure identity: its schedule entry}."""
    return {(e.item_kind, e.item_id): e for e in session.scalars(select(ScheduleEntry).where(
        ScheduleEntry.process_id == process_id).order_by(ScheduleEntry.id))}


def schedule_rows(session: Session, process_id) -> list[tuple[Measure, ScheduleEntry | None]]:
    """Each measure of the process's catalogue once (its latest row) with its schedule entry."""
    process = get_process(session, process_id)
    entries = schedule(session, process.id)
    return [(m, entries.get(identity(m))) for m in round_measures(session, process.id)]


def set_schedule(session: Session, process_id, measure_id, start_period: str,
                 responsible: str, decided_on) -> ScheduleEntry | None:
    """The steering group's schedule for one measure, entered by a facilitator. Empty start
    period and organisation take the entry back (returns None)."""
    process = get_process(session, process_id)
    measure = session.get(Measure, validate.integer(measure_id, "measure_id"))
    event = session.get(Workshop, measure.workshop_id) if measure is not None else None
    if event is None or event.process_id != process.id or measure.state != "active":
        raise NotFound(field="measure_id")
    start_period = validate.text(start_period or "", PERIOD_MAX_CHARS, "start_period",
                                 required=False)
    responsible = validate.text(responsible or "", TITLE_MAX_CHARS, "responsible",
                                required=False)
    day = _day(decided_on)
    kind, ident = identity(measure)
    entry = session.scalar(select(ScheduleEntry).where(
        ScheduleEntry.process_id == process.id, ScheduleEntry.item_kind == kind,
        ScheduleEntry.item_id == ident))
    if not start_period and not responsible:
        if entry is not None:
            session.delete(entry)
            session.commit()
        return None
    if entry is None:
        entry = ScheduleEntry(process_id=process.id, item_kind=kind, item_id=ident)
        session.add(entry)
    entry.start_period, entry.responsible, entry.decided_on = start_period, responsible, day
    session.commit()
    return entry


def _entry_for(session: Session, member: SteeringMember, entry_id) -> ScheduleEntry:
    entry = session.get(ScheduleEntry, validate.integer(entry_id, "entry_id"))
    if entry is None or entry.process_id != member.process_id:
        raise NotFound(field="entry_id")
    return entry


def respond(session: Session, member: SteeringMember, entry_id, answer: str,
            comment: str = "") -> ScheduleResponse:
    """A member agrees with a schedule entry or objects to it, with an optional comment."""
    entry = _entry_for(session, member, entry_id)
    if answer not in ANSWERS:
        raise InvalidInput(field="answer")
    comment = validate.text(comment or "", COMMENT_MAX_CHARS, "comment", required=False)
    response = session.scalar(select(ScheduleResponse).where(
        ScheduleResponse.entry_id == entry.id, ScheduleResponse.member_id == member.id))
    if response is None:
        response = ScheduleResponse(entry_id=entry.id, member_id=member.id)
        session.add(response)
    response.answer, response.comment = answer, comment
    session.commit()
    return response


def member_responses(session: Session, member: SteeringMember) -> dict[int, ScheduleResponse]:
    return {r.entry_id: r for r in session.scalars(select(ScheduleResponse).where(
        ScheduleResponse.member_id == member.id))}


def responses(session: Session, process_id: int) -> dict[int, list[tuple[str, str, str]]]:
    """{entry id: [(member's name, agree|object, comment)]} for the facilitators."""
    out: dict[int, list] = {}
    for response, name in session.execute(
            select(ScheduleResponse, SteeringMember.name)
            .join(ScheduleEntry, ScheduleEntry.id == ScheduleResponse.entry_id)
            .join(SteeringMember, SteeringMember.id == ScheduleResponse.member_id)
            .where(ScheduleEntry.process_id == process_id)
            .order_by(ScheduleResponse.entry_id, SteeringMember.id)).all():
        out.setdefault(response.entry_id, []).append((name, response.answer, response.comment))
    return out
