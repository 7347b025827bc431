"""The steering group's field priorities and schedule of measures, straight through the domain
(SQLite and PostgreSQL): members' answers gathered, the decision recorded with its date, the
schedule kept by the measure's identity, members' responses, bad input changing nothing, and
both in the compendium (PDF's HTML, DOCX, CSV with the schedule and what-changed columns)."""
import io
from datetime import date

import pytest

from facilitator.domain import measures, processes, steering
from facilitator.domain.errors import InvalidInput, NotFound, TextTooLong
from facilitator.domain.measures import MeasureSpec
from facilitator.domain.processes import EventSpec, ProcessSpec
from facilitator.models import FieldPriority, ScheduleEntry, ScheduleResponse, SteeringFieldRating
from facilitator.reports import compendium


@pytest.fixture
def process(session, owner):
    return processes.create_process(session, owner.id, ProcessSpec(
        "Integrationskonzept", language="de", fields=("Sprache", "Arbeit", "Gesundheit")))


@pytest.fixture
def members(session, process):
    return [steering.add_member(session, process.id, name)[0]
            for name in ("Landrätin", "Jobcenter")]


@pytest.fixture
def closing(session, owner, process):
    event = processes.create_event(session, process.id, owner.id, EventSpec(
        "Abschluss", kind="closing", field_ids=[process.fields[0].id]))
    board = event.boards[0]
    for title in ("Sprachcafé", "Lernpatenschaften"):
        measures.save_measure(session, event.id, owner.id, MeasureSpec(
            title, board_id=board.id, responsible="VHS"))
    return event


def docx_text(data: bytes) -> str:
    from docx import Document
    document = Document(io.BytesIO(data))
    rows = [" | ".join(c.text for c in row.cells) for t in document.tables for row in t.rows]
    return "\n".join([p.text for p in document.paragraphs] + rows)


def test_the_steering_functions_live_in_their_module_and_answer_under_the_old_names():
    for name in ("add_member", "members", "member_by_secret", "put_to_steering_group",
                 "decisions", "member_votes", "steering_dot", "steering_rate", "close_decision",
                 "steering_scores", "steering_voters", "side_by_side"):
        assert getattr(processes, name) is getattr(steering, name)
    with pytest.raises(AttributeError):
        processes.no_such_function


def test_members_rate_the_fields_and_the_facilitators_see_the_answers_gathered(
        session, make, owner, process, members):
    language, work, health = process.fields
    mayor, jobcenter = members
    assert steering.rate_fields(session, mayor, {language.id: 1, work.id: "2"}) == {
        language.id: 1, work.id: 2}
    steering.rate_fields(session, jobcenter, {language.id: 2, work.id: 1, health.id: 3})
    steering.rate_field(session, mayor, work.id, 1)  # changes the earlier answer
    rows = {r.field.id: r for r in steering.field_answers(session, process.id)}
    assert rows[language.id].counts == {1: 1, 2: 1, 3: 0} and rows[language.id].mean == 1.5
    assert (rows[work.id].counts, rows[work.id].answers) == ({1: 2, 2: 0, 3: 0}, 2)
    assert (rows[health.id].answers, rows[health.id].mean) == (1, 3)
    # An answer taken back; the process's order is kept.
    steering.rate_field(session, jobcenter, health.id, None)
    assert [r.field.title for r in steering.field_answers(session, process.id)] == [
        "Sprache", "Arbeit", "Gesundheit"]
    assert steering.field_answers(session, process.id)[2].answers == 0

    # Bad input changes nothing: one wrong value refuses the whole answer.
    before = make.count(SteeringFieldRating)
    for bad in ({language.id: 4, work.id: 3}, {language.id: 0}, {language.id: "hoch"},
                {language.id: True}):
        with pytest.raises(InvalidInput):
            steering.rate_fields(session, mayor, bad)
        session.rollback()
    other = processes.create_process(session, owner.id, ProcessSpec("Anderer", fields=("X",)))
    with pytest.raises(NotFound):  # a field of another process
        steering.rate_fields(session, mayor, {work.id: 3, other.fields[0].id: 1})
    session.rollback()
    with pytest.raises(NotFound):
        steering.rate_field(session, mayor, 99999, 1)
    session.rollback()
    assert make.count(SteeringFieldRating) == before
    assert steering.member_ratings(session, mayor) == {language.id: 1, work.id: 1}


def test_the_facilitator_records_the_agreed_priority_and_the_fields_follow_it(
        session, make, owner, process):
    language, work, health = process.fields
    assert [f.title for f, p in steering.fields_by_priority(session, process.id)] == [
        "Sprache", "Arbeit", "Gesundheit"]
    decided = steering.record_priorities(
        session, process.id, {language.id: 2, work.id: 1, health.id: ""}, "2027-01-12")
    assert {k: (v.priority, v.decided_on) for k, v in decided.items()} == {
        language.id: (2, date(2027, 1, 12)), work.id: (1, date(2027, 1, 12))}
    assert [(f.title, p.priority if p else None)
            for f, p in steering.fields_by_priority(session, process.id)] == [
        ("Arbeit", 1), ("Sprache", 2), ("Gesundheit", None)]
    # A later decision changes one field; None takes a priority back.
    steering.record_priorities(session, process.id, {health.id: 1, work.id: None},
                               date(2027, 3, 1))
    assert [(f.title, p.priority if p else None, p.decided_on if p else None)
            for f, p in steering.fields_by_priority(session, process.id)] == [
        ("Gesundheit", 1, date(2027, 3, 1)), ("Sprache", 2, date(2027, 1, 12)),
        ("Arbeit", None, None)]
    answers = {r.field.id: r.decided for r in steering.field_answers(session, process.id)}
    assert answers[health.id].priority == 1 and answers[work.id] is None

    before = [(p.field_id, p.priority, p.decided_on) for p in session.query(FieldPriority)]
    for priorities, day in (({language.id: 1, work.id: 5}, "2027-01-12"),
                            ({language.id: 1}, "12.01.2027"), ({language.id: 1}, 20270112)):
        with pytest.raises(InvalidInput):
            steering.record_priorities(session, process.id, priorities, day)
        session.rollback()
    other = processes.create_process(session, owner.id, ProcessSpec("Anderer", fields=("X",)))
    with pytest.raises(NotFound):
        steering.record_priorities(session, process.id, {other.fields[0].id: 1}, None)
    session.rollback()
    with pytest.raises(NotFound):
        steering.record_priorities(session, 99999, {}, None)
    assert [(p.field_id, p.priority, p.decided_on)
            for p in session.query(FieldPriority)] == before


def test_the_schedule_stays_with_the_measure_and_members_agree_or_object(
        session, make, owner, process, members, closing):
    cafe, sponsors = processes.round_measures(session, process.id)
    entry = steering.set_schedule(session, process.id, cafe.id, " 2027 Q1 ",
                                  "Kreisvolkshochschule", "2027-01-12")
    assert (entry.start_period, entry.responsible, entry.decided_on) == (
        "2027 Q1", "Kreisvolkshochschule", date(2027, 1, 12))
    assert (entry.item_kind, entry.item_id) == processes.identity(cafe)
    # Carried into a later event, the measure keeps its schedule (one identity).
    later = processes.create_event(session, process.id, owner.id, EventSpec("Bilanz"))
    carried = processes.carry_forward(session, later.id, owner.id, measure_ids=[cafe.id])[0]
    rows = steering.schedule_rows(session, process.id)
    assert [(m.id, e.id if e else None) for m, e in rows] == [
        (carried.id, entry.id), (sponsors.id, None)]
    # Saving through the later row changes the same entry.
    again = steering.set_schedule(session, process.id, carried.id, "2027", "VHS", None)
    assert again.id == entry.id and (again.start_period, again.decided_on) == ("2027", None)

    mayor, jobcenter = members
    steering.respond(session, mayor, entry.id, "agree")
    steering.respond(session, jobcenter, entry.id, "object", "Erst 2028 — <b>Haushalt</b>")
    steering.respond(session, mayor, entry.id, "object", "Doch nicht")
    assert steering.responses(session, process.id) == {entry.id: [
        ("Landrätin", "object", "Doch nicht"),
        ("Jobcenter", "object", "Erst 2028 — <b>Haushalt</b>")]}
    assert steering.member_responses(session, mayor)[entry.id].comment == "Doch nicht"

    # Bad input changes nothing.
    before = [(e.start_period, e.responsible, e.decided_on) for e in session.query(ScheduleEntry)]
    answers = make.count(ScheduleResponse)
    with pytest.raises(TextTooLong):
        steering.set_schedule(session, process.id, cafe.id, "x" * 33, "VHS", None)
    session.rollback()
    with pytest.raises(InvalidInput):
        steering.set_schedule(session, process.id, cafe.id, "2027", "VHS", "morgen")
    session.rollback()
    stranger = make.workshop(owner)
    alone = measures.save_measure(session, stranger.id, owner.id, MeasureSpec("Fremd"))
    with pytest.raises(NotFound):
        steering.set_schedule(session, process.id, alone.id, "2027", "VHS", None)
    session.rollback()
    with pytest.raises(InvalidInput):
        steering.respond(session, mayor, entry.id, "maybe")
    session.rollback()
    with pytest.raises(TextTooLong):
        steering.respond(session, mayor, entry.id, "agree", "x" * 501)
    session.rollback()
    other = processes.create_process(session, owner.id, ProcessSpec("Anderer", fields=("X",)))
    outsider, _ = steering.add_member(session, other.id, "Fremd")
    with pytest.raises(NotFound):  # a member of another process
        steering.respond(session, outsider, entry.id, "agree")
    session.rollback()
    assert [(e.start_period, e.responsible, e.decided_on)
            for e in session.query(ScheduleEntry)] == before
    assert make.count(ScheduleResponse) == answers

    # Empty start and organisation take the entry back, with its responses.
    assert steering.set_schedule(session, process.id, cafe.id, "", " ", None) is None
    assert steering.schedule(session, process.id) == {}
    assert make.count(ScheduleResponse) == 0


def test_the_compendium_orders_the_fields_and_prints_the_decisions_and_schedule(
        session, owner, process, members, closing):
    language, work, health = process.fields
    steering.record_priorities(session, process.id, {health.id: 1, language.id: 2},
                               "2027-01-12")
    cafe, sponsors = processes.round_measures(session, process.id)
    steering.set_schedule(session, process.id, cafe.id, "2027 Q2", "Kreisvolkshochschule",
                          "2027-01-12")
    steering.set_schedule(session, process.id, sponsors.id, "2027 Q1", "Caritas", None)

    book = compendium.build_compendium(session, process.id)
    assert [c.title for c in book.chapters] == ["Gesundheit", "Sprache", "Arbeit"]
    assert [(c.priority, c.priority_decided_on) for c in book.chapters] == [
        (1, date(2027, 1, 12)), (2, date(2027, 1, 12)), (None, None)]
    assert [(p.field, p.priority) for p in book.priorities] == [("Gesundheit", 1),
                                                                ("Sprache", 2)]
    assert [(r.start_period, r.title, r.responsible) for r in book.schedule] == [
        ("2027 Q1", "Lernpatenschaften", "Caritas"),
        ("2027 Q2", "Sprachcafé", "Kreisvolkshochschule")]
    row = next(r for r in book.catalogue if r.title == "Sprachcafé")
    assert (row.start_period, row.scheduled_responsible, row.decided_on, row.change) == (
        "2027 Q2", "Kreisvolkshochschule", date(2027, 1, 12), "")

    html = compendium.compendium_html(book)
    assert "Beschlüsse der Steuerungsgruppe" in html and "data-steering-decisions" in html
    assert "Priorität laut Steuerungsgruppe: 1 (hoch), beschlossen am 12.01.2027." in html
    assert html.index('id="field-1"') < html.index(">Gesundheit</h2>") < html.index(
        ">Sprache</h2>") < html.index(">Arbeit</h2>")
    assert '<th scope="col">Beginn</th>' in html and "Zeitplan der Maßnahmen" in html
    words = docx_text(compendium.export_docx(book))
    assert "Beschlüsse der Steuerungsgruppe" in words and "Zeitplan der Maßnahmen" in words
    assert "1 | Gesundheit | 1 (hoch) | 12.01.2027" in words
    rows = compendium.export_csv(book).decode("utf-8-sig").splitlines()
    header = rows[0].split(";")
    assert header[11:16] == ["Stand der Umsetzung", "Beginn", "Verantwortliche Organisation",
                             "Beschlossen am", "Was sich geändert hat"]
    cafe_row = next(r.split(";") for r in rows if ";Sprachcafé;" in r)
    assert cafe_row[12:16] == ["2027 Q2", "Kreisvolkshochschule", "2027-01-12", ""]


def test_the_measures_csv_says_what_changed_in_the_next_round(session, owner, process,
                                                               closing):
    cafe, sponsors = processes.round_measures(session, process.id)
    measures.save_measure(session, closing.id, owner.id, MeasureSpec("Flyer"))
    update = processes.start_update(session, process.id, owner.id, "Fortschreibung 2027")
    review = processes.create_event(session, update.id, owner.id, EventSpec("Bilanz"))
    carried = processes.carry_forward(session, review.id, owner.id,
                                      measure_ids=[cafe.id, sponsors.id])
    processes.mark_status(session, update.id, owner.id, carried[0].id, "done")
    measures.save_measure(session, review.id, owner.id, MeasureSpec(
        "Lernpatenschaften", responsible="Caritas"), measure_id=carried[1].id)
    measures.save_measure(session, review.id, owner.id, MeasureSpec("Sprach-App"))
    steering.set_schedule(session, update.id, carried[1].id, "2028", "Caritas", "2027-11-30")

    book = compendium.build_compendium(session, update.id)
    assert {r.title: r.change for r in book.catalogue} == {
        "Sprachcafé": "done", "Lernpatenschaften": "changed", "Sprach-App": "new"}
    rows = [r.split(";") for r in compendium.export_csv(book).decode("utf-8-sig").splitlines()]
    changes = {r[1]: (r[11], r[12], r[15]) for r in rows[1:]}
    assert changes == {"Sprachcafé": ("umgesetzt", "", "Umgesetzt"),
                       "Lernpatenschaften": ("", "2028", "Geändert"),
                       "Sprach-App": ("", "", "Neu")}


def test_the_process_json_carries_priorities_answers_and_schedule(session, owner, process,
                                                                   members, closing):
    from facilitator.domain import process_archive
    from facilitator.domain.archive import ArchiveInvalid
    language, work, health = process.fields
    mayor, jobcenter = members
    steering.rate_fields(session, mayor, {language.id: 1, work.id: 3})
    steering.record_priorities(session, process.id, {work.id: 1}, "2027-01-12")
    cafe, sponsors = processes.round_measures(session, process.id)
    later = processes.create_event(session, process.id, owner.id, EventSpec("Bilanz"))
    carried = processes.carry_forward(session, later.id, owner.id, measure_ids=[cafe.id])[0]
    entry = steering.set_schedule(session, process.id, carried.id, "2027 Q1", "VHS", None)
    steering.respond(session, jobcenter, entry.id, "object", "Zu früh")

    data = process_archive.export_process(session, process.id)
    assert data["field_ratings"] == [{"member": 1, "field": 1, "value": 1},
                                     {"member": 1, "field": 2, "value": 3}]
    assert data["field_priorities"] == [{"field": 2, "priority": 1, "decided_on": "2027-01-12"}]
    assert data["schedule"] == [{"event": 2, "measure": 1, "start_period": "2027 Q1",
                                 "responsible": "VHS", "decided_on": None, "responses": [
                                     {"member": 2, "answer": "object", "comment": "Zu früh"}]}]
    copy = process_archive.import_process(session, owner.id, process_archive.dumps(data))
    assert [(f.title, p.priority if p else None)
            for f, p in steering.fields_by_priority(session, copy.id)] == [
        ("Arbeit", 1), ("Sprache", None), ("Gesundheit", None)]
    assert [r.counts for r in steering.field_answers(session, copy.id)][:2] == [
        {1: 1, 2: 0, 3: 0}, {1: 0, 2: 0, 3: 1}]
    rows = steering.schedule_rows(session, copy.id)
    scheduled = [(m.title, e.start_period) for m, e in rows if e is not None]
    assert scheduled == [("Sprachcafé", "2027 Q1")]
    entry_copy = next(e for m, e in rows if e is not None)
    assert steering.responses(session, copy.id) == {
        entry_copy.id: [("Jobcenter", "object", "Zu früh")]}
    data["field_priorities"][0]["priority"] = 7
    with pytest.raises(ArchiveInvalid):
        process_archive.import_process(session, owner.id, data)
