"""Prioritisation straight through the domain: dot voting (budget, cap per item, own cards,
replayed dots, closed rounds, other workshops — each refusal changes nothing), results with ranks,
visible ties and the number of voters, hidden tallies, the consent check, and the final order."""
import threading
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from facilitator.database import make_engine
from facilitator.domain import clusters, measures, presence, voting
from facilitator.domain.changes import PUBLIC, STAFF, change_payload, changes_since, round_payload
from facilitator.domain.errors import (AlreadyCounted, InvalidInput, ItemCapReached, NotFound,
                                       OwnIdeaNotAllowed, RoundClosed, TextEmpty,
                                       VoteBudgetExceeded)
from facilitator.domain.measures import MeasureSpec
from facilitator.domain.voting import RoundSpec
from facilitator.models import Participant, Vote, VoteRound


def dot_id() -> str:
    """What a phone makes for each dot before sending it."""
    return uuid.uuid4().hex


def payload(make, round_id: int, audience: str) -> dict:
    """The round as a screen of that audience gets it, read by a session of its own."""
    make.session.commit()
    with Session(make.session.get_bind(), expire_on_commit=False) as reader:
        return round_payload(reader.get(VoteRound, round_id), audience)


def votes_of(make, round_id: int) -> list[tuple]:
    make.session.commit()
    with Session(make.session.get_bind()) as reader:
        return sorted(reader.execute(select(Vote.participant_id, Vote.target_id, Vote.value)
                                     .where(Vote.round_id == round_id)).all())


def ranking(make, round_id: int) -> list[tuple]:
    return [(row["id"], row["score"], row["rank"], row["tie"])
            for row in payload(make, round_id, STAFF)["results"]]


@pytest.fixture
def people(make, workshop):
    """Four phones: (participant, ...)."""
    return [make.participant(workshop, name)[0] for name in ("Amira", "Ben", "Chen", "Dana")]


@pytest.fixture
def themes(session, make, workshop, owner, people):
    """Four clusters on the first board (the first holds Amira's card) and one on the second."""
    first, second = workshop.boards[0], workshop.boards[1]
    card = make.idea(people[0], first, "Sprachcafé")
    made = [clusters.create_cluster(session, workshop.id, owner.id, first.id, heading,
                                    idea_ids=[card.id] if n == 0 else [])
            for n, heading in enumerate(("Sprache", "Wohnen", "Arbeit", "Familie"))]
    made.append(clusters.create_cluster(session, workshop.id, owner.id, second.id, "Ausbildung"))
    return made


def dots_round(session, workshop, **settings):
    spec = RoundSpec(**{"kind": "dots", "target_kind": "cluster",
                        "board_ids": [workshop.boards[0].id], "dots_per_person": 3,
                        "max_per_item": 2, **settings})
    return voting.open_round(session, workshop.id, spec)


# --- Opening a round ----------------------------------------------------------------------------

def test_round_on_one_board_offers_that_boards_clusters_in_order(session, make, workshop,
                                                                 themes, announced):
    round_ = dots_round(session, workshop, question="Was ist am wichtigsten?")

    shown = payload(make, round_.id, PUBLIC)
    assert [t["id"] for t in shown["targets"]] == [t.id for t in themes[:4]]
    assert [t["label"] for t in shown["targets"]] == ["Sprache", "Wohnen", "Arbeit", "Familie"]
    assert (shown["kind"], shown["state"], shown["dots_per_person"], shown["max_per_item"],
            shown["allow_own"], shown["question"]) == ("dots", "open", 3, 2, True,
                                                       "Was ist am wichtigsten?")
    assert announced[-1].event == "round_updated"
    assert announced[-1].seq == make.seq(workshop.id) == round_.updated_seq


def test_round_over_the_whole_workshop_offers_every_boards_clusters(session, make, workshop,
                                                                    themes):
    round_ = dots_round(session, workshop, board_ids=[])

    assert [t["id"] for t in payload(make, round_.id, PUBLIC)["targets"]] == [
        t.id for t in themes]


def test_closing_event_votes_on_measures_across_all_fields(session, make, workshop, owner,
                                                           themes, people):
    made = [measures.save_measure(session, workshop.id, owner.id, MeasureSpec(
        title, board_id=board.id)) for title, board in (
        ("Sprachcafé", workshop.boards[0]), ("Ausbildungsmesse", workshop.boards[1]),
        ("Wohnungsbörse", workshop.boards[2]))]
    measures.delete_measure(session, workshop.id, owner.id, made[2].id)

    round_ = dots_round(session, workshop, board_ids=[], target_kind="measure")
    voting.place_dot(session, people[0], round_.id, made[1].id, dot_id())

    assert [(t["id"], t["label"]) for t in payload(make, round_.id, STAFF)["targets"]] == [
        (made[0].id, "Sprachcafé"), (made[1].id, "Ausbildungsmesse")]
    assert ranking(make, round_.id)[0] == (made[1].id, 1, 1, False)
    with pytest.raises(NotFound):
        voting.place_dot(session, people[0], round_.id, made[2].id, dot_id())


@pytest.mark.parametrize("settings, field", [
    ({"kind": "poll"}, "kind"),
    ({"target_kind": "board"}, "target_kind"),
    ({"dots_per_person": 0}, "dots_per_person"),
    ({"dots_per_person": "3"}, "dots_per_person"),
    ({"max_per_item": 4}, "max_per_item"),
    ({"board_ids": "all"}, "board_ids"),
    ({"allow_own": "yes"}, "allow_own"),
], ids=["kind", "target", "no dots", "dots as text", "cap above budget", "boards", "own flag"])
def test_round_with_invalid_settings_is_refused_and_changes_nothing(session, make, workshop,
                                                                    themes, settings, field):
    seq = make.seq(workshop.id)

    with pytest.raises(InvalidInput) as refused:
        dots_round(session, workshop, **settings)

    assert refused.value.params["field"] == field
    assert make.seq(workshop.id) == seq
    assert make.count(VoteRound, workshop_id=workshop.id) == 0


def test_round_on_a_board_of_another_workshop_is_refused(session, make, workshop, themes):
    elsewhere = make.workshop()
    seq = make.seq(workshop.id)

    with pytest.raises(NotFound):
        dots_round(session, workshop, board_ids=[elsewhere.boards[0].id])

    assert make.seq(workshop.id) == seq and make.count(VoteRound, workshop_id=workshop.id) == 0


def test_suggested_budget_is_about_a_third_of_the_options():
    assert [voting.suggested_budget(n) for n in (1, 2, 3, 4, 6, 9, 10, 12, 30)] == [
        1, 1, 1, 1, 2, 3, 3, 4, 10]


# --- Placing dots: the server enforces every rule -------------------------------------------------

def test_dots_up_to_the_budget_count_and_the_next_is_refused_changing_nothing(
        session, make, workshop, themes, people):
    round_ = dots_round(session, workshop)
    ben = people[1]
    seq = make.seq(workshop.id)

    mine = {}
    for theme in (themes[0], themes[1], themes[1]):
        mine = voting.place_dot(session, ben, round_.id, theme.id, dot_id())
    assert mine == {themes[0].id: 1, themes[1].id: 2}
    before = votes_of(make, round_.id)

    with pytest.raises(VoteBudgetExceeded) as refused:
        voting.place_dot(session, ben, round_.id, themes[2].id, dot_id())

    assert refused.value.params == {"max": 3}
    assert votes_of(make, round_.id) == before and len(before) == 3
    # Votes are not sequenced changes: tallies travel in `votes_changed` and every sync.
    assert make.seq(workshop.id) == seq


def test_more_dots_on_one_item_than_the_cap_are_refused(session, make, workshop, themes,
                                                        people):
    round_ = dots_round(session, workshop, dots_per_person=5, max_per_item=2)
    chen = people[2]
    for _ in range(2):
        voting.place_dot(session, chen, round_.id, themes[3].id, dot_id())

    with pytest.raises(ItemCapReached) as refused:
        voting.place_dot(session, chen, round_.id, themes[3].id, dot_id())

    assert refused.value.params == {"max": 2}
    assert votes_of(make, round_.id) == [(chen.id, themes[3].id, 1)] * 2
    assert voting.place_dot(session, chen, round_.id, themes[2].id, dot_id()) == {
        themes[3].id: 2, themes[2].id: 1}


def test_dots_on_ones_own_cluster_or_card_are_refused_when_the_round_says_so(
        session, make, workshop, themes, people):
    amira, ben = people[0], people[1]
    strict = dots_round(session, workshop, allow_own=False)

    with pytest.raises(OwnIdeaNotAllowed):
        voting.place_dot(session, amira, strict.id, themes[0].id, dot_id())
    assert votes_of(make, strict.id) == []
    voting.place_dot(session, ben, strict.id, themes[0].id, dot_id())
    voting.place_dot(session, amira, strict.id, themes[1].id, dot_id())
    assert votes_of(make, strict.id) == sorted([(ben.id, themes[0].id, 1),
                                                (amira.id, themes[1].id, 1)])
    assert payload(make, strict.id, PUBLIC)["allow_own"] is False

    card = make.idea(ben, workshop.boards[0], "Mehr Kita-Plätze")
    on_cards = dots_round(session, workshop, target_kind="idea", allow_own=False)
    with pytest.raises(OwnIdeaNotAllowed):
        voting.place_dot(session, ben, on_cards.id, card.id, dot_id())
    assert voting.place_dot(session, amira, on_cards.id, card.id, dot_id()) == {card.id: 1}

    relaxed = dots_round(session, workshop, allow_own=True)
    assert voting.place_dot(session, amira, relaxed.id, themes[0].id, dot_id()) == {
        themes[0].id: 1}


def test_dot_sent_twice_with_the_same_id_counts_once(session, make, workshop, themes, people):
    round_ = dots_round(session, workshop)
    dana, same = people[3], dot_id()
    voting.place_dot(session, dana, round_.id, themes[1].id, same)

    for target in (themes[1], themes[2]):
        with pytest.raises(AlreadyCounted):
            voting.place_dot(session, dana, round_.id, target.id, same)

    assert votes_of(make, round_.id) == [(dana.id, themes[1].id, 1)]
    # Another phone that happens to send the same id does not take this one's dot.
    with pytest.raises(AlreadyCounted):
        voting.place_dot(session, people[0], round_.id, themes[1].id, same)
    assert votes_of(make, round_.id) == [(dana.id, themes[1].id, 1)]


def test_closed_round_refuses_dots_and_take_backs_until_reopened(session, make, workshop,
                                                                 themes, people):
    round_ = dots_round(session, workshop)
    ben = people[1]
    voting.place_dot(session, ben, round_.id, themes[0].id, dot_id())
    voting.update_round(session, workshop.id, round_.id, {"state": "closed"})

    with pytest.raises(RoundClosed):
        voting.place_dot(session, ben, round_.id, themes[1].id, dot_id())
    with pytest.raises(RoundClosed):
        voting.remove_dot(session, ben, round_.id, themes[0].id)
    assert votes_of(make, round_.id) == [(ben.id, themes[0].id, 1)]

    voting.update_round(session, workshop.id, round_.id, {"state": "open"})
    assert voting.place_dot(session, ben, round_.id, themes[1].id, dot_id()) == {
        themes[0].id: 1, themes[1].id: 1}


def test_phone_of_another_workshop_cannot_vote_in_this_round(session, make, workshop, themes,
                                                              people):
    round_ = dots_round(session, workshop)
    voting.place_dot(session, people[0], round_.id, themes[1].id, dot_id())
    elsewhere = make.workshop()
    stranger = make.participant(elsewhere, "Fremd")[0]
    before = votes_of(make, round_.id)

    with pytest.raises(NotFound):
        voting.place_dot(session, stranger, round_.id, themes[1].id, dot_id())
    with pytest.raises(NotFound):
        voting.remove_dot(session, stranger, round_.id, themes[1].id)

    assert votes_of(make, round_.id) == before
    assert payload(make, round_.id, STAFF)["voters"] == 1


def test_dot_on_something_outside_the_round_is_refused(session, make, workshop, owner, themes,
                                                       people):
    round_ = dots_round(session, workshop)
    clusters.dissolve_cluster(session, workshop.id, owner.id, themes[3].id)
    elsewhere = make.workshop()
    foreign = clusters.create_cluster(session, elsewhere.id, None, elsewhere.boards[0].id, "X")

    for target, error in [(themes[4].id, NotFound), (themes[3].id, NotFound),
                          (foreign.id, NotFound), ("1", InvalidInput), (None, InvalidInput)]:
        with pytest.raises(error):
            voting.place_dot(session, people[1], round_.id, target, dot_id())
    for bad_id in ("short", "", None, 12345678, "with spaces in"):
        with pytest.raises(InvalidInput):
            voting.place_dot(session, people[1], round_.id, themes[0].id, bad_id)

    assert votes_of(make, round_.id) == []


def test_taking_back_a_dot_frees_it_for_another_item(session, make, workshop, themes, people):
    round_ = dots_round(session, workshop, dots_per_person=2)
    ben = people[1]
    voting.place_dot(session, ben, round_.id, themes[0].id, dot_id())
    voting.place_dot(session, ben, round_.id, themes[0].id, dot_id())

    assert voting.remove_dot(session, ben, round_.id, themes[0].id) == {themes[0].id: 1}
    assert voting.place_dot(session, ben, round_.id, themes[2].id, dot_id()) == {
        themes[0].id: 1, themes[2].id: 1}
    with pytest.raises(NotFound):
        voting.remove_dot(session, ben, round_.id, themes[1].id)
    with pytest.raises(NotFound):
        voting.remove_dot(session, people[2], round_.id, themes[0].id)
    assert votes_of(make, round_.id) == sorted([(ben.id, themes[0].id, 1),
                                                (ben.id, themes[2].id, 1)])


# --- Results --------------------------------------------------------------------------------------

def test_results_rank_by_dots_show_ties_and_count_who_voted(session, make, workshop, themes,
                                                            people):
    round_ = dots_round(session, workshop)
    sprache, wohnen, arbeit, familie = themes[:4]
    amira, ben, chen, dana = people
    # Everyone's phone is open at the round's board; one more phone sits at another table.
    for person in people:
        presence.connected(session, f"sid-{person.id}", workshop.id, "participant",
                           workshop.boards[0].id, person.id)
    presence.connected(session, "sid-elsewhere", workshop.id, "participant",
                       workshop.boards[1].id, make.participant(workshop)[0].id)
    for person, theme in [(amira, wohnen), (amira, wohnen), (amira, arbeit),
                          (ben, arbeit), (ben, arbeit), (ben, sprache),
                          (chen, familie)]:
        voting.place_dot(session, person, round_.id, theme.id, dot_id())

    assert ranking(make, round_.id) == [(arbeit.id, 3, 1, False), (wohnen.id, 2, 2, False),
                                        (sprache.id, 1, 3, True), (familie.id, 1, 3, True)]
    shown = payload(make, round_.id, STAFF)
    # "3 of 4 have voted": the phones online at the round's board.
    assert (shown["voters"], shown["eligible"]) == (3, 4)
    # Nobody learns who voted for what: results carry totals only.
    assert all(set(row) == {"id", "label", "board_id", "score", "rank", "tie"}
               for row in shown["results"])

    voting.place_dot(session, dana, round_.id, wohnen.id, dot_id())

    # Tied items share the rank and keep the order of the board.
    assert ranking(make, round_.id)[:2] == [(wohnen.id, 3, 1, True), (arbeit.id, 3, 1, True)]
    assert ranking(make, round_.id)[2][2] == 3
    assert payload(make, round_.id, STAFF)["voters"] == 4


def test_round_without_votes_ranks_everything_first_and_tied(session, make, workshop, themes):
    round_ = dots_round(session, workshop)

    assert ranking(make, round_.id) == [(t.id, 0, 1, True) for t in themes[:4]]
    assert payload(make, round_.id, STAFF)["voters"] == 0


def test_hidden_tallies_reach_only_staff_until_revealed(session, make, workshop, themes, people,
                                                        announced):
    round_ = dots_round(session, workshop, tallies_visible=False)
    voting.place_dot(session, people[0], round_.id, themes[1].id, dot_id())

    for seen_by_public in (payload(make, round_.id, PUBLIC),
                           change_payload(announced[-1], PUBLIC)["rounds"][0],
                           changes_since(session, workshop.id, 0, PUBLIC)["rounds"][0]):
        assert "results" not in seen_by_public
        assert "score" not in repr(seen_by_public)
    assert payload(make, round_.id, PUBLIC)["voters"] == 1
    assert ranking(make, round_.id)[0] == (themes[1].id, 1, 1, False)

    voting.update_round(session, workshop.id, round_.id, {"state": "closed"})
    assert "results" not in payload(make, round_.id, PUBLIC)

    voting.update_round(session, workshop.id, round_.id, {"revealed": True})

    revealed = change_payload(announced[-1], PUBLIC)["rounds"][0]
    assert [(r["id"], r["score"]) for r in revealed["results"]][0] == (themes[1].id, 1)
    assert payload(make, round_.id, PUBLIC)["results"][0]["score"] == 1


def test_tallies_set_visible_are_public_while_voting(session, make, workshop, themes, people):
    round_ = dots_round(session, workshop, tallies_visible=True)
    voting.place_dot(session, people[0], round_.id, themes[2].id, dot_id())

    assert payload(make, round_.id, PUBLIC)["results"][0]["id"] == themes[2].id

    voting.update_round(session, workshop.id, round_.id, {"tallies_visible": False})
    assert "results" not in payload(make, round_.id, PUBLIC)


# --- Final order ----------------------------------------------------------------------------------

def test_final_order_is_kept_beside_the_votes(session, make, workshop, themes, people):
    round_ = dots_round(session, workshop)
    voting.place_dot(session, people[0], round_.id, themes[1].id, dot_id())
    voting.update_round(session, workshop.id, round_.id, {"state": "closed"})
    order = [themes[2].id, themes[1].id, themes[0].id]

    voting.update_round(session, workshop.id, round_.id, {"final_order": order})

    shown = payload(make, round_.id, STAFF)
    assert shown["final_order"] == order
    assert ranking(make, round_.id)[0] == (themes[1].id, 1, 1, False)
    assert votes_of(make, round_.id) == [(people[0].id, themes[1].id, 1)]


@pytest.mark.parametrize("order", [
    "not a list", "fraction", "flag", "text", "duplicate", "foreign cluster", "other board"])
def test_final_order_with_unknown_or_repeated_items_is_refused_and_changes_nothing(
        session, make, workshop, themes, order):
    round_ = dots_round(session, workshop)
    voting.update_round(session, workshop.id, round_.id, {"final_order": [themes[0].id]})
    elsewhere = make.workshop()
    foreign = clusters.create_cluster(session, elsewhere.id, None, elsewhere.boards[0].id, "X")
    order = {"not a list": themes[0].id, "fraction": [1.5], "flag": [True], "text": ["x"],
             "duplicate": [themes[0].id, themes[0].id], "foreign cluster": [foreign.id],
             "other board": [themes[4].id]}[order]
    seq = make.seq(workshop.id)

    with pytest.raises(InvalidInput):
        voting.update_round(session, workshop.id, round_.id, {"final_order": order})

    assert payload(make, round_.id, STAFF)["final_order"] == [themes[0].id]
    assert make.seq(workshop.id) == seq


@pytest.mark.parametrize("settings", [
    {}, {"state": "paused"}, {"revealed": "yes"}, {"colour": "red"}, "closed"])
def test_bad_round_settings_are_refused_and_change_nothing(session, make, workshop, themes,
                                                           settings):
    round_ = dots_round(session, workshop)
    seq = make.seq(workshop.id)

    with pytest.raises(InvalidInput):
        voting.update_round(session, workshop.id, round_.id, settings)

    assert make.seq(workshop.id) == seq
    shown = payload(make, round_.id, STAFF)
    assert (shown["state"], shown["revealed"]) == ("open", False)


def test_round_of_another_workshop_cannot_be_changed(session, make, workshop, themes):
    elsewhere = make.workshop()
    theirs = dots_round(session, elsewhere)
    seq, their_seq = make.seq(workshop.id), make.seq(elsewhere.id)

    with pytest.raises(NotFound):
        voting.update_round(session, workshop.id, theirs.id, {"state": "closed"})

    assert (make.seq(workshop.id), make.seq(elsewhere.id)) == (seq, their_seq)
    assert payload(make, theirs.id, STAFF)["state"] == "open"


# --- Consent check --------------------------------------------------------------------------------

def consent_round(session, workshop, options=("Sprachcafé im Rathaus", "Lotsenprogramm")):
    return voting.open_round(session, workshop.id, RoundSpec(
        kind="consent", question="Womit fangen wir an?", options=list(options),
        passive_option="Alles so lassen, wie es ist"))


def test_consent_check_always_offers_leaving_things_as_they_are_first(session, make, workshop):
    round_ = consent_round(session, workshop)

    shown = payload(make, round_.id, PUBLIC)
    assert shown["options"] == [{"id": 0, "text": "Alles so lassen, wie es ist"},
                                {"id": 1, "text": "Sprachcafé im Rathaus"},
                                {"id": 2, "text": "Lotsenprogramm"}]
    assert [t["label"] for t in shown["targets"]][0] == "Alles so lassen, wie es ist"
    for spec, error in [(RoundSpec(kind="consent", options=["A"]), TextEmpty),
                        (RoundSpec(kind="consent", options=[], passive_option="So lassen"),
                         InvalidInput),
                        (RoundSpec(kind="consent", options=[str(n) for n in range(9)],
                                   passive_option="So lassen"), InvalidInput)]:
        with pytest.raises(error):
            voting.open_round(session, workshop.id, spec)
    assert make.count(VoteRound, workshop_id=workshop.id) == 1


def test_least_total_resistance_wins_and_the_distribution_is_shown(session, make, workshop,
                                                                   people):
    round_ = consent_round(session, workshop)
    amira, ben, chen, dana = people
    ratings = {amira: (8, 2, 5), ben: (9, 0, 7), chen: (6, 3, 1), dana: (10, 1, 3)}
    for person, values in ratings.items():
        for option, value in enumerate(values):
            voting.rate_option(session, person, round_.id, option, value)

    results = payload(make, round_.id, STAFF)["results"]

    assert [(r["id"], r["score"], r["rank"], r["tie"]) for r in results] == [
        (1, 6, 1, False), (2, 16, 2, False), (0, 33, 3, False)]
    assert [r["passive"] for r in results] == [False, False, True]
    assert results[0]["distribution"] == [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    assert results[2]["distribution"] == [0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1]
    assert all(r["answers"] == 4 for r in results)
    assert payload(make, round_.id, STAFF)["voters"] == 4


def test_consent_rating_again_replaces_the_earlier_one(session, make, workshop, people):
    round_ = consent_round(session, workshop)
    amira = people[0]

    voting.rate_option(session, amira, round_.id, 1, 9)
    mine = voting.rate_option(session, amira, round_.id, 1, 2)

    assert mine == {1: 2}
    assert votes_of(make, round_.id) == [(amira.id, 1, 2)]
    for option, value, error in [(1, 11, InvalidInput), (1, -1, InvalidInput),
                                 (1, "5", InvalidInput), (3, 5, NotFound)]:
        with pytest.raises(error):
            voting.rate_option(session, amira, round_.id, option, value)
    assert votes_of(make, round_.id) == [(amira.id, 1, 2)]


def test_dots_and_ratings_do_not_mix(session, make, workshop, themes, people):
    consent = consent_round(session, workshop)
    dots = dots_round(session, workshop)

    with pytest.raises(InvalidInput):
        voting.place_dot(session, people[0], consent.id, 1, dot_id())
    with pytest.raises(InvalidInput):
        voting.rate_option(session, people[0], dots.id, themes[0].id, 3)

    assert votes_of(make, consent.id) == votes_of(make, dots.id) == []


def test_consent_answers_stay_hidden_until_revealed_even_with_tallies_visible(
        session, make, workshop, people):
    round_ = voting.open_round(session, workshop.id, RoundSpec(
        kind="consent", options=["Lotsenprogramm"], passive_option="So lassen",
        tallies_visible=True))
    voting.rate_option(session, people[0], round_.id, 1, 4)

    assert "results" not in payload(make, round_.id, PUBLIC)
    assert payload(make, round_.id, STAFF)["results"][0]["score"] == 0

    voting.update_round(session, workshop.id, round_.id, {"state": "closed", "revealed": True})

    assert [(r["id"], r["score"]) for r in payload(make, round_.id, PUBLIC)["results"]] == [
        (0, 0), (1, 4)]
    with pytest.raises(RoundClosed):
        voting.rate_option(session, people[0], round_.id, 1, 0)


# --- At the same time -----------------------------------------------------------------------------

@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_dots_sent_at_once_from_several_tabs_never_exceed_the_budget(
        database_url, session, make, workshop, themes, people):
    """On PostgreSQL several server processes (or greenlets waiting on the network) place dots
    of the same phone at the same moment; the budget must still hold."""
    round_ = dots_round(session, workshop, dots_per_person=3, max_per_item=3)
    ben = people[1]
    engine = make_engine(database_url)
    barrier = threading.Barrier(8)
    outcomes = []

    def tab(target_id: int) -> None:
        with Session(engine, expire_on_commit=False) as s:
            phone = s.get(Participant, ben.id)
            barrier.wait()
            try:
                voting.place_dot(s, phone, round_.id, target_id, dot_id())
                outcomes.append("counted")
            except (VoteBudgetExceeded, ItemCapReached) as refused:
                outcomes.append(refused.code)

    tabs = [threading.Thread(target=tab, args=(themes[n % 4].id,)) for n in range(8)]
    for thread in tabs:
        thread.start()
    for thread in tabs:
        thread.join(30)
    engine.dispose()

    assert sorted(outcomes) == ["counted"] * 3 + ["vote_budget_exceeded"] * 5
    assert len(votes_of(make, round_.id)) == 3


# --- Plenary: a round for the whole room -----------------------------------------------------------

def test_round_on_one_board_opened_to_the_whole_room_counts_and_takes_phones_at_every_table(
        session, make, workshop, themes, people):
    sprache, wohnen = workshop.boards[0], workshop.boards[1]
    round_ = voting.open_round(session, workshop.id, RoundSpec(
        kind="dots", target_kind="cluster", board_ids=[sprache.id], whole_room=True))
    amira, ben, chen, dana = people
    # Phones at three different tables; none of them changed table to vote.
    for person, board in [(amira, sprache), (ben, wohnen), (chen, workshop.boards[2])]:
        presence.connected(session, f"sid-{person.id}", workshop.id, "participant", board.id,
                           person.id)
    voting.place_dot(session, ben, round_.id, themes[1].id, dot_id())
    voting.place_dot(session, chen, round_.id, themes[1].id, dot_id())

    for audience in (STAFF, PUBLIC):
        shown = payload(make, round_.id, audience)
        # Only the one board's clusters are voted on, by everyone in the room.
        assert shown["whole_room"] is True and shown["board_ids"] == [sprache.id]
        assert [t["id"] for t in shown["targets"]] == [t.id for t in themes[:4]]
        assert (shown["voters"], shown["eligible"]) == (2, 3)

    # The same round kept to its board counts only the phones there.
    voting.update_round(session, workshop.id, round_.id, {"whole_room": False})
    assert (payload(make, round_.id, STAFF)["eligible"]) == 2  # never fewer than voted
    voting.update_round(session, workshop.id, round_.id, {"whole_room": True})
    assert payload(make, round_.id, STAFF)["eligible"] == 3
    with pytest.raises(InvalidInput):
        voting.open_round(session, workshop.id, RoundSpec(board_ids=[sprache.id],
                                                          whole_room="yes"))


def _dot_in_a_thread(engine, participant_id: int, round_id: int, target_id: int):
    """place_dot on a session of its own in a thread (another socket event or process)."""
    outcome = []

    def run():
        with Session(engine, expire_on_commit=False) as own:
            try:
                outcome.append(voting.place_dot(own, own.get(Participant, participant_id),
                                                round_id, target_id, dot_id()))
            except Exception as error:  # noqa: BLE001 - the test reads it
                outcome.append(error)
    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


# PostgreSQL only: SQLite has one writer, so no dot ever waits for another there.
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_phones_dot_in_flight_holds_up_its_own_next_dot_not_the_other_phones(
        database_url, session, make, workshop, themes, people):
    """A room dots at once: each dot waits only for the same phone's dot before it (its budget),
    not for every dot of the round (the round locked for update queued the whole room)."""
    round_ = dots_round(session, workshop, dots_per_person=3, max_per_item=3)
    amira, ben = people[0], people[1]
    engine = make_engine(database_url)
    in_flight = engine.raw_connection()  # Amira's first dot, between its locks and its commit
    try:
        cursor = in_flight.cursor()
        cursor.execute("BEGIN")
        cursor.execute("SELECT id FROM participants WHERE id = %s FOR NO KEY UPDATE",
                       (amira.id,))
        cursor.execute("SELECT id FROM vote_rounds WHERE id = %s FOR SHARE", (round_.id,))
        bens, bens_outcome = _dot_in_a_thread(engine, ben.id, round_.id, themes[1].id)
        bens.join(10)
        assert bens_outcome and isinstance(bens_outcome[0], dict), "held up by Amira's dot"
        amiras, amiras_outcome = _dot_in_a_thread(engine, amira.id, round_.id, themes[2].id)
        amiras.join(1)
        assert amiras.is_alive() and not amiras_outcome  # waits for her own dot before it
        in_flight.commit()
    finally:
        in_flight.close()
    amiras.join(10)
    engine.dispose()

    assert isinstance(amiras_outcome[0], dict), amiras_outcome
    assert len(votes_of(make, round_.id)) == 2


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_close_waits_for_a_dot_in_flight_and_a_dot_after_it_is_refused(
        database_url, session, make, workshop, themes, people):
    round_ = dots_round(session, workshop)
    engine = make_engine(database_url)
    in_flight = engine.raw_connection()  # a dot between its locks and its commit
    try:
        cursor = in_flight.cursor()
        cursor.execute("BEGIN")
        cursor.execute("SELECT id FROM vote_rounds WHERE id = %s FOR SHARE", (round_.id,))
        closed = []

        def close():
            with Session(engine, expire_on_commit=False) as own:
                closed.append(voting.update_round(own, workshop.id, round_.id,
                                                  {"state": "closed"}))
        closing = threading.Thread(target=close)
        closing.start()
        closing.join(1)
        assert closing.is_alive() and not closed  # the close waits for the dot
        in_flight.commit()
    finally:
        in_flight.close()
    closing.join(10)
    late, late_outcome = _dot_in_a_thread(engine, people[1].id, round_.id, themes[1].id)
    late.join(10)
    engine.dispose()

    assert closed and isinstance(late_outcome[0], RoundClosed), late_outcome
