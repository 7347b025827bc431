"""The server process itself (`run.py serve`): SIGTERM drains what is in flight, the access log
keeps no full IP address, and over HTTPS the session cookie is Secure and __Host-."""
import signal
import threading
import time
import uuid

import pytest
from sqlalchemy import select

from facilitator import create_app
from facilitator.models import Idea
from facilitator.server import truncate_address

PHONES = 8




@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_sigterm_finishes_and_acknowledges_what_is_in_flight_and_loses_nothing_acknowledged(
        start_live_server, request, database):
    server = start_live_server(database_url=request.getfixturevalue("empty_postgres_url")
                               if database == "postgresql" else None)
    make = server.factory()
    workshop = make.workshop(make.facilitator(), ["Wohnen"])
    board_id = workshop.boards[0].id
    phones = [server.phone(workshop, make.participant(workshop)[1], board_id)
              for _ in range(PHONES)]
    make.close()
    sent, acked, lock = [], set(), threading.Lock()
    stop = threading.Event()

    def keep_posting(phone) -> None:
        # Like the phone's outbox: one post at a time, the next once the last was answered.
        while not stop.is_set() and phone.sio.connected:
            client_id = uuid.uuid4().hex
            with lock:
                sent.append(client_id)
            try:
                ack = phone.call("post_idea", {"board_id": board_id, "client_id": client_id,
                                               "text": f"Idee {client_id[:6]}"}, timeout=5)
            except Exception:  # noqa: BLE001 - disconnected or timed out: not acknowledged
                return
            if ack.get("ok"):
                with lock:
                    acked.add(client_id)

    threads = [threading.Thread(target=keep_posting, args=(phone,)) for phone in phones]
    for thread in threads:
        thread.start()
    while len(acked) < 100:
        time.sleep(0.01)
    began = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    exit_code = server.process.wait(15)
    drained_in = time.monotonic() - began
    stop.set()
    for thread in threads:
        thread.join(10)

    with server.session() as session:
        stored = list(session.scalars(select(Idea.client_id).where(
            Idea.workshop_id == workshop.id)))
    print(f"sent {len(sent)}, acknowledged {len(acked)}, stored {len(stored)}, "
          f"drained in {drained_in:.2f} s")
    assert exit_code == 0 and "Drained in" in server.log()
    assert len(stored) == len(set(stored))           # nothing stored twice
    assert acked <= set(stored)                      # nothing acknowledged is lost
    assert set(stored) <= acked                      # what was taken in was finished and answered
    assert drained_in < 5


def test_the_access_log_keeps_only_the_network_of_an_address(start_live_server, venue):
    server = start_live_server(env={"ACCESS_LOG": "1"})
    http = venue("127.0.0.77")
    assert http.get(f"{server.url}/privacy", timeout=10).status_code == 200
    server.stop()

    log = server.log()
    assert '127.0.0.0 - - [' in log and '"GET /privacy HTTP/1.1" 200' in log
    assert "127.0.0.77" not in log


@pytest.mark.parametrize("address, network", [
    ("192.168.17.201", "192.168.17.0"), ("2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::"),
    ("not an address", "not an address")])
def test_addresses_are_cut_to_their_network(address, network):
    assert truncate_address(address) == network


@pytest.mark.parametrize("environment, name, secure", [
    ({"PUBLIC_URL": "https://beteiligung.example.de"}, "__Host-session", True),
    ({"HTTPS": "1"}, "__Host-session", True),
    ({"PUBLIC_URL": "http://192.168.1.20:5000"}, "session", False)])
def test_over_https_the_session_cookie_is_secure_and_host_only(
        monkeypatch, tmp_path, environment, name, secure):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    for key in ("PUBLIC_URL", "HTTPS", "SESSION_COOKIE_SECURE"):
        monkeypatch.delenv(key, raising=False)
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    app = create_app({"TESTING": True})

    cookie = app.test_client().get("/").headers["Set-Cookie"]

    assert cookie.startswith(f"{name}=")
    assert ("; Secure" in cookie) is secure
    assert "; Path=/" in cookie and "Domain=" not in cookie and "; HttpOnly" in cookie
