"""A Socket.IO event's Flask request context does no work its handler does not use (issue 11):
the phone's cookie is read once, at connect, not on every event; and `/socket.io/` matches a URL
rule, so no event raises and keeps a NotFound (a reference cycle for the garbage collector)."""
import uuid

from flask import request
from flask.sessions import SecureCookieSessionInterface



def test_events_after_connect_use_the_connections_session_without_reading_the_cookie_again(
        app, app_make, socket_phone, monkeypatch):
    workshop = app_make.workshop(stakeholder_groups=())
    _participant, token = app_make.participant(workshop)
    phone, http = socket_phone(workshop, token)
    assert phone.is_connected()
    cookies_read = []
    read_cookie = SecureCookieSessionInterface.open_session

    def counting(self, app_, request_):
        cookies_read.append(request_.path)
        return read_cookie(self, app_, request_)
    monkeypatch.setattr(SecureCookieSessionInterface, "open_session", counting)

    answer = phone.emit("sync", {"since": 0}, callback=True)
    posted = phone.emit("post_idea", {"board_id": workshop.boards[0].id,
                                      "client_id": uuid.uuid4().hex,
                                      "text": "Mehr Bänke am Marktplatz"}, callback=True)

    # The phone is still who it was at connect: its board's cards, its post accepted.
    assert answer["ok"] and posted["ok"], (answer, posted)
    assert cookies_read == []
    http.get("/privacy")
    assert cookies_read == ["/privacy"]  # a page still reads its cookie
    phone.disconnect()


def test_a_socket_events_request_context_matches_a_rule_and_keeps_no_not_found(app):
    with app.test_request_context("/socket.io/?EIO=4&transport=websocket"):
        assert request.routing_exception is None


def test_engine_io_still_answers_http_requests_under_socket_io(client):
    response = client.get("/socket.io/?EIO=4&transport=polling")

    assert response.status_code == 200
    assert response.data.startswith(b"0{")  # Engine.IO's open packet
