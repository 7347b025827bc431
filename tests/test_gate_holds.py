"""Guarantees docs/security.md lists that had no test of their own, against the running app:
a page of another site cannot open a socket with a phone's cookie, and no IP address reaches
the database. And the document itself: every browser storage key is in it, every test it names
exists."""
import re
import uuid
from pathlib import Path

import pytest
import socketio
from sqlalchemy import String, Text, inspect, select




def test_a_socket_opened_from_another_sites_page_is_refused(live_server, live_make, workshop):
    _participant, token = live_make.participant(workshop)
    cookie = live_server.phone_cookie((workshop, token))
    auth = {"role": "participant", "code": workshop.join_code, "board_id": workshop.boards[0].id}
    foreign = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        foreign.connect(live_server.url, transports=["websocket"], auth=auth, wait_timeout=5,
                        headers={"Cookie": cookie, "Origin": "http://evil.example"})
    # The same cookie without a foreign origin connects.
    own = socketio.Client(reconnection=False)
    own.connect(live_server.url, transports=["websocket"], auth=auth, wait_timeout=5,
                headers={"Cookie": cookie})
    assert own.call("sync", {"since": 0}, timeout=5)["ok"]
    own.disconnect()


def test_no_ip_address_reaches_the_database(live_server, live_make, workshop, venue):
    http = venue("127.0.0.93")
    board_id = workshop.boards[0].id
    page = http.get(f"{live_server.url}/join/{workshop.join_code}")
    token = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert http.post(f"{live_server.url}/join/{workshop.join_code}", allow_redirects=False, data={
        "csrf_token": token, "board": board_id, "display_name": "Amira",
        "stakeholder_group": ""}).status_code == 302
    phone = live_server.socket("participant", cookie=http, code=workshop.join_code,
                               board_id=board_id)
    assert phone.call("post_idea", {"board_id": board_id, "client_id": uuid.uuid4().hex,
                                    "text": "Sprachcafé"})["ok"]
    http.get(f"{live_server.url}/join/ZZZZ-ZZZZ")  # a miss is counted, but not stored

    found = []
    with live_server.session() as session:
        metadata_tables = inspect(session.get_bind()).get_table_names()
        from facilitator.models import Base
        for table in Base.metadata.sorted_tables:
            assert table.name in metadata_tables
            text_columns = [column for column in table.columns
                            if isinstance(column.type, (String, Text))]
            for row in session.execute(select(*text_columns)) if text_columns else []:
                found += [(table.name, value) for value in row
                          if isinstance(value, str) and "127.0.0." in value]
    assert found == []


ROOT = Path(__file__).resolve().parent.parent
SECURITY = ROOT / "docs" / "security.md"


def test_every_browser_storage_key_is_documented():
    """Each localStorage/sessionStorage key the JS writes is in docs/security.md's table."""
    documented = SECURITY.read_text("utf-8")
    keys = set()
    for script in (ROOT / "static" / "js").glob("*.js"):
        source = script.read_text("utf-8")
        if "Storage" not in source:
            continue
        # Keys are literals or template strings starting with "facilitator"; `${…}` parts are
        # written as <…> in the table, so compare the fixed prefix.
        keys |= {match.group(1) for match in re.finditer(
            r"[\"'`](facilitator[.:][\w.:-]*?)(?:\$\{|[\"'`])", source)}
    assert keys, "no storage keys found: has the JS changed how it names them?"
    assert {key for key in keys if f"`{key}" not in documented} == set()
    # The JS never touches cookies (the session cookie is HttpOnly anyway).
    assert not any("document.cookie" in script.read_text("utf-8")
                   for script in (ROOT / "static" / "js").glob("*.js"))


def test_every_test_docs_security_names_exists():
    """The document's proofs are real: every test it names is defined where it says (a name
    given without its module, as in the sections on the write path and the boundary, must be
    defined in some test module)."""
    everywhere = "\n".join(path.read_text("utf-8") for path in (ROOT / "tests").rglob("test_*.py"))
    missing = []
    for line in SECURITY.read_text("utf-8").splitlines():
        module = None
        for match in re.finditer(r"`(tests/[\w/]+\.py)?(?:::)?(test_\w+)?(?:\[[^`]*\])?`", line):
            path, name = match.groups()
            module = path or module
            if path and not (ROOT / path).is_file():
                missing.append(path)
            elif name and f"def {name}(" not in (
                    (ROOT / module).read_text("utf-8") if module else everywhere):
                missing.append(f"{module or 'tests'}::{name}")
    assert missing == []
