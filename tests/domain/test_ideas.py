"""Posting, editing, withdrawing and hiding ideas, straight through the domain (no HTTP)."""
import threading
import time
import uuid

import pytest
from sqlalchemy.orm import Session

from facilitator.domain import boards, clusters, ideas
from facilitator.domain.changes import PUBLIC, STAFF, idea_payload
from facilitator.domain.errors import (BoardClosed, Forbidden, IdeaLimitReached, InvalidInput,
                                       NotFound, TextEmpty, TextTooLong)
from facilitator.models import IDEA_MAX_CHARS, Idea


def client_id() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def workshop(make):
    return make.workshop()


@pytest.fixture
def phone(make, workshop):
    participant, _token = make.participant(workshop, "Amira")
    return participant


def test_posted_idea_is_stored_and_announced_with_the_next_sequence_number(
        session, make, workshop, board, phone, announced):
    before = make.seq(workshop.id)

    posted = ideas.post_idea(session, phone, board.id, "phone-idea-0001", "Abendkurse für Deutsch")

    assert not posted.duplicate
    stored = make.fresh(Idea, posted.idea.id)
    assert (stored.text, stored.board_id, stored.participant_id, stored.state) == (
        "Abendkurse für Deutsch", board.id, phone.id, "visible")
    assert make.seq(workshop.id) == before + 1 == stored.updated_seq
    assert [(c.event, c.seq, [i.id for i in c.ideas]) for c in announced] == [
        ("idea_posted", before + 1, [stored.id])]


def test_same_client_id_sent_again_returns_the_first_idea_and_changes_nothing(
        session, make, workshop, board, phone, announced):
    first = ideas.post_idea(session, phone, board.id, "retry-after-timeout", "Mehr Kita-Plätze")
    seq = make.seq(workshop.id)

    again = [ideas.post_idea(session, phone, board.id, "retry-after-timeout", "Mehr Kita-Plätze")
             for _ in range(5)]

    assert all(p.duplicate and p.idea.id == first.idea.id for p in again)
    assert make.count(Idea, workshop_id=workshop.id) == 1
    assert make.seq(workshop.id) == seq
    assert len(announced) == 1


def test_resend_after_the_board_closed_still_returns_the_stored_idea(
        session, make, workshop, board, phone):
    first = ideas.post_idea(session, phone, board.id, "sent-before-close", "Patenschaften")
    boards.update_settings(session, workshop.id, board.id, {"is_open": False})

    again = ideas.post_idea(session, phone, board.id, "sent-before-close", "Patenschaften")

    assert again.duplicate and again.idea.id == first.idea.id


def test_someone_elses_client_id_is_refused_and_does_not_reveal_their_idea(
        session, make, workshop, board, phone):
    ideas.post_idea(session, phone, board.id, "amiras-own-idea", "Sprachcafé")
    other, _ = make.participant(workshop)

    with pytest.raises(Forbidden):
        ideas.post_idea(session, other, board.id, "amiras-own-idea", "anything")
    assert make.count(Idea, workshop_id=workshop.id) == 1


def test_same_client_id_in_another_workshop_is_a_different_idea(session, make, board, phone):
    ideas.post_idea(session, phone, board.id, "shared-client-id", "Idee A")
    elsewhere = make.workshop()
    stranger, _ = make.participant(elsewhere)

    posted = ideas.post_idea(session, stranger, elsewhere.boards[0].id, "shared-client-id", "B")

    assert not posted.duplicate
    assert make.count(Idea) == 2


@pytest.mark.parametrize("text, error", [
    ("", TextEmpty),
    ("   \n\t  ", TextEmpty),
    ("\x00\x07\x1b", TextEmpty),
    ("x" * (IDEA_MAX_CHARS + 1), TextTooLong),
    (None, InvalidInput),
    (42, InvalidInput),
    (["Liste"], InvalidInput),
    ({"text": "verschachtelt"}, InvalidInput),
])
def test_bad_text_is_refused_and_stores_nothing(session, make, workshop, board, phone,
                                                announced, text, error):
    seq = make.seq(workshop.id)

    with pytest.raises(error):
        ideas.post_idea(session, phone, board.id, client_id(), text)

    assert make.count(Idea) == 0
    assert make.seq(workshop.id) == seq
    assert announced == []


def test_too_long_text_error_says_the_limit(session, board, phone):
    with pytest.raises(TextTooLong) as refused:
        ideas.post_idea(session, phone, board.id, client_id(), "ü" * (IDEA_MAX_CHARS + 1))
    assert refused.value.params["max"] == IDEA_MAX_CHARS


def test_text_at_the_limit_is_kept_whole_and_cleaned_of_control_characters(session, board, phone):
    longest = ideas.post_idea(session, phone, board.id, client_id(), "ä" * IDEA_MAX_CHARS)
    cleaned = ideas.post_idea(session, phone, board.id, client_id(),
                              "  Zeile eins\r\nZeile\x00 zwei\x1b  ")

    assert longest.idea.text == "ä" * IDEA_MAX_CHARS
    assert cleaned.idea.text == "Zeile eins\nZeile zwei"


@pytest.mark.parametrize("bad_client_id", [
    None, "", "short", "has space in it", "x" * 65, 12345678, "ünïcödé-id", "semi;colon-id"])
def test_malformed_client_id_is_refused_and_stores_nothing(session, make, board, phone,
                                                           bad_client_id):
    with pytest.raises(InvalidInput) as refused:
        ideas.post_idea(session, phone, board.id, bad_client_id, "Gute Idee")
    assert refused.value.params["field"] == "client_id"
    assert make.count(Idea) == 0


@pytest.mark.parametrize("board_id", [999999, "1", None, True, 1.0])
def test_unknown_or_malformed_board_is_refused(session, make, phone, board_id):
    with pytest.raises((NotFound, InvalidInput)):
        ideas.post_idea(session, phone, board_id, client_id(), "Gute Idee")
    assert make.count(Idea) == 0


def test_board_of_another_workshop_is_not_found(session, make, phone):
    other_board = make.workshop().boards[0]

    with pytest.raises(NotFound):
        ideas.post_idea(session, phone, other_board.id, client_id(), "Gute Idee")
    assert make.count(Idea) == 0


def test_closed_board_refuses_ideas_and_the_next_post_takes_exactly_the_next_number(
        session, make, workshop, board, phone, announced):
    boards.update_settings(session, workshop.id, board.id, {"is_open": False})
    seq = make.seq(workshop.id)

    with pytest.raises(BoardClosed):
        ideas.post_idea(session, phone, board.id, client_id(), "Zu spät")

    assert make.count(Idea) == 0
    assert make.seq(workshop.id) == seq
    posted = ideas.post_idea(session, phone, workshop.boards[1].id, client_id(), "Andere Tafel")
    assert posted.idea.updated_seq == seq + 1
    assert [c.event for c in announced] == ["board_updated", "idea_posted"]


def test_cap_per_person_refuses_the_next_idea_but_not_other_people(session, make, workshop,
                                                                   board, phone):
    boards.update_settings(session, workshop.id, board.id, {"max_ideas_per_person": 2})
    for text in ("Eins", "Zwei"):
        ideas.post_idea(session, phone, board.id, client_id(), text)

    with pytest.raises(IdeaLimitReached) as refused:
        ideas.post_idea(session, phone, board.id, client_id(), "Drei")

    assert refused.value.params["max"] == 2
    assert make.count(Idea, participant_id=phone.id) == 2
    other, _ = make.participant(workshop)
    ideas.post_idea(session, other, board.id, client_id(), "Von jemand anderem")
    # The cap is per board: the same person may still post at another table.
    ideas.post_idea(session, phone, workshop.boards[1].id, client_id(), "Andere Tafel")
    assert make.count(Idea) == 4


def test_withdrawn_idea_frees_its_place_under_the_cap(session, workshop, board, phone):
    boards.update_settings(session, workshop.id, board.id, {"max_ideas_per_person": 1})
    first = ideas.post_idea(session, phone, board.id, client_id(), "Erster Versuch")
    ideas.withdraw_idea(session, phone, first.idea.id)

    second = ideas.post_idea(session, phone, board.id, client_id(), "Besser formuliert")

    assert not second.duplicate


def test_author_edits_own_idea_and_the_change_is_announced(session, make, workshop, board, phone,
                                                           announced):
    idea = make.idea(phone, board, "Mehr Kurse")

    ideas.edit_idea(session, phone, idea.id, "  Mehr Abendkurse  ")

    stored = make.fresh(Idea, idea.id)
    assert stored.text == "Mehr Abendkurse"
    assert stored.updated_seq == make.seq(workshop.id)
    assert announced[-1].event == "idea_updated" and announced[-1].ideas[0].id == idea.id


def test_editing_someone_elses_idea_is_forbidden_and_changes_nothing(session, make, workshop,
                                                                     board, phone, announced):
    idea = make.idea(phone, board, "Original")
    other, _ = make.participant(workshop)
    seq = make.seq(workshop.id)

    with pytest.raises(Forbidden):
        ideas.edit_idea(session, other, idea.id, "Übernommen")
    with pytest.raises(Forbidden):
        ideas.withdraw_idea(session, other, idea.id)

    stored = make.fresh(Idea, idea.id)
    assert (stored.text, stored.state) == ("Original", "visible")
    assert make.seq(workshop.id) == seq
    assert [c.event for c in announced] == ["idea_posted"]


def test_idea_of_another_workshop_cannot_be_edited_hidden_or_withdrawn(session, make, phone):
    elsewhere = make.workshop()
    stranger, _ = make.participant(elsewhere)
    foreign = make.idea(stranger, elsewhere.boards[0], "Fremde Idee")

    with pytest.raises(NotFound):
        ideas.edit_idea(session, phone, foreign.id, "Gekapert")
    with pytest.raises(NotFound):
        ideas.withdraw_idea(session, phone, foreign.id)
    with pytest.raises(NotFound):
        clusters.set_hidden(session, phone.workshop_id, None, foreign.id, True)
    assert make.fresh(Idea, foreign.id).text == "Fremde Idee"


def test_edit_with_bad_text_is_refused_and_keeps_the_old_text(session, make, board, phone):
    idea = make.idea(phone, board, "Original")

    for bad in ("", " ", "x" * (IDEA_MAX_CHARS + 1), None, 7):
        with pytest.raises(InvalidInput):
            ideas.edit_idea(session, phone, idea.id, bad)

    assert make.fresh(Idea, idea.id).text == "Original"


def test_closed_board_refuses_edits_and_withdrawals(session, make, workshop, board, phone):
    idea = make.idea(phone, board, "Original")
    boards.update_settings(session, workshop.id, board.id, {"is_open": False})
    seq = make.seq(workshop.id)

    with pytest.raises(BoardClosed):
        ideas.edit_idea(session, phone, idea.id, "Geändert")
    with pytest.raises(BoardClosed):
        ideas.withdraw_idea(session, phone, idea.id)

    stored = make.fresh(Idea, idea.id)
    assert (stored.text, stored.state) == ("Original", "visible")
    assert make.seq(workshop.id) == seq


def test_withdrawing_erases_the_text_and_ends_editing(session, make, board, phone, announced):
    idea = make.idea(phone, board, "Lieber doch nicht")

    ideas.withdraw_idea(session, phone, idea.id)

    stored = make.fresh(Idea, idea.id)
    assert (stored.state, stored.text) == ("withdrawn", "")
    assert announced[-1].event == "idea_updated"
    with pytest.raises(NotFound):
        ideas.edit_idea(session, phone, idea.id, "Wieder da")
    with pytest.raises(NotFound):
        ideas.withdraw_idea(session, phone, idea.id)
    with pytest.raises(NotFound):
        clusters.set_hidden(session, phone.workshop_id, None, idea.id, False)


def test_hidden_idea_loses_its_text_for_phones_but_not_for_staff_until_shown_again(
        session, make, workshop, board, phone, announced):
    idea = make.idea(phone, board, "Unangemessen")

    clusters.set_hidden(session, workshop.id, None, idea.id, True)

    hidden = announced[-1]
    assert hidden.event == "idea_updated"
    public = idea_payload(hidden.ideas[0], board, PUBLIC)
    staff = idea_payload(hidden.ideas[0], board, STAFF)
    assert (public["state"], public["text"], public["author"]) == ("hidden", None, None)
    assert (staff["state"], staff["text"], staff["author"]) == ("hidden", "Unangemessen", "Amira")
    with pytest.raises(NotFound):
        ideas.edit_idea(session, phone, idea.id, "Umgehung der Moderation")

    clusters.set_hidden(session, workshop.id, None, idea.id, False)

    shown = idea_payload(announced[-1].ideas[0], board, PUBLIC)
    assert (shown["state"], shown["text"]) == ("visible", "Unangemessen")
    assert make.fresh(Idea, idea.id).state == "visible"


@pytest.mark.parametrize("hidden", [None, "true", 1, "yes"])
def test_hiding_needs_a_real_yes_or_no(session, make, workshop, board, phone, hidden):
    idea = make.idea(phone, board)

    with pytest.raises(InvalidInput):
        clusters.set_hidden(session, workshop.id, None, idea.id, hidden)
    assert make.fresh(Idea, idea.id).state == "visible"


def test_a_post_is_one_read_then_one_write_that_takes_the_number_under_the_workshop_lock(
        session, make, workshop, board, phone, announced):
    """The hot path of a hall posting (bench/realtime.py): one read (author gone or muted? the
    board, a stored client_id), then one INSERT that checks the board, works out the position
    and takes the sequence number; nothing reloaded to announce it or to answer the phone. On
    PostgreSQL the workshop's row lock, that statement and COMMIT go in one flush: the post has
    committed when its statement returns, so the lock every other post waits for is never held
    while this process is busy elsewhere."""
    from sqlalchemy import event
    statements = []

    def record(connection, _cursor, statement, *_args):
        dbapi = connection.connection.driver_connection
        in_transaction = (dbapi.in_transaction if hasattr(dbapi, "in_transaction")
                          else dbapi.info.transaction_status != 0)  # sqlite3 / psycopg
        statements.append((statement.split()[0].upper(), in_transaction))

    engine = session.get_bind()
    event.listen(engine, "after_cursor_execute", record)
    try:
        posted = ideas.post_idea(session, phone, board.id, client_id(), "Ein Lesecafé")
        payloads = [idea_payload(posted.idea, posted.idea.board, audience, phone.id)
                    for audience in (PUBLIC, STAFF)]
    finally:
        event.remove(engine, "after_cursor_execute", record)
    if engine.dialect.name == "postgresql":
        # WITH written AS (INSERT ...), numbered AS (UPDATE workshops ...) SELECT ...: its
        # transaction committed with it.
        assert statements == [("SELECT", True), ("WITH", False)]
    else:
        assert [s for s, _ in statements if s not in ("BEGIN", "COMMIT")] == [
            "SELECT", "INSERT", "UPDATE"]
    assert make.seq(workshop.id) == posted.idea.updated_seq
    assert payloads[0]["text"] == "Ein Lesecafé" and payloads[0]["author"] == "Amira"
    assert announced[-1].ideas[0].id == posted.idea.id == make.fresh(Idea, posted.idea.id).id


def _post_in_a_thread(engine, phone, board_id, cid, text):
    """post_idea on a session of its own in a thread (another socket event, another process);
    the thread's outcome: the Posted, or the error it raised."""
    outcome = []

    def run():
        with Session(engine, expire_on_commit=False) as own:
            try:
                outcome.append(ideas.post_idea(own, phone, board_id, cid, text))
            except Exception as error:  # noqa: BLE001 - the test reads it
                outcome.append(error)
    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _wait_until_blocked(connection, waiting: int) -> None:
    """Until `waiting` other sessions wait for a lock this connection holds (a condition, not a
    time: the post has reached the workshop's row lock)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        # (pg_stat_activity is read once per transaction unless its snapshot is cleared)
        connection.execute("SELECT pg_stat_clear_snapshot()")
        # Waiting for this connection, or for one that waits for it (a queue on one row).
        blocked = connection.execute(
            "WITH RECURSIVE waiting(pid) AS (SELECT pid FROM pg_stat_activity"
            " WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))"
            " UNION SELECT a.pid FROM pg_stat_activity a JOIN waiting w"
            " ON w.pid = ANY(pg_blocking_pids(a.pid)))"
            " SELECT count(*) FROM waiting").fetchone()[0]
        if blocked >= waiting:
            return
        time.sleep(0.01)
    raise AssertionError(f"{waiting} post(s) never waited for the workshop's lock")


# PostgreSQL only: on SQLite one process writes without yielding, so nothing waits.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_post_waiting_for_the_workshop_while_its_board_closes_is_refused_not_stored_after(
        session, make, workshop, board, phone, announced):
    """PostgreSQL, several processes: the facilitator's close holds the workshop's row lock
    while a phone's post arrives. The post read the board open before the lock; what it
    stores is decided after the lock, so it is refused, and takes no number."""
    engine = session.get_bind()
    seq = make.seq(workshop.id)
    closing = engine.raw_connection()  # another process's transaction, closing the board
    try:
        cursor = closing.cursor()
        cursor.execute("BEGIN")  # (the engine's connections are in autocommit mode)
        cursor.execute("UPDATE workshops SET seq = seq + 1 WHERE id = %s", (workshop.id,))
        cursor.execute("UPDATE boards SET is_open = false, updated_seq = %s WHERE id = %s",
                       (seq + 1, board.id))
        thread, outcome = _post_in_a_thread(engine, phone, board.id, client_id(), "Zu spät")
        _wait_until_blocked(cursor, 1)
        closing.commit()
    finally:
        closing.close()
    thread.join(10)

    assert isinstance(outcome[0], BoardClosed)
    assert make.count(Idea) == 0
    assert make.seq(workshop.id) == seq + 1  # the close's number, none taken by the post


# PostgreSQL only: on SQLite one process writes without yielding, so nothing waits.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_the_same_post_sent_at_once_on_five_connections_is_stored_once_with_one_number(
        session, make, workshop, board, phone):
    """PostgreSQL: five re-sends of one card race each other through the workshop's lock; one
    is stored and numbered, the others answer that card (a duplicate), no number is lost."""
    engine = session.get_bind()
    seq, cid = make.seq(workshop.id), client_id()
    holding = engine.raw_connection()  # every re-send has read "not stored yet" before it waits
    try:
        cursor = holding.cursor()
        cursor.execute("BEGIN")
        cursor.execute("SELECT 1 FROM workshops WHERE id = %s FOR NO KEY UPDATE", (workshop.id,))
        posts = [_post_in_a_thread(engine, phone, board.id, cid, "Ein Lesecafé")
                 for _ in range(5)]
        _wait_until_blocked(cursor, 5)
        holding.commit()
    finally:
        holding.close()
    for thread, _outcome in posts:
        thread.join(10)

    answers = [outcome[0] for _thread, outcome in posts]
    assert sorted(answer.duplicate for answer in answers) == [False, True, True, True, True]
    assert len({answer.idea.id for answer in answers}) == 1
    assert make.count(Idea) == 1
    assert make.seq(workshop.id) == seq + 1 == make.fresh(Idea, answers[0].idea.id).updated_seq
