"""Guarantees docs/security.md lists that had no test of their own, against the running app:
a page of another site cannot open a socket with a phone's cookie, and no IP address reaches
the database."""
import uuid

import pytest
import requests
import socketio
from requests.adapters import HTTPAdapter
from sqlalchemy import String, Text, inspect, select


class FromAddress(HTTPAdapter):
    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


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


def test_no_ip_address_reaches_the_database(live_server, live_make, workshop):
    http = requests.Session()
    http.mount("http://", FromAddress("127.0.0.93"))
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
