"""The Socket.IO protocol is written once (facilitator/protocol.py) and everything else agrees with
it: the handlers, the browser's copy (static/js/protocol.js), the names the JS sends and hears,
and the tables in docs/architecture.md. Against a real server: every refusal at the boundary is a
clear answer ({ok: false, error, message}) and changes nothing; an unexpected exception answers
`server_error` and is logged."""
import re
import sqlite3
import time
import uuid
from pathlib import Path

import pytest

from facilitator import protocol

ROOT = Path(__file__).resolve().parent.parent
JS = ROOT / "static" / "js"
DOCS = ROOT / "docs" / "architecture.md"
# Socket.IO's own events, which every client may listen to.
BUILT_IN = {"connect", "disconnect", "connect_error"}


# --- One registry, the JS and the docs agree --------------------------------------------------------

def test_every_registered_event_has_a_handler_and_every_handler_is_registered():
    from facilitator import sockets
    assert sockets._handled == set(protocol.CLIENT_EVENTS)


def test_the_browsers_copy_is_generated_from_the_registry():
    assert (JS / "protocol.js").read_text() == protocol.javascript(), (
        "static/js/protocol.js is stale: run `python -m facilitator.protocol > "
        "static/js/protocol.js`")


def _js_sources() -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(JS.glob("*.js"))
            if path.name != "protocol.js"}


def _call_arguments(source: str, function: str):
    """The argument text of every call `function(...)` (nested parentheses and strings kept)."""
    for match in re.finditer(rf"(?<![\w.$]){function}\(|\.{function}\(", source):
        depth, index, quote = 1, match.end(), None
        while depth and index < len(source):
            char = source[index]
            if quote:
                if char == "\\":
                    index += 1
                elif char == quote:
                    quote = None
            elif char in "\"'`":
                quote = char
            elif char in "([{":
                depth += 1
            elif char in ")]}":
                depth -= 1
            index += 1
        yield source[match.end():index - 1]


def _leading_strings(arguments: str) -> list[str]:
    """The string literals among the first two arguments (an error target may come first)."""
    parts, depth, current, quote = [], 0, "", None
    for char in arguments:
        if quote:
            current += char
            if char == quote:
                quote = None
            continue
        if char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        current += char
    parts.append(current.strip())
    return [part[1:-1] for part in parts[:2] if re.fullmatch(r"\"\w+\"", part)]


def sent_by_js() -> dict[str, set[str]]:
    """Event names the JS sends, per file: `live.call("x"`, `request("x"`, `act(node, "x"`,
    `act("x"`, `runAct(name, "x"`, and `["x", {payload}]` pairs handed to `request(...)`."""
    found: dict[str, set[str]] = {}
    for name, source in _js_sources().items():
        names = set()
        for function in ("call", "request", "act", "runAct", "sendAction", "emit"):
            for arguments in _call_arguments(source, function):
                strings = _leading_strings(arguments)
                if strings:
                    names.add(strings[-1])
        names |= set(re.findall(r"\[\s*\"(\w+)\"\s*,\s*\{", source))
        if names:
            found[name] = names
    return found


def heard_by_js() -> set[str]:
    names = set()
    for source in _js_sources().values():
        names |= set(re.findall(r"socket\.on\(\s*\"(\w+)\"", source))
    return names - BUILT_IN


def test_the_js_sends_only_registered_events_and_uses_every_one():
    sent = sent_by_js()
    unknown = {file: names - set(protocol.CLIENT_EVENTS) for file, names in sent.items()}
    # Strings that are error targets, not events ("matrix" in runAct("matrix", ...)), are the
    # first of two literals and never reach this set; anything left is a name we do not know.
    assert not {file: names for file, names in unknown.items() if names}, unknown
    # undo and redo are sent as `request(kind)`; their names appear as literals.
    literals = set(re.findall(r"\"(\w+)\"", "".join(_js_sources().values())))
    every_sent = set().union(*sent.values()) | (literals & {"undo", "redo"})
    assert set(protocol.CLIENT_EVENTS) - every_sent == set()


def test_the_js_hears_only_registered_server_events():
    assert heard_by_js() - set(protocol.SERVER_EVENTS) == set()
    # The sequenced ones are subscribed through protocol.js, the rest by name.
    assert "SEQUENCED_EVENTS" in (JS / "live.js").read_text()


def _docs_table(heading: str) -> dict[str, list[str]]:
    text = DOCS.read_text()
    section = text[text.index(heading):]
    following = re.search(r"\n#{2,3} ", section[1:])
    section = section[:following.start() + 1] if following else section
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\|\s*`(\w+)`\s*\|(.*)", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in re.split(r"(?<!\\)\|",
                                                                      match.group(2))]
    return rows


def test_the_architecture_docs_list_exactly_the_registered_events_and_who_may_send_them():
    client = _docs_table("### Client → server")
    assert set(client) == set(protocol.CLIENT_EVENTS)
    for name, cells in client.items():
        who = cells[1].split()[0]  # payload | who | ack
        senders = protocol.CLIENT_EVENTS[name].senders
        assert (protocol.EVERYONE if who == "all" else (who,)) == senders, name
    assert set(_docs_table("### Server → client")) == set(protocol.SERVER_EVENTS)


# --- The boundary, against a real server ----------------------------------------------------------

@pytest.fixture
def scene(live_server, live_make, owner, workshop):
    """A phone with one card, the console and the projector, all connected."""
    participant, token = live_make.participant(workshop, "Amira")
    board = workshop.boards[0]
    idea = live_make.idea(participant, board)
    phone = live_server.phone(workshop, token, board.id)
    staff = live_server.staff(workshop, owner)
    screen = live_server.screen(workshop)
    return {"phone": phone, "staff": staff, "screen": screen, "board": board, "idea": idea,
            "workshop": workshop, "participant": participant}


def fingerprint(live_server) -> list:
    """Every row of every table, as committed now."""
    with sqlite3.connect(live_server.database_url.removeprefix("sqlite:///")) as db:
        tables = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN "
            "('connections', 'alembic_version') ORDER BY name")]
        return [(table, db.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall())
                for table in tables]


def client_for(scene, event: str):
    return scene[{"participant": "phone", "staff": "staff", "screen": "screen"}[
        protocol.CLIENT_EVENTS[event].senders[0]]]


def id_fields(spec: protocol.Obj, prefix=""):
    """(path, spec) of every int field, settings objects included."""
    for name, field in spec.fields.items():
        path = f"{prefix}{name}"
        if isinstance(field, protocol.Int):
            yield path, field
        elif isinstance(field, protocol.Obj):
            yield from id_fields(field, f"{path}.")


def with_value(path: str, value) -> dict:
    head, _, rest = path.partition(".")
    return {head: with_value(rest, value) if rest else value}


@pytest.mark.parametrize("huge", [2 ** 31, 2 ** 63, 10 ** 30, -(2 ** 63)])
def test_ids_past_what_a_database_column_holds_are_refused_clearly_for_every_event(
        live_server, scene, huge):
    """Issue 12: ids of 2**63 (SQLite) or 2**31 (PostgreSQL) raised and sent no answer."""
    before = fingerprint(live_server)
    for event, spec in protocol.CLIENT_EVENTS.items():
        for path, field in id_fields(spec.payload):
            answer = client_for(scene, event).call(event, with_value(path, huge))
            assert answer["ok"] is False and answer["error"] == "invalid_input", (event, path)
            assert answer["field"] == path and answer["message"], (event, path)
    assert fingerprint(live_server) == before


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_ids_of_2_to_the_31_are_refused_clearly_on_postgresql_too(database_url,
                                                                   start_live_server):
    """PostgreSQL's integer columns end at 2**31 - 1: there such an id raised in the database."""
    from facilitator.models import Idea
    server = start_live_server(database_url=database_url)
    factory = server.factory()
    owner = factory.facilitator()
    workshop = factory.workshop(owner)
    participant, token = factory.participant(workshop)
    factory.idea(participant, workshop.boards[0])
    seq = factory.seq(workshop.id)
    scene = {"phone": server.phone(workshop, token, workshop.boards[0].id),
             "staff": server.staff(workshop, owner), "screen": server.screen(workshop)}
    for event, spec in protocol.CLIENT_EVENTS.items():
        for path, _field in id_fields(spec.payload):
            answer = client_for(scene, event).call(event, with_value(path, 2 ** 31))
            assert (answer["error"], answer["field"]) == ("invalid_input", path), (event, path)
    assert factory.seq(workshop.id) == seq and factory.count(Idea, workshop_id=workshop.id) == 1
    assert scene["staff"].call("sync", {"since": 0})["ok"] is True
    factory.close()


def test_wrong_types_missing_and_unknown_fields_are_refused_naming_the_field(
        live_server, scene):
    phone, board = scene["phone"], scene["board"]
    good = {"board_id": board.id, "client_id": uuid.uuid4().hex, "text": "Sprachcafé"}
    before = fingerprint(live_server)
    cases = [
        ({**good, "board_id": str(board.id)}, "board_id"),
        ({**good, "board_id": True}, "board_id"),
        ({**good, "board_id": 1.5}, "board_id"),
        ({**good, "text": ["Sprachcafé"]}, "text"),
        ({**good, "text": {"$gt": ""}}, "text"),
        ({key: value for key, value in good.items() if key != "text"}, "text"),
        ({**good, "author": "Bürgermeister"}, "author"),
        ({**good, "__proto__": {}}, "__proto__"),
    ]
    for payload, field in cases:
        answer = phone.call("post_idea", payload)
        assert (answer["error"], answer["field"]) == ("invalid_input", field), payload
        assert answer["message"] == "That input was not understood. Please check it and try again."
    for payload in ([good], "post", 42, None, True):
        assert phone.call("post_idea", payload)["error"] == "invalid_input", payload
    staff = scene["staff"]
    nested = {"board_id": board.id, "settings": {"is_open": True, "owner": 1}}
    assert staff.call("update_board", nested)["error"] == "invalid_input"
    assert staff.call("update_board", {"board_id": board.id, "settings": {"is_open": "yes"}}
                      )["error"] == "invalid_input"
    assert fingerprint(live_server) == before


def test_oversized_text_deep_nesting_nan_binary_and_extra_arguments_get_a_clear_answer(
        live_server, scene):
    phone, board, staff = scene["phone"], scene["board"], scene["staff"]
    before = fingerprint(live_server)
    huge_text = {"board_id": board.id, "client_id": uuid.uuid4().hex, "text": "x" * 20_000}
    answer = phone.call("post_idea", huge_text)
    assert (answer["error"], answer["message"]) == (
        "text_too_long", "That is too long: at most 10000 characters.")
    deep: list = []
    for _ in range(200):
        deep = [deep]
    answer = staff.call("create_cluster", {"board_id": board.id, "idea_ids": deep})
    assert answer["error"] == "invalid_input"
    answer = staff.call("place_on_matrix", {"cluster_id": 1, "x": float("nan"), "y": 0.5})
    assert answer["error"] == "invalid_input"
    answer = staff.call("place_on_matrix", {"cluster_id": 1, "x": float("inf"), "y": 0.5})
    assert answer["error"] == "invalid_input"
    answer = phone.call("post_idea", {**huge_text, "text": b"\x00binary"})
    assert answer["error"] == "invalid_input"
    answer = phone.sio.call("withdraw_idea", ({"idea_id": scene["idea"].id}, "second"),
                            timeout=10)
    assert answer["error"] == "invalid_input"
    assert fingerprint(live_server) == before
    # Still connected and served.
    assert phone.call("sync", {"since": 0})["ok"] is True


def test_an_unknown_event_is_answered_not_left_waiting(scene):
    for client in (scene["phone"], scene["staff"], scene["screen"]):
        answer = client.call("drop_tables", {"all": True})
        assert (answer["ok"], answer["error"]) == (False, "unknown_event")
        assert answer["message"]


def test_roles_come_from_the_registry_for_every_event(live_server, scene):
    """Every event a role may not send is refused as `forbidden`, with no change."""
    before = fingerprint(live_server)
    for event, spec in protocol.CLIENT_EVENTS.items():
        for role, client in (("participant", scene["phone"]), ("staff", scene["staff"]),
                             ("screen", scene["screen"])):
            if role not in spec.senders:
                assert client.call(event, {})["error"] == "forbidden", (event, role)
    assert fingerprint(live_server) == before


def test_a_frame_larger_than_the_limit_closes_only_that_connection(live_server, scene):
    phone = scene["phone"]
    phone.sio.emit("post_idea", {"board_id": scene["board"].id, "client_id": uuid.uuid4().hex,
                                 "text": "x" * (protocol.MAX_FRAME_BYTES + 10)})
    deadline = time.monotonic() + 10
    while phone.sio.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not phone.sio.connected
    assert scene["staff"].call("sync", {"since": 0})["ok"] is True


# --- No silent failures ----------------------------------------------------------------------------

def test_an_unexpected_exception_answers_server_error_and_is_logged(start_live_server):
    """A handler that fails for a reason nobody foresaw (here: a table gone from under the
    server) answers {ok: false, error: "server_error"} at once instead of leaving the phone to
    wait 10 s as if the Wi-Fi were bad, and the traceback is in the log."""
    server = start_live_server()
    factory = server.factory()
    workshop = factory.workshop()
    participant, token = factory.participant(workshop)
    factory.close()
    phone = server.phone(workshop, token, workshop.boards[0].id)
    assert phone.call("sync", {"since": 0})["ok"] is True
    with sqlite3.connect(server.database_url.removeprefix("sqlite:///")) as db:
        # A table every phone's sync reads (one without rounds no longer reads vote_rounds).
        db.execute("DROP TABLE participants")
    started = time.monotonic()
    answer = phone.call("sync", {"since": 0})
    assert time.monotonic() - started < 5
    assert answer == {"ok": False, "error": "server_error",
                      "message": "Something went wrong on the server. Please try again in a moment."}
    deadline = time.monotonic() + 5
    while "socket event sync failed" not in server.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    log = server.log()
    assert "socket event sync failed" in log and "Traceback" in log and "participants" in log
    # The connection stays usable for what does not need the broken table.
    assert phone.call("nonsense")["error"] == "unknown_event"


def test_a_client_starting_on_long_polling_still_upgrades_to_websocket(live_server, scene):
    """Browsers start on long-polling and upgrade with the probe "probe": the frame decoder must
    leave text that is not an event alone (answering it as a malformed event kept every browser
    on long-polling)."""
    workshop = scene["workshop"]
    client = live_server.screen(workshop, transports=("polling", "websocket"))
    deadline = time.monotonic() + 10
    while client.sio.transport() != "websocket" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert client.sio.transport() == "websocket"
    assert client.call("sync", {"since": 0})["ok"] is True
