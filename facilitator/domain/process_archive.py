"""A whole participation process as one JSON file, and back.

Each event travels as the workshop archive does (`archive.export_workshop`: its own row numbers,
no database ids, nothing secret); around them the process adds its fields and groups, each event's
kind, which board works on which field, the carried-over links (event n's measure m stands for
event k's measure j or cluster j), and the steering group: members' names (never their links),
the rounds put before them and their dots, the fields' priority (members' answers and the
decision) and the schedule of measures with members' responses. Importing makes a new process owned by the importer,
with new join codes; steering-group members need new personal links.

Row numbers of the workshop archive follow the database order (boards by position, clusters and
measures by id, rounds by id), and the workshop import writes them in that order, so "the n-th
row" finds the imported row again.
"""
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (Board, Cluster, FieldPriority, Measure, Process, ProcessFacilitator,
                      ProcessGuideline, ScheduleEntry, ScheduleResponse, SteeringDecision,
                      SteeringFieldRating, SteeringMember, SteeringVote, VoteRound, Workshop)
from . import (archive, guidelines, process_settings, processes, steering, tokens, validate,
               voting)
from .processes import FieldSpec, ProcessSpec

FORMAT = "facilitator-process"
VERSION = 1


def _active(session: Session, model, workshop_id: int) -> list[int]:
    return list(session.scalars(select(model.id).where(
        model.workshop_id == workshop_id, model.state == "active").order_by(model.id)))


def export_process(session: Session, process_id: int, include_names: bool = False) -> dict:
    process = processes.get_process(session, process_id)
    events = processes.events(session, process.id)
    event_number = {e.id: n for n, e in enumerate(events, 1)}
    field_number = {f.id: n for n, f in enumerate(process.fields, 1)}
    numbers = {e.id: {"measure": {i: n for n, i in enumerate(_active(session, Measure, e.id), 1)},
                      "cluster": {i: n for n, i in enumerate(_active(session, Cluster, e.id), 1)},
                      "round": {r.id: n for n, r in enumerate(voting.rounds_of(session, e.id), 1)}}
               for e in events}

    def where(kind: str, row_id: int | None):
        model = Measure if kind == "measure" else Cluster
        row = session.get(model, row_id) if row_id else None
        if row is None or row.workshop_id not in numbers:
            return None
        number = numbers[row.workshop_id][kind].get(row.id)
        return None if number is None else {"event": event_number[row.workshop_id], kind: number}

    carried = []
    for event in events:
        for measure_id, number in numbers[event.id]["measure"].items():
            measure = session.get(Measure, measure_id)
            source = (where("measure", measure.carried_measure_id)
                      or where("cluster", measure.carried_cluster_id))
            if source:
                carried.append({"event": event_number[event.id], "measure": number,
                                "from": source})
    members = processes.members(session, process.id)
    member_number = {m.id: n for n, m in enumerate(members, 1)}
    decisions = []
    for decision in processes.decisions(session, process.id):
        round_ = session.get(VoteRound, decision.round_id)
        votes = session.scalars(select(SteeringVote).where(
            SteeringVote.decision_id == decision.id).order_by(SteeringVote.id))
        decisions.append({
            "event": event_number[round_.workshop_id],
            "round": numbers[round_.workshop_id]["round"][round_.id], "state": decision.state,
            "votes": [{"member": member_number[v.member_id],
                       "target": numbers[round_.workshop_id]["measure"].get(v.target_id),
                       "value": v.value} for v in votes
                      if numbers[round_.workshop_id]["measure"].get(v.target_id)]})
    guideline_rows = []
    for row in session.scalars(select(ProcessGuideline).where(
            ProcessGuideline.process_id == process.id).order_by(
            ProcessGuideline.field_id, ProcessGuideline.version)):
        round_ = session.get(VoteRound, row.round_id) if row.round_id else None
        check = ({"event": event_number[round_.workshop_id],
                  "round": numbers[round_.workshop_id]["round"][round_.id]}
                 if round_ is not None and round_.workshop_id in numbers else None)
        guideline_rows.append({"field": field_number[row.field_id], "version": row.version,
                               "text": row.text, "check": check})
    return {
        "format": FORMAT, "version": VERSION,
        "process": {"title": process.title, "organiser": process.organiser,
                    "language": process.language, "description": process.description},
        "fields": [{"title": f.title, "question": f.question, "colour": f.colour}
                   for f in process.fields],
        "stakeholder_groups": [g.name for g in process.groups],
        "events": [{"kind": e.event_kind or "workshop",
                    "board_fields": [field_number.get(b.field_id) for b in e.boards],
                    "workshop": archive.export_workshop(session, e.id, include_names)}
                   for e in events],
        "carried": carried,
        "steering_group": [{"name": m.name} for m in members],
        "steering_decisions": decisions,
        "guidelines": guideline_rows,
        **_export_priorities_and_schedule(session, process, field_number, member_number, where),
    }


def _day(value) -> str | None:
    return value.isoformat() if value else None


def _export_priorities_and_schedule(session: Session, process, field_number: dict,
                                    member_number: dict, where) -> dict:
    """The steering group's field priorities (members' answers, the decision) and the schedule,
    each entry at the measure's latest row in this process (its identity is found again from
    the carried links on import)."""
    ratings = session.scalars(select(SteeringFieldRating).where(
        SteeringFieldRating.member_id.in_(list(member_number))).order_by(SteeringFieldRating.id))
    latest = {processes.identity(m): m for m in processes.round_measures(session, process.id)}
    responses = {}
    for response in session.scalars(select(ScheduleResponse).where(
            ScheduleResponse.member_id.in_(list(member_number))).order_by(ScheduleResponse.id)):
        responses.setdefault(response.entry_id, []).append(
            {"member": member_number[response.member_id], "answer": response.answer,
             "comment": response.comment})
    schedule = []
    for key, entry in steering.schedule(session, process.id).items():
        row = where("measure", latest[key].id) if key in latest else None
        if row is None:  # its measure is no longer in the process
            continue
        schedule.append({**row, "start_period": entry.start_period,
                         "responsible": entry.responsible, "decided_on": _day(entry.decided_on),
                         "responses": responses.get(entry.id, [])})
    return {
        "field_ratings": [{"member": member_number[r.member_id],
                           "field": field_number[r.field_id], "value": r.value}
                          for r in ratings],
        "field_priorities": [{"field": field_number[p.field_id], "priority": p.priority,
                              "decided_on": _day(p.decided_on)}
                             for p in sorted(steering.field_priorities(
                                 session, process.id).values(), key=lambda p: p.field_id)],
        "schedule": schedule,
    }


def _import_priorities_and_schedule(session: Session, top: dict, process, fields: list,
                                    members: list, nth) -> None:
    from datetime import date

    def number(value, limit: int, where: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= limit:
            raise _fail(where)
        return value

    def day(value, where: str):
        if value is None:
            return None
        if not isinstance(value, str):
            raise _fail(where)
        return date.fromisoformat(value)

    rated, decided = set(), set()
    for entry in top.get("field_ratings", []):
        member = number(entry["member"], len(members), "field_ratings.member")
        field = number(entry["field"], len(fields), "field_ratings.field")
        if (member, field) in rated:
            raise _fail("field_ratings")
        rated.add((member, field))
        session.add(SteeringFieldRating(
            member_id=members[member - 1].id, field_id=fields[field - 1].id,
            value=number(entry["value"], steering.PRIORITIES[-1], "field_ratings.value")))
    for entry in top.get("field_priorities", []):
        field = number(entry["field"], len(fields), "field_priorities.field")
        if field in decided:
            raise _fail("field_priorities")
        decided.add(field)
        session.add(FieldPriority(
            process_id=process.id, field_id=fields[field - 1].id,
            priority=number(entry["priority"], steering.PRIORITIES[-1], "field_priorities"),
            decided_on=day(entry.get("decided_on"), "field_priorities.decided_on")))
    scheduled = set()
    for entry in top.get("schedule", []):
        kind, ident = processes.identity(session.get(Measure, nth(
            Measure, entry["event"], entry["measure"])))
        start, responsible = entry.get("start_period", ""), entry.get("responsible", "")
        if (kind, ident) in scheduled or not isinstance(start, str) or \
                not isinstance(responsible, str) or len(start) > steering.PERIOD_MAX_CHARS or \
                len(responsible) > 120:
            raise _fail("schedule")
        scheduled.add((kind, ident))
        row = ScheduleEntry(process_id=process.id, item_kind=kind, item_id=ident,
                            start_period=start, responsible=responsible,
                            decided_on=day(entry.get("decided_on"), "schedule.decided_on"))
        session.add(row)
        session.flush()
        answered = set()
        for response in entry.get("responses", []):
            member = number(response["member"], len(members), "schedule.responses")
            comment = response.get("comment", "")
            if member in answered or response["answer"] not in steering.ANSWERS or \
                    not isinstance(comment, str) or len(comment) > steering.COMMENT_MAX_CHARS:
                raise _fail("schedule.responses")
            answered.add(member)
            session.add(ScheduleResponse(entry_id=row.id, member_id=members[member - 1].id,
                                         answer=response["answer"], comment=comment))


def dumps(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def _fail(where: str) -> archive.ArchiveInvalid:
    return archive.ArchiveInvalid(f"{where}: does not fit", where=where)


def import_process(session: Session, facilitator_id: int, data) -> Process:
    """A new process from an exported file; a file that does not fit is refused, and whatever
    was imported of it so far is deleted again."""
    made: list = []
    try:
        return _import(session, facilitator_id, data, made)
    except Exception:
        session.rollback()
        from . import workshops
        for kind, row_id in reversed(made):
            if kind == "workshop":
                workshops.delete_workshop(session, row_id)
            else:
                session.delete(session.get(Process, row_id))
                session.commit()
        raise


def _import(session: Session, facilitator_id: int, data, made: list) -> Process:
    try:
        top = json.loads(data) if isinstance(data, (bytes, str)) else data
        if not isinstance(top, dict) or top.get("format") != FORMAT:
            raise _fail("format")
        head = top["process"]
        process = processes.create_process(session, facilitator_id, ProcessSpec(
            head["title"], organiser=head.get("organiser", ""),
            language=head.get("language", "de"),
            fields=tuple(FieldSpec(f["title"], f.get("question", ""), f.get("colour", "yellow"))
                         for f in top.get("fields", [])),
            stakeholder_groups=tuple(top.get("stakeholder_groups", []))))
        made.append(("process", process.id))
        # Files written before processes had a description have none.
        process.description = validate.text(head.get("description", ""),
                                            process_settings.DESCRIPTION_MAX_CHARS,
                                            "description", required=False)
        fields = list(process.fields)
        events = []
        for position, entry in enumerate(top.get("events", []), 1):
            source = entry["workshop"]
            if isinstance(source, dict) and isinstance(source.get("workshop"), dict):
                # The event belongs to the new process, not to a process found by its title.
                source = {**source, "workshop": {**source["workshop"], "process_title": ""}}
            workshop = archive.import_workshop(session, facilitator_id, source)
            made.append(("workshop", workshop.id))
            old_process = workshop.process_id
            workshop.process_id, workshop.event_position = process.id, position
            workshop.event_kind = entry.get("kind", "workshop")
            if workshop.event_kind not in processes.EVENT_KINDS:
                raise _fail(f"events[{position - 1}].kind")
            boards = list(session.scalars(select(Board).where(
                Board.workshop_id == workshop.id).order_by(Board.position)))
            for board, field in zip(boards, entry.get("board_fields", [])):
                if field is not None:
                    if not isinstance(field, int) or not 1 <= field <= len(fields):
                        raise _fail(f"events[{position - 1}].board_fields")
                    board.field_id = fields[field - 1].id
            if old_process and old_process != process.id:
                # The workshop archive attached it to a process by title; it belongs here.
                session.flush()
            events.append(workshop)

        def nth(model, event: int, number: int):
            if not isinstance(event, int) or not 1 <= event <= len(events):
                raise _fail("carried.event")
            ids = _active(session, model, events[event - 1].id)
            if not isinstance(number, int) or not 1 <= number <= len(ids):
                raise _fail("carried")
            return ids[number - 1]

        session.flush()
        for link in top.get("carried", []):
            measure = session.get(Measure, nth(Measure, link["event"], link["measure"]))
            source = link["from"]
            if "measure" in source:
                measure.carried_measure_id = nth(Measure, source["event"], source["measure"])
            else:
                measure.carried_cluster_id = nth(Cluster, source["event"], source["cluster"])
        members = []
        for entry in top.get("steering_group", []):
            # A fresh secret nobody knows: the facilitators hand out new links.
            member = SteeringMember(process_id=process.id, name=str(entry["name"])[:80],
                                    secret_hash=tokens.digest(tokens.new_secret()))
            session.add(member)
            members.append(member)
        session.flush()
        for entry in top.get("steering_decisions", []):
            rounds = voting.rounds_of(session, events[entry["event"] - 1].id)
            round_ = rounds[entry["round"] - 1]
            decision = SteeringDecision(process_id=process.id, round_id=round_.id,
                                        state=entry.get("state", "closed"))
            session.add(decision)
            session.flush()
            for vote in entry.get("votes", []):
                session.add(SteeringVote(
                    decision_id=decision.id, member_id=members[vote["member"] - 1].id,
                    target_id=nth(Measure, entry["event"], vote["target"]),
                    value=int(vote["value"])))
        seen_versions = set()
        for entry in top.get("guidelines", []):
            # Every version as it was, with the consent round it was checked in.
            field, version = entry["field"], entry["version"]
            if not isinstance(field, int) or not 1 <= field <= len(fields) or \
                    not isinstance(version, int) or version < 1 or \
                    (field, version) in seen_versions:
                raise _fail("guidelines")
            seen_versions.add((field, version))
            text = entry["text"]
            if not isinstance(text, str) or not text.strip() or \
                    len(text) > guidelines.GUIDELINE_MAX_CHARS:
                raise _fail("guidelines.text")
            row = ProcessGuideline(process_id=process.id, field_id=fields[field - 1].id,
                                   version=version, text=text)
            if entry.get("check"):
                event, number = entry["check"]["event"], entry["check"]["round"]
                if not isinstance(event, int) or not 1 <= event <= len(events):
                    raise _fail("guidelines.check")
                rounds = voting.rounds_of(session, events[event - 1].id)
                if not isinstance(number, int) or not 1 <= number <= len(rounds):
                    raise _fail("guidelines.check")
                row.round_id = rounds[number - 1].id
            session.add(row)
        session.flush()
        _import_priorities_and_schedule(session, top, process, fields, members, nth)
        session.commit()
        return process
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
        raise _fail("file") from error


__all__ = ["export_process", "import_process", "dumps", "ProcessFacilitator", "Workshop"]
