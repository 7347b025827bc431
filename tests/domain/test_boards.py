"""A board's live settings: open or closed, concealed ("verdeckt") and revealed, cap per person."""
import pytest

from facilitator.domain import boards, ideas
from facilitator.domain.changes import PUBLIC, STAFF, change_payload, changes_since
from facilitator.domain.errors import InvalidInput, NotFound
from facilitator.models import Board


@pytest.fixture
def workshop(make):
    return make.workshop()


def test_closing_and_opening_a_board_is_stored_and_announced(session, make, workshop, board,
                                                             announced):
    boards.update_settings(session, workshop.id, board.id, {"is_open": False})

    assert make.fresh(Board, board.id).is_open is False
    closed = announced[-1]
    assert (closed.event, [b.id for b in closed.boards], closed.ideas) == (
        "board_updated", [board.id], [])
    assert change_payload(closed, PUBLIC)["boards"][0]["is_open"] is False

    boards.update_settings(session, workshop.id, board.id, {"is_open": True})

    assert make.fresh(Board, board.id).is_open is True
    assert [c.seq for c in announced] == [closed.seq, closed.seq + 1]


@pytest.mark.parametrize("settings", [
    {"is_open": False, "max_ideas_per_person": 0},
    {"is_open": False, "max_ideas_per_person": 101},
    {"concealed": True, "revealed": "yes"},
    {"is_open": False, "colour": "red"},
    {"is_open": 0},
    {"max_ideas_per_person": "3"},
    {"max_ideas_per_person": True},
    {},
    [("is_open", False)],
    None,
])
def test_bad_settings_are_refused_and_none_of_them_is_applied(session, make, workshop, board,
                                                              announced, settings):
    seq = make.seq(workshop.id)

    with pytest.raises(InvalidInput):
        boards.update_settings(session, workshop.id, board.id, settings)

    stored = make.fresh(Board, board.id)
    assert (stored.is_open, stored.concealed, stored.max_ideas_per_person) == (True, False, None)
    assert make.seq(workshop.id) == seq
    assert announced == []


@pytest.mark.parametrize("cap", [1, 100, None])
def test_cap_per_person_accepts_1_to_100_or_none(session, make, workshop, board, cap):
    boards.update_settings(session, workshop.id, board.id, {"max_ideas_per_person": 5})

    boards.update_settings(session, workshop.id, board.id, {"max_ideas_per_person": cap})

    assert make.fresh(Board, board.id).max_ideas_per_person == cap


def test_board_of_another_workshop_cannot_be_changed(session, make, workshop):
    other = make.workshop()

    with pytest.raises(NotFound):
        boards.update_settings(session, workshop.id, other.boards[0].id, {"is_open": False})
    with pytest.raises(NotFound):
        boards.update_settings(session, workshop.id, 999999, {"is_open": False})
    assert make.fresh(Board, other.boards[0].id).is_open is True


def test_concealed_board_shows_phones_that_cards_exist_but_not_what_they_say(
        session, make, workshop, board, announced):
    boards.update_settings(session, workshop.id, board.id, {"concealed": True})
    author, _ = make.participant(workshop, "Jonas")
    neighbour, _ = make.participant(workshop)
    idea = make.idea(author, board, "Verdeckte Karte")

    public = change_payload(announced[-1], PUBLIC)["ideas"][0]
    staff = change_payload(announced[-1], STAFF)["ideas"][0]
    assert (public["id"], public["state"], public["text"], public["author"]) == (
        idea.id, "concealed", None, None)
    assert (staff["state"], staff["text"], staff["author"]) == ("visible", "Verdeckte Karte",
                                                                "Jonas")
    # The author's own phone still shows the card's text; the neighbour's does not.
    own = changes_since(session, workshop.id, 0, PUBLIC, viewer_id=author.id)["ideas"]
    theirs = changes_since(session, workshop.id, 0, PUBLIC, viewer_id=neighbour.id)["ideas"]
    assert [(i["text"], i.get("mine")) for i in own] == [("Verdeckte Karte", True)]
    assert [(i["text"], i["state"]) for i in theirs] == [(None, "concealed")]


def test_revealing_sends_every_card_of_the_board_with_its_text(session, make, workshop, board,
                                                               announced):
    boards.update_settings(session, workshop.id, board.id, {"concealed": True})
    phone, _ = make.participant(workshop)
    texts = ["Karte A", "Karte B", "Karte C"]
    posted = [make.idea(phone, board, text) for text in texts]
    withdrawn = make.idea(phone, board, "Zurückgezogen")
    ideas.withdraw_idea(session, phone, withdrawn.id)
    elsewhere = make.idea(phone, workshop.boards[1], "Andere Tafel")
    seq_before = make.seq(workshop.id)

    boards.update_settings(session, workshop.id, board.id, {"revealed": True})

    reveal = announced[-1]
    assert reveal.event == "board_updated" and reveal.seq == seq_before + 1
    public = change_payload(reveal, PUBLIC)
    assert public["boards"][0]["revealed"] is True
    assert [(i["id"], i["text"], i["state"]) for i in public["ideas"]] == [
        (idea.id, text, "visible") for idea, text in zip(posted, texts)]
    # A screen that missed the reveal catches up with the texts, not just the board.
    caught_up = changes_since(session, workshop.id, seq_before, PUBLIC)
    assert sorted((i["state"], i["text"] or "") for i in caught_up["ideas"]) == [
        ("visible", text) for text in texts] + [("withdrawn", "")]
    assert elsewhere.id not in [i["id"] for i in caught_up["ideas"]]


def test_concealing_again_takes_the_texts_back_from_the_public(session, make, workshop, board,
                                                               announced):
    phone, _ = make.participant(workshop)
    make.idea(phone, board, "Schon sichtbar")

    boards.update_settings(session, workshop.id, board.id, {"concealed": True})

    assert [(i["state"], i["text"]) for i in change_payload(announced[-1], PUBLIC)["ideas"]] == [
        ("concealed", None)]


def test_reopening_a_board_does_not_resend_its_cards(session, make, workshop, board, announced):
    phone, _ = make.participant(workshop)
    make.idea(phone, board)

    boards.update_settings(session, workshop.id, board.id, {"is_open": False})

    assert announced[-1].ideas == []
