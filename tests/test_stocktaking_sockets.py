"""Stock-taking rows through real Socket.IO clients: `post_idea` with fields is stored once however
often it is resent, acknowledged with its row, heard by the console and projector; a refused row
gets the domain's words and changes nothing; payloads of the wrong shape are refused by the
protocol."""
import threading
import uuid

from facilitator.domain.workshops import BoardSpec
from facilitator.models import Idea


def test_a_row_resent_over_two_connections_is_stored_once_and_heard_with_its_entry(
        live_server, live_make, owner):
    workshop = live_make.workshop(owner, (BoardSpec("Bestand", kind="stocktaking"),))
    board = workshop.boards[0]
    _, token = live_make.participant(workshop)
    tabs = [live_server.phone(workshop, token, board.id) for _ in range(2)]
    console = live_server.staff(workshop, owner)
    screen = live_server.screen(workshop)
    seq = live_make.seq(workshop.id)
    payload = {"board_id": board.id, "client_id": uuid.uuid4().hex, "text": "",
               "fields": [{"key": "f1", "value": "Sprachcafé"}, {"key": "f2", "value": "AWO"},
                          {"key": "f3", "value": "Heusenstamm"}], "exists": True}
    acks = []

    def resend(tab):
        for _ in range(5):
            acks.append(tab.call("post_idea", payload))

    senders = [threading.Thread(target=resend, args=(tab,)) for tab in tabs]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    assert len(acks) == 10 and all(ack["ok"] for ack in acks), acks
    assert sorted(ack["duplicate"] for ack in acks) == [False] + [True] * 9
    idea = acks[0]["idea"]
    assert idea["text"] == "Sprachcafé — AWO, Heusenstamm"
    assert idea["entry"] == {"values": {"f1": "Sprachcafé", "f2": "AWO", "f3": "Heusenstamm"},
                             "exists": True}
    assert live_make.count(Idea, workshop_id=workshop.id) == 1
    assert live_make.seq(workshop.id) == seq + 1
    for client in (console, screen):
        heard = client.wait_for("idea_posted", lambda p: any(
            i["id"] == idea["id"] for i in p.get("ideas", [])))
        assert heard["ideas"][0]["entry"]["exists"] is True
    synced = console.call("sync", {"since": 0})
    assert next(b for b in synced["boards"] if b["id"] == board.id)["card_fields"][2] == {
        "key": "f3", "label": "Kommune", "required": True, "group": True}


def test_refused_rows_say_why_and_change_nothing(live_server, live_make, owner):
    workshop = live_make.workshop(owner, (BoardSpec("Bestand", kind="stocktaking"),))
    board = workshop.boards[0]
    _, token = live_make.participant(workshop)
    phone = live_server.phone(workshop, token, board.id)
    seq = live_make.seq(workshop.id)

    def post(**extra):
        return phone.call("post_idea", {"board_id": board.id, "client_id": uuid.uuid4().hex,
                                        "text": "", **extra})

    missing = post(fields=[{"key": "f1", "value": "Sprachcafé"}])
    assert (missing["ok"], missing["error"]) == (False, "field_required")
    assert missing["message"] == "Please fill in “Träger”."
    for wrong in ({"fields": [{"key": "f1"}]}, {"fields": {"f1": "x"}},
                  {"fields": [{"key": "f1", "value": "x", "more": 1}]}, {"exists": "yes"},
                  {"fields": [{"key": "f1", "value": "x"}] * 21}):
        answer = post(**wrong)
        assert (answer["ok"], answer["error"]) == (False, "invalid_input"), wrong
    unknown = post(fields=[{"key": "f9", "value": "x"}])
    assert unknown["error"] == "invalid_input"
    assert live_make.count(Idea, workshop_id=workshop.id) == 0
    assert live_make.seq(workshop.id) == seq
