"""Property-based tests of the Socket.IO boundary: Hypothesis makes payloads for every event of
facilitator/protocol.py from its schema, as they should be and broken in every way (wrong types,
missing and unknown fields, huge and negative numbers, NaN, long texts, deep nesting, another
role), and sends them through the Flask-SocketIO test client (frames encoded and decoded as on
the wire). Every one gets an answer {ok: true|false, ...}; never `server_error`; and a refusal
leaves every row of the database as it was."""
import os
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitator import protocol
from facilitator.extensions import socketio

EXAMPLES_PER_EVENT = 15
# CI replays the same examples every run (a red CI must be reproducible); on a developer's
# machine every run tries new ones.
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
ROLES = ("participant", "staff", "screen")


# --- Payloads from the schema -----------------------------------------------------------------------

HOSTILE = st.one_of(
    st.integers(min_value=2 ** 31, max_value=2 ** 80), st.integers(max_value=-(2 ** 31)),
    st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(),
    st.text(max_size=5), st.just("x" * (protocol.MAX_TEXT + 1)),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(),
                                                         max_size=2),
    st.recursive(st.integers(0, 3), lambda inner: st.lists(inner, min_size=1, max_size=1),
                 max_leaves=60),
)


def valid(spec: protocol.Spec):
    """Values the schema allows (ids small, so they often name real rows)."""
    if isinstance(spec, protocol.Int):
        base = st.one_of(st.integers(max(spec.low, 0), min(spec.high, 12)),
                         st.integers(spec.low, spec.high))
    elif isinstance(spec, protocol.Num):
        base = st.one_of(st.floats(0, 1), st.floats(spec.low, spec.high, allow_nan=False))
    elif isinstance(spec, protocol.Str):
        base = st.one_of(st.text(max_size=40), st.sampled_from(
            ["open", "closed", "dots", "consent", "idea", "cluster", "boards", "board", "start",
             "pause", "next", "blue", "short", "collect", "prioritise"]),
            st.text(alphabet="abcdef0123456789", min_size=8, max_size=64))
    elif isinstance(spec, protocol.Bool):
        base = st.booleans()
    elif isinstance(spec, protocol.List):
        base = st.lists(valid(spec.item), max_size=4)
    else:
        base = objects(spec)
    return st.one_of(st.none(), base) if spec.nullable else base


def objects(spec: protocol.Obj):
    required = {name: valid(field) for name, field in spec.fields.items() if not field.optional}
    optional = {name: valid(field) for name, field in spec.fields.items() if field.optional}
    return st.fixed_dictionaries(required, optional=optional)


@st.composite
def broken(draw, spec: protocol.Obj):
    """A payload with one thing wrong with it (or wrong as a whole)."""
    payload = draw(objects(spec))
    how = draw(st.sampled_from(["field", "missing", "extra", "whole"]))
    if how == "field" and spec.fields:
        payload[draw(st.sampled_from(sorted(spec.fields)))] = draw(HOSTILE)
    elif how == "missing" and payload:
        del payload[draw(st.sampled_from(sorted(payload)))]
    elif how == "extra":
        payload[draw(st.text(min_size=1, max_size=10).filter(
            lambda name: name not in spec.fields))] = draw(HOSTILE)
    else:
        return draw(HOSTILE)
    return payload


def payloads(event: protocol.ClientEvent):
    return st.one_of(objects(event.payload), broken(event.payload))


# --- An app with a workshop, a phone, a console and a projector ------------------------------------

@pytest.fixture
def clients(app, app_make):
    owner = app_make.facilitator()
    workshop = app_make.workshop(owner)
    participant, token = app_make.participant(workshop, "Amira")
    for board in workshop.boards:
        app_make.idea(participant, board)
    http = {role: app.test_client() for role in ROLES}
    with http["participant"].session_transaction() as session:
        session["participants"] = {str(workshop.id): token}
    secret = app_make.sign_in_secret(owner)
    assert http["staff"].post(f"/console/sign-in/{secret}").status_code == 302
    auth = {"participant": {"role": "participant", "code": workshop.join_code,
                            "board_id": workshop.boards[0].id},
            "staff": {"role": "staff", "code": workshop.join_code},
            "screen": {"role": "screen", "key": workshop.screen_key}}
    connected = {role: socketio.test_client(app, flask_test_client=http[role], auth=auth[role])
                 for role in ROLES}
    assert all(client.is_connected() for client in connected.values())
    yield connected
    for client in connected.values():
        client.disconnect()


def fingerprint(app) -> list:
    """Every row of every table but the presence list, as committed now."""
    with sqlite3.connect(app.config["DATABASE_URL"].removeprefix("sqlite:///")) as db:
        tables = [row[0] for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN "
            "('connections', 'alembic_version') ORDER BY name")]
        return [(table, db.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall())
                for table in tables]


def test_every_payload_is_answered_and_a_refusal_changes_nothing(app, clients):
    # One app for all events (a fresh one per event cost more than the examples).
    for event in sorted(protocol.CLIENT_EVENTS):
        check_event(app, clients, event)


def check_event(app, clients, event: str) -> None:
    spec = protocol.CLIENT_EVENTS[event]

    @settings(max_examples=EXAMPLES_PER_EVENT, deadline=None, database=None, derandomize=IN_CI,
              suppress_health_check=list(HealthCheck))
    @given(payload=payloads(spec), role=st.sampled_from(ROLES))
    def check(payload, role):
        before = fingerprint(app)
        answer = clients[role].emit(event, payload, callback=True)
        assert isinstance(answer, dict) and isinstance(answer.get("ok"), bool), answer
        if role not in spec.senders:
            # A frame that is not JSON (NaN, too deep) is refused before its name is known.
            assert answer["error"] == "forbidden" or answer.get("field") == "payload", answer
        if not answer["ok"]:
            assert answer["error"] != "server_error", (payload, answer)
            assert isinstance(answer["message"], str) and answer["message"]
            assert fingerprint(app) == before, (payload, answer)

    check()
