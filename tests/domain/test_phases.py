"""Running the workshop straight through the domain: board phases and what they allow phones to
do, the phase log, the countdown timer, and what the projector shows."""
import time
import uuid
from datetime import timedelta

import pytest

from facilitator.domain import ideas, phases, voting
from facilitator.domain.changes import PUBLIC, change_payload
from facilitator.domain.errors import BoardClosed, InvalidInput, NotFound
from facilitator.domain.voting import RoundSpec
from facilitator.models import Board, Idea, PhaseChange, Workshop, utcnow


@pytest.fixture
def workshop(make):
    return make.workshop()


@pytest.fixture
def amira(make, workshop):
    return make.participant(workshop, "Amira")[0]


def phase_of(make, board_id: int) -> str:
    return make.fresh(Board, board_id).phase


def timer(make, workshop_id: int) -> dict:
    return phases.timer_state(make.fresh(Workshop, workshop_id))


# --- Phases ---------------------------------------------------------------------------------------

def test_chosen_boards_move_to_the_next_phase_and_screens_are_told(session, make, workshop,
                                                                   announced):
    first, second, third = workshop.boards
    seq = make.seq(workshop.id)

    changed = phases.set_phase(session, workshop.id, [first.id, third.id], "cluster")

    assert [b.id for b in changed] == [first.id, third.id]
    assert [phase_of(make, b.id) for b in workshop.boards] == ["cluster", "collect", "cluster"]
    assert make.seq(workshop.id) == seq + 1
    sent = change_payload(announced[-1], PUBLIC)
    assert announced[-1].event == "board_updated"
    assert [(b["id"], b["phase"], b["seq"]) for b in sent["boards"]] == [
        (first.id, "cluster", seq + 1), (third.id, "cluster", seq + 1)]


def test_no_boards_named_means_the_whole_workshop_moves_at_once(session, make, workshop):
    phases.set_phase(session, workshop.id, [], "prioritise")

    assert {phase_of(make, b.id) for b in workshop.boards} == {"prioritise"}


def test_phase_log_records_each_change_with_its_time(session, make, workshop, board):
    started = utcnow()
    phases.set_phase(session, workshop.id, [board.id], "cluster")
    phases.set_phase(session, workshop.id, [board.id], "cluster")  # no change: not logged
    phases.set_phase(session, workshop.id, [], "prioritise")
    phases.set_phase(session, workshop.id, [board.id], "results")
    finished = utcnow()

    log = phases.agenda(session, workshop.id)

    logged = [(entry.board_id, entry.phase) for entry in log]
    assert logged[0] == (board.id, "cluster") and logged[-1] == (board.id, "results")
    assert sorted(logged[1:-1]) == [(b.id, "prioritise") for b in workshop.boards]
    assert all(started - timedelta(seconds=1) <= entry.at <= finished + timedelta(seconds=1)
               for entry in log)
    assert [entry.at for entry in log] == sorted(entry.at for entry in log)
    assert make.count(PhaseChange, workshop_id=workshop.id) == 5


@pytest.mark.parametrize("board_ids, phase, error", [
    ("all", "cluster", InvalidInput), ([], "discuss", InvalidInput), ([], None, InvalidInput),
    (["1"], "cluster", InvalidInput), ("foreign", "cluster", NotFound)],
    ids=["boards not a list", "unknown phase", "no phase", "board as text", "foreign board"])
def test_bad_phase_change_is_refused_and_changes_nothing(session, make, workshop, board,
                                                         board_ids, phase, error):
    if board_ids == "foreign":
        board_ids = [board.id, make.workshop().boards[0].id]
    seq = make.seq(workshop.id)

    with pytest.raises(error):
        phases.set_phase(session, workshop.id, board_ids, phase)

    assert make.seq(workshop.id) == seq
    assert phase_of(make, board.id) == "collect"
    assert make.count(PhaseChange, workshop_id=workshop.id) == 0


@pytest.mark.parametrize("phase", ["cluster", "prioritise", "results"])
def test_phones_post_edit_and_withdraw_only_while_the_board_collects(session, make, workshop,
                                                                     board, amira, phase):
    card = make.idea(amira, board, "Sprachcafé")
    phases.set_phase(session, workshop.id, [board.id], phase)
    seq = make.seq(workshop.id)

    for attempt in (
            lambda: ideas.post_idea(session, amira, board.id, uuid.uuid4().hex, "Noch eine"),
            lambda: ideas.edit_idea(session, amira, card.id, "Geändert"),
            lambda: ideas.withdraw_idea(session, amira, card.id)):
        with pytest.raises(BoardClosed):
            attempt()

    assert make.seq(workshop.id) == seq
    stored = make.fresh(Idea, card.id)
    assert (stored.text, stored.state) == ("Sprachcafé", "visible")
    assert make.count(Idea, workshop_id=workshop.id) == 1
    # The other boards still collect.
    make.idea(amira, workshop.boards[1], "Am anderen Tisch")

    phases.set_phase(session, workshop.id, [board.id], "collect")
    make.idea(amira, board, "Wieder offen")
    ideas.edit_idea(session, amira, card.id, "Geändert")
    assert make.count(Idea, workshop_id=workshop.id) == 3


# --- Timer ----------------------------------------------------------------------------------------

def test_timer_counts_down_pauses_extends_and_stops(session, make, workshop, announced):
    phases.set_timer(session, workshop.id, "start", 300)
    started = timer(make, workshop.id)
    assert started["running"] is True and 299 <= started["remaining"] <= 300
    assert announced[-1].event == "workshop_updated"
    assert change_payload(announced[-1], PUBLIC)["workshop"]["timer"]["running"] is True

    time.sleep(1.1)
    assert timer(make, workshop.id)["remaining"] <= 299

    phases.set_timer(session, workshop.id, "pause")
    paused = timer(make, workshop.id)
    assert paused["running"] is False and 297 <= paused["remaining"] <= 299
    time.sleep(1.1)
    assert timer(make, workshop.id) == paused, "a paused timer stands still"

    phases.set_timer(session, workshop.id, "extend", 60)
    assert timer(make, workshop.id) == {"running": False,
                                        "remaining": paused["remaining"] + 60}

    phases.set_timer(session, workshop.id, "start")
    resumed = timer(make, workshop.id)
    assert resumed["running"] is True
    assert paused["remaining"] + 59 <= resumed["remaining"] <= paused["remaining"] + 60

    phases.set_timer(session, workshop.id, "extend", 120)
    extended = timer(make, workshop.id)
    assert extended["running"] is True
    assert resumed["remaining"] + 119 <= extended["remaining"] <= resumed["remaining"] + 120

    phases.set_timer(session, workshop.id, "stop")
    assert timer(make, workshop.id) == {"running": False, "remaining": 0}


def test_timer_never_shows_less_than_zero(session, make, workshop):
    phases.set_timer(session, workshop.id, "start", 1)
    time.sleep(1.6)

    assert timer(make, workshop.id) == {"running": True, "remaining": 0}
    phases.set_timer(session, workshop.id, "pause")
    assert timer(make, workshop.id) == {"running": False, "remaining": 0}


@pytest.mark.parametrize("action, seconds", [
    ("rewind", 10), ("start", 0), ("start", -5), ("start", "300"), ("extend", None),
    ("extend", 4 * 3600 + 1), ("start", True)])
def test_bad_timer_request_is_refused_and_changes_nothing(session, make, workshop, action,
                                                          seconds):
    phases.set_timer(session, workshop.id, "start", 600)
    phases.set_timer(session, workshop.id, "pause")
    seq, before = make.seq(workshop.id), timer(make, workshop.id)

    with pytest.raises(InvalidInput):
        phases.set_timer(session, workshop.id, action, seconds)

    assert make.seq(workshop.id) == seq
    assert timer(make, workshop.id) == before


# --- Projector ------------------------------------------------------------------------------------

def test_projector_shows_boards_a_round_a_matrix_or_the_measures(session, make, workshop,
                                                                 announced):
    first, second, third = workshop.boards
    round_ = voting.open_round(session, workshop.id, RoundSpec(board_ids=[first.id]))

    phases.set_projector(session, workshop.id, "boards", board_ids=[third.id, first.id])
    stored = make.fresh(Workshop, workshop.id)
    assert (stored.projector_view, stored.projector_board_ids) == ("boards", [third.id, first.id])

    phases.set_projector(session, workshop.id, "round", round_.id)
    sent = change_payload(announced[-1], PUBLIC)["workshop"]
    assert (sent["projector_view"], sent["projector_target_id"]) == ("round", round_.id)

    phases.set_projector(session, workshop.id, "matrix", second.id)
    stored = make.fresh(Workshop, workshop.id)
    assert (stored.projector_view, stored.projector_target_id) == ("matrix", second.id)

    phases.set_projector(session, workshop.id, "measures")
    stored = make.fresh(Workshop, workshop.id)
    assert (stored.projector_view, stored.projector_target_id) == ("measures", None)
    assert stored.projector_board_ids == [third.id, first.id]


@pytest.mark.parametrize("view, target", [
    ("slides", None), ("round", None), ("round", "1"), ("round", "foreign"), ("matrix", 10 ** 6),
    ("matrix", "foreign"), ("boards", "foreign board"), ("boards", "board_ids as text")])
def test_projector_refuses_what_it_cannot_show_and_changes_nothing(session, make, workshop,
                                                                   view, target):
    elsewhere = make.workshop()
    their_round = voting.open_round(session, elsewhere.id, RoundSpec())
    phases.set_projector(session, workshop.id, "measures")
    seq = make.seq(workshop.id)
    board_ids = None
    if target == "foreign":
        target = their_round.id if view == "round" else elsewhere.boards[0].id
    elif target == "foreign board":
        target, board_ids = None, [workshop.boards[0].id, elsewhere.boards[0].id]
    elif target == "board_ids as text":
        target, board_ids = None, "1,2"

    with pytest.raises((InvalidInput, NotFound)):
        phases.set_projector(session, workshop.id, view, target, board_ids)

    assert make.seq(workshop.id) == seq
    stored = make.fresh(Workshop, workshop.id)
    assert (stored.projector_view, stored.projector_target_id) == ("measures", None)
    assert stored.projector_board_ids == [b.id for b in workshop.boards]
