"""A connect the server cannot answer properly (the database busy at that instant) is refused
with a word that tells the page to ask again soon, never accepted half-way: a socket accepted
without its role joins no room and has every event refused, while its page shows "connected"."""
import pytest
from sqlalchemy.exc import OperationalError

from facilitator import sockets
from facilitator.extensions import socketio


@pytest.fixture
def screen_auth(app_make):
    owner = app_make.facilitator()
    workshop = app_make.workshop(owner, ["Wohnen"])
    return {"role": "screen", "key": workshop.screen_key}


def test_a_connect_that_fails_unexpectedly_is_refused_to_be_retried_not_half_accepted(
        app, screen_auth, monkeypatch):
    def busy(*_args):
        raise OperationalError("SELECT", {}, Exception("database is locked"))
    monkeypatch.setattr(sockets.workshops, "id_by_screen_key", busy)

    client = socketio.test_client(app, auth=screen_auth)

    assert not client.is_connected()


def test_the_same_connect_succeeds_once_the_database_answers(app, screen_auth):
    client = socketio.test_client(app, auth=screen_auth)

    assert client.is_connected()
    assert client.emit("sync", {"since": 0}, callback=True)["ok"] is True
    client.disconnect()


def test_a_phones_cookie_is_decoded_at_connect_only_and_its_events_keep_that_session(
        app, app_make, monkeypatch):
    """Flask opens the session for every request context, and Flask-SocketIO pushes one per
    event only to put the connection's own copy in its place: decoding the cookie again for
    every event was wasted (2% of the CPU while a hall connects, and on every post)."""
    from flask.sessions import SecureCookieSessionInterface
    workshop = app_make.workshop(stakeholder_groups=())
    _participant, token = app_make.participant(workshop)
    http = app.test_client()
    with http.session_transaction() as session:
        session["participants"] = {str(workshop.id): token}
    decoded = []
    decode = SecureCookieSessionInterface.open_session
    monkeypatch.setattr(SecureCookieSessionInterface, "open_session",
                        lambda self, *args: decoded.append(1) or decode(self, *args))
    board = workshop.boards[0].id

    phone = socketio.test_client(app, flask_test_client=http, auth={
        "role": "participant", "code": workshop.join_code, "board_id": board})
    assert phone.is_connected() and len(decoded) == 1
    answers = [phone.emit("sync", {"since": 0}, callback=True),
               phone.emit("post_idea", {"board_id": board, "client_id": "c" * 32,
                                        "text": "Mehr Sprachkurse"}, callback=True)]

    assert [answer["ok"] for answer in answers] == [True, True]
    assert answers[1]["idea"]["mine"] is True  # the participant of the connect's session
    assert len(decoded) == 1
    phone.disconnect()
