"""Table hosts: cards on behalf and from paper outside the cap, paper dots, own board only."""
import pytest

from facilitator.domain import boards, hosts, voting
from facilitator.domain.errors import BoardClosed, Forbidden, NotFound, RoundClosed
from facilitator.domain.voting import RoundSpec
from facilitator.models import Idea, Participant


@pytest.fixture
def host(make, workshop, board):
    return make.run(hosts.invite, workshop.id, board.id, "host", "Amal").host


def test_host_cards_carry_their_source_and_pass_the_per_person_cap(make, workshop, board, host):
    make.run(boards.update_settings, workshop.id, board.id, {"max_ideas_per_person": 1})
    on_behalf = make.run(hosts.post_card, host, "Mehr Abendkurse", "on_behalf")
    paper = [make.run(hosts.post_card, host, f"Papierkarte {n}", "paper") for n in range(3)]
    assert make.fresh(Idea, on_behalf.id).source == "on_behalf"
    assert [make.fresh(Idea, card.id).source for card in paper] == ["paper"] * 3
    assert make.fresh(Idea, on_behalf.id).participant_id is None


def test_phone_cards_say_phone(make, workshop, board):
    participant, _ = make.participant(workshop)
    assert make.fresh(Idea, make.idea(participant, board).id).source == "phone"


def test_tablet_cards_are_anonymous_tablet_cards_whatever_the_form_says(make, workshop, board):
    tablet = make.run(hosts.invite, workshop.id, board.id, "tablet").host
    card = make.run(hosts.post_card, tablet, "Spielplatz", "paper")
    assert (card.source, card.participant_id) == ("tablet", None)
    with pytest.raises(Forbidden):
        make.run(hosts.hide_card, tablet, card.id, True)


def test_a_closed_board_refuses_host_cards_and_keeps_its_sequence(make, workshop, board, host):
    make.run(boards.update_settings, workshop.id, board.id, {"is_open": False})
    before = make.seq(workshop.id)
    with pytest.raises(BoardClosed):
        make.run(hosts.post_card, host, "zu spät", "paper")
    assert make.seq(workshop.id) == before


def test_host_hides_translates_and_clusters_on_own_board_only(make, workshop, board, host):
    participant, _ = make.participant(workshop)
    mine = make.idea(participant, board, "مزيد من دورات اللغة")
    other = make.idea(participant, workshop.boards[1], "Anderswo")
    make.run(hosts.hide_card, host, mine.id, True)
    assert make.fresh(Idea, mine.id).state == "hidden"
    make.run(hosts.hide_card, host, mine.id, False)
    make.run(hosts.translate_card, host, mine.id, "Mehr Sprachkurse", "de")
    stored = make.fresh(Idea, mine.id)
    assert (stored.text, stored.translation, stored.translation_lang) == (
        "مزيد من دورات اللغة", "Mehr Sprachkurse", "de")
    cluster = make.run(hosts.cluster_cards, host, "Sprache", [mine.id])
    assert make.fresh(Idea, mine.id).cluster_id == cluster.id
    for refused in (lambda: hosts.hide_card(make.session, host, other.id, True),
                    lambda: hosts.translate_card(make.session, host, other.id, "x", "de"),
                    lambda: hosts.cluster_cards(make.session, host, "x", [other.id]),
                    lambda: hosts.move_to_cluster(make.session, host, other.id, None)):
        with pytest.raises(Forbidden):
            refused()
        make.session.rollback()
    assert make.fresh(Idea, other.id).state == "visible"
    assert make.fresh(Idea, other.id).translation is None


def test_paper_dots_add_to_the_running_rounds_tallies(make, workshop, board, host):
    participant, _ = make.participant(workshop)
    card = make.idea(participant, board, "Sprachcafé")
    round_ = make.run(voting.open_round, workshop.id,
                      RoundSpec(kind="dots", target_kind="idea", board_ids=[board.id]))
    make.run(voting.place_dot, participant, round_.id, card.id, "dot-from-phone-1")
    assert make.run(hosts.add_paper_dots, host, round_.id, card.id, 7) == 7
    assert make.run(hosts.add_paper_dots, host, round_.id, card.id, 2) == 9
    scores = {row["id"]: row["score"] for row in make.run(voting.results, round_)}
    assert scores[card.id] == 10
    # One stand-in per host, however often dots are added.
    assert make.count(Participant, workshop_id=workshop.id) == 2


def test_paper_dots_need_a_running_round_of_this_table(make, workshop, board, host):
    participant, _ = make.participant(workshop)
    card = make.idea(participant, workshop.boards[1], "Woanders")
    elsewhere = make.run(voting.open_round, workshop.id, RoundSpec(
        kind="dots", target_kind="idea", board_ids=[workshop.boards[1].id]))
    with pytest.raises(RoundClosed):
        make.run(hosts.add_paper_dots, host, elsewhere.id, card.id, 3)


def test_a_revoked_link_finds_nobody(make, workshop, board):
    invitation = make.run(hosts.invite, workshop.id, board.id)
    assert make.run(hosts.redeem, invitation.secret).id == invitation.host.id
    make.run(hosts.revoke, workshop.id, invitation.host.id)
    with pytest.raises(NotFound):
        make.run(hosts.redeem, invitation.secret)
