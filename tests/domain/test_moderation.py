"""The facilitation's tools against a flood, straight through the domain (SQLite and
PostgreSQL): mute a phone by one of its cards, list who posts most, hide all of a phone's cards
or a selection as one undoable step; a refusal changes nothing."""
import pytest

from facilitator.domain import history, moderation
from facilitator.domain.errors import InvalidInput, NotFound
from facilitator.models import Idea, Participant


@pytest.fixture
def flood(make):
    owner = make.facilitator()
    workshop = make.workshop(owner)
    spammer, _ = make.participant(workshop, "Werbung")
    amira, _ = make.participant(workshop, "Amira")
    silent, _ = make.participant(workshop)
    board = workshop.boards[0]
    cards = [make.idea(spammer, board).id for _ in range(4)]
    kept = make.idea(amira, board).id
    return owner, workshop, spammer, amira, silent, cards, kept


def test_a_phone_is_muted_by_one_of_its_cards_and_unmuted_by_id(make, flood):
    owner, workshop, spammer, amira, silent, cards, kept = flood
    make.run(moderation.set_muted, workshop.id, True, idea_id=cards[2])
    assert make.fresh(Participant, spammer.id).muted is True
    with pytest.raises(moderation.ParticipantMuted):
        moderation.refuse_if_muted(make.fresh(Participant, spammer.id))
    moderation.refuse_if_muted(make.fresh(Participant, amira.id))
    make.run(moderation.set_muted, workshop.id, False, participant_id=spammer.id)
    assert make.fresh(Participant, spammer.id).muted is False


def test_who_posts_most_comes_first_and_muted_phones_on_top(make, flood):
    owner, workshop, spammer, amira, silent, cards, kept = flood
    make.run(moderation.set_muted, workshop.id, True, participant_id=silent.id)
    listed = moderation.overview(make.session, workshop.id)
    assert [(p["id"], p["muted"], p["visible"]) for p in listed] == [
        (silent.id, True, 0), (spammer.id, False, 4), (amira.id, False, 1)]
    assert listed[1]["name"] == "Werbung" and listed[0]["name"] is None


def test_hiding_all_cards_of_a_phone_is_one_step_and_undo_brings_them_back(make, flood):
    owner, workshop, spammer, amira, silent, cards, kept = flood
    seq = make.seq(workshop.id)
    assert make.run(moderation.hide_cards, workshop.id, owner.id, participant_id=spammer.id) == 4
    assert make.seq(workshop.id) == seq + 1
    assert [make.fresh(Idea, i).state for i in cards] == ["hidden"] * 4
    assert make.fresh(Idea, kept).state == "visible"
    assert history.history_state(make.session, workshop.id, owner.id)["undo"] == "hide_cards"
    make.run(history.undo, workshop.id, owner.id)
    assert [make.fresh(Idea, i).state for i in cards] == ["visible"] * 4


def test_a_refused_bulk_hide_changes_nothing(make, flood):
    owner, workshop, spammer, amira, silent, cards, kept = flood
    other = make.workshop()
    stranger, _ = make.participant(other)
    foreign = make.idea(stranger, other.boards[0]).id
    seq = make.seq(workshop.id)
    for kwargs, error in (({"participant_id": silent.id}, NotFound),
                          ({"idea_ids": [foreign]}, NotFound),
                          ({"participant_id": stranger.id}, NotFound),
                          ({}, InvalidInput),
                          ({"idea_ids": [], "participant_id": None}, InvalidInput),
                          ({"idea_ids": cards, "participant_id": spammer.id}, InvalidInput)):
        with pytest.raises(error):
            make.run(moderation.hide_cards, workshop.id, owner.id, **kwargs)
    with pytest.raises(NotFound):
        make.run(moderation.set_muted, workshop.id, True, participant_id=stranger.id)
    assert make.seq(workshop.id) == seq
    assert make.fresh(Idea, foreign).state == "visible"
    assert make.count(Idea, workshop_id=workshop.id, state="hidden") == 0
