"""The process page and the steering group's page over HTTP: who sees what, creating the next
event from fields, carrying results forward, the steering group's personal link, and the
compendium made by the job runner."""
import re
import uuid

import pytest

from facilitator.domain import clusters, measures, processes, voting
from facilitator.domain.measures import MeasureSpec
from facilitator.domain.processes import EventSpec, ProcessSpec
from facilitator.domain.voting import RoundSpec
from facilitator.models import Measure, Workshop


def sign_in(client, app_make, facilitator):
    """As the sign-in link's button does: GET shows the button, the POST spends the link."""
    link = f"/console/sign-in/{app_make.sign_in_secret(facilitator)}"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(link).get_data(True))
    assert client.post(link, data={"csrf_token": token.group(1)}).status_code == 302


def measure_of(app_make, workshop_id: int) -> Measure:
    """The one measure of an event, as committed now."""
    app_make.session.commit()
    found = app_make.session.query(Measure).filter_by(workshop_id=workshop_id).one()
    app_make.session.commit()
    return found


@pytest.fixture
def owner(app_make):
    return app_make.facilitator("Lea")


@pytest.fixture
def process(app_make, owner):
    return app_make.run(processes.create_process, owner.id, ProcessSpec(
        "Integrationskonzept Emsland", organiser="Landkreis Emsland",
        fields=("Sprache", "Arbeit"), stakeholder_groups=("Verwaltung",)))


@pytest.fixture
def kickoff(app_make, owner, process):
    event = app_make.run(processes.create_event, process.id, owner.id, EventSpec(
        "Auftakt", kind="kickoff", field_ids=[f.id for f in process.fields]))
    phone = app_make.participant(event)[0]
    cards = [app_make.idea(phone, event.boards[0], text) for text in ("Abendkurse", "Sprachcafé")]
    cluster = app_make.run(clusters.create_cluster, event.id, owner.id, event.boards[0].id,
                           "Kurse", idea_ids=[c.id for c in cards])
    app_make.run(measures.save_measure, event.id, owner.id, MeasureSpec(
        "Sprachcafé im Rathaus", board_id=event.boards[0].id, source_cluster_id=cluster.id))
    return event


def test_only_the_process_team_sees_the_process_page(client, app_make, owner, process, kickoff):
    outsider = app_make.facilitator("Fremd")
    sign_in(client, app_make, outsider)
    assert client.get(f"/console/process/{process.id}").status_code == 404
    assert client.post(f"/console/process/{process.id}/events",
                       data={"title": "X"}).status_code == 404
    sign_in(client, app_make, owner)
    page = client.get(f"/console/process/{process.id}").get_data(as_text=True)
    assert "Integrationskonzept Emsland" in page and "Auftakt" in page
    assert "Sprachcafé im Rathaus" in page and "Kurse" in page


def test_creating_the_next_event_and_carrying_results_into_it(client, app_make, owner, process,
                                                              kickoff):
    sign_in(client, app_make, owner)
    arbeit = process.fields[1].id
    response = client.post(f"/console/process/{process.id}/events", data={
        "title": "Abschluss", "kind": "closing", "field_ids": [str(arbeit)],
        "template": "world_cafe", "event_date": "2026-12-01"})
    assert response.status_code == 302
    events = app_make.run(processes.events, process.id)
    closing = events[-1]
    assert (closing.title, closing.event_kind, [b.title for b in closing.boards]) == (
        "Abschluss", "closing", ["Tisch 1: Arbeit"])
    assert app_make.run(processes.can_run, owner.id, process.id)
    original = measure_of(app_make, kickoff.id)
    client.post(f"/console/process/{process.id}/carry", data={
        "target_id": closing.id, "measure_ids": [original.id]})
    carried = measure_of(app_make, closing.id)
    assert carried.carried_measure_id == original.id
    # Copying an event: same boards, no cards.
    client.post(f"/console/process/{process.id}/events", data={
        "title": "Auftakt 2", "copy_from": kickoff.id})
    copy = app_make.run(processes.events, process.id)[-1]
    assert [b.title for b in copy.boards] == ["Sprache", "Arbeit"]


def test_a_steering_member_sees_only_the_decisions_and_votes_apart(client, app_make, owner,
                                                                  process, kickoff):
    closing = app_make.run(processes.create_event, process.id, owner.id, EventSpec(
        "Abschluss", kind="closing"))
    original = measure_of(app_make, kickoff.id)
    carried = app_make.run(processes.carry_forward, closing.id, owner.id,
                           measure_ids=[original.id])[0]
    round_ = app_make.run(voting.open_round, closing.id, RoundSpec(target_kind="measure"))
    phone = app_make.participant(closing)[0]
    app_make.run(voting.place_dot, phone, round_.id, carried.id, uuid.uuid4().hex)
    sign_in(client, app_make, owner)
    client.post(f"/console/process/{process.id}/decisions", data={"round_id": round_.id})
    page = client.post(f"/console/process/{process.id}/members",
                       data={"name": "Landrätin"}).get_data(as_text=True)
    link = re.search(r"data-steering-link>([^<]+)<", page).group(1)
    path = link.split("192.0.2.10:5000", 1)[-1].replace("http://localhost", "")
    member_client = client.application.test_client()
    ballot = member_client.get(path).get_data(as_text=True)
    assert "Sprachcafé im Rathaus" in ballot
    # Nothing else of the process: no card, no event console link, no join code.
    assert "Abendkurse" not in ballot and closing.join_code not in ballot
    member_client.post(path, data={"decision_id": app_make.run(
        processes.decisions, process.id)[0].id, "target_id": carried.id, "delta": "1"})
    rows = app_make.run(processes.side_by_side, round_)
    assert [(r["participants"], r["steering"]) for r in rows] == [(1, 1)]
    assert member_client.get("/steering/not-a-secret").status_code == 404
    assert member_client.get(f"/console/process/{process.id}").status_code == 302  # sign in


def test_the_compendium_downloads_through_the_job_runner(client, app_make, owner, process,
                                                         kickoff):
    sign_in(client, app_make, owner)
    csv = client.get(f"/console/process/{process.id}/compendium.csv")
    assert csv.status_code == 200
    text = csv.get_data().decode("utf-8-sig")
    assert "Sprachcafé im Rathaus" in text and "Auftakt" in text
    assert client.get(f"/console/process/{process.id}/compendium.exe").status_code == 404
    assert app_make.fresh(Workshop, kickoff.id).process_id == process.id


def test_fortschreibung_from_the_process_page_shows_what_changed(client, app_make, owner,
                                                                  process, kickoff):
    sign_in(client, app_make, owner)
    response = client.post(f"/console/process/{process.id}/update",
                           data={"title": "Integrationskonzept 2027"})
    update_id = int(response.headers["Location"].rsplit("/", 1)[1])
    client.post(f"/console/process/{update_id}/events", data={"title": "Bilanz 2027"})
    page = client.get(f"/console/process/{update_id}").get_data(as_text=True)
    # Last year's measure is offered to carry on; until then it counts as not carried on.
    assert "Sprachcafé im Rathaus" in page and 'data-diff="dropped"' in page
    review = app_make.run(processes.events, update_id)[0]
    original = measure_of(app_make, kickoff.id)
    client.post(f"/console/process/{update_id}/carry", data={
        "target_id": review.id, "measure_ids": [original.id]})
    page = client.get(f"/console/process/{update_id}").get_data(as_text=True)
    assert 'data-diff="kept"' in page and 'data-diff="dropped"' not in page


def test_a_steering_member_rates_a_consent_check_by_personal_link(client, app_make, owner,
                                                                  process, kickoff):
    round_ = app_make.run(voting.open_round, kickoff.id, RoundSpec(
        kind="consent", options=["Sprache zuerst"], passive_option="Offen lassen"))
    decision = app_make.run(processes.put_to_steering_group, round_.id)
    _, secret = app_make.run(processes.add_member, process.id, "Landrätin")
    page = client.get(f"/steering/{secret}").get_data(as_text=True)
    assert "Sprache zuerst" in page and 'name="value"' in page
    client.post(f"/steering/{secret}", data={"decision_id": decision.id, "target_id": 1,
                                             "value": "6"})
    rows = app_make.run(processes.side_by_side, round_)
    assert {r["id"]: r["steering"] for r in rows} == {0: 0, 1: 6}
    sign_in(client, app_make, owner)
    page = client.get(f"/console/process/{process.id}").get_data(as_text=True)
    table = page[page.index("data-decision="):]
    assert "Sprache zuerst" in table and "<td data-steering>6</td>" in table
