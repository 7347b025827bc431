"""Two facilitators and the whole room, through real Socket.IO clients against a real server:
each console learns which colleagues are on it (phones and projector never do), a rename that
crossed a colleague's is refused with their heading named, and a round opened to the whole
room reaches phones at every table."""
import pytest

from facilitator.domain import clusters
from facilitator.models import Cluster


@pytest.fixture
def team(live_make):
    """A workshop its owner runs with a colleague: (workshop, owner, colleague)."""
    owner, colleague = live_make.facilitator(), live_make.facilitator()
    workshop = live_make.workshop(owner)
    live_make.add_facilitator(workshop, colleague)
    return workshop, owner, colleague


# --- Renaming the same cluster at once -----------------------------------------------------------

def test_rename_crossing_a_colleagues_is_refused_naming_their_heading_and_both_consoles_agree(
        live_server, live_make, team):
    workshop, owner, colleague = team
    board = workshop.boards[0]
    courses = live_make.run(clusters.create_cluster, workshop.id, owner.id, board.id, "Kurse")
    mine = live_server.staff(workshop, owner, language="de")
    theirs = live_server.staff(workshop, colleague)
    screen = live_server.screen(workshop)

    # Both began typing over "Kurse"; the colleague's rename arrives first.
    first = theirs.call("update_cluster", {"cluster_id": courses.id, "heading": "Deutschkurse",
                                           "base_heading": "Kurse"})
    second = mine.call("update_cluster", {"cluster_id": courses.id, "heading": "Sprachkurse",
                                          "base_heading": "Kurse"})

    assert first["ok"] is True
    assert (second["ok"], second["error"]) == (False, "heading_conflict")
    assert "„Deutschkurse“" in second["message"] or "“Deutschkurse”" in second["message"]
    assert "Sprachkurse" in second["message"]
    # Both consoles were told the heading that stands, and who gave it; the wall only the heading.
    renamed = lambda p: any(  # noqa: E731
        c["id"] == courses.id and c["heading"] == "Deutschkurse" for c in p.get("clusters", []))
    for console in (mine, theirs):
        assert console.wait_for("arrangement_changed", renamed)["by"] == colleague.id
    assert "by" not in screen.wait_for("arrangement_changed", renamed)
    assert live_make.fresh(Cluster, courses.id).heading == "Deutschkurse"

    # Having read it, replacing their heading on purpose works.
    again = mine.call("update_cluster", {"cluster_id": courses.id, "heading": "Sprachkurse",
                                         "base_heading": "Deutschkurse"})
    assert again["ok"] is True
    theirs.wait_for("arrangement_changed", lambda p: any(
        c["id"] == courses.id and c["heading"] == "Sprachkurse" for c in p.get("clusters", [])))


# --- Who else is on the console --------------------------------------------------------------------

def test_each_console_learns_which_colleagues_are_on_it_and_phones_and_projector_never_do(
        live_server, live_make, team):
    workshop, owner, colleague = team
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


# --- A round for the whole room --------------------------------------------------------------------

def test_round_on_one_board_opened_to_the_whole_room_is_voted_from_every_table(
        live_server, live_make, team):
    workshop, owner, _ = team
    sprache = workshop.boards[0]
    author = live_make.participant(workshop)[0]
    themes = [live_make.run(clusters.create_cluster, workshop.id, owner.id, sprache.id, heading)
              for heading in ("Sprachcafé", "Abendkurse")]
    live_make.idea(author, sprache, "Kita während der Kurse")
    console = live_server.staff(workshop, owner)
    screen = live_server.screen(workshop)
    phones = [live_server.phone(workshop, live_make.participant(workshop)[1], board.id)
              for board in workshop.boards]  # one phone at each of three tables

    opened = console.call("open_round", {"kind": "dots", "target_kind": "cluster",
                                         "board_ids": [sprache.id], "whole_room": True,
                                         "dots_per_person": 2, "max_per_item": 2})

    assert opened["ok"] is True
    for phone in phones:
        round_ = phone.wait_for("round_updated")["rounds"][0]
        assert (round_["whole_room"], round_["board_ids"]) == (True, [sprache.id])
        voted = phone.call("place_dot", {"round_id": opened["round_id"],
                                         "target_id": themes[0].id, "client_id": phone.sio.sid})
        assert voted["ok"] is True, voted
    # "3 of 3 have voted": the whole room counts, on the console and the projector alike.
    tally = console.wait_for("votes_changed", lambda p: p["rounds"][0]["voters"] == 3)
    assert tally["rounds"][0]["eligible"] == 3
    assert tally["rounds"][0]["results"][0] == {"id": themes[0].id, "label": "Sprachcafé",
                                                 "board_id": sprache.id, "score": 3, "rank": 1,
                                                 "tie": False}
    shown = screen.wait_for("votes_changed", lambda p: p["rounds"][0]["voters"] == 3)
    assert shown["rounds"][0]["eligible"] == 3
