"""Undo and redo of facilitator actions, straight through the domain: each kind of action, more
than twenty steps, redo cleared by a new action, one history per facilitator and workshop, kept
in the database (so it survives a page reload), and undo never overrides what others did."""
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from facilitator.database import make_engine
from facilitator.domain import clusters, history, ideas, measures
from facilitator.domain.changes import STAFF, change_payload
from facilitator.domain.errors import NotFound
from facilitator.domain.measures import MeasureSpec
from facilitator.models import Cluster, Idea, Measure


def board_state(make, workshop) -> dict:
    """Everything a console shows of the arrangement: each card's list and place in it (as the
    screens order it: by position, then id), text, state; active clusters in order with their
    heading, colour and matrix place; active measures."""
    make.session.commit()
    with Session(make.session.get_bind()) as reader:
        cards = reader.scalars(select(Idea).where(Idea.workshop_id == workshop.id)).all()
        shown = reader.scalars(select(Cluster).where(
            Cluster.workshop_id == workshop.id, Cluster.state == "active")).all()
        listed = {m.id: (m.title, m.description, m.thematic_field, m.responsible, m.partners,
                         m.horizon, m.board_id, tuple(m.source_idea_ids), m.source_cluster_id)
                  for m in reader.scalars(select(Measure).where(
                      Measure.workshop_id == workshop.id, Measure.state == "active"))}
    place = {}
    for card in cards:
        if card.state not in ("withdrawn", "merged"):
            same_list = sorted((c.position, c.id) for c in cards
                               if (c.board_id, c.cluster_id) == (card.board_id, card.cluster_id)
                               and c.state not in ("withdrawn", "merged"))
            place[card.id] = same_list.index((card.position, card.id))
    order = {c.id: sorted((o.position, o.id) for o in shown if o.board_id == c.board_id).index(
        (c.position, c.id)) for c in shown}
    return {"ideas": {i.id: (i.board_id, i.cluster_id, place.get(i.id), i.text, i.original_text,
                             i.state, i.merged_into_id) for i in cards},
            "clusters": {c.id: (c.board_id, c.heading, c.colour, order[c.id], c.matrix_x,
                                c.matrix_y) for c in shown},
            "measures": listed}


def positions_gap_free(make, workshop) -> bool:
    make.session.commit()
    with Session(make.session.get_bind()) as reader:
        cards = reader.scalars(select(Idea).where(
            Idea.workshop_id == workshop.id, Idea.state.not_in(("withdrawn", "merged")))).all()
        shown = reader.scalars(select(Cluster).where(
            Cluster.workshop_id == workshop.id, Cluster.state == "active")).all()
    lists: dict = {}
    for card in cards:
        lists.setdefault(("cards", card.board_id, card.cluster_id), []).append(card.position)
    for cluster in shown:
        lists.setdefault(("clusters", cluster.board_id), []).append(cluster.position)
    return all(sorted(p) == list(range(len(p))) for p in lists.values())


@pytest.fixture
def owner(make):
    return make.facilitator("Moderatorin")


@pytest.fixture
def colleague(make, workshop):
    colleague = make.facilitator("Kollege")
    make.add_facilitator(workshop, colleague)
    return colleague


@pytest.fixture
def amira(make, workshop):
    return make.participant(workshop, "Amira")[0]


@pytest.fixture
def cards(make, board, amira):
    return [make.idea(amira, board, text) for text in
            ("Sprachcafé", "Kita-Plätze", "Abendkurse", "Patenschaften")]


@pytest.fixture
def arranged(session, workshop, board, owner, cards):
    """Two clusters (the first holding two cards, placed on the matrix) and one measure, all
    made by the owner and already in the owner's history."""
    a, b, c, d = cards
    first = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Sprache", "blue",
                                    [a.id, b.id])
    second = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Familie")
    clusters.place_on_matrix(session, workshop.id, owner.id, first.id, 0.2, 0.8)
    measure = measures.save_measure(session, workshop.id, owner.id, MeasureSpec(
        "Sprachcafé im Rathaus", board_id=board.id, source_cluster_id=first.id))
    return first, second, measure


ACTIONS = {
    "create cluster": lambda s, w, f, cs, c1, c2, m: clusters.create_cluster(
        s, w.id, f, w.boards[0].id, "Neu", "pink", [cs[2].id]),
    "rename and recolour cluster": lambda s, w, f, cs, c1, c2, m: clusters.update_cluster(
        s, w.id, f, c1.id, "Sprache und Bildung", "teal"),
    "reorder clusters": lambda s, w, f, cs, c1, c2, m: clusters.move_cluster(
        s, w.id, f, c2.id, 0),
    "dissolve cluster": lambda s, w, f, cs, c1, c2, m: clusters.dissolve_cluster(
        s, w.id, f, c1.id),
    "merge clusters": lambda s, w, f, cs, c1, c2, m: clusters.merge_clusters(
        s, w.id, f, c1.id, c2.id),
    "move card into cluster": lambda s, w, f, cs, c1, c2, m: clusters.move_idea(
        s, w.id, f, cs[3].id, c1.id, 0),
    "move card to another board": lambda s, w, f, cs, c1, c2, m: clusters.move_idea(
        s, w.id, f, cs[0].id, board_id=w.boards[1].id),
    "correct text": lambda s, w, f, cs, c1, c2, m: clusters.correct_text(
        s, w.id, f, cs[1].id, "Mehr Kita-Plätze"),
    "hide card": lambda s, w, f, cs, c1, c2, m: clusters.set_hidden(s, w.id, f, cs[2].id, True),
    "merge duplicates": lambda s, w, f, cs, c1, c2, m: clusters.merge_duplicates(
        s, w.id, f, cs[1].id, cs[0].id),
    "place on matrix": lambda s, w, f, cs, c1, c2, m: clusters.place_on_matrix(
        s, w.id, f, c2.id, 0.9, 0.1),
    "take off matrix": lambda s, w, f, cs, c1, c2, m: clusters.place_on_matrix(
        s, w.id, f, c1.id),
    "create measure": lambda s, w, f, cs, c1, c2, m: measures.save_measure(
        s, w.id, f, MeasureSpec("Patenschaften", source_idea_ids=[cs[3].id], horizon="short")),
    "edit measure": lambda s, w, f, cs, c1, c2, m: measures.save_measure(
        s, w.id, f, MeasureSpec("Sprachcafé", responsible="Integrationsbüro",
                                partners="VHS", horizon="medium", board_id=w.boards[0].id),
        measure_id=m.id),
    "delete measure": lambda s, w, f, cs, c1, c2, m: measures.delete_measure(s, w.id, f, m.id),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_each_kind_of_action_is_undone_and_redone(session, make, workshop, owner, cards,
                                                  arranged, action, announced):
    before = board_state(make, workshop)

    ACTIONS[action](session, workshop, owner.id, cards, *arranged)
    after = board_state(make, workshop)
    assert after != before

    history.undo(session, workshop.id, owner.id)
    assert board_state(make, workshop) == before
    assert announced[-1].event == "arrangement_changed"
    assert history.history_state(session, workshop.id, owner.id)["redo"] is not None

    history.redo(session, workshop.id, owner.id)
    assert board_state(make, workshop) == after
    assert positions_gap_free(make, workshop)


def test_undo_and_redo_tell_every_screen_with_the_next_number(session, make, workshop, owner,
                                                              cards, arranged, announced):
    first = arranged[0]
    seq = make.seq(workshop.id)

    history.undo(session, workshop.id, owner.id)
    history.undo(session, workshop.id, owner.id)

    undone = announced[-1]
    assert (undone.event, undone.seq) == ("arrangement_changed", seq + 2)
    payload = change_payload(undone, STAFF)
    assert [(c["id"], c["matrix_x"], c["seq"]) for c in payload["clusters"]] == [
        (first.id, None, seq + 2)]
    assert make.seq(workshop.id) == seq + 2


def test_twenty_five_steps_go_back_one_by_one_and_forward_again(session, make, workshop, board,
                                                                owner, cards):
    a, b, c, d = cards
    theme = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Sprache")
    states, inside = [board_state(make, workshop)], set()
    for step in range(25):
        card = cards[step % 4]
        if step % 5 == 4:
            clusters.update_cluster(session, workshop.id, owner.id, theme.id,
                                    heading=f"Sprache {step}")
        elif card.id in inside:
            clusters.move_idea(session, workshop.id, owner.id, card.id)
            inside.remove(card.id)
        else:
            clusters.move_idea(session, workshop.id, owner.id, card.id, theme.id, 0)
            inside.add(card.id)
        states.append(board_state(make, workshop))
        assert states[-1] != states[-2], f"step {step} changed nothing"

    for step in range(25, 0, -1):
        history.undo(session, workshop.id, owner.id)
        assert board_state(make, workshop) == states[step - 1], f"undo back to step {step - 1}"
    for step in range(1, 26):
        history.redo(session, workshop.id, owner.id)
        assert board_state(make, workshop) == states[step], f"redo to step {step}"
    with pytest.raises(NotFound):
        history.redo(session, workshop.id, owner.id)


def test_new_action_after_undo_clears_redo(session, make, workshop, board, owner, cards):
    theme = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Sprache")
    clusters.move_idea(session, workshop.id, owner.id, cards[0].id, theme.id)
    history.undo(session, workshop.id, owner.id)
    assert history.history_state(session, workshop.id, owner.id) == {
        "undo": "create_cluster", "redo": "move_idea"}

    clusters.update_cluster(session, workshop.id, owner.id, theme.id, heading="Bildung")

    assert history.history_state(session, workshop.id, owner.id) == {
        "undo": "update_cluster", "redo": None}
    seq = make.seq(workshop.id)
    with pytest.raises(NotFound) as refused:
        history.redo(session, workshop.id, owner.id)
    assert refused.value.params == {"field": "history"}
    assert make.fresh(Idea, cards[0].id).cluster_id is None
    assert make.seq(workshop.id) == seq


def test_nothing_to_undo_is_refused_and_changes_nothing(session, make, workshop, owner):
    seq = make.seq(workshop.id)

    for step in (history.undo, history.redo):
        with pytest.raises(NotFound):
            step(session, workshop.id, owner.id)

    assert make.seq(workshop.id) == seq
    assert history.history_state(session, workshop.id, owner.id) == {"undo": None, "redo": None}


def test_one_facilitators_undo_leaves_a_colleagues_action_alone(
        session, make, workshop, board, owner, colleague, cards):
    a, b, c, d = cards
    mine = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Meins",
                                   idea_ids=[a.id])
    theirs = clusters.create_cluster(session, workshop.id, colleague.id, board.id, "Seins",
                                     idea_ids=[b.id])

    history.undo(session, workshop.id, owner.id)

    assert make.fresh(Cluster, mine.id).state == "dissolved"
    kept = make.fresh(Cluster, theirs.id)
    assert (kept.state, kept.heading) == ("active", "Seins")
    assert make.fresh(Idea, b.id).cluster_id == theirs.id
    assert positions_gap_free(make, workshop)
    assert history.history_state(session, workshop.id, colleague.id) == {
        "undo": "create_cluster", "redo": None}
    with pytest.raises(NotFound):
        history.undo(session, workshop.id, owner.id)

    history.undo(session, workshop.id, colleague.id)
    assert make.fresh(Cluster, theirs.id).state == "dissolved"


def test_undo_after_a_colleague_changed_the_same_lists_keeps_positions_without_gaps(
        session, make, workshop, board, owner, colleague, cards):
    a, b, c, d = cards
    theme = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Sprache")
    clusters.move_idea(session, workshop.id, owner.id, a.id, theme.id)
    clusters.move_idea(session, workshop.id, colleague.id, c.id, theme.id, 0)
    clusters.move_idea(session, workshop.id, colleague.id, d.id, theme.id, 0)

    history.undo(session, workshop.id, owner.id)

    assert make.fresh(Idea, a.id).cluster_id is None
    assert {make.fresh(Idea, x.id).cluster_id for x in (c, d)} == {theme.id}
    assert positions_gap_free(make, workshop)

    history.redo(session, workshop.id, owner.id)
    assert make.fresh(Idea, a.id).cluster_id == theme.id
    assert positions_gap_free(make, workshop)


def test_undoing_a_cluster_a_colleague_has_since_filled_returns_their_cards_to_the_board(
        session, make, workshop, board, owner, colleague, cards):
    a, b, c, d = cards
    theme = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Sprache",
                                    idea_ids=[a.id])
    clusters.move_idea(session, workshop.id, colleague.id, c.id, theme.id)

    history.undo(session, workshop.id, owner.id)

    assert make.fresh(Cluster, theme.id).state == "dissolved"
    assert [make.fresh(Idea, x.id).cluster_id for x in cards] == [None] * 4
    assert positions_gap_free(make, workshop)
    assert board_state(make, workshop)["ideas"][c.id][2] == 3, "c goes to the end"


def test_undone_duplicate_whose_cluster_a_colleague_dissolved_comes_back_on_the_board(
        session, make, workshop, board, owner, colleague, cards):
    a, b, c, d = cards
    theme = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Kita",
                                    idea_ids=[a.id, b.id])
    clusters.merge_duplicates(session, workshop.id, owner.id, b.id, a.id)
    clusters.dissolve_cluster(session, workshop.id, colleague.id, theme.id)

    history.undo(session, workshop.id, owner.id)

    restored = make.fresh(Idea, b.id)
    assert (restored.state, restored.cluster_id) == ("visible", None)
    assert positions_gap_free(make, workshop)
    assert board_state(make, workshop)["ideas"][b.id][2] is not None, "b is shown in a list"


def test_undo_of_a_move_keeps_the_authors_later_edit(session, make, workshop, board, owner,
                                                     amira, cards):
    theme = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Sprache")
    clusters.move_idea(session, workshop.id, owner.id, cards[0].id, theme.id)
    ideas.edit_idea(session, amira, cards[0].id, "Sprachcafé, jeden Dienstag")

    history.undo(session, workshop.id, owner.id)

    stored = make.fresh(Idea, cards[0].id)
    assert (stored.cluster_id, stored.text) == (None, "Sprachcafé, jeden Dienstag")


def test_undo_never_brings_back_a_card_its_author_withdrew(session, make, workshop, owner,
                                                           amira, cards):
    clusters.correct_text(session, workshop.id, owner.id, cards[1].id, "Mehr Kita-Plätze")
    ideas.withdraw_idea(session, amira, cards[1].id)

    try:
        history.undo(session, workshop.id, owner.id)
    except NotFound:
        pass  # refusing the undo is as good as leaving the card withdrawn

    stored = make.fresh(Idea, cards[1].id)
    assert (stored.state, stored.text) == ("withdrawn", "")


def test_history_belongs_to_one_workshop(session, make, workshop, board, owner, cards):
    other = make.workshop(owner)
    here = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Hier")
    there = clusters.create_cluster(session, other.id, owner.id, other.boards[0].id, "Dort")

    history.undo(session, workshop.id, owner.id)

    assert make.fresh(Cluster, here.id).state == "dissolved"
    assert make.fresh(Cluster, there.id).state == "active"
    assert history.history_state(session, other.id, owner.id)["undo"] == "create_cluster"


def test_history_survives_a_new_session_like_a_page_reload(database_url, session, make,
                                                           workshop, board, owner, cards):
    theme = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Sprache")
    clusters.move_idea(session, workshop.id, owner.id, cards[0].id, theme.id)
    session.close()

    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as reloaded:
        assert history.history_state(reloaded, workshop.id, owner.id)["undo"] == "move_idea"
        history.undo(reloaded, workshop.id, owner.id)
    with Session(engine, expire_on_commit=False) as again:
        history.undo(again, workshop.id, owner.id)
        history.redo(again, workshop.id, owner.id)
    engine.dispose()

    assert make.fresh(Idea, cards[0].id).cluster_id is None
    assert make.fresh(Cluster, theme.id).state == "active"
    assert history.history_state(session, workshop.id, owner.id) == {
        "undo": "create_cluster", "redo": "move_idea"}


def test_undo_keeps_a_colleagues_later_rename(session, make, workshop, board, owner, colleague):
    courses = clusters.create_cluster(session, workshop.id, colleague.id, board.id, "Kurse")
    clusters.update_cluster(session, workshop.id, owner.id, courses.id, heading="Sprachkurse")
    clusters.update_cluster(session, workshop.id, colleague.id, courses.id, heading="Deutschkurse")

    history.undo(session, workshop.id, owner.id)
    assert make.fresh(Cluster, courses.id).heading == "Deutschkurse"

    history.redo(session, workshop.id, owner.id)
    assert make.fresh(Cluster, courses.id).heading == "Deutschkurse"


def test_undo_all_and_redo_all_never_bring_back_an_older_heading_over_a_colleagues(
        session, make, workshop, board, owner, colleague, cards):
    # The sequence seen in a workshop: A made and renamed the cluster, B renamed it, A went all
    # the way back and forward again.
    courses = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Kurse",
                                      idea_ids=[cards[2].id])
    clusters.update_cluster(session, workshop.id, owner.id, courses.id, heading="Sprachkurse")
    clusters.update_cluster(session, workshop.id, colleague.id, courses.id, heading="Deutschkurse")

    for _ in range(2):
        history.undo(session, workshop.id, owner.id)
    assert make.fresh(Cluster, courses.id).state == "dissolved"
    for _ in range(2):
        history.redo(session, workshop.id, owner.id)

    back = make.fresh(Cluster, courses.id)
    assert (back.state, back.heading) == ("active", "Deutschkurse")
    assert make.fresh(Idea, cards[2].id).cluster_id == courses.id
    assert positions_gap_free(make, workshop)


def test_undo_then_redo_at_once_by_the_same_facilitator_restores_the_action(
        session, make, workshop, board, owner, cards):
    courses = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Kurse")
    clusters.update_cluster(session, workshop.id, owner.id, courses.id, heading="Sprachkurse")

    history.undo(session, workshop.id, owner.id)
    assert make.fresh(Cluster, courses.id).heading == "Kurse"
    history.redo(session, workshop.id, owner.id)

    assert make.fresh(Cluster, courses.id).heading == "Sprachkurse"
    assert history.history_state(session, workshop.id, owner.id) == {
        "undo": "update_cluster", "redo": None}
