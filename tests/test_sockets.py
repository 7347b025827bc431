"""The real-time layer through real Socket.IO clients against a real server process (gevent,
SQLite file): phones post, other phones, the projector and the console see it live; roles are
checked on every event; nothing is lost or doubled, also across a reconnect or a restart."""
import threading
import uuid

import pytest
import socketio

from facilitator.models import IDEA_MAX_CHARS, Board, Idea, Workshop

# What every idea carries (later features may add more keys).
IDEA_KEYS = {"id", "seq", "board_id", "client_id", "state", "text", "author", "created_at"}


def client_id() -> str:
    return uuid.uuid4().hex


def post(phone, board_id, text="Mehr Sprachkurse am Abend", cid=None):
    return phone.call("post_idea", {"board_id": board_id, "client_id": cid or client_id(),
                                    "text": text})


def ideas_with(idea_id):
    return lambda payload: any(idea["id"] == idea_id for idea in payload.get("ideas", []))


def the_idea(payload, idea_id):
    return next(idea for idea in payload["ideas"] if idea["id"] == idea_id)


@pytest.fixture
def board(workshop):
    return workshop.boards[0]


@pytest.fixture
def amira(live_make, workshop):
    """A phone that joined with a name; (participant, token)."""
    return live_make.participant(workshop, "Amira")


@pytest.fixture
def ben(live_make, workshop):
    return live_make.participant(workshop)


# --- Nothing doubled ------------------------------------------------------------------------------

def test_same_idea_sent_20_times_over_two_connections_is_stored_once(
        live_server, live_make, workshop, board, amira):
    participant, token = amira
    tabs = [live_server.phone(workshop, token, board.id) for _ in range(2)]
    screen = live_server.screen(workshop)
    seq = live_make.seq(workshop.id)
    cid, board_id, acks = client_id(), board.id, []

    def resend(tab):
        for _ in range(10):
            acks.append(post(tab, board_id, "Ein Sprachcafé im Rathaus", cid))

    senders = [threading.Thread(target=resend, args=(tab,)) for tab in tabs]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()

    assert len(acks) == 20 and all(ack["ok"] for ack in acks)
    assert len({ack["idea"]["id"] for ack in acks}) == 1
    assert sorted(ack["duplicate"] for ack in acks) == [False] + [True] * 19
    assert live_make.count(Idea, workshop_id=workshop.id) == 1
    assert live_make.seq(workshop.id) == seq + 1
    # The barrier: a later idea reaches the projector, so the first one would have, twice.
    later = post(tabs[0], board.id, "Barriere")["idea"]["id"]
    screen.wait_for("idea_posted", ideas_with(later))
    assert [idea_id for payload in screen.events("idea_posted") for idea_id in
            [i["id"] for i in payload["ideas"]]] == [acks[0]["idea"]["id"], later]


# --- Everyone sees it live, each in their own view -------------------------------------------------

def test_new_idea_reaches_phones_at_its_table_the_projector_and_the_console_live(
        live_server, live_make, owner, workshop, board, amira, ben):
    author = live_server.phone(workshop, amira[1], board.id)
    neighbour = live_server.phone(workshop, ben[1], board.id)
    _, other_token = live_make.participant(workshop)
    other_table = live_server.phone(workshop, other_token, workshop.boards[1].id)
    screen = live_server.screen(workshop)
    console = live_server.staff(workshop, owner)
    elsewhere = live_make.workshop()
    outsider_screen = live_server.screen(elsewhere)

    ack = post(author, board.id, "Deutschkurse mit Kinderbetreuung")

    assert ack["ok"] and ack["duplicate"] is False
    assert IDEA_KEYS <= set(ack["idea"]) and ack["idea"]["mine"] is True
    idea_id = ack["idea"]["id"]
    for client in (neighbour, screen, console):
        payload = client.wait_for("idea_posted", ideas_with(idea_id))
        assert payload["seq"] == ack["idea"]["seq"]
        idea = the_idea(payload, idea_id)
        assert IDEA_KEYS <= set(idea) and "mine" not in idea
        assert (idea["board_id"], idea["state"], idea["text"], idea["author"]) == (
            board.id, "visible", "Deutschkurse mit Kinderbetreuung", "Amira")
    # A phone at another table is not sent the card (it shows only its own table).
    assert other_table.events("idea_posted") == []
    # Another workshop's projector hears nothing of it: its own next idea arrives first.
    stranger, token = live_make.participant(elsewhere)
    other_phone = live_server.phone(elsewhere, token)
    later = post(other_phone, elsewhere.boards[0].id)["idea"]["id"]
    outsider_screen.wait_for("idea_posted", ideas_with(later))
    assert [i["id"] for p in outsider_screen.events("idea_posted") for i in p["ideas"]] == [later]


def test_phone_can_also_connect_over_long_polling_and_upgrade(live_server, workshop, board,
                                                              amira):
    phone = live_server.phone(workshop, amira[1], board.id, transports=("polling", "websocket"))
    screen = live_server.screen(workshop, transports=("polling",))

    idea_id = post(phone, board.id)["idea"]["id"]

    screen.wait_for("idea_posted", ideas_with(idea_id))


def test_joining_through_the_join_page_lets_the_phone_post_under_its_name(
        live_server, live_make, owner, workshop):
    board = workshop.boards[2]
    group = workshop.stakeholder_groups[1]
    browser = live_server.join(workshop, board.id, "Oksana", str(group.id))
    phone = live_server.socket("participant", cookie=browser, code=workshop.join_code,
                               board_id=board.id)
    console = live_server.staff(workshop, owner)

    ack = post(phone, board.id, "Beratung auf Ukrainisch")

    assert ack["ok"]
    posted = console.wait_for("idea_posted", ideas_with(ack["idea"]["id"]))
    assert the_idea(posted, ack["idea"]["id"])["author"] == "Oksana"
    assert console.wait_for("presence_changed", lambda p: p["participants"] == 1)["boards"] == {
        str(board.id): 1}


def test_concealed_board_hides_texts_from_the_public_until_the_facilitator_reveals_them(
        live_server, owner, workshop, board, amira, ben):
    console = live_server.staff(workshop, owner)
    assert console.call("update_board", {"board_id": board.id, "settings": {"concealed": True}}
                        ) == {"ok": True, "board_id": board.id}
    author = live_server.phone(workshop, amira[1], board.id)
    neighbour = live_server.phone(workshop, ben[1], board.id)
    screen = live_server.screen(workshop)

    ack = post(author, board.id, "Geheime Karte")

    idea_id = ack["idea"]["id"]
    assert (ack["idea"]["text"], ack["idea"]["mine"]) == ("Geheime Karte", True)
    for client in (neighbour, screen):
        idea = the_idea(client.wait_for("idea_posted", ideas_with(idea_id)), idea_id)
        assert (idea["state"], idea["text"], idea["author"]) == ("concealed", None, None)
    staff_view = the_idea(console.wait_for("idea_posted", ideas_with(idea_id)), idea_id)
    assert (staff_view["state"], staff_view["text"]) == ("visible", "Geheime Karte")
    assert [(i["text"], i["state"]) for i in neighbour.call("sync", {"since": 0})["ideas"]] == [
        (None, "concealed")]
    assert [i["text"] for i in author.call("sync", {"since": 0})["ideas"]] == ["Geheime Karte"]

    assert console.call("update_board", {"board_id": board.id,
                                         "settings": {"revealed": True}})["ok"]

    for client in (neighbour, screen):
        revealed = client.wait_for("board_updated", lambda p: p["boards"][0]["revealed"])
        assert [(b["id"], b["concealed"], b["revealed"]) for b in revealed["boards"]] == [
            (board.id, True, True)]
        assert [(i["id"], i["state"], i["text"]) for i in revealed["ideas"]] == [
            (idea_id, "visible", "Geheime Karte")]
    assert [i["text"] for i in screen.call("sync", {"since": 0})["ideas"]] == ["Geheime Karte"]


def test_hidden_idea_disappears_from_phones_and_projector_but_not_from_the_console(
        live_server, owner, workshop, board, amira, ben):
    author = live_server.phone(workshop, amira[1], board.id)
    neighbour = live_server.phone(workshop, ben[1], board.id)
    screen = live_server.screen(workshop)
    console = live_server.staff(workshop, owner)
    idea_id = post(author, board.id, "Unangemessener Text")["idea"]["id"]

    ack = console.call("hide_idea", {"idea_id": idea_id, "hidden": True})

    assert ack["ok"] and ack["id"] == idea_id and ack["history"]["undo"] == "hide"
    for client in (neighbour, screen, author):
        hidden = the_idea(client.wait_for("idea_updated", ideas_with(idea_id)), idea_id)
        assert (hidden["state"], hidden["text"], hidden["author"]) == ("hidden", None, None)
    staff_view = the_idea(console.wait_for("idea_updated", ideas_with(idea_id)), idea_id)
    assert (staff_view["state"], staff_view["text"]) == ("hidden", "Unangemessener Text")
    assert screen.call("sync", {"since": 0})["ideas"] == []
    assert [(i["id"], i["state"]) for i in console.call("sync", {"since": 0})["ideas"]] == [
        (idea_id, "hidden")]
    refused = author.call("edit_idea", {"idea_id": idea_id, "text": "Neu formuliert"})
    assert (refused["ok"], refused["error"]) == (False, "not_found")

    screen.clear()
    assert console.call("hide_idea", {"idea_id": idea_id, "hidden": False})["ok"]

    shown = the_idea(screen.wait_for("idea_updated", ideas_with(idea_id)), idea_id)
    assert (shown["state"], shown["text"]) == ("visible", "Unangemessener Text")


def test_author_alone_keeps_the_text_of_an_own_card_the_facilitation_hid_or_merged(
        live_server, owner, workshop, board, amira, ben):
    author = live_server.phone(workshop, amira[1], board.id)
    neighbour = live_server.phone(workshop, ben[1], board.id)
    console = live_server.staff(workshop, owner)
    hidden_id = post(author, board.id, "Frau Müller aus der Lindenstraße")["idea"]["id"]
    merged_id = post(author, board.id, "Mehr Sprachkurse")["idea"]["id"]
    kept_id = post(neighbour, board.id, "Sprachkurse ausbauen")["idea"]["id"]
    withdrawn_id = post(author, board.id, "Doch nicht")["idea"]["id"]
    assert author.call("withdraw_idea", {"idea_id": withdrawn_id})["ok"]

    assert console.call("hide_idea", {"idea_id": hidden_id, "hidden": True})["ok"]
    assert console.call("merge_duplicates", {"idea_id": merged_id, "into_id": kept_id})["ok"]

    # Live, the room (the author's phone included) hears only the new state, never the text.
    for client in (author, neighbour):
        hidden = the_idea(client.wait_for("idea_updated", ideas_with(hidden_id)), hidden_id)
        merged = the_idea(client.wait_for("arrangement_changed", ideas_with(merged_id)),
                          merged_id)
        assert (hidden["state"], hidden["text"]) == ("hidden", None)
        assert (merged["state"], merged["text"]) == ("merged", None)
    # On a sync the author gets every own card with its state, and the words of their own.
    for since in (0, 1):
        own = {i["id"]: (i["state"], i["text"], i.get("mine"))
               for i in author.call("sync", {"since": since})["ideas"]}
        assert own[hidden_id] == ("hidden", "Frau Müller aus der Lindenstraße", True)
        assert own[merged_id] == ("merged", "Mehr Sprachkurse", True)
        assert own[withdrawn_id] == ("withdrawn", None, True)
        for answer in (neighbour.call("sync", {"since": since}),
                       live_server.screen(workshop).call("sync", {"since": since})):
            assert "Frau Müller" not in str(answer)
            assert all(not i.get("mine") for i in answer["ideas"] if i["id"] != kept_id)


def test_facilitator_chooses_which_boards_the_projector_shows(live_server, live_make, owner,
                                                              workshop):
    screen = live_server.screen(workshop)
    console = live_server.staff(workshop, owner)
    first, second, third = (b.id for b in workshop.boards)

    ack = console.call("set_projector", {"view": "boards", "board_ids": [third, first]})

    assert ack == {"ok": True, "view": "boards"}
    update = screen.wait_for("workshop_updated")
    assert update["workshop"]["projector_board_ids"] == [third, first]
    assert live_make.fresh(Workshop, workshop.id).projector_board_ids == [third, first]


def test_console_sees_how_many_phones_are_online_per_board(live_server, owner, workshop, amira,
                                                           ben):
    console = live_server.staff(workshop, owner)
    wohnen, arbeit = workshop.boards[0].id, workshop.boards[1].id
    first_tab = live_server.phone(workshop, amira[1], wohnen)
    live_server.phone(workshop, amira[1], wohnen)
    other = live_server.phone(workshop, ben[1], arbeit)
    live_server.screen(workshop)

    counts = lambda p: {k: v for k, v in p.items() if k != "facilitators"}  # noqa: E731
    console.wait_for("presence_changed", lambda p: counts(p) == {
        "participants": 2, "boards": {str(wohnen): 1, str(arbeit): 1}})

    console.clear()
    other.disconnect()
    first_tab.disconnect()

    console.wait_for("presence_changed", lambda p: counts(p) == {
        "participants": 1, "boards": {str(wohnen): 1}})


# --- Roles, checked on every event ----------------------------------------------------------------

STAFF_EVENTS = {
    "hide_idea": lambda ws, idea_id: {"idea_id": idea_id, "hidden": True},
    "update_board": lambda ws, idea_id: {"board_id": ws.boards[0].id,
                                         "settings": {"is_open": False, "concealed": True}},
    "set_projector": lambda ws, idea_id: {"view": "boards", "board_ids": [ws.boards[2].id]},
}


def _state(live_make, workshop, idea_id):
    fresh = live_make.fresh(Workshop, workshop.id)
    board = live_make.fresh(Board, workshop.boards[0].id)
    return (fresh.seq, list(fresh.projector_board_ids), board.is_open, board.concealed,
            live_make.fresh(Idea, idea_id).state)


@pytest.mark.parametrize("event", sorted(STAFF_EVENTS))
@pytest.mark.parametrize("role", ["participant", "screen"])
def test_facilitator_actions_from_a_phone_or_the_projector_are_refused_and_change_nothing(
        live_server, live_make, workshop, board, amira, role, event):
    phone = live_server.phone(workshop, amira[1], board.id)
    idea_id = post(phone, board.id)["idea"]["id"]
    sender = phone if role == "participant" else live_server.screen(workshop)
    before = _state(live_make, workshop, idea_id)

    ack = sender.call(event, STAFF_EVENTS[event](workshop, idea_id))

    assert (ack["ok"], ack["error"]) == (False, "forbidden")
    assert ack["message"] == "You are not allowed to do that."
    assert _state(live_make, workshop, idea_id) == before


@pytest.mark.parametrize("event", ["post_idea", "edit_idea", "withdraw_idea"])
def test_phone_actions_from_the_projector_or_the_console_are_refused(
        live_server, live_make, owner, workshop, board, amira, event):
    phone = live_server.phone(workshop, amira[1], board.id)
    idea_id = post(phone, board.id, "Original")["idea"]["id"]
    data = {"board_id": board.id, "client_id": client_id(), "text": "Fremd", "idea_id": idea_id}

    for sender in (live_server.screen(workshop), live_server.staff(workshop, owner)):
        ack = sender.call(event, data)
        assert (ack["ok"], ack["error"]) == (False, "forbidden")

    assert live_make.count(Idea, workshop_id=workshop.id) == 1
    assert live_make.fresh(Idea, idea_id).text == "Original"


def _refusal(live_server, **connect):
    client = live_server.socket(connect=False, **connect)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect()
    return client.refusal


def test_facilitator_who_does_not_run_the_workshop_cannot_connect_as_staff(
        live_server, live_make, owner, workshop):
    colleague = live_make.facilitator()
    colleague_browser = live_server.sign_in(colleague)

    assert _refusal(live_server, role="staff", cookie=colleague_browser,
                    code=workshop.join_code) == "forbidden"
    assert _refusal(live_server, role="staff", code=workshop.join_code) == "forbidden"

    live_make.add_facilitator(workshop, colleague)
    console = live_server.socket("staff", cookie=colleague_browser, code=workshop.join_code)
    assert console.call("sync", {"since": 0})["ok"]


def test_staff_of_one_workshop_cannot_touch_another(live_server, live_make, owner, workshop):
    elsewhere = live_make.workshop()
    stranger, token = live_make.participant(elsewhere)
    foreign_idea = post(live_server.phone(elsewhere, token), elsewhere.boards[0].id)["idea"]["id"]
    console = live_server.staff(workshop, owner)
    before = _state(live_make, elsewhere, foreign_idea)

    for event in sorted(STAFF_EVENTS):
        ack = console.call(event, STAFF_EVENTS[event](elsewhere, foreign_idea))
        assert (ack["ok"], ack["error"]) == (False, "not_found"), event

    assert _state(live_make, elsewhere, foreign_idea) == before


@pytest.mark.parametrize("auth", [
    {}, {"role": "screen", "key": "not-the-key"}, {"role": "participant", "code": "ABCD-EFGH"},
    {"role": "participant"}, {"role": "admin"}, {"role": "screen"}],
    ids=["nothing", "wrong key", "unknown code", "no code", "unknown role", "no key"])
def test_connection_without_valid_credentials_is_refused(live_server, auth):
    client = live_server.socket(connect=False, role="x")
    client.auth = auth
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect()
    assert client.refusal in ("forbidden", "not_found")


def test_participant_needs_to_have_joined_to_connect(live_server, workshop):
    assert _refusal(live_server, role="participant", code=workshop.join_code) == "forbidden"
    forged = "session=eyJwYXJ0aWNpcGFudHMiOnsiMSI6Im5vIn19.forged.signature"
    assert _refusal(live_server, role="participant", code=workshop.join_code,
                    cookie=forged) == "forbidden"


def test_participant_of_one_workshop_cannot_read_or_write_another(live_server, live_make,
                                                                  workshop, board, amira):
    elsewhere = live_make.workshop()
    other_phone, other_token = live_make.participant(elsewhere)
    foreign_idea = post(live_server.phone(elsewhere, other_token), elsewhere.boards[0].id,
                        "Fremde Idee")["idea"]["id"]
    cookie = live_server.phone_cookie((workshop, amira[1]))

    # Workshop A's cookie does not open workshop B.
    assert _refusal(live_server, role="participant", cookie=cookie,
                    code=elsewhere.join_code) == "forbidden"

    phone = live_server.phone(workshop, amira[1], board.id)
    for event, data in [
            ("post_idea", {"board_id": elsewhere.boards[0].id, "client_id": client_id(),
                           "text": "Eingeschleust"}),
            ("edit_idea", {"idea_id": foreign_idea, "text": "Überschrieben"}),
            ("withdraw_idea", {"idea_id": foreign_idea})]:
        ack = phone.call(event, data)
        assert (ack["ok"], ack["error"]) == (False, "not_found"), event
    synced = phone.call("sync", {"since": 0})
    assert synced["workshop"]["id"] == workshop.id and synced["ideas"] == []
    assert live_make.count(Idea, workshop_id=elsewhere.id) == 1
    assert live_make.fresh(Idea, foreign_idea).text == "Fremde Idee"


# --- Bad input ---------------------------------------------------------------------------------

BAD_POSTS = [
    ("empty", {"text": ""}, "text_empty", "Please write something first."),
    ("blank", {"text": "  \n "}, "text_empty", "Please write something first."),
    ("too long", {"text": "x" * (IDEA_MAX_CHARS + 1)}, "text_too_long",
     f"That is too long: at most {IDEA_MAX_CHARS} characters."),
    ("number", {"text": 42}, "invalid_input", None),
    ("list", {"text": ["a"]}, "invalid_input", None),
    ("missing text", {"text": None}, "invalid_input", None),
    ("unknown board", {"board_id": 999999}, "not_found",
     "This no longer exists. Please reload the page."),
    ("board as text", {"board_id": "1"}, "invalid_input", None),
    ("short client id", {"client_id": "abc"}, "invalid_input", None),
    ("client id with spaces", {"client_id": "a b c d e f g h"}, "invalid_input", None),
    ("client id number", {"client_id": 1234567890}, "invalid_input", None),
]


@pytest.mark.parametrize("change, error, message", [case[1:] for case in BAD_POSTS],
                         ids=[case[0] for case in BAD_POSTS])
def test_bad_idea_is_refused_with_a_clear_message_and_stores_nothing(
        live_server, live_make, workshop, board, amira, change, error, message):
    phone = live_server.phone(workshop, amira[1], board.id)
    screen = live_server.screen(workshop)
    seq = live_make.seq(workshop.id)

    ack = phone.call("post_idea", {"board_id": board.id, "client_id": client_id(),
                                   "text": "Gut", **change})

    assert (ack["ok"], ack["error"]) == (False, error)
    assert ack["message"] == (message or "That input was not understood. "
                                         "Please check it and try again.")
    assert live_make.count(Idea, workshop_id=workshop.id) == 0
    assert live_make.seq(workshop.id) == seq
    assert screen.call("sync", {"since": seq})["ideas"] == []


@pytest.mark.parametrize("data", ["just text", ["a", "list"], 7, None])
def test_event_data_that_is_not_an_object_is_refused(live_server, live_make, workshop, board,
                                                     amira, data):
    phone = live_server.phone(workshop, amira[1], board.id)

    ack = phone.call("post_idea", data)

    assert (ack["ok"], ack["error"]) == (False, "invalid_input")
    assert live_make.count(Idea, workshop_id=workshop.id) == 0


def test_closed_board_refuses_new_ideas_with_a_clear_message(live_server, live_make, owner,
                                                             workshop, board, amira):
    phone = live_server.phone(workshop, amira[1], board.id)
    console = live_server.staff(workshop, owner)
    assert console.call("update_board", {"board_id": board.id,
                                         "settings": {"is_open": False}})["ok"]
    phone.wait_for("board_updated", lambda p: p["boards"][0]["is_open"] is False)
    seq = live_make.seq(workshop.id)

    ack = post(phone, board.id)

    assert ack == {"ok": False, "error": "board_closed",
                   "message": "This board is closed for new ideas right now."}
    assert live_make.count(Idea, workshop_id=workshop.id) == 0
    assert live_make.seq(workshop.id) == seq


def test_cap_per_person_refuses_the_next_idea_with_the_limit_in_the_message(
        live_server, live_make, owner, workshop, board, amira, ben):
    console = live_server.staff(workshop, owner)
    assert console.call("update_board", {"board_id": board.id,
                                         "settings": {"max_ideas_per_person": 2}})["ok"]
    phone = live_server.phone(workshop, amira[1], board.id)
    assert all(post(phone, board.id, text)["ok"] for text in ("Eins", "Zwei"))

    ack = post(phone, board.id, "Drei")

    assert ack == {"ok": False, "error": "idea_limit_reached",
                   "message": "You have reached the limit of 2 ideas on this board."}
    assert live_make.count(Idea, workshop_id=workshop.id) == 2
    assert post(live_server.phone(workshop, ben[1], board.id), board.id, "Von Ben")["ok"]


# --- Editing and withdrawing ----------------------------------------------------------------------

def test_author_edits_and_withdraws_own_idea_and_everyone_sees_it(live_server, live_make,
                                                                  workshop, board, amira):
    phone = live_server.phone(workshop, amira[1], board.id)
    screen = live_server.screen(workshop)
    idea_id = post(phone, board.id, "Erste Fassung")["idea"]["id"]

    edited = phone.call("edit_idea", {"idea_id": idea_id, "text": "Zweite Fassung"})

    assert edited["ok"] and edited["idea"]["text"] == "Zweite Fassung"
    update = screen.wait_for("idea_updated", ideas_with(idea_id))
    assert the_idea(update, idea_id)["text"] == "Zweite Fassung"
    assert update["seq"] == edited["idea"]["seq"]

    withdrawn = phone.call("withdraw_idea", {"idea_id": idea_id})

    assert withdrawn["ok"] and withdrawn["idea"]["state"] == "withdrawn"
    gone = screen.wait_for("idea_updated", lambda p: p["ideas"][0]["state"] == "withdrawn")
    assert (the_idea(gone, idea_id)["text"], live_make.fresh(Idea, idea_id).text) == (None, "")
    assert screen.call("sync", {"since": 0})["ideas"] == []


def test_nobody_edits_or_withdraws_someone_elses_idea(live_server, live_make, workshop, board,
                                                      amira, ben):
    author = live_server.phone(workshop, amira[1], board.id)
    other = live_server.phone(workshop, ben[1], board.id)
    idea_id = post(author, board.id, "Meine Idee")["idea"]["id"]

    for event, data in [("edit_idea", {"idea_id": idea_id, "text": "Deine Idee"}),
                        ("withdraw_idea", {"idea_id": idea_id})]:
        ack = other.call(event, data)
        assert (ack["ok"], ack["error"]) == (False, "forbidden")

    stored = live_make.fresh(Idea, idea_id)
    assert (stored.text, stored.state) == ("Meine Idee", "visible")


def test_closed_board_refuses_edits_and_withdrawals(live_server, live_make, owner, workshop,
                                                    board, amira):
    phone = live_server.phone(workshop, amira[1], board.id)
    idea_id = post(phone, board.id, "Fertig")["idea"]["id"]
    assert live_server.staff(workshop, owner).call(
        "update_board", {"board_id": board.id, "settings": {"is_open": False}})["ok"]

    for event, data in [("edit_idea", {"idea_id": idea_id, "text": "Nachträglich"}),
                        ("withdraw_idea", {"idea_id": idea_id})]:
        ack = phone.call(event, data)
        assert (ack["ok"], ack["error"]) == (False, "board_closed")

    stored = live_make.fresh(Idea, idea_id)
    assert (stored.text, stored.state) == ("Fertig", "visible")


# --- Sequence numbers and catching up -----------------------------------------------------------

def test_every_change_takes_the_next_number_and_sync_returns_only_later_changes(
        live_server, live_make, owner, workshop, board, amira):
    phone = live_server.phone(workshop, amira[1], board.id)
    screen = live_server.screen(workshop)
    console = live_server.staff(workshop, owner)
    start = live_make.seq(workshop.id)

    first = post(phone, board.id, "Eins")["idea"]
    second = post(phone, board.id, "Zwei")["idea"]
    phone.call("edit_idea", {"idea_id": first["id"], "text": "Eins, genauer"})
    console.call("hide_idea", {"idea_id": second["id"], "hidden": True})
    console.call("update_board", {"board_id": workshop.boards[1].id,
                                  "settings": {"is_open": False}})

    screen.wait_for("board_updated")
    sequenced = ("idea_posted", "idea_updated", "board_updated", "workshop_updated")
    seqs = [p["seq"] for event, p in screen.received if event in sequenced]
    assert seqs == list(range(start + 1, start + 6))
    assert live_make.seq(workshop.id) == start + 5

    since = screen.call("sync", {"since": start + 2})
    assert (since["ok"], since["full"], since["seq"]) == (True, False, start + 5)
    assert sorted((i["id"], i["state"], i["text"]) for i in since["ideas"]) == [
        (first["id"], "visible", "Eins, genauer"), (second["id"], "hidden", None)]
    assert [b["id"] for b in since["boards"]] == [workshop.boards[1].id]

    for stale in (0, start + 6, 10 ** 9, -1):
        full = screen.call("sync", {"since": stale})
        assert (full["full"], full["seq"]) == (True, start + 5), stale
        assert [i["id"] for i in full["ideas"]] == [first["id"]]
        assert len(full["boards"]) == 3
    # Not a number: refused at the boundary (facilitator/protocol.py), not guessed at.
    for wrong in ("3", None, True, 2 ** 31):
        assert screen.call("sync", {"since": wrong})["error"] == "invalid_input", wrong

    current = screen.call("sync", {"since": start + 5})
    assert (current["full"], current["ideas"], current["boards"]) == (False, [], [])


def test_screen_that_missed_changes_gets_exactly_those_after_reconnecting(
        live_server, live_make, owner, workshop, board, amira, ben):
    phone = live_server.phone(workshop, amira[1], board.id)
    console = live_server.staff(workshop, owner)
    kept = post(phone, board.id, "Schon gesehen")["idea"]
    edited = post(phone, board.id, "Wird geändert")["idea"]
    hidden = post(phone, board.id, "Wird versteckt")["idea"]
    screen = live_server.screen(workshop)
    snapshot = screen.call("sync", {"since": 0})
    last_seen = snapshot["seq"]
    screen.disconnect()

    new = [post(phone, board.id, f"Verpasst {n}")["idea"] for n in range(3)]
    phone.call("edit_idea", {"idea_id": edited["id"], "text": "Geändert"})
    console.call("hide_idea", {"idea_id": hidden["id"], "hidden": True})
    withdrawn = post(live_server.phone(workshop, ben[1], board.id), board.id, "Kurz da")["idea"]
    live_server.phone(workshop, ben[1], board.id).call("withdraw_idea",
                                                       {"idea_id": withdrawn["id"]})

    screen = live_server.screen(workshop)
    caught_up = screen.call("sync", {"since": last_seen})

    assert caught_up["full"] is False
    assert caught_up["seq"] == live_make.seq(workshop.id) == last_seen + 7
    got = {i["id"]: (i["state"], i["text"]) for i in caught_up["ideas"]}
    assert got == {**{i["id"]: ("visible", i["text"]) for i in new},
                   edited["id"]: ("visible", "Geändert"), hidden["id"]: ("hidden", None),
                   withdrawn["id"]: ("withdrawn", None)}
    assert kept["id"] not in got


def test_server_restart_loses_and_doubles_nothing(live_server, live_make, workshop, board,
                                                  amira):
    phone = live_server.phone(workshop, amira[1], board.id, reconnection=True)
    screen = live_server.screen(workshop, reconnection=True)
    before = [post(phone, board.id, f"Vor dem Neustart {n}") for n in range(3)]
    screen.wait_for("idea_posted", ideas_with(before[-1]["idea"]["id"]))
    last_seen = before[-1]["idea"]["seq"]

    live_server.restart()
    phone.wait_connected(2)
    screen.wait_connected(2)

    resent = post(phone, board.id, before[0]["idea"]["text"], before[0]["idea"]["client_id"])
    assert (resent["ok"], resent["duplicate"], resent["idea"]["id"]) == (
        True, True, before[0]["idea"]["id"])
    after = [post(phone, board.id, f"Nach dem Neustart {n}")["idea"] for n in range(2)]
    screen.wait_for("idea_posted", ideas_with(after[-1]["id"]))

    caught_up = screen.call("sync", {"since": last_seen})
    assert caught_up["full"] is False
    assert [i["id"] for i in caught_up["ideas"]] == [i["id"] for i in after]
    everything = screen.call("sync", {"since": 0})["ideas"]
    assert sorted(i["text"] for i in everything) == sorted(
        [f"Vor dem Neustart {n}" for n in range(3)] + [f"Nach dem Neustart {n}" for n in range(2)])
    assert live_make.count(Idea, workshop_id=workshop.id) == 5
