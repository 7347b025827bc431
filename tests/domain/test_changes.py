"""Sequence numbers and catching up: every change to a workshop takes the next number, and a
screen that last saw number N gets exactly what changed after N."""
import uuid

import pytest
from sqlalchemy import select

from facilitator.database import make_engine
from facilitator.domain import boards, changes, clusters, ideas, phases, workshops
from facilitator.domain.changes import PUBLIC, STAFF, changes_since
from facilitator.domain.errors import BoardClosed
from facilitator.domain.workshops import BoardSpec, WorkshopSpec
from facilitator.models import Idea


@pytest.fixture
def workshop(make):
    return make.workshop()


@pytest.fixture
def phone(make, workshop):
    return make.participant(workshop, "Sam")[0]


def test_each_kind_of_change_takes_exactly_the_next_number(session, make, workshop, phone,
                                                           announced):
    board = workshop.boards[0]
    start = make.seq(workshop.id)
    idea = make.idea(phone, board)
    steps = [
        lambda: ideas.post_idea(session, phone, board.id, uuid.uuid4().hex, "Noch eine"),
        lambda: ideas.edit_idea(session, phone, idea.id, "Geändert"),
        lambda: clusters.set_hidden(session, workshop.id, None, idea.id, True),
        lambda: clusters.set_hidden(session, workshop.id, None, idea.id, False),
        lambda: ideas.withdraw_idea(session, phone, idea.id),
        lambda: boards.update_settings(session, workshop.id, board.id, {"concealed": True}),
        lambda: phases.set_projector(session, workshop.id, "boards", None, [board.id]),
        lambda: workshops.update_workshop(session, workshop.id, WorkshopSpec(
            title="Neu", boards=(BoardSpec("Neue Tafel"),))),
    ]
    for number, step in enumerate(steps, start=start + 2):
        step()
        assert make.seq(workshop.id) == number

    assert [c.seq for c in announced] == list(range(start + 1, start + 2 + len(steps)))


def test_numbers_belong_to_one_workshop(session, make, workshop, phone):
    other = make.workshop()
    stranger, _ = make.participant(other)
    before = make.seq(other.id)

    for _ in range(3):
        make.idea(phone, workshop.boards[0])
    make.idea(stranger, other.boards[0])

    assert make.seq(other.id) == before + 1


def test_refused_change_announces_nothing(session, make, workshop, phone, announced):
    boards.update_settings(session, workshop.id, workshop.boards[0].id, {"is_open": False})
    announced.clear()

    with pytest.raises(BoardClosed):
        ideas.post_idea(session, phone, workshop.boards[0].id, uuid.uuid4().hex, "Zu")

    assert announced == []


def test_a_change_is_announced_only_once_it_is_committed(database_url, session, workshop, phone):
    """Save, then publish: when the announcer runs, another connection already sees the row."""
    seen_elsewhere = []
    observer = make_engine(database_url)

    def announcer(change):
        with observer.connect() as connection:
            seen_elsewhere.append(connection.execute(
                select(Idea.text).where(Idea.id == change.ideas[0].id)).scalar())

    session.info["announcer"] = announcer
    ideas.post_idea(session, phone, workshop.boards[0].id, uuid.uuid4().hex, "Schon gespeichert")
    observer.dispose()

    assert seen_elsewhere == ["Schon gespeichert"]


def test_sync_returns_only_what_changed_after_the_number_a_screen_saw(session, make, workshop,
                                                                      phone):
    board = workshop.boards[0]
    early = make.idea(phone, board, "Früh")
    seen = make.seq(workshop.id)
    later = make.idea(phone, board, "Später")
    ideas.edit_idea(session, phone, early.id, "Früh, geändert")
    boards.update_settings(session, workshop.id, workshop.boards[1].id, {"is_open": False})

    result = changes_since(session, workshop.id, seen, PUBLIC)

    assert result["full"] is False
    assert result["seq"] == make.seq(workshop.id) == seen + 3
    assert sorted((i["id"], i["text"]) for i in result["ideas"]) == [
        (early.id, "Früh, geändert"), (later.id, "Später")]
    assert [(b["id"], b["is_open"]) for b in result["boards"]] == [(workshop.boards[1].id, False)]
    assert all(item["seq"] > seen for item in result["ideas"] + result["boards"])


def test_sync_at_the_current_number_returns_nothing_new(session, make, workshop, phone):
    make.idea(phone, workshop.boards[0])
    current = make.seq(workshop.id)

    result = changes_since(session, workshop.id, current, PUBLIC)

    assert (result["full"], result["seq"], result["ideas"], result["boards"]) == (
        False, current, [], [])
    assert result["workshop"]["id"] == workshop.id


@pytest.mark.parametrize("since", [0, -5, "ahead"])
def test_new_screens_and_screens_ahead_of_the_database_get_everything(session, make, workshop,
                                                                      phone, since):
    posted = [make.idea(phone, board) for board in workshop.boards]
    current = make.seq(workshop.id)

    result = changes_since(session, workshop.id, current + 10 if since == "ahead" else since,
                           PUBLIC)

    assert result["full"] is True and result["seq"] == current
    assert sorted(i["id"] for i in result["ideas"]) == sorted(i.id for i in posted)
    assert [b["id"] for b in result["boards"]] == [b.id for b in workshop.boards]
    assert result["workshop"]["join_code"] == workshop.join_code


def test_screen_far_behind_gets_a_whole_snapshot(session, make, workshop, phone, monkeypatch):
    monkeypatch.setattr(changes, "FULL_SNAPSHOT_AFTER", 3)
    make.idea(phone, workshop.boards[0])
    seen = make.seq(workshop.id)
    for _ in range(3):
        make.idea(phone, workshop.boards[0])
    assert changes_since(session, workshop.id, seen, PUBLIC)["full"] is False

    make.idea(phone, workshop.boards[0])

    result = changes_since(session, workshop.id, seen, PUBLIC)
    assert result["full"] is True and len(result["ideas"]) == 5


def test_catching_up_tells_screens_about_hidden_and_withdrawn_ideas_without_their_text(
        session, make, workshop, phone):
    board = workshop.boards[0]
    hidden, withdrawn = make.idea(phone, board, "Versteckt"), make.idea(phone, board, "Weg")
    seen = make.seq(workshop.id)
    clusters.set_hidden(session, workshop.id, None, hidden.id, True)
    ideas.withdraw_idea(session, phone, withdrawn.id)

    public = changes_since(session, workshop.id, seen, PUBLIC)["ideas"]
    staff = changes_since(session, workshop.id, seen, STAFF)["ideas"]

    assert sorted((i["id"], i["state"], i["text"]) for i in public) == [
        (hidden.id, "hidden", None), (withdrawn.id, "withdrawn", None)]
    assert sorted((i["id"], i["state"], i["text"]) for i in staff) == [
        (hidden.id, "hidden", "Versteckt"), (withdrawn.id, "withdrawn", "")]


def test_whole_snapshot_leaves_out_what_the_audience_may_not_see(session, make, workshop, phone):
    board = workshop.boards[0]
    shown = make.idea(phone, board, "Sichtbar")
    hidden = make.idea(phone, board, "Versteckt")
    withdrawn = make.idea(phone, board, "Weg")
    clusters.set_hidden(session, workshop.id, None, hidden.id, True)
    ideas.withdraw_idea(session, phone, withdrawn.id)

    public = changes_since(session, workshop.id, 0, PUBLIC)["ideas"]
    staff = changes_since(session, workshop.id, 0, STAFF)["ideas"]

    assert [(i["id"], i["text"]) for i in public] == [(shown.id, "Sichtbar")]
    assert [(i["id"], i["state"], i["text"]) for i in staff] == [
        (shown.id, "visible", "Sichtbar"), (hidden.id, "hidden", "Versteckt")]


def test_payloads_carry_whole_objects(session, make, workshop, phone, announced):
    make.idea(phone, workshop.boards[0], "Ganz")

    payload = changes.change_payload(announced[-1], PUBLIC)
    result = changes_since(session, workshop.id, 0, STAFF)

    # Later features may add keys; these are what every screen relies on.
    assert set(payload) >= {"seq", "ideas"}
    assert set(payload["ideas"][0]) >= {"id", "seq", "board_id", "client_id", "state", "text",
                                        "author", "created_at"}
    assert payload["ideas"][0]["author"] == "Sam"
    assert payload["ideas"][0]["created_at"].endswith("Z")
    assert set(result["workshop"]) >= {"id", "seq", "title", "join_code", "language",
                                       "board_ids", "projector_board_ids", "stakeholder_groups"}
    assert set(result["boards"][0]) >= {"id", "seq", "title", "question", "colour", "position",
                                        "is_open", "concealed", "revealed",
                                        "max_ideas_per_person"}
    assert [g["name"] for g in result["workshop"]["stakeholder_groups"]] == [
        g.name for g in workshop.stakeholder_groups]


def test_a_phones_first_sync_takes_the_same_statements_for_3_cards_as_for_30(
        database_url, make, workshop, phone):
    """A hall reconnects at once: the snapshot's statements do not grow with its cards (each
    card's duplicates were one query per card, `Idea.duplicates` being self-referential)."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session
    board = workshop.boards[0]
    engine = make_engine(database_url)

    def statements_of_a_first_sync() -> int:
        seen = []

        def record(*args):
            seen.append(args[2])
        event.listen(engine, "before_cursor_execute", record)
        with Session(engine) as fresh:  # as the server's: a session per socket event
            snapshot = changes_since(fresh, workshop.id, 0, PUBLIC, phone.id, board.id)
        event.remove(engine, "before_cursor_execute", record)
        assert all(idea["duplicates"] == [] for idea in snapshot["ideas"])
        return len(seen)

    for _ in range(3):
        make.idea(phone, board)
    few = statements_of_a_first_sync()
    for _ in range(27):
        make.idea(phone, board)
    assert statements_of_a_first_sync() == few
    engine.dispose()
