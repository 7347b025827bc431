"""What the projector shows at real volume, straight through the domain: one board or one cluster
full screen, and paging that the facilitator pauses, turns on and back, and times."""
import pytest

from facilitator.domain import clusters, phases
from facilitator.domain.changes import PUBLIC, change_payload
from facilitator.domain.errors import InvalidInput, NotFound
from facilitator.models import Workshop


def test_one_board_or_one_cluster_goes_full_screen_and_back(session, make, workshop, owner,
                                                             announced):
    first, second, _ = workshop.boards
    theme = clusters.create_cluster(session, workshop.id, owner.id, second.id, "Kita", "pink", [])

    phases.set_projector(session, workshop.id, "board", first.id)
    sent = change_payload(announced[-1], PUBLIC)["workshop"]
    assert (sent["projector_view"], sent["projector_target_id"]) == ("board", first.id)

    phases.set_projector(session, workshop.id, "cluster", theme.id)
    stored = make.fresh(Workshop, workshop.id)
    assert (stored.projector_view, stored.projector_target_id) == ("cluster", theme.id)

    phases.set_projector(session, workshop.id, "boards")
    stored = make.fresh(Workshop, workshop.id)
    assert (stored.projector_view, stored.projector_target_id) == ("boards", None)
    assert stored.projector_board_ids == [board.id for board in workshop.boards]


@pytest.mark.parametrize("view, target", [
    ("board", None), ("board", "foreign"), ("cluster", None), ("cluster", "foreign"),
    ("cluster", "dissolved"), ("cluster", "a board id")])
def test_full_screen_refuses_what_is_not_this_workshops_and_changes_nothing(
        session, make, workshop, owner, view, target):
    elsewhere = make.workshop(owner)
    board = workshop.boards[0]
    if target == "foreign":
        target = elsewhere.boards[0].id if view == "board" else clusters.create_cluster(
            session, elsewhere.id, owner.id, elsewhere.boards[0].id, "", "grey", []).id
    elif target == "dissolved":
        gone = clusters.create_cluster(session, workshop.id, owner.id, board.id, "", "grey", [])
        clusters.dissolve_cluster(session, workshop.id, owner.id, gone.id)
        target = gone.id
    elif target == "a board id":
        target = 10 ** 6
    seq = make.seq(workshop.id)

    with pytest.raises((InvalidInput, NotFound)):
        phases.set_projector(session, workshop.id, view, target)

    assert make.seq(workshop.id) == seq
    assert make.fresh(Workshop, workshop.id).projector_view == "boards"


def paging(make, workshop_id: int) -> dict:
    stored = make.fresh(Workshop, workshop_id)
    return {"paused": stored.projector_paging_paused, "step": stored.projector_page_step,
            "seconds": stored.projector_page_seconds}


def test_paging_pauses_turns_on_and_back_and_every_screen_is_told(session, make, workshop,
                                                                   announced):
    assert paging(make, workshop.id) == {"paused": False, "step": 0, "seconds": 12}

    phases.set_projector_paging(session, workshop.id, "pause")
    phases.set_projector_paging(session, workshop.id, "next")
    phases.set_projector_paging(session, workshop.id, "next")
    phases.set_projector_paging(session, workshop.id, "previous")
    assert paging(make, workshop.id) == {"paused": True, "step": 1, "seconds": 12}

    phases.set_projector_paging(session, workshop.id, "resume", seconds=15)
    assert paging(make, workshop.id) == {"paused": False, "step": 1, "seconds": 15}
    sent = change_payload(announced[-1], PUBLIC)
    assert sent["workshop"]["projector_paging"] == {"paused": False, "step": 1, "seconds": 15}

    # The interval alone, without turning a page.
    phases.set_projector_paging(session, workshop.id, None, seconds=3)
    assert paging(make, workshop.id) == {"paused": False, "step": 1, "seconds": 3}


@pytest.mark.parametrize("action, seconds", [
    (None, None), ("stop", None), ("next", 0), ("next", 121), ("pause", "12"), ("next", True)])
def test_paging_refuses_unknown_actions_and_intervals_and_changes_nothing(session, make, workshop,
                                                                          action, seconds):
    seq = make.seq(workshop.id)

    with pytest.raises(InvalidInput):
        phases.set_projector_paging(session, workshop.id, action, seconds)

    assert make.seq(workshop.id) == seq
    assert paging(make, workshop.id) == {"paused": False, "step": 0, "seconds": 12}
