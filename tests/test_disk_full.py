"""A full disk while phones post: SQLite answers "database or disk is full". The phone must get
`server_error` (its outbox keeps the idea and says "retrying", static/js/outbox.js), never a
false "sent"; nothing half-written stays behind; and once there is room again the same idea
goes through exactly once, without a restart.

The full disk is made with SQLite's `max_page_count` on every connection of the app: the file
may not grow, exactly as when the disk has no free block left."""
import sqlite3
import uuid

from sqlalchemy import event

from facilitator.extensions import db

TEXT = "Mehr Sprachkurse am Abend, damit Berufstätige teilnehmen können. " * 4


def _stored(app) -> dict[str, int]:
    with sqlite3.connect(app.config["DATABASE_URL"].removeprefix("sqlite:///")) as file:
        return dict(file.execute("SELECT client_id, COUNT(*) FROM ideas GROUP BY client_id"))


def _no_growth(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    pages = cursor.execute("PRAGMA page_count").fetchone()[0]
    cursor.execute(f"PRAGMA max_page_count = {pages}")
    cursor.close()


def test_a_full_disk_gets_no_false_acknowledgement_and_the_phone_gets_through_after(
        app, app_make, socket_phone):
    workshop = app_make.workshop(stakeholder_groups=())
    _participant, token = app_make.participant(workshop)
    phone, _http = socket_phone(workshop, token)
    assert phone.is_connected()

    def post(client_id: str) -> dict:
        return phone.emit("post_idea", {"board_id": workshop.boards[0].id,
                                        "client_id": client_id, "text": TEXT[:280]},
                          callback=True)

    event.listen(db.engine, "connect", _no_growth)
    db.engine.dispose()
    try:
        acked, refused = [], None
        for _ in range(200):
            client_id = uuid.uuid4().hex
            answer = post(client_id)
            if not answer["ok"]:
                refused = (client_id, answer)
                break
            acked.append(client_id)
        assert refused is not None, "the file grew: max_page_count did not hold"
        client_id, answer = refused
        assert answer["error"] == "server_error", answer
        stored = _stored(app)
        assert client_id not in stored, "a refused idea was stored"
        assert all(stored.get(done) == 1 for done in acked), "an acknowledged idea is missing"
    finally:
        event.remove(db.engine, "connect", _no_growth)
        db.engine.dispose()

    # Room again: the outbox sends the same idea again, and it is stored once.
    again = post(client_id)
    assert again["ok"] and not again.get("duplicate"), again
    assert post(client_id)["ok"]
    stored = _stored(app)
    assert stored[client_id] == 1
    assert all(stored.get(done) == 1 for done in acked)
    phone.disconnect()
