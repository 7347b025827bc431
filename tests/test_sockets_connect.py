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
