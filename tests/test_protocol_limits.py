"""Floods, against a real server with its socket limits on: one phone flooding a board is
throttled (`rate_limited`) and then disconnected while another phone's post is still answered at
once; the limits hold per phone (its token) across connections. The facilitation mutes a phone
(its posts are refused with a clear message) and hides all its cards as one undoable step.
The token buckets themselves are tested with a clock the test controls."""
import threading
import time
import uuid

import pytest

from facilitator.models import Idea
from facilitator.socket_limits import ADMITTED, DISCONNECT, LIMITED, Limits, SocketLimits


def post(phone, board_id, text="Mehr Sprachkurse am Abend"):
    return phone.call("post_idea", {"board_id": board_id, "client_id": uuid.uuid4().hex,
                                    "text": text})


# --- The buckets, on a clock the test turns ---------------------------------------------------------

class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_a_phones_writes_share_one_bucket_across_its_connections_and_refill_with_time():
    clock = Clock()
    limits = SocketLimits(Limits(participant_writes_per_minute=60, participant_write_burst=5),
                          clock)
    verdicts = [limits.admit(f"tab{i % 2}", 7, True) for i in range(8)]
    assert verdicts == [ADMITTED] * 5 + [LIMITED] * 3
    assert limits.admit("tab0", 8, True) == ADMITTED  # another phone is not affected
    assert limits.admit("tab0", 7, False) == ADMITTED  # reading (sync) is not a write
    clock.now += 2
    assert [limits.admit("tab1", 7, True) for _ in range(3)] == [ADMITTED] * 2 + [LIMITED]


def test_a_connection_that_keeps_flooding_is_disconnected_and_one_that_pauses_is_forgiven():
    clock = Clock()
    limits = SocketLimits(Limits(events_per_second=10, event_burst=10,
                                 disconnect_after_refusals=20), clock)
    verdicts = [limits.admit("flood", None, False) for _ in range(31)]
    assert verdicts[:10] == [ADMITTED] * 10
    assert verdicts[10:30] == [LIMITED] * 20 and verdicts[30] == DISCONNECT
    calm = [limits.admit("calm", None, False) for _ in range(25)]
    assert calm.count(LIMITED) == 15 and DISCONNECT not in calm
    clock.now += 30  # refusals are forgiven at one a second, tokens come back
    assert limits.admit("calm", None, False) == ADMITTED
    limits.forget("flood")
    assert limits.admit("flood", None, False) == ADMITTED


# --- A real server with its limits on -----------------------------------------------------------

@pytest.fixture(scope="module")
def limited_server(start_module_server):
    """The module's own server, with the limits every installation has (tests switch them off)."""
    return start_module_server("limited", env={"RATELIMIT_ENABLED": "1"})


@pytest.fixture
def hall(limited_server):
    factory = limited_server.factory()
    owner = factory.facilitator()
    workshop = factory.workshop(owner)
    phones = [factory.participant(workshop, name) for name in ("Flood", "Amira")]
    factory.close()
    return limited_server, owner, workshop, phones


def test_a_flooding_phone_is_throttled_then_disconnected_while_another_phone_posts_at_once(hall):
    server, owner, workshop, ((flooder, flood_token), (_, amira_token)) = hall
    board = workshop.boards[0]
    flood = server.phone(workshop, flood_token, board.id)
    amira = server.phone(workshop, amira_token, board.id)
    answers, done = [], threading.Event()

    def flood_the_board():
        # As fast as the phone can send, not waiting for answers (the spam script).
        for n in range(400):
            if not flood.sio.connected:
                break
            try:
                flood.sio.emit("post_idea", {"board_id": board.id, "client_id": uuid.uuid4().hex,
                                             "text": f"Spam {n}"}, callback=answers.append)
            except Exception:  # noqa: BLE001 - disconnected mid-flood, as intended
                break
        done.set()

    sender = threading.Thread(target=flood_the_board)
    sender.start()
    time.sleep(0.2)
    started = time.monotonic()
    answer = post(amira, board.id, "Ein Sprachcafé im Rathaus")
    latency = time.monotonic() - started
    done.wait(30)
    sender.join(30)
    deadline = time.monotonic() + 10
    while flood.sio.connected and time.monotonic() < deadline:
        time.sleep(0.05)

    assert answer["ok"] is True and latency < 1.5, latency
    refused = [a for a in answers if not a["ok"]]
    assert refused and {a["error"] for a in refused} == {"rate_limited"}
    assert refused[0]["message"] == "You are sending very fast. Please wait a moment and try again."
    assert not flood.sio.connected, "the flooding connection was not dropped"
    assert "disconnected: flooding" in server.log()
    stored = server.factory()
    # The burst (20) and a token a second at most got through; the rest was refused.
    assert stored.count(Idea, participant_id=flooder.id) <= 25
    assert stored.count(Idea, participant_id=flooder.id) == sum(1 for a in answers if a["ok"])
    stored.close()
    # Amira carries on; the flooder's phone may reconnect, and still cannot flood.
    assert post(amira, board.id, "Noch eine Idee")["ok"] is True
    # Its budget is the phone's (its token), not the connection's: a new connection gets back
    # only what the seconds since refilled (one a second), not a fresh burst.
    again = server.phone(workshop, flood_token, board.id)
    elapsed = time.monotonic() - started
    assert elapsed < 60
    answers = [post(again, board.id)["ok"] for _ in range(int(elapsed) + 5)]
    assert answers.count(True) <= int(elapsed) + 2 and False in answers


def test_a_refusal_speaks_the_phones_language(limited_server):
    """Its text is worked out when the connection is first refused, in the language of the
    connection (not at every connect: for every phone of a hall that was 2% of the CPU)."""
    factory = limited_server.factory()
    workshop = factory.workshop()
    _, token = factory.participant(workshop, "Schnell")
    factory.close()
    phone = limited_server.phone(workshop, token, workshop.boards[0].id, language="de")

    answers = [post(phone, workshop.boards[0].id, f"Idee {n}") for n in range(26)]

    refused = [a for a in answers if not a["ok"]]
    assert refused and {a["error"] for a in refused} == {"rate_limited"}
    assert {a["message"] for a in refused} == {
        "Sie senden sehr schnell. Bitte warten Sie einen Moment und versuchen Sie es noch "
        "einmal."}


def test_the_facilitation_mutes_a_phone_and_hides_all_its_cards_in_one_undoable_step(hall):
    server, owner, workshop, ((spammer, spam_token), (amira, amira_token)) = hall
    board = workshop.boards[0]
    spam = server.phone(workshop, spam_token, board.id)
    phone = server.phone(workshop, amira_token, board.id)
    staff = server.staff(workshop, owner)
    screen = server.screen(workshop)
    cards = [post(spam, board.id, f"Werbung {n}")["idea"]["id"] for n in range(4)]
    kept = post(phone, board.id, "Ein Sprachcafé")["idea"]["id"]

    overview = staff.call("list_participants")
    assert [(p["id"], p["visible"], p["muted"]) for p in overview["participants"]] == [
        (spammer.id, 4, False), (amira.id, 1, False)]

    muted = staff.call("mute_participant", {"idea_id": cards[0], "muted": True})
    assert muted["ok"] and muted["participants"][0] == {
        "id": spammer.id, "name": "Flood", "muted": True, "visible": 4, "hidden": 0}
    staff.wait_for("moderation_changed", lambda p: p["participants"][0]["muted"])
    refused = post(spam, board.id, "Noch mehr Werbung")
    assert (refused["error"], refused["message"]) == (
        "muted", "The facilitation has paused posting from this phone. Please speak to them.")
    assert spam.call("edit_idea", {"idea_id": cards[0], "text": "anders"})["error"] == "muted"
    assert post(phone, board.id, "Amira darf weiter")["ok"] is True

    hidden = staff.call("hide_cards", {"participant_id": spammer.id})
    assert (hidden["ok"], hidden["hidden"], hidden["history"]["undo"]) == (True, 4, "hide_cards")
    event = screen.wait_for("idea_updated", lambda p: {i["id"] for i in p["ideas"]} == set(cards))
    assert {(i["state"], i["text"]) for i in event["ideas"]} == {("hidden", None)}
    check = server.factory()
    assert check.count(Idea, participant_id=spammer.id, state="hidden") == 4
    assert check.fresh(Idea, kept).state == "visible"
    # Nothing left to hide: refused, nothing changes.
    seq = check.seq(workshop.id)
    assert staff.call("hide_cards", {"participant_id": spammer.id})["error"] == "not_found"
    assert check.seq(workshop.id) == seq

    assert staff.call("undo")["ok"] is True
    assert check.count(Idea, participant_id=spammer.id, state="visible") == 4
    assert staff.call("mute_participant", {"participant_id": spammer.id, "muted": False})["ok"]
    assert post(spam, board.id, "Entschuldigung")["ok"] is True
    # Phones and the projector never hear who posts how much.
    assert not phone.events("moderation_changed") and not screen.events("moderation_changed")
    check.close()


def test_bulk_hide_of_a_selection_stays_inside_the_workshop(hall, limited_server):
    server, owner, workshop, ((spammer, spam_token), _) = hall
    factory = server.factory()
    other = factory.workshop()
    stranger, _token = factory.participant(other)
    foreign = factory.idea(stranger, other.boards[0]).id
    own = [factory.idea(spammer, workshop.boards[1]).id for _ in range(3)]
    factory.close()
    staff = server.staff(workshop, owner)
    check = server.factory()
    seq = check.seq(workshop.id)
    for payload in ({"idea_ids": [foreign]}, {"participant_id": stranger.id},
                    {"idea_ids": [own[0]], "participant_id": spammer.id}, {}):
        assert staff.call("hide_cards", payload)["ok"] is False, payload
    assert staff.call("mute_participant", {"participant_id": stranger.id, "muted": True}
                      )["error"] == "not_found"
    assert check.seq(workshop.id) == seq and check.fresh(Idea, foreign).state == "visible"
    answer = staff.call("hide_cards", {"idea_ids": [own[0], own[2], foreign]})
    assert (answer["ok"], answer["hidden"]) == (True, 2)
    assert [check.fresh(Idea, i).state for i in own] == ["hidden", "visible", "hidden"]
    assert check.fresh(Idea, foreign).state == "visible"
    check.close()
