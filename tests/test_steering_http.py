"""The steering group's field priorities and schedule over HTTP: a member's personal link rates
the fields and answers on the schedule and sees nothing else (no cards, no participants, no other
process, no facilitator pages); a facilitator of the process records the decisions, a facilitator
of another process cannot; the guideline form can put its consent check before the steering
group."""
import re

import pytest

from facilitator.domain import guidelines, measures, processes, steering
from facilitator.domain.measures import MeasureSpec
from facilitator.domain.processes import EventSpec, ProcessSpec
from facilitator.models import FieldPriority, ScheduleEntry, SteeringDecision, SteeringFieldRating


def sign_in(client, app_make, facilitator):
    link = f"/console/sign-in/{app_make.sign_in_secret(facilitator)}"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(link).get_data(True))
    assert client.post(link, data={"csrf_token": token.group(1)}).status_code == 302


@pytest.fixture
def owner(app_make):
    return app_make.facilitator("Lea")


@pytest.fixture
def process(app_make, owner):
    return app_make.run(processes.create_process, owner.id, ProcessSpec(
        "Integrationskonzept Emsland", fields=("Sprache", "Arbeit")))


@pytest.fixture
def closing(app_make, owner, process):
    event = app_make.run(processes.create_event, process.id, owner.id, EventSpec(
        "Abschluss", kind="closing", field_ids=[process.fields[0].id]))
    phone = app_make.participant(event, "Amira")[0]
    app_make.idea(phone, event.boards[0], "Geheime Karte von Amira")
    app_make.run(measures.save_measure, event.id, owner.id, MeasureSpec(
        "Sprachcafé im Rathaus", board_id=event.boards[0].id, responsible="VHS"))
    return event


@pytest.fixture
def member(app_make, process):
    return app_make.run(steering.add_member, process.id, "Landrätin")


def test_a_member_rates_the_fields_and_answers_on_the_schedule_and_sees_nothing_else(
        client, app_make, owner, process, closing, member):
    _, secret = member
    language, work = process.fields
    measure = app_make.run(processes.round_measures, process.id)[0]
    entry = app_make.run(steering.set_schedule, process.id, measure.id, "2027 Q1", "VHS",
                         "2027-01-12")
    page = client.get(f"/steering/{secret}").get_data(as_text=True)
    assert "data-field-priorities" in page and f'name="field-{language.id}"' in page
    assert "Sprachcafé im Rathaus" in page and "2027 Q1" in page
    # Only what the steering group decides on: no cards, no participants, no join code.
    assert "Geheime Karte" not in page and "Amira" not in page
    assert closing.join_code not in page

    response = client.post(f"/steering/{secret}/fields", data={
        f"field-{language.id}": "1", f"field-{work.id}": "3"})
    assert response.status_code == 302 and "#field-priorities" in response.headers["Location"]
    client.post(f"/steering/{secret}/schedule/{entry.id}",
                data={"answer": "object", "comment": "<script>alert(1)</script>"})
    answers = app_make.run(steering.field_answers, process.id)
    assert [r.counts for r in answers] == [{1: 1, 2: 0, 3: 0}, {1: 0, 2: 0, 3: 1}]
    page = client.get(f"/steering/{secret}").get_data(as_text=True)
    assert re.search(rf'name="field-{language.id}" value="1" checked', page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page

    # Bad input: a clear message, nothing changed.
    response = client.post(f"/steering/{secret}/fields", data={
        f"field-{language.id}": "2", f"field-{work.id}": "9"}, follow_redirects=True)
    assert 'class="flash flash-error"' in response.get_data(as_text=True)
    assert [r.counts for r in app_make.run(steering.field_answers, process.id)] == [
        {1: 1, 2: 0, 3: 0}, {1: 0, 2: 0, 3: 1}]


def test_a_members_link_cannot_reach_another_process_or_the_facilitators_pages(
        client, app_make, owner, process, closing, member):
    _, secret = member
    other = app_make.run(processes.create_process, owner.id, ProcessSpec(
        "Anderer Prozess", fields=("Fremdfeld",)))
    other_event = app_make.run(processes.create_event, other.id, owner.id, EventSpec(
        "Fremd", field_ids=[other.fields[0].id]))
    stranger = app_make.run(measures.save_measure, other_event.id, owner.id,
                            MeasureSpec("Fremde Maßnahme"))
    entry = app_make.run(steering.set_schedule, other.id, stranger.id, "2027", "X", None)
    ratings = app_make.count(SteeringFieldRating)
    # Another process's field and schedule entry are not found through this link.
    client.post(f"/steering/{secret}/fields", data={f"field-{other.fields[0].id}": "1"})
    assert client.post(f"/steering/{secret}/schedule/{entry.id}",
                       data={"answer": "agree"}).status_code == 302
    assert app_make.count(SteeringFieldRating) == ratings
    assert app_make.run(steering.responses, other.id) == {}
    assert "Fremdfeld" not in client.get(f"/steering/{secret}").get_data(as_text=True)
    # A wrong secret is not found; the facilitators' forms need a signed-in team member.
    assert client.post("/steering/not-a-secret/fields",
                       data={f"field-{process.fields[0].id}": "1"}).status_code == 404
    assert client.post(f"/console/process/{process.id}/priorities",
                       data={f"priority-{process.fields[0].id}": "1"}).status_code == 302
    assert app_make.count(FieldPriority) == 0
    measure = app_make.run(processes.round_measures, process.id)[0]
    client.post(f"/console/process/{process.id}/schedule/{measure.id}",
                data={"start_period": "2030", "responsible": "Ich"})
    assert app_make.count(ScheduleEntry) == 1  # only the other process's entry


def test_the_facilitator_records_priorities_and_schedule_another_process_team_cannot(
        client, app_make, owner, process, closing, member):
    language, work = process.fields
    measure = app_make.run(processes.round_measures, process.id)[0]
    outsider = app_make.facilitator("Fremd")
    sign_in(client, app_make, outsider)
    assert client.post(f"/console/process/{process.id}/priorities", data={
        f"priority-{language.id}": "1", "decided_on": "2027-01-12"}).status_code == 404
    assert client.post(f"/console/process/{process.id}/schedule/{measure.id}", data={
        "start_period": "2027", "responsible": "X"}).status_code == 404
    # Even on their own process's URL, a measure of this process is not theirs.
    theirs = app_make.run(processes.create_process, outsider.id, ProcessSpec(
        "Eigener Prozess", fields=("Eigenes",)))
    assert client.post(f"/console/process/{theirs.id}/schedule/{measure.id}", data={
        "start_period": "2027", "responsible": "X"}).status_code == 302
    client.post(f"/console/process/{theirs.id}/priorities", data={
        f"priority-{language.id}": "1"})
    assert app_make.count(FieldPriority) == 0 and app_make.count(ScheduleEntry) == 0

    client = client.application.test_client()
    sign_in(client, app_make, owner)
    page = client.get(f"/console/process/{process.id}").get_data(as_text=True)
    assert "data-record-priorities" in page and f'id="priority-{language.id}"' in page
    assert f'data-schedule-measure="{measure.id}"' in page
    response = client.post(f"/console/process/{process.id}/priorities", data={
        f"priority-{language.id}": "2", f"priority-{work.id}": "1", "decided_on": "2027-01-12"})
    assert response.status_code == 302
    client.post(f"/console/process/{process.id}/schedule/{measure.id}", data={
        "start_period": "2027 Q3", "responsible": "Kreisvolkshochschule",
        "decided_on": "2027-01-12"})
    ordered = app_make.run(steering.fields_by_priority, process.id)
    assert [(f.title, p.priority) for f, p in ordered] == [("Arbeit", 1), ("Sprache", 2)]
    entry = app_make.run(steering.schedule, process.id)[processes.identity(measure)]
    assert (entry.start_period, entry.responsible) == ("2027 Q3", "Kreisvolkshochschule")
    # A date that is not one: a message, nothing changed.
    page = client.post(f"/console/process/{process.id}/priorities", data={
        f"priority-{language.id}": "3", "decided_on": "gestern"},
        follow_redirects=True).get_data(as_text=True)
    assert 'class="flash flash-error"' in page
    assert app_make.run(steering.field_priorities, process.id)[language.id].priority == 2
    page = client.get(f"/console/process/{process.id}").get_data(as_text=True)
    assert 'value="2027 Q3"' in page
    csv = client.get(f"/console/process/{process.id}/compendium.csv").get_data()
    assert "2027 Q3" in csv.decode("utf-8-sig")


def test_the_guideline_form_puts_its_consent_check_before_the_steering_group(
        client, app_make, owner, process, closing, member):
    language = process.fields[0]
    first = app_make.run(guidelines.save, process.id, language.id, "Alle lernen Deutsch.")
    sign_in(client, app_make, owner)
    page = client.get(f"/console/process/{process.id}").get_data(as_text=True)
    assert "data-consent-steering" in page
    client.post(f"/console/process/{process.id}/guidelines/{first.id}/consent",
                data={"workshop_id": closing.id, "steering": "1"})
    decisions = app_make.run(steering.decisions, process.id)
    assert len(decisions) == 1
    assert decisions[0].round_id == app_make.fresh(type(first), first.id).round_id
    # Without the box the check stays with the room only.
    second = app_make.run(guidelines.save, process.id, language.id, "Alle lernen früh Deutsch.")
    client.post(f"/console/process/{process.id}/guidelines/{second.id}/consent",
                data={"workshop_id": closing.id})
    assert app_make.count(SteeringDecision) == 1
    _, secret = member
    ballot = client.application.test_client().get(f"/steering/{secret}").get_data(as_text=True)
    assert "Alle lernen Deutsch." in ballot and 'name="value"' in ballot
