"""The process settings page, the process file and the live events over HTTP: only the team may
do anything; each change is saved or refused with a clear message and nothing changed; the
process downloads as JSON and comes back as a new process; a broken file is refused, never a
500; the live JSON follows the phones."""
import html
import json
import re

import pytest

from facilitator.domain import processes
from facilitator.domain.processes import EventSpec, ProcessSpec
from facilitator.models import Process, ProcessField, ProcessGroup, StakeholderGroup, Workshop


def sign_in(client, app_make, facilitator):
    # The messages are checked in English, the msgids (the console speaks de and en).
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    link = f"/console/sign-in/{app_make.sign_in_secret(facilitator)}"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(link).get_data(True))
    assert client.post(link, data={"csrf_token": token.group(1)}).status_code == 302


@pytest.fixture
def owner(app_make):
    return app_make.facilitator("Lea")


@pytest.fixture
def process(app_make, owner):
    return app_make.run(processes.create_process, owner.id, ProcessSpec(
        "Integrationskonzept Emsland", organiser="Landkreis Emsland",
        fields=("Sprache", "Arbeit", "Gesundheit"), stakeholder_groups=("Verwaltung",)))


@pytest.fixture
def kickoff(app_make, owner, process):
    return app_make.run(processes.create_event, process.id, owner.id, EventSpec(
        "Auftakt", kind="kickoff", field_ids=[process.fields[0].id]))


def state(app_make, process_id):
    """The process's editable state as committed now."""
    s = app_make.session
    s.commit()
    s.expire_all()
    p = s.get(Process, process_id)
    found = (p.title, p.organiser, p.description, [f.title for f in p.fields],
             [g.name for g in p.groups], sorted(processes.team(s, p.id)))
    s.commit()
    return found


def post(client, path, **data):
    """Post a form and follow the redirect: the page with its message."""
    return client.post(path, data=data, follow_redirects=True)


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_only_the_team_may_see_or_change_the_settings(client, app_make, owner, process, kickoff):
    outsider = app_make.facilitator("Fremd")
    sign_in(client, app_make, outsider)
    before = state(app_make, process.id)
    base = f"/console/process/{process.id}"
    field, group = process.fields[1].id, process.groups[0].id
    assert client.get(f"{base}/settings").status_code == 404
    assert client.get(f"{base}/process.json").status_code == 404
    assert client.get(f"{base}/live.json").status_code == 404
    for path, data in [(f"{base}/settings/details", {"title": "Gekapert"}),
                       (f"{base}/settings/fields", {"title": "Gekapert"}),
                       (f"{base}/settings/fields/{field}", {"remove": "1"}),
                       (f"{base}/settings/fields/{field}", {"title": "Gekapert"}),
                       (f"{base}/settings/groups", {"name": "Gekapert"}),
                       (f"{base}/settings/groups/{group}", {"remove": "1"}),
                       (f"{base}/settings/team", {"name": "Fremd"}),
                       (f"{base}/settings/team/{owner.id}/remove", {})]:
        assert client.post(path, data=data).status_code == 404, path
    assert state(app_make, process.id) == before
    client.post("/console/logout")
    assert client.get(f"{base}/settings").status_code in (302, 401)


def test_the_team_edits_details_fields_groups_and_team(client, app_make, owner, process,
                                                       kickoff):
    sign_in(client, app_make, owner)
    base = f"/console/process/{process.id}"
    page = text_of(client.get(f"{base}/settings"))
    assert "Events working on it: Auftakt" in page
    long_title = "Integrationskonzept " + "ع" * 180
    saved = text_of(post(client, f"{base}/settings/details", title=long_title,
                         organiser="Kreis", description="<script>alert(1)</script>"))
    assert "Saved." in saved
    assert "<script>alert(1)</script>" not in client.get(f"{base}").get_data(True)
    post(client, f"{base}/settings/fields", title="Ehrenamt", question="Wer hilft?",
         colour="green")
    ehrenamt = [f for f in app_make.session.query(ProcessField).filter_by(
        process_id=process.id) if f.title == "Ehrenamt"][0]
    post(client, f"{base}/settings/fields/{ehrenamt.id}", direction="up")
    post(client, f"{base}/settings/fields/{process.fields[1].id}", title="Arbeit und Beruf",
         question="", colour="blue")
    post(client, f"{base}/settings/groups", name="Politik")
    post(client, f"{base}/settings/groups/{process.groups[0].id}", name="Kommunalverwaltung")
    app_make.facilitator("Kollege Ahmad")
    added = text_of(post(client, f"{base}/settings/team", name="Kollege Ahmad"))
    assert "Kollege Ahmad can now run every event of this process." in added
    title, organiser, description, fields, groups, team = state(app_make, process.id)
    assert (title, organiser, description) == (long_title, "Kreis",
                                               "<script>alert(1)</script>")
    assert fields == ["Sprache", "Arbeit und Beruf", "Ehrenamt", "Gesundheit"]
    assert groups == ["Kommunalverwaltung", "Politik"]
    assert len(team) == 2
    # The event offers the groups as renamed and added.
    app_make.session.commit()
    assert [g.name for g in app_make.session.query(StakeholderGroup).filter_by(
        workshop_id=kickoff.id).order_by(StakeholderGroup.position)] == [
        "Kommunalverwaltung", "Politik"]
    app_make.session.commit()


def test_removing_a_field_in_use_is_refused_clearly_and_changes_nothing(client, app_make, owner,
                                                                         process, kickoff):
    sign_in(client, app_make, owner)
    base = f"/console/process/{process.id}"
    before = state(app_make, process.id)
    refused = post(client, f"{base}/settings/fields/{process.fields[0].id}", remove="1")
    assert refused.status_code == 200
    assert ("The thematic field “Sprache” cannot be removed: events work on it (Auftakt)."
            in text_of(refused))
    assert state(app_make, process.id) == before
    removed = post(client, f"{base}/settings/fields/{process.fields[2].id}", remove="1")
    assert "The thematic field was removed." in text_of(removed)
    assert state(app_make, process.id)[3] == ["Sprache", "Arbeit"]


@pytest.mark.parametrize("path, data, message", [
    ("settings/details", {"title": "", "organiser": "x"}, "Please write something first."),
    ("settings/details", {"title": "x" * 201}, "That is too long: at most 200 characters."),
    ("settings/fields", {"title": "sprache"}, "“sprache” is already in this process."),
    ("settings/fields", {"title": "Neu", "colour": "plaid"}, "That input was not understood."),
    ("settings/groups", {"name": ""}, "Please write something first."),
    ("settings/groups", {"name": "Verwaltung"}, "“Verwaltung” is already in this process."),
    ("settings/team", {"name": "Niemand"}, "There is no account with the name “Niemand”."),
    ("settings/team", {"name": ""}, "Please write something first."),
])
def test_bad_input_gets_a_clear_message_and_changes_nothing(client, app_make, owner, process,
                                                            path, data, message):
    sign_in(client, app_make, owner)
    before = state(app_make, process.id)
    response = post(client, f"/console/process/{process.id}/{path}", **data)
    assert response.status_code == 200
    assert message in text_of(response)
    assert state(app_make, process.id) == before


def test_the_last_member_stays_and_a_leaving_member_loses_access(client, app_make, owner,
                                                                 process, kickoff):
    sign_in(client, app_make, owner)
    base = f"/console/process/{process.id}"
    refused = post(client, f"{base}/settings/team/{owner.id}/remove")
    assert "The last facilitator of a process cannot leave its team." in text_of(refused)
    assert state(app_make, process.id)[5] == [owner.id]
    colleague = app_make.facilitator("Kollegin")
    post(client, f"{base}/settings/team", name="Kollegin")
    left = client.post(f"{base}/settings/team/{owner.id}/remove")
    assert left.status_code == 303 and left.headers["Location"].endswith("/console/")
    assert state(app_make, process.id)[5] == [colleague.id]
    assert client.get(f"{base}").status_code == 404
    assert client.get(f"/console/{kickoff.id}/live").status_code in (403, 404)


def test_the_process_downloads_as_json_and_comes_back_as_a_new_process(client, app_make, owner,
                                                                       process, kickoff):
    sign_in(client, app_make, owner)
    page = client.get(f"/console/process/{process.id}").get_data(True)
    assert f'href="/console/process/{process.id}/process.json"' in page
    download = client.get(f"/console/process/{process.id}/process.json")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(download.data)
    assert data["format"] == "facilitator-process"
    index = client.get("/console/").get_data(True)
    assert 'action="/console/process/import"' in index
    imported = client.post("/console/process/import", data={
        "process": (__import__("io").BytesIO(download.data), "process.json")},
        content_type="multipart/form-data")
    assert imported.status_code == 303
    new_id = int(re.search(r"/console/process/(\d+)", imported.headers["Location"]).group(1))
    assert new_id != process.id
    title, organiser, _, fields, groups, team = state(app_make, new_id)
    assert (title, organiser, fields, groups, team) == (
        "Integrationskonzept Emsland", "Landkreis Emsland", ["Sprache", "Arbeit", "Gesundheit"],
        ["Verwaltung"], [owner.id])
    app_make.session.commit()
    events = app_make.session.query(Workshop).filter_by(process_id=new_id).all()
    assert [e.title for e in events] == ["Auftakt"] and events[0].join_code != kickoff.join_code
    # No stray process was found or made by the events' process title.
    assert app_make.session.query(Process).count() == 2
    app_make.session.commit()


@pytest.mark.parametrize("content, message", [
    (b"", "Please choose a file first."),
    (b"not json at all", "This file is not a Facilitator process export, or it is damaged"),
    (json.dumps({"format": "facilitator-workshop"}).encode(),
     "This file is not a Facilitator process export"),
    (json.dumps({"format": "facilitator-process", "process": {"title": "x" * 500}}).encode(),
     "That is too long: at most 200 characters."),
    (json.dumps({"format": "facilitator-process", "process": {"title": "T"},
                 "events": [{"workshop": {"format": "nonsense"}}]}).encode(),
     "Nothing was imported."),
])
def test_a_file_that_does_not_fit_is_refused_clearly_and_leaves_nothing(client, app_make,
                                                                         owner, process,
                                                                         content, message):
    import io
    sign_in(client, app_make, owner)
    before = app_make.count(Process)
    response = client.post("/console/process/import", data={
        "process": (io.BytesIO(content), "process.json")},
        content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    assert message in text_of(response)
    assert app_make.count(Process) == before
    assert app_make.count(Workshop) == 0


def test_the_live_json_follows_the_phones(client, app_make, owner, process, kickoff):
    sign_in(client, app_make, owner)
    live = client.get(f"/console/process/{process.id}/live.json").get_json()
    assert live["events"] == [{"id": kickoff.id, "state": "planned", "state_label": "planned",
                               "participants": 0, "cards": 0, "votes": 0}]
    phone = app_make.participant(kickoff)[0]
    app_make.idea(phone, kickoff.boards[0], "Abendkurse")
    row = client.get(f"/console/process/{process.id}/live.json").get_json()["events"][0]
    assert (row["state"], row["participants"], row["cards"]) == ("running", 1, 1)
    page = client.get(f"/console/process/{process.id}").get_data(True)
    assert 'aria-live="polite" data-live-announce' in page
    assert "js/process_live.js" in page


def test_a_file_over_the_import_limit_is_refused_clearly(app, client, app_make, owner, process):
    import io
    app.config["IMPORT_MAX_BYTES"] = 1024
    sign_in(client, app_make, owner)
    before = app_make.count(Process)
    response = client.post("/console/process/import", data={
        "process": (io.BytesIO(b" " * 4096), "process.json")},
        content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200
    assert "The file is too large: at most 1 MB." in text_of(response)
    assert app_make.count(Process) == before


def test_saving_a_field_without_question_or_colour_keeps_them(client, app_make, owner, process):
    sign_in(client, app_make, owner)
    field = process.fields[0]
    post(client, f"/console/process/{process.id}/settings/fields", title="Wohnen",
         question="Wo wohnen alle gut?", colour="teal")
    app_make.session.commit()
    wohnen = app_make.session.query(ProcessField).filter_by(process_id=process.id,
                                                            title="Wohnen").one()
    app_make.session.commit()
    post(client, f"/console/process/{process.id}/settings/fields/{wohnen.id}",
         title="Wohnen und Nachbarschaft")
    app_make.session.expire_all()
    again = app_make.session.get(ProcessField, wohnen.id)
    assert (again.title, again.question, again.colour) == (
        "Wohnen und Nachbarschaft", "Wo wohnen alle gut?", "teal")
    assert field.id != wohnen.id
    app_make.session.commit()
