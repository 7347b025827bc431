"""A concealed board keeps its cards' words from the room until the facilitator reveals the board,
whatever else happens meanwhile — checked with real Socket.IO clients against a real server: a
duplicate merge does not show the merged card's words to the kept card's author, and revealing a
voting round's results does not reveal the words of the cards it voted on."""
import json
import uuid

import pytest


def post(phone, board_id, text):
    ack = phone.call("post_idea", {"board_id": board_id, "client_id": uuid.uuid4().hex,
                                   "text": text})
    assert ack["ok"], ack
    return ack["idea"]["id"]


def everything_heard(client) -> str:
    """All a client received so far, and what a full sync gives it now, as one text."""
    return json.dumps([client.received, client.call("sync", {"since": 0})], ensure_ascii=False)


@pytest.fixture
def concealed(live_server, live_make, owner, workshop):
    """A concealed board with Amira's and Ben's phones at it, the projector and the console."""
    board = workshop.boards[0]
    console = live_server.staff(workshop, owner)
    assert console.call("update_board", {"board_id": board.id,
                                         "settings": {"concealed": True}})["ok"]
    amira = live_server.phone(workshop, live_make.participant(workshop, "Amira")[1], board.id)
    ben = live_server.phone(workshop, live_make.participant(workshop, "Ben")[1], board.id)
    return board, console, amira, ben, live_server.screen(workshop)


def test_after_a_duplicate_merge_the_kept_cards_author_does_not_see_the_merged_words(
        concealed):
    board, console, amira, ben, screen = concealed
    kept = post(amira, board.id, "Sprachcafé im Rathaus")
    merged = post(ben, board.id, "Bens verborgene Zitronenidee")

    ack = console.call("merge_duplicates", {"idea_id": merged, "into_id": kept})

    assert ack["ok"], ack
    amira.wait_for("arrangement_changed",
                   lambda p: any(i["id"] == kept for i in p.get("ideas", [])))
    card = next(i for i in amira.call("sync", {"since": 0})["ideas"] if i["id"] == kept)
    assert (card["text"], card["duplicates"]) == ("Sprachcafé im Rathaus",
                                                  [{"id": merged, "text": None}])
    for client in (amira, screen):
        assert "Zitronenidee" not in everything_heard(client)
    # Ben still sees his own words, on the card the facilitation took out.
    mine = next(i for i in ben.call("sync", {"since": 0})["ideas"] if i["id"] == merged)
    assert (mine["state"], mine["text"]) == ("merged", "Bens verborgene Zitronenidee")
    staff_card = next(i for i in console.call("sync", {"since": 0})["ideas"] if i["id"] == kept)
    assert staff_card["duplicates"] == [{"id": merged, "text": "Bens verborgene Zitronenidee"}]

    assert console.call("update_board", {"board_id": board.id,
                                         "settings": {"revealed": True}})["ok"]
    revealed = next(i for i in amira.call("sync", {"since": 0})["ideas"] if i["id"] == kept)
    assert revealed["duplicates"] == [{"id": merged, "text": "Bens verborgene Zitronenidee"}]


def test_revealing_a_round_on_a_concealed_board_shows_dots_but_not_the_cards_words(
        concealed):
    board, console, amira, ben, screen = concealed
    first = post(amira, board.id, "Amiras verborgene Pflaumenidee")
    second = post(ben, board.id, "Bens verborgene Birnenidee")
    opened = console.call("open_round", {"kind": "dots", "target_kind": "idea",
                                         "board_ids": [board.id], "dots_per_person": 2,
                                         "max_per_item": 2})
    assert opened["ok"], opened
    round_id = opened["round_id"]
    assert ben.call("place_dot", {"round_id": round_id, "target_id": first,
                                  "client_id": uuid.uuid4().hex})["ok"]

    assert console.call("update_round", {"round_id": round_id, "settings": {
        "state": "closed", "revealed": True}})["ok"]

    shown = screen.wait_for("round_updated", lambda p: p["rounds"][0]["revealed"])["rounds"][0]
    assert sorted((row["id"], row["score"], row["label"]) for row in shown["results"]) == [
        (first, 1, None), (second, 0, None)]
    # Each phone keeps its own words; nobody in the room reads another's.
    for client, others in ((amira, ["Birnenidee"]), (ben, ["Pflaumenidee"]),
                           (screen, ["Birnenidee", "Pflaumenidee"])):
        heard = everything_heard(client)
        assert [text for text in others if text in heard] == []
    staff = console.call("sync", {"since": 0})["rounds"][0]
    assert {row["label"] for row in staff["results"]} == {"Amiras verborgene Pflaumenidee",
                                                         "Bens verborgene Birnenidee"}
