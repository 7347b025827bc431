"""The one write path (`WorkshopChange`) and what it guarantees, straight through the domain on
SQLite and PostgreSQL: a refused write gives its sequence number back and announces nothing; an
accepted one is committed before it is announced; votes go through the same announcer; a dot's
id counts once even after the dot was taken back; a withdrawn card's words leave the undo
history; ids too large for the database are refused as invalid input, never a driver error."""
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from facilitator.domain import clusters, history, ideas, phases, voting
from facilitator.domain.changes import WorkshopChange
from facilitator.domain.errors import AlreadyCounted, BoardClosed, InvalidInput, NotFound
from facilitator.domain.voting import RoundSpec
from facilitator.models import Idea, StaffAction, Vote, Workshop

HUGE = (2 ** 31, 2 ** 63, -(2 ** 63) - 1, 10 ** 30)


def dot_id() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def phone(make, workshop):
    return make.participant(workshop, "Amira")[0]


@pytest.fixture
def dots(make, workshop, owner, phone, board):
    """An open dot round on two clusters of the first board; budget 2, cap 1."""
    themes = [make.run(clusters.create_cluster, workshop.id, owner.id, board.id, heading)
              for heading in ("Sprache", "Wohnen")]
    round_ = make.run(voting.open_round, workshop.id, RoundSpec(
        kind="dots", target_kind="cluster", board_ids=[board.id], dots_per_person=2,
        max_per_item=1))
    return round_, themes


def test_a_refused_write_gives_its_number_back_and_announces_nothing(session, make, workshop,
                                                                     announced):
    seq = make.seq(workshop.id)
    announced.clear()

    with pytest.raises(NotFound):
        with WorkshopChange(session, workshop.id, "board_updated"):
            workshop_row = session.get(Workshop, workshop.id)
            workshop_row.title = "changed, then refused"
            raise NotFound(field="board_id")

    assert make.seq(workshop.id) == seq
    assert make.fresh(Workshop, workshop.id).title != "changed, then refused"
    assert announced == []


def test_an_accepted_write_is_numbered_committed_and_only_then_announced(session, make,
                                                                         workshop, board):
    seq = make.seq(workshop.id)
    seen_by_others = []

    def announcer(change):
        # Another connection reads what the announcement describes: it is committed already.
        with Session(session.get_bind()) as other:
            seen_by_others.append((change.event, change.seq,
                                   other.get(Workshop, workshop.id).projector_view))
    session.info["announcer"] = announcer

    phases.set_projector(session, workshop.id, "board", target_id=board.id)

    assert seen_by_others == [("workshop_updated", seq + 1, "board")]
    assert make.fresh(Workshop, workshop.id).updated_seq == seq + 1


def test_every_vote_is_announced_after_commit_without_a_sequence_number(session, make, workshop,
                                                                        phone, dots, announced):
    round_, themes = dots
    seq = make.seq(workshop.id)
    announced.clear()

    voting.place_dot(session, phone, round_.id, themes[0].id, dot_id())
    voting.remove_dot(session, phone, round_.id, themes[0].id)

    assert [(c.event, c.seq, [r.id for r in c.rounds]) for c in announced] == [
        ("votes_changed", None, [round_.id])] * 2
    assert make.seq(workshop.id) == seq


def test_a_dot_taken_back_and_replayed_with_its_id_does_not_count_again(session, make, phone,
                                                                        dots):
    round_, themes = dots
    placed = dot_id()
    assert voting.place_dot(session, phone, round_.id, themes[0].id, placed) == {themes[0].id: 1}
    assert voting.remove_dot(session, phone, round_.id, themes[0].id) == {}

    # The phone's outbox never heard the first answer and sends the dot again.
    with pytest.raises(AlreadyCounted):
        voting.place_dot(session, phone, round_.id, themes[0].id, placed)

    assert make.count(Vote, round_id=round_.id) == 0
    # A new dot (a new id) is placed as usual.
    assert voting.place_dot(session, phone, round_.id, themes[0].id, dot_id()) == {
        themes[0].id: 1}


def history_texts(make, workshop_id: int) -> str:
    make.session.commit()
    with Session(make.session.get_bind()) as reader:
        return repr([(a.before, a.after) for a in reader.scalars(
            select(StaffAction).where(StaffAction.workshop_id == workshop_id))])


def test_a_withdrawn_cards_words_leave_the_undo_history(session, make, workshop, owner, phone,
                                                        board):
    card = make.idea(phone, board, "Unverwechselbare Quittenidee")
    make.run(clusters.correct_text, workshop.id, owner.id, card.id, "Quittenidee, korrigiert")
    make.run(clusters.move_idea, workshop.id, owner.id, card.id, position=0)
    assert "Quittenidee" in history_texts(make, workshop.id)

    make.run(ideas.withdraw_idea, phone, card.id)

    assert "Quittenidee" not in history_texts(make, workshop.id)
    withdrawn = make.fresh(Idea, card.id)
    assert (withdrawn.state, withdrawn.text, withdrawn.original_text) == ("withdrawn", "", None)
    # Undoing the facilitator's steps brings none of the words back.
    make.run(history.undo, workshop.id, owner.id)
    assert make.fresh(Idea, card.id).text == ""


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_withdrawn_cards_words_are_gone_from_the_sqlite_file(database_url, session, make,
                                                               workshop, owner, phone, board):
    path = database_url.removeprefix("sqlite:///")
    card = make.idea(phone, board, "Unverwechselbare Mispelidee")
    make.run(clusters.correct_text, workshop.id, owner.id, card.id, "Mispelidee, korrigiert")
    make.run(clusters.move_idea, workshop.id, owner.id, card.id, position=0)

    make.run(ideas.withdraw_idea, phone, card.id)
    make.session.close()

    stored = b"".join(candidate.read_bytes() for candidate in (Path(path), Path(f"{path}-wal"))
                      if candidate.exists())
    assert b"Mispelidee" not in stored


@pytest.mark.parametrize("huge", HUGE)
def test_ids_too_large_for_the_database_are_refused_as_invalid(session, make, workshop, owner,
                                                               phone, board, dots, huge):
    round_, themes = dots
    seq = make.seq(workshop.id)
    attempts = [
        lambda: ideas.post_idea(session, phone, huge, dot_id(), "Text"),
        lambda: ideas.edit_idea(session, phone, huge, "Text"),
        lambda: voting.place_dot(session, phone, huge, themes[0].id, dot_id()),
        lambda: voting.place_dot(session, phone, round_.id, huge, dot_id()),
        lambda: voting.update_round(session, workshop.id, huge, {"state": "closed"}),
        lambda: clusters.move_idea(session, workshop.id, owner.id, huge, position=0),
        lambda: phases.set_projector(session, workshop.id, "board", target_id=huge),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidInput):
            attempt()
        session.rollback()

    assert make.seq(workshop.id) == seq
    assert make.count(Vote, round_id=round_.id) == 0


def test_a_refused_post_in_a_closed_board_changes_nothing(session, make, workshop, phone, board,
                                                          announced):
    make.run(phases.set_phase, workshop.id, [board.id], "cluster")
    seq = make.seq(workshop.id)
    announced.clear()

    with pytest.raises(BoardClosed):
        ideas.post_idea(session, phone, board.id, dot_id(), "Zu spät")

    assert (make.seq(workshop.id), announced, make.count(Idea, board_id=board.id)) == (seq, [], 0)
