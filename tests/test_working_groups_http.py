"""Working groups over HTTP (the pages answer in German, the workshops' language): only the process's team sees names and contacts (page and CSV);
outsiders, steering-group members, the public results page and the compendium see no contact;
the phone signs up with or without consent and withdraws its own sign-up only."""
import io
import re

import pytest

from facilitator.domain import processes, working_groups
from facilitator.domain.processes import ProcessSpec, EventSpec
from facilitator.models import WorkingGroup, WorkingGroupSignup, Workshop
from facilitator.reports import compendium

CONTACT = "amina.k@example.org"


def sign_in(client, app_make, facilitator):
    link = f"/console/sign-in/{app_make.sign_in_secret(facilitator)}"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(link).get_data(True))
    assert client.post(link, data={"csrf_token": token.group(1)}).status_code == 302


def join(client, workshop, board_id):
    response = client.post(f"/join/{workshop.join_code}", data={"board": board_id, "stakeholder_group": ""})
    assert response.status_code == 302


@pytest.fixture
def owner(app_make):
    return app_make.facilitator("Lea")


@pytest.fixture
def process(app_make, owner):
    return app_make.run(processes.create_process, owner.id, ProcessSpec(
        "Integrationskonzept Kaiserslautern", fields=("Sprache", "Arbeit")))


@pytest.fixture
def event(app_make, owner, process):
    return app_make.run(processes.create_event, process.id, owner.id, EventSpec(
        "Auftakt", kind="kickoff", field_ids=[f.id for f in process.fields]))


@pytest.fixture
def group(app_make, process):
    return app_make.run(working_groups.open_group, process.id, process.fields[0].id,
                        "Sprachkurse vor Ort", "jeden 2. Dienstag")


@pytest.fixture
def signed_up(app_make, event, group):
    phone = app_make.participant(event)[0]
    app_make.run(working_groups.sign_up, phone, group.id, True, "Amina K.", CONTACT)
    other = app_make.participant(event)[0]
    app_make.run(working_groups.sign_up, other, group.id, False)
    return phone


def test_only_the_process_team_sees_contacts(app, client, app_make, owner, process, event, group,
                                             signed_up):
    base = f"/console/process/{process.id}"
    # Not signed in: sent to sign in, no contact.
    assert CONTACT not in client.get(base).get_data(True)
    assert client.get(f"{base}/working-groups.csv").status_code in (302, 401)
    # A facilitator who is not on the team: 404 everywhere.
    sign_in(client, app_make, app_make.facilitator("Fremd"))
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/working-groups.csv").status_code == 404
    [member] = app_make.run(working_groups.members, group.id)
    assert client.post(f"{base}/working-groups/signups/{member.id}/delete").status_code == 404
    assert client.post(f"{base}/working-groups", data={
        "field_id": process.fields[1].id}).status_code == 404
    assert client.post(f"{base}/working-groups/{group.id}/meetings",
                       data={"title": "X"}).status_code == 404
    # The team sees names, contacts and counts, and downloads the CSV.
    sign_in(client, app_make, owner)
    page = client.get(base).get_data(True)
    assert CONTACT in page and "Amina K." in page
    assert "Mitglieder mit Kontakt: 1 · interessiert ohne Kontakt: 1" in page
    csv = client.get(f"{base}/working-groups.csv")
    assert csv.status_code == 200 and csv.headers["Cache-Control"] == "private, no-store"
    assert CONTACT in csv.get_data().decode("utf-8-sig")


def test_steering_members_results_and_compendium_see_no_contact(app, client, app_make, owner,
                                                                 process, event, group,
                                                                 signed_up):
    member, secret = app_make.run(processes.add_member, process.id, "Bürgermeisterin")
    page = client.get(f"/steering/{secret}").get_data(True)
    assert CONTACT not in page and "Amina" not in page
    workshop = app_make.session.get(Workshop, event.id)
    workshop.results_published = True
    app_make.session.commit()
    # The public results page, even on a phone of the workshop.
    join(client, event, event.boards[0].id)
    results = client.get(f"/w/{event.join_code}/results").get_data(True)
    assert CONTACT not in results and "Amina" not in results
    assert "Mitmachen in der Arbeitsgruppe „<bdi>Sprache</bdi>“" in results
    built = app_make.run(compendium.build_compendium, process.id)
    assert [(w.field, w.members, w.interested) for w in built.working_groups] == [
        ("Sprache", 1, 1)]
    with app.app_context():
        html = compendium.compendium_html(built)
        assert CONTACT not in html and "Amina" not in html
        assert CONTACT not in compendium.export_csv(built).decode("utf-8-sig")
        from docx import Document
        document = Document(io.BytesIO(compendium.export_docx(built)))
        cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
        text = "\n".join([p.text for p in document.paragraphs] + cells)
        assert "Arbeitsgruppen" in text and "Sprache" in cells and CONTACT not in text


def test_a_phone_signs_up_with_and_without_consent_and_withdraws(client, app_make, process,
                                                                 event, group):
    code = event.join_code
    # Not joined: sent to join first.
    response = client.get(f"/w/{code}/working-groups/{group.id}")
    assert response.status_code == 302 and f"/join/{code}" in response.headers["Location"]
    join(client, event, event.boards[0].id)
    board = client.get(f"/w/{code}/board/{event.boards[0].id}").get_data(True)
    assert f"/w/{code}/working-groups/{group.id}" in board
    form = client.get(f"/w/{code}/working-groups/{group.id}").get_data(True)
    assert 'name="consent"' in form and "Sprachkurse vor Ort" in form
    # Name and contact without consent: refused, nothing stored.
    refused = client.post(f"/w/{code}/working-groups/{group.id}",
                          data={"name": "Amina", "contact": CONTACT})
    assert refused.status_code == 422 and "kreuzen Sie bitte an" in refused.get_data(True)
    assert app_make.count(WorkingGroupSignup) == 0
    # Consent but no valid contact: refused.
    refused = client.post(f"/w/{code}/working-groups/{group.id}",
                          data={"consent": "yes", "name": "Amina", "contact": "abc"})
    assert refused.status_code == 422 and "E-Mail-Adresse oder eine Telefonnummer" in \
        refused.get_data(True)
    assert app_make.count(WorkingGroupSignup) == 0
    # Without consent: counted only.
    assert client.post(f"/w/{code}/working-groups/{group.id}", data={}).status_code == 302
    assert app_make.run(working_groups.counts, group.id) == (0, 1)
    # With consent.
    assert client.post(f"/w/{code}/working-groups/{group.id}", data={
        "consent": "yes", "name": "Amina", "contact": CONTACT}).status_code == 302
    assert app_make.run(working_groups.counts, group.id) == (1, 0)
    listing = client.get(f"/w/{code}/working-groups").get_data(True)
    assert "Sie sind mit Namen und Kontakt angemeldet." in listing
    # Another phone cannot withdraw it.
    other = client.application.test_client()
    join(other, event, event.boards[0].id)
    other.post(f"/w/{code}/working-groups/{group.id}/withdraw")
    assert app_make.run(working_groups.counts, group.id) == (1, 0)
    # The same phone withdraws: deleted.
    assert client.post(f"/w/{code}/working-groups/{group.id}/withdraw").status_code == 302
    assert app_make.count(WorkingGroupSignup) == 0


def test_a_workshop_outside_the_process_offers_no_working_group(client, app_make, owner, group):
    alone = app_make.workshop(owner)
    join(client, alone, alone.boards[0].id)
    assert client.get(f"/w/{alone.join_code}/working-groups/{group.id}").status_code == 404
    assert "working-groups" not in client.get(
        f"/w/{alone.join_code}/board/{alone.boards[0].id}").get_data(True)


def test_the_team_opens_a_group_and_creates_a_meeting(client, app_make, owner, process, event):
    sign_in(client, app_make, owner)
    base = f"/console/process/{process.id}"
    assert client.post(f"{base}/working-groups", data={
        "field_id": process.fields[1].id, "description": "<b>Jobs</b>",
        "meeting_note": "Rathaus"}).status_code == 302
    [group] = app_make.run(working_groups.groups_of, process.id)
    assert client.post(f"{base}/working-groups/{group.id}/meetings", data={
        "title": "AG Arbeit: 1. Treffen", "event_date": "2027-01-12"}).status_code == 302
    page = client.get(base).get_data(True)
    assert "&lt;b&gt;Jobs&lt;/b&gt;" in page and "AG Arbeit: 1. Treffen" in page
    assert "Treffen der Arbeitsgruppe" in page
    events = app_make.run(processes.events, process.id)
    assert (events[-1].title, events[-1].event_kind) == ("AG Arbeit: 1. Treffen", "working_group")
    assert client.post(f"{base}/working-groups/{group.id}/open", data={"open": "0"}).status_code \
        == 302
    assert app_make.count(WorkingGroup, id=group.id, open=False) == 1
