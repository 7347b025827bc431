"""Join codes from outside, against the running app (rate limits on): one answer for an unknown
code on every path (pages, QR codes, posters, the phone's socket), one limit on misses per
address, and a valid code that keeps working from an address that is over the limit."""
import re
import time
from pathlib import Path

import pytest
import requests
import socketio

from facilitator.models import Workshop

UNKNOWN = "ZZZZ-ZZZZ"
WRONG_CODE_LIMIT = 30


@pytest.fixture(scope="module")
def live_server(start_module_server):
    """This module's server counts wrong codes (the other live servers switch limits off)."""
    return start_module_server("gate", env={"RATELIMIT_ENABLED": "1"})


def code_paths(code: str, board_id: int) -> list[str]:
    return [f"/join/{code}", f"/w/{code}/board/{board_id}", f"/qr/{code}.svg",
            f"/qr/{code}.png", f"/qr/{code}/board/{board_id}.svg",
            f"/poster/{code}/board/{board_id}", f"/poster/{code}/boards"]


def refusal(live_server, **auth) -> str:
    client = live_server.socket(connect=False, role="x")
    client.auth = auth
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect()
    return client.refusal


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_an_unknown_code_gets_the_same_answer_on_every_path(live_server, workshop, venue):
    http = venue("127.0.0.2")
    board_id = workshop.boards[0].id
    answers = {path: http.get(live_server.url + path) for path in code_paths(UNKNOWN, board_id)}

    assert {path: answer.status_code for path, answer in answers.items()} == {
        path: 404 for path in answers}
    # Apart from the form token and the language switch's way back to this address:
    bodies = {re.sub(r'name="(csrf_token|next)"[^>]*value="[^"]*"', "", answer.text)
              for answer in answers.values()}
    assert len(bodies) == 1  # the same page, whichever path asked
    assert 'data-refusal="unknown"' in answers[f"/qr/{UNKNOWN}.svg"].text
    # The phone's socket: an unknown code and a real code without a joined phone look alike.
    assert refusal(live_server, role="participant", code=UNKNOWN) == refusal(
        live_server, role="participant", code=workshop.join_code) == "forbidden"
    assert refusal(live_server, role="staff", code=UNKNOWN) == "forbidden"


def test_misses_are_limited_per_address_while_valid_codes_keep_working(live_server, workshop,
                                                                      venue):
    prober, neighbour = venue("127.0.0.3"), venue("127.0.0.4")
    board_id = workshop.boards[0].id
    paths = code_paths(UNKNOWN, board_id)
    for attempt in range(WRONG_CODE_LIMIT):
        assert prober.get(live_server.url + paths[attempt % len(paths)]).status_code == 404

    # Every code-taking path now refuses unknown codes from this address, politely.
    for path in paths:
        refused = prober.get(live_server.url + path)
        assert refused.status_code == 429, path
        assert 1 <= int(refused.headers["Retry-After"]) <= 61
        assert 'data-refusal="too-many"' in refused.text
    start = prober.get(live_server.url + "/")
    typed = prober.post(live_server.url + "/", data={"csrf_token": csrf(start.text),
                                                     "code": "QQQQ-QQQQ"})
    assert typed.status_code == 429 and "Retry-After" in typed.headers

    # The same address still joins with a real code: scanned, typed, and through the form.
    assert prober.get(f"{live_server.url}/join/{workshop.join_code}").status_code == 200
    assert prober.get(f"{live_server.url}/qr/{workshop.join_code}.svg").status_code == 200
    start = prober.get(live_server.url + "/")
    typed = prober.post(live_server.url + "/", allow_redirects=False, data={
        "csrf_token": csrf(start.text), "code": workshop.join_code.lower()})
    assert typed.status_code == 302 and typed.headers["Location"].endswith(
        f"/join/{workshop.join_code}")
    page = prober.get(f"{live_server.url}/join/{workshop.join_code}")
    joined = prober.post(f"{live_server.url}/join/{workshop.join_code}", allow_redirects=False,
                         data={"csrf_token": csrf(page.text), "board": board_id,
                               "display_name": "", "stakeholder_group": ""})
    assert joined.status_code == 302
    assert prober.get(f"{live_server.url}/w/{workshop.join_code}/board/{board_id}"
                      ).status_code == 200
    # Another address is not limited by this one.
    assert neighbour.get(f"{live_server.url}/join/{UNKNOWN}").status_code == 404


def test_wrong_codes_on_the_socket_count_towards_the_same_limit(live_server, live_make, workshop,
                                                                 venue):
    # Sockets leave from 127.0.0.1; no other test here misses from that address.
    for _ in range(WRONG_CODE_LIMIT):
        assert refusal(live_server, role="participant", code=UNKNOWN) == "forbidden"

    http = venue("127.0.0.1")
    assert http.get(f"{live_server.url}/join/{UNKNOWN}").status_code == 429
    # Over the limit the socket still says only "forbidden", and a joined phone still connects.
    assert refusal(live_server, role="participant", code=UNKNOWN) == "forbidden"
    assert http.get(f"{live_server.url}/join/{workshop.join_code}").status_code == 200
    from facilitator.domain import participants
    from facilitator.models import Workshop
    # Through the factory: its write begins IMMEDIATE (no stale snapshot beside the server).
    _participant, token = live_make.run(
        lambda session: participants.join(session, session.get(Workshop, workshop.id)))
    phone = live_server.phone(workshop, token, workshop.boards[0].id)
    assert phone.call("sync", {"since": 0})["ok"]


def test_a_new_projector_key_refuses_the_old_one_and_takes_the_record_along(
        live_server, live_make, owner, workshop):
    from facilitator.views.reports import record_key
    reports = Path(live_server.env["INSTANCE_PATH"]) / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    old_record = reports / f"{record_key(workshop)}.pdf"
    old_record.write_bytes(b"%PDF-1.7 the record")
    wall = live_server.screen(workshop)
    console = live_server.sign_in(owner)
    page = console.get(f"{live_server.url}/console/{workshop.id}")

    answer = console.post(f"{live_server.url}/console/{workshop.id}/projector-key",
                          data={"csrf_token": csrf(page.text)}, allow_redirects=False)

    assert answer.status_code == 302
    with live_server.session() as session:
        renewed = session.get(Workshop, workshop.id)
    assert renewed.screen_key != workshop.screen_key
    assert not old_record.exists()
    assert (reports / f"{record_key(renewed)}.pdf").read_bytes() == b"%PDF-1.7 the record"
    assert requests.get(f"{live_server.url}/screen/{workshop.screen_key}").status_code == 404
    deadline = time.monotonic() + 10
    while wall.sio.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not wall.sio.connected
    assert refusal(live_server, role="screen", key=workshop.screen_key) == "forbidden"
    # Someone else's console cannot renew it.
    stranger = live_server.sign_in(live_make.facilitator())
    page = stranger.get(f"{live_server.url}/console/")
    assert stranger.post(f"{live_server.url}/console/{workshop.id}/projector-key",
                         data={"csrf_token": csrf(page.text)}).status_code == 404
