"""Two facilitators and the whole room, through real Socket.IO clients against a real server:
each console learns which colleagues are on it (phones and projector never do), a rename that
crossed a colleague's is refused with their heading named, and a round opened to the whole
room reaches phones at every table."""
import pytest

from facilitator.domain import clusters
from facilitator.models import Cluster


@pytest.fixture
def owner(live_make):
    return live_make.facilitator()


@pytest.fixture
def colleague(live_make, workshop):
    colleague = live_make.facilitator()
    live_make.add_facilitator(workshop, colleague)
    return colleague


@pytest.fixture
def workshop(live_make, owner):
    return live_make.workshop(owner)


# --- Renaming the same cluster at once -----------------------------------------------------------

def test_rename_crossing_a_colleagues_is_refused_naming_their_heading_and_both_consoles_agree(
        live_server, live_make, workshop, owner, colleague):
    board = workshop.boards[0]
    courses = live_make.run(clusters.create_cluster, workshop.id, owner.id, board.id, "Kurse")
    mine = live_server.staff(workshop, owner, language="de")
    theirs = live_server.staff(workshop, colleague)

    # Both began typing over "Kurse"; the colleague's rename arrives first.
    first = theirs.call("update_cluster", {"cluster_id": courses.id, "heading": "Deutschkurse",
                                           "base_heading": "Kurse"})
    second = mine.call("update_cluster", {"cluster_id": courses.id, "heading": "Sprachkurse",
                                          "base_heading": "Kurse"})

    assert first["ok"] is True
    assert (second["ok"], second["error"]) == (False, "heading_conflict")
    assert "„Deutschkurse“" in second["message"] or "“Deutschkurse”" in second["message"]
    assert "Sprachkurse" in second["message"]
    # Both consoles were told the heading that stands.
    for console in (mine, theirs):
        console.wait_for("arrangement_changed", lambda p: any(
            c["id"] == courses.id and c["heading"] == "Deutschkurse" for c in p.get("clusters", [])))
    assert live_make.fresh(Cluster, courses.id).heading == "Deutschkurse"

    # Having read it, replacing their heading on purpose works.
    again = mine.call("update_cluster", {"cluster_id": courses.id, "heading": "Sprachkurse",
                                         "base_heading": "Deutschkurse"})
    assert again["ok"] is True
    theirs.wait_for("arrangement_changed", lambda p: any(
        c["id"] == courses.id and c["heading"] == "Sprachkurse" for c in p.get("clusters", [])))


# --- Who else is on the console --------------------------------------------------------------------

def test_each_console_learns_which_colleagues_are_on_it_and_phones_and_projector_never_do(
        live_server, live_make, workshop, owner, colleague):
    phone = live_server.phone(workshop, live_make.participant(workshop)[1], workshop.boards[0].id)
    screen = live_server.screen(workshop)
    mine = live_server.staff(workshop, owner)
    names = sorted([{"id": owner.id, "name": owner.name},
                    {"id": colleague.id, "name": colleague.name}], key=lambda f: f["name"])

    theirs = live_server.staff(workshop, colleague)
    second_tab = live_server.staff(workshop, colleague)  # counts once

    for console in (mine, theirs):
        console.wait_for("presence_changed", lambda p: p.get("facilitators") == names)
    screen.wait_for("presence_changed", lambda p: p["participants"] == 1)
    assert all("facilitators" not in p for p in screen.events("presence_changed"))
    assert phone.events("presence_changed") == []

    mine.clear()
    theirs.disconnect()
    mine.wait_for("presence_changed", lambda p: p.get("facilitators") == names)
    second_tab.disconnect()
    mine.wait_for("presence_changed", lambda p: p.get("facilitators") == [
        {"id": owner.id, "name": owner.name}])
