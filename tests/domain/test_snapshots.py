"""A phone's sync from the snapshot shared at its board (domain/snapshots.py) is exactly what
`changes_since` builds for that phone alone: for phones at different boards, with cards of their
own (hidden, merged, moved away), with votes, on a concealed board, after every kind of change,
and after a change made by another process."""
import json
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from facilitator.database import make_engine
from facilitator.domain import (boards, changes, clusters, ideas, participants, phases,
                                snapshots, translations, voting)
from facilitator.domain.changes import PUBLIC, changes_since
from facilitator.domain.errors import NotFound
from facilitator.models import utcnow

NOW = utcnow()


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    """A running timer's seconds left are computed at each sync: both answers at one instant."""
    monkeypatch.setattr(changes, "utcnow", lambda: NOW)
    monkeypatch.setattr(phases, "utcnow", lambda: NOW)


@pytest.fixture(autouse=True)
def nothing_kept(monkeypatch):
    monkeypatch.setattr(snapshots, "_kept", {})


def shared_sync(engine, workshop_id, participant_id, board_id, since=0) -> dict:
    with Session(engine) as fresh:  # as the server's: a session per socket event
        return snapshots.phone_sync(fresh, workshop_id, since, participant_id, board_id)


def own_sync(engine, workshop_id, participant_id, board_id, since=0) -> dict:
    with Session(engine) as fresh:
        return changes_since(fresh, workshop_id, since, PUBLIC, participant_id, board_id)


def same_bytes(one: dict, other: dict) -> bool:
    return json.dumps(one) == json.dumps(other)


@pytest.fixture
def hall(make, workshop):
    """Four phones over two boards: cards of their own, one hidden, one merged into another's,
    and a phone that has not posted."""
    first, second = workshop.boards[0], workshop.boards[1]
    ana, bo, cem, dia = (make.participant(workshop, name)[0] for name in
                         ("Ana", "Bo", "Cem", None))
    shown = make.idea(ana, first, "Mehr Sprachkurse")
    hidden = make.idea(ana, first, "Versteckt")
    kept = make.idea(bo, first, "Abendkurse")
    merged = make.idea(cem, first, "Kurse am Abend")
    make.idea(cem, second, "Kita-Plätze")
    make.run(clusters.set_hidden, workshop.id, None, hidden.id, True)
    make.run(clusters.merge_duplicates, workshop.id, None, merged.id, kept.id)
    make.run(clusters.create_cluster, workshop.id, None, first.id, "Sprache", "blue",
             [shown.id])
    return {"ana": ana, "bo": bo, "cem": cem, "dia": dia, "first": first, "second": second}


def test_every_phone_gets_exactly_its_own_snapshot_from_the_shared_one(engine, workshop, hall):
    for name in ("ana", "bo", "cem", "dia"):
        for board in (hall["first"], hall["second"], None):
            phone, board_id = hall[name].id, board.id if board else None
            assert same_bytes(shared_sync(engine, workshop.id, phone, board_id),
                              own_sync(engine, workshop.id, phone, board_id)), (name, board)
    assert len(snapshots._kept) == 3  # one per board (and one for a phone without a board)


def test_a_phone_sees_its_hidden_and_merged_cards_in_its_own_words(engine, workshop, hall):
    ana = shared_sync(engine, workshop.id, hall["ana"].id, hall["first"].id)
    dia = shared_sync(engine, workshop.id, hall["dia"].id, hall["first"].id)

    assert [(c["text"], c["state"], c.get("mine")) for c in ana["ideas"]] == [
        ("Mehr Sprachkurse", "visible", True), ("Versteckt", "hidden", True),
        ("Abendkurse", "visible", None)]
    assert [c["text"] for c in dia["ideas"]] == ["Mehr Sprachkurse", "Abendkurse"]
    assert dia["ideas"][1]["duplicates"][0]["text"] == "Kurse am Abend"


def test_the_shared_part_is_built_once_per_number(engine, make, workshop, hall):
    board = hall["first"].id
    statements = []

    def record(*args):
        if not args[2].startswith("BEGIN"):  # SQLite's own, from the engine's begin hook
            statements.append(args[2])
    event.listen(engine, "before_cursor_execute", record)

    shared_sync(engine, workshop.id, hall["dia"].id, board)
    first = len(statements)
    statements.clear()
    shared_sync(engine, workshop.id, hall["dia"].id, board)
    shared_sync(engine, workshop.id, hall["ana"].id, board)

    # The next phone without cards: one statement (the number, the participant, its cards?);
    # with cards, two more (its cards, their duplicates).
    assert len(statements) == 1 + 3 and first > 4
    make.idea(hall["bo"], board, "Neu")
    statements.clear()
    assert "Neu" in [c["text"] for c in shared_sync(engine, workshop.id, hall["dia"].id, board)[
        "ideas"]]
    assert len(statements) == first


def change_steps(session, make, workshop, hall):
    """Every kind of change a phone's snapshot shows, each taking the next number."""
    first, ana = hall["first"], hall["ana"]
    card = make.idea(hall["bo"], first, "Noch eine")
    yield lambda: ideas.edit_idea(session, hall["bo"], card.id, "Geändert")
    yield lambda: clusters.move_idea(session, workshop.id, None, card.id, None, None,
                                     hall["second"].id)
    yield lambda: boards.update_settings(session, workshop.id, first.id, {"concealed": True})
    yield lambda: make.idea(ana, first, "Verdeckt, aber meins")
    yield lambda: boards.update_settings(session, workshop.id, first.id, {"revealed": True})
    yield lambda: phases.set_timer(session, workshop.id, "start", 300)
    yield lambda: phases.set_projector(session, workshop.id, "boards", None, [first.id])
    yield lambda: translations.save_content(session, workshop.id, "en", {
        f"board.{first.id}.title": "Table one"})
    yield lambda: voting.open_round(session, workshop.id, voting.RoundSpec(
        kind="dots", target_kind="idea", board_ids=[first.id], tallies_visible=True))
    yield lambda: ideas.withdraw_idea(session, ana, ana_cards(session, ana)[0])


def ana_cards(session, ana) -> list[int]:
    from sqlalchemy import select

    from facilitator.models import Idea
    return list(session.scalars(select(Idea.id).where(Idea.participant_id == ana.id,
                                                      Idea.state == "visible")))


def test_after_every_kind_of_change_the_shared_snapshot_is_the_phones_own(
        engine, session, make, workshop, hall):
    phones = [hall["ana"].id, hall["dia"].id]
    for step in change_steps(session, make, workshop, hall):
        for phone in phones:  # the shared part built at the number before
            shared_sync(engine, workshop.id, phone, hall["first"].id)
        make.run(lambda _session: step())
        for phone in phones:
            for board in (hall["first"].id, hall["second"].id):
                assert same_bytes(shared_sync(engine, workshop.id, phone, board),
                                  own_sync(engine, workshop.id, phone, board)), step


def test_votes_and_the_running_timer_are_per_sync_not_shared(engine, session, make, workshop,
                                                             hall, monkeypatch):
    board = hall["first"]
    make.run(phases.set_timer, workshop.id, "start", 300)
    round_ = make.run(voting.open_round, workshop.id, voting.RoundSpec(
        kind="dots", target_kind="idea", board_ids=[board.id], tallies_visible=True))
    target = voting.targets(session, round_)[0]["id"]
    before = shared_sync(engine, workshop.id, hall["dia"].id, board.id)

    monkeypatch.setattr(changes, "utcnow", lambda: NOW + timedelta(seconds=40))
    make.run(lambda s: voting.place_dot(s, s.get(type(hall["bo"]), hall["bo"].id), round_.id,
                                        target, uuid.uuid4().hex))
    after = shared_sync(engine, workshop.id, hall["dia"].id, board.id)

    assert after["seq"] == before["seq"]  # a dot takes no number: the shared part stays
    assert before["workshop"]["timer"]["remaining"] == 300
    assert after["workshop"]["timer"]["remaining"] == 260
    assert [r["voters"] for r in (before["rounds"][0], after["rounds"][0])] == [0, 1]
    assert same_bytes(after, own_sync(engine, workshop.id, hall["dia"].id, board.id))


def test_a_change_by_another_process_is_seen_at_the_next_sync(engine, database_url, workshop,
                                                              hall):
    board = hall["first"].id
    shared_sync(engine, workshop.id, hall["dia"].id, board)
    elsewhere = make_engine(database_url)  # another server process, its own connections
    with Session(elsewhere, expire_on_commit=False) as other:
        ideas.post_idea(other, hall["bo"], board, uuid.uuid4().hex, "Von nebenan")
    elsewhere.dispose()

    synced = shared_sync(engine, workshop.id, hall["dia"].id, board)

    assert "Von nebenan" in [card["text"] for card in synced["ideas"]]
    assert same_bytes(synced, own_sync(engine, workshop.id, hall["dia"].id, board))


def test_a_phone_behind_by_a_few_numbers_gets_the_rows_changed_since(engine, make, workshop,
                                                                     hall):
    board = hall["first"].id
    seen = make.seq(workshop.id)
    make.idea(hall["bo"], board, "Später")

    synced = shared_sync(engine, workshop.id, hall["ana"].id, board, since=seen)

    assert synced["full"] is False and [c["text"] for c in synced["ideas"]] == ["Später"]
    assert same_bytes(synced, own_sync(engine, workshop.id, hall["ana"].id, board, since=seen))


def test_a_deleted_participant_gets_no_snapshot(engine, make, workshop, hall):
    from facilitator.domain import retention
    make.run(retention.delete_participation, workshop.id)

    with pytest.raises(NotFound):
        shared_sync(engine, workshop.id, hall["ana"].id, hall["first"].id)


def test_a_new_name_reaches_the_next_phones_snapshot(engine, session, make, workshop, hall,
                                                     announced):
    """A name is not numbered on its own: changing it numbers the person's cards (screens hear
    them again), so no snapshot shared before shows the old name."""
    board = hall["first"].id
    shared_sync(engine, workshop.id, hall["dia"].id, board)
    announced.clear()

    make.run(participants.update_profile, hall["ana"], "Ana M.")

    synced = shared_sync(engine, workshop.id, hall["dia"].id, board)
    assert [c["author"] for c in synced["ideas"]][:1] == ["Ana M."]
    assert same_bytes(synced, own_sync(engine, workshop.id, hall["dia"].id, board))
    assert [(c.event, sorted(i.text for i in c.ideas)) for c in announced] == [
        ("idea_updated", ["Mehr Sprachkurse", "Versteckt"])]


def test_deleting_the_participation_data_takes_a_number(engine, make, workshop, hall):
    """Authors' names go with it: a snapshot shared before must not be handed out again."""
    from facilitator.domain import retention
    board = hall["first"].id
    shared_sync(engine, workshop.id, hall["dia"].id, board)
    before = make.seq(workshop.id)

    make.run(retention.delete_participation, workshop.id)

    assert make.seq(workshop.id) == before + 1
    newcomer, _ = make.participant(workshop, "Neu")
    synced = shared_sync(engine, workshop.id, newcomer.id, board)
    assert {c["author"] for c in synced["ideas"]} == {None}
    assert same_bytes(synced, own_sync(engine, workshop.id, newcomer.id, board))
