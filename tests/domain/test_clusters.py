"""Clustering and card moderation straight through the domain: what each operation does to the
order of cards and clusters, duplicates, corrections, moving cards between boards, the matrix,
and two facilitators moving the same cards at once (on SQLite and on PostgreSQL)."""
import random
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from facilitator.database import make_engine
from facilitator.domain import clusters, history
from facilitator.domain.changes import PUBLIC, STAFF, change_payload, changes_since, idea_payload
from facilitator.domain.errors import (HeadingConflict, InvalidInput, NotFound, TextEmpty,
                                      TextTooLong)
from facilitator.models import TITLE_MAX_CHARS, Cluster, Idea, Workshop

GONE = ("withdrawn", "merged")


# --- Helpers --------------------------------------------------------------------------------------

def layout(make, board_id: int) -> dict:
    """The board as a screen shows it: "clusters" (ids in order) and, per cluster id (None for
    the unsorted cards), its card ids in order. Fails unless every list is numbered 0..n-1."""
    make.session.commit()
    with Session(make.session.get_bind()) as reader:
        shown = reader.scalars(select(Cluster).where(
            Cluster.board_id == board_id, Cluster.state == "active")).all()
        cards = reader.scalars(select(Idea).where(
            Idea.board_id == board_id, Idea.state.not_in(GONE))).all()
    assert sorted(c.position for c in shown) == list(range(len(shown))), "cluster positions"
    result = {"clusters": [c.id for c in sorted(shown, key=lambda c: c.position)]}
    for key in [None] + result["clusters"]:
        members = [card for card in cards if card.cluster_id == key]
        assert sorted(c.position for c in members) == list(range(len(members))), (
            f"card positions in {key}")
        result[key] = [c.id for c in sorted(members, key=lambda c: c.position)]
    assert sum(len(result[key]) for key in [None] + result["clusters"]) == len(cards), (
        "a card sits in a cluster that is not shown")
    return result


def sync(make, workshop_id: int, since: int, audience: str) -> dict:
    """What a screen gets from `sync`: read by a session of its own, as each socket event is."""
    make.session.commit()
    with Session(make.session.get_bind(), expire_on_commit=False) as reader:
        return changes_since(reader, workshop_id, since, audience)


def shown(make, idea_id: int, audience: str) -> dict:
    """One card as the audience's screen shows it after a reload."""
    make.session.commit()
    with Session(make.session.get_bind(), expire_on_commit=False) as reader:
        idea = reader.get(Idea, idea_id)
        return idea_payload(idea, idea.board, audience)


def assert_every_list_gap_free(make, workshop: Workshop) -> None:
    for board in workshop.boards:
        layout(make, board.id)


@pytest.fixture
def amira(make, workshop):
    return make.participant(workshop, "Amira")[0]


@pytest.fixture
def ben(make, workshop):
    return make.participant(workshop, "Ben")[0]


@pytest.fixture
def cards(make, board, amira, ben):
    """Five cards on the first board, a to e, alternating authors."""
    texts = ["Sprachcafé", "Kita-Plätze", "Abendkurse", "Patenschaften", "Beratung"]
    return [make.idea(amira if n % 2 == 0 else ben, board, text)
            for n, text in enumerate(texts)]


def ids(rows) -> list[int]:
    return [row.id for row in rows]


# --- Creating, renaming, reordering ---------------------------------------------------------------

def test_new_cluster_goes_after_the_others_and_takes_the_chosen_cards_in_that_order(
        session, make, workshop, board, owner, cards, announced):
    a, b, c, d, e = cards

    first = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Sprache",
                                    "blue", [c.id, a.id])
    second = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Familie")

    assert layout(make, board.id) == {"clusters": [first.id, second.id],
                                      None: [b.id, d.id, e.id], first.id: [c.id, a.id],
                                      second.id: []}
    stored = make.fresh(Cluster, first.id)
    assert (stored.heading, stored.colour, stored.state) == ("Sprache", "blue", "active")
    # Screens are told: the cluster and every card whose place changed, with one number.
    change = announced[-2]
    assert change.event == "arrangement_changed"
    assert change.seq == make.seq(workshop.id) - 1
    assert [x.id for x in change.clusters] == [first.id]
    assert {x.id for x in change.ideas} == {a.id, b.id, c.id, d.id, e.id}


def test_a_cluster_of_cards_from_everywhere_is_what_moving_them_one_by_one_makes_and_undoes_whole(
        session, make, workshop, board, owner, cards):
    """create_cluster moves all cards in one pass (linear): from the unsorted cards, from
    another cluster and from another board (with its duplicate), a card named twice ending
    where it was named last. Undo puts every list back as it was, redo does it again."""
    a, b, c, d, e = cards
    other = workshop.boards[1]
    far = make.idea(make.participant(workshop)[0], other, "Am anderen Tisch")
    twin = make.idea(make.participant(workshop)[0], other, "Am anderen Tisch!")
    stay = make.idea(make.participant(workshop)[0], other, "Bleibt dort")
    clusters.merge_duplicates(session, workshop.id, owner.id, twin.id, far.id)
    old = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Alt",
                                  idea_ids=[d.id, b.id, e.id])
    before = (layout(make, board.id), layout(make, other.id))

    new = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Neu",
                                  idea_ids=[c.id, b.id, far.id, a.id, c.id])

    after = {"clusters": [old.id, new.id], None: [], old.id: [d.id, e.id],
             new.id: [b.id, far.id, a.id, c.id]}
    assert layout(make, board.id) == after
    assert layout(make, other.id) == {"clusters": [], None: [stay.id]}
    assert make.fresh(Idea, twin.id).board_id == board.id
    history.undo(session, workshop.id, owner.id)
    assert (layout(make, board.id), layout(make, other.id)) == before
    assert make.fresh(Idea, twin.id).board_id == other.id
    history.redo(session, workshop.id, owner.id)
    assert layout(make, board.id) == after
    assert make.fresh(Idea, twin.id).board_id == board.id


def test_a_cluster_naming_a_card_it_may_not_take_changes_nothing(
        session, make, workshop, board, owner, cards):
    a, b, c, d, e = cards
    clusters.merge_duplicates(session, workshop.id, owner.id, e.id, d.id)
    before = layout(make, board.id)
    seq = make.seq(workshop.id)
    for wrong, error in [([a.id, e.id], NotFound), ([a.id, 10 ** 9], NotFound),
                         ([a.id, "b"], InvalidInput), ("1,2", InvalidInput)]:
        with pytest.raises(error):
            clusters.create_cluster(session, workshop.id, owner.id, board.id, "X",
                                    idea_ids=wrong)
    assert layout(make, board.id) == before and make.seq(workshop.id) == seq


def test_making_a_cluster_costs_the_same_statements_for_10_or_200_cards(
        session, make, workshop, board, owner, amira):
    """Linear, not quadratic: the number of SQL statements does not grow with the cards (the
    rows are written in batches). 500 cards took 14.8 s one by one, 0.7 s in one pass."""
    from sqlalchemy import event
    made = [make.idea(amira, board, f"Karte {n}").id for n in range(210)]
    counts = []
    for chosen in (made[:10], made[10:210]):
        statements = []
        engine = session.get_bind()
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            clusters.create_cluster(session, workshop.id, owner.id, board.id, "T", idea_ids=chosen)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        counts.append(sum(1 for sql in statements if sql.lstrip().upper().startswith("SELECT")))
    assert counts[1] <= counts[0] + 1, counts


def test_cluster_is_renamed_and_recoloured_and_bad_values_are_refused(
        session, make, workshop, board, owner):
    cluster = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Wohnen")
    seq = make.seq(workshop.id)

    clusters.update_cluster(session, workshop.id, owner.id, cluster.id, heading="  Wohnraum  ")
    clusters.update_cluster(session, workshop.id, owner.id, cluster.id, colour="green")

    stored = make.fresh(Cluster, cluster.id)
    assert (stored.heading, stored.colour) == ("Wohnraum", "green")
    assert make.seq(workshop.id) == seq + 2
    for wrong, error in [({"colour": "red; drop"}, InvalidInput),
                         ({"heading": "x" * (TITLE_MAX_CHARS + 1)}, TextTooLong),
                         ({"heading": 7}, InvalidInput), ({}, InvalidInput)]:
        with pytest.raises(error):
            clusters.update_cluster(session, workshop.id, owner.id, cluster.id, **wrong)
    stored = make.fresh(Cluster, cluster.id)
    assert (stored.heading, stored.colour) == ("Wohnraum", "green")
    assert make.seq(workshop.id) == seq + 2


def test_renaming_a_cluster_a_colleague_renamed_meanwhile_is_refused_naming_their_heading(
        database_url, session, make, workshop, board, owner):
    colleague = make.facilitator("Kollegin")
    make.add_facilitator(workshop, colleague)
    courses = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Kurse")
    engine = make_engine(database_url)
    # Two consoles, each its own session; both began typing over the heading "Kurse".
    with Session(engine, expire_on_commit=False) as theirs:
        clusters.update_cluster(theirs, workshop.id, colleague.id, courses.id,
                                heading="Deutschkurse", base_heading="Kurse")
    seq = make.seq(workshop.id)
    with Session(engine, expire_on_commit=False) as mine:
        with pytest.raises(HeadingConflict) as refused:
            clusters.update_cluster(mine, workshop.id, owner.id, courses.id,
                                    heading="Sprachkurse", base_heading="Kurse")
        assert refused.value.params == {"current": "Deutschkurse", "heading": "Sprachkurse"}
        assert make.fresh(Cluster, courses.id).heading == "Deutschkurse"
        assert make.seq(workshop.id) == seq

        # Having seen their heading, the facilitator may replace it on purpose; a colour
        # change or the same name again never conflicts.
        clusters.update_cluster(mine, workshop.id, owner.id, courses.id,
                                heading="Sprachkurse", base_heading="Deutschkurse")
        clusters.update_cluster(mine, workshop.id, owner.id, courses.id, colour="green",
                                base_heading="Kurse")
        clusters.update_cluster(mine, workshop.id, owner.id, courses.id,
                                heading="Sprachkurse", base_heading="Kurse")
    engine.dispose()
    assert make.fresh(Cluster, courses.id).heading == "Sprachkurse"
    with pytest.raises(InvalidInput):
        clusters.update_cluster(session, workshop.id, owner.id, courses.id, heading="X",
                                base_heading=["Kurse"])


def test_reordering_clusters_moves_one_and_renumbers_the_rest(session, make, workshop, board,
                                                               owner):
    made = [clusters.create_cluster(session, workshop.id, owner.id, board.id, name)
            for name in ("A", "B", "C", "D")]

    clusters.move_cluster(session, workshop.id, owner.id, made[3].id, 1)
    assert layout(make, board.id)["clusters"] == ids([made[0], made[3], made[1], made[2]])

    clusters.move_cluster(session, workshop.id, owner.id, made[0].id, 3)
    assert layout(make, board.id)["clusters"] == ids([made[3], made[1], made[2], made[0]])

    seq = make.seq(workshop.id)
    for position in (4, -1, None, "1"):
        with pytest.raises(InvalidInput):
            clusters.move_cluster(session, workshop.id, owner.id, made[0].id, position)
    assert layout(make, board.id)["clusters"] == ids([made[3], made[1], made[2], made[0]])
    assert make.seq(workshop.id) == seq


# --- Moving cards --------------------------------------------------------------------------------

def test_card_moved_into_a_cluster_takes_the_chosen_place_and_leaves_no_gap(
        session, make, workshop, board, owner, cards):
    a, b, c, d, e = cards
    theme = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Sprache",
                                    idea_ids=[a.id, b.id])

    clusters.move_idea(session, workshop.id, owner.id, d.id, theme.id, 1)

    assert layout(make, board.id) == {"clusters": [theme.id], None: [c.id, e.id],
                                      theme.id: [a.id, d.id, b.id]}


def test_card_moved_within_its_list_changes_only_the_order(session, make, workshop, board,
                                                             owner, cards):
    a, b, c, d, e = cards

    clusters.move_idea(session, workshop.id, owner.id, e.id, None, 0)
    assert layout(make, board.id)[None] == ids([e, a, b, c, d])

    clusters.move_idea(session, workshop.id, owner.id, e.id, None, 4)
    assert layout(make, board.id)[None] == ids([a, b, c, d, e])

    clusters.move_idea(session, workshop.id, owner.id, a.id, None, 2)
    assert layout(make, board.id)[None] == ids([b, c, a, d, e])


def test_card_taken_out_of_its_cluster_goes_to_the_end_of_the_unsorted_cards(
        session, make, workshop, board, owner, cards):
    a, b, c, d, e = cards
    theme = clusters.create_cluster(session, workshop.id, owner.id, board.id, "X",
                                    idea_ids=[b.id, d.id, a.id])

    clusters.move_idea(session, workshop.id, owner.id, d.id)

    assert layout(make, board.id) == {"clusters": [theme.id], None: [c.id, e.id, d.id],
                                      theme.id: [b.id, a.id]}


def test_move_to_a_place_that_does_not_exist_is_refused_and_changes_nothing(
        session, make, workshop, board, owner, cards):
    a, b, c, d, e = cards
    theme = clusters.create_cluster(session, workshop.id, owner.id, board.id, "X",
                                    idea_ids=[a.id])
    other_board_cluster = clusters.create_cluster(session, workshop.id, owner.id,
                                                  workshop.boards[1].id, "Y")
    before, seq = layout(make, board.id), make.seq(workshop.id)
    elsewhere = make.workshop()
    foreign_cluster = clusters.create_cluster(session, elsewhere.id, None,
                                              elsewhere.boards[0].id, "Z")

    for wrong, error in [
            ({"cluster_id": theme.id, "position": 2}, InvalidInput),
            ({"cluster_id": theme.id, "position": -1}, InvalidInput),
            ({"cluster_id": other_board_cluster.id}, InvalidInput),
            ({"cluster_id": foreign_cluster.id}, NotFound),
            ({"board_id": elsewhere.boards[0].id}, NotFound),
            ({"cluster_id": "1"}, InvalidInput)]:
        with pytest.raises(error):
            clusters.move_idea(session, workshop.id, owner.id, b.id, **wrong)

    assert layout(make, board.id) == before
    assert make.seq(workshop.id) == seq
    with pytest.raises(NotFound):
        clusters.move_idea(session, elsewhere.id, None, a.id, foreign_cluster.id)
    assert make.fresh(Idea, a.id).cluster_id == theme.id


def test_card_posted_at_the_wrong_table_moves_to_another_board_with_its_duplicates(
        session, make, workshop, board, owner, cards, announced):
    a, b, c, d, e = cards
    target = workshop.boards[1]
    there = clusters.create_cluster(session, workshop.id, owner.id, target.id, "Arbeit")
    make.idea(make.participant(workshop)[0], target, "Schon dort")
    theme = clusters.create_cluster(session, workshop.id, owner.id, board.id, "X",
                                    idea_ids=[b.id, c.id])
    clusters.merge_duplicates(session, workshop.id, owner.id, e.id, b.id)
    seen = make.seq(workshop.id)

    clusters.move_idea(session, workshop.id, owner.id, b.id, board_id=target.id)

    moved = make.fresh(Idea, b.id)
    assert (moved.board_id, moved.cluster_id) == (target.id, None)
    assert make.fresh(Idea, e.id).board_id == target.id
    assert layout(make, board.id) == {"clusters": [theme.id], None: [a.id, d.id],
                                      theme.id: [c.id]}
    assert layout(make, target.id)[None][-1] == b.id
    assert layout(make, target.id)[there.id] == []
    # A screen of the old table and one of the new table learn it from the same change.
    public = {i["id"]: i for i in sync(make, workshop.id, seen, PUBLIC)["ideas"]}
    assert public[b.id]["board_id"] == target.id
    assert public[b.id]["duplicates"] == [{"id": e.id, "text": "Beratung"}]
    assert announced[-1].event == "arrangement_changed"

    clusters.move_idea(session, workshop.id, owner.id, b.id, there.id, 0,
                       board_id=target.id)
    assert layout(make, target.id)[there.id] == [b.id]


# --- Merging and dissolving clusters ----------------------------------------------------------

def test_merged_cluster_hands_its_cards_to_the_target_after_its_own_and_goes(
        session, make, workshop, board, owner, cards):
    a, b, c, d, e = cards
    first = clusters.create_cluster(session, workshop.id, owner.id, board.id, "A",
                                    idea_ids=[a.id, b.id])
    middle = clusters.create_cluster(session, workshop.id, owner.id, board.id, "B",
                                     idea_ids=[c.id])
    last = clusters.create_cluster(session, workshop.id, owner.id, board.id, "C",
                                   idea_ids=[e.id, d.id])

    kept = clusters.merge_clusters(session, workshop.id, owner.id, first.id, last.id)

    assert kept.id == last.id
    assert layout(make, board.id) == {"clusters": [middle.id, last.id], None: [],
                                      middle.id: [c.id], last.id: [e.id, d.id, a.id, b.id]}
    assert make.fresh(Cluster, first.id).state == "dissolved"


def test_cluster_cannot_be_merged_into_itself_another_board_or_a_dissolved_one(
        session, make, workshop, board, owner, cards):
    a, b, c, d, e = cards
    one = clusters.create_cluster(session, workshop.id, owner.id, board.id, "A", idea_ids=[a.id])
    two = clusters.create_cluster(session, workshop.id, owner.id, board.id, "B", idea_ids=[b.id])
    gone = clusters.create_cluster(session, workshop.id, owner.id, board.id, "C")
    clusters.dissolve_cluster(session, workshop.id, owner.id, gone.id)
    elsewhere = clusters.create_cluster(session, workshop.id, owner.id, workshop.boards[1].id,
                                        "D")
    before, seq = layout(make, board.id), make.seq(workshop.id)

    for source, target, error in [(one, one, InvalidInput), (one, elsewhere, InvalidInput),
                                  (one, gone, NotFound), (gone, two, NotFound)]:
        with pytest.raises(error):
            clusters.merge_clusters(session, workshop.id, owner.id, source.id, target.id)

    assert layout(make, board.id) == before and make.seq(workshop.id) == seq
    assert before["clusters"] == [one.id, two.id]


def test_dissolved_cluster_returns_its_cards_after_the_unsorted_ones(
        session, make, workshop, board, owner, cards):
    a, b, c, d, e = cards
    first = clusters.create_cluster(session, workshop.id, owner.id, board.id, "A",
                                    idea_ids=[d.id, b.id])
    second = clusters.create_cluster(session, workshop.id, owner.id, board.id, "B",
                                     idea_ids=[a.id])

    clusters.dissolve_cluster(session, workshop.id, owner.id, first.id)

    assert layout(make, board.id) == {"clusters": [second.id], None: [c.id, e.id, d.id, b.id],
                                      second.id: [a.id]}
    assert make.fresh(Cluster, first.id).state == "dissolved"
    with pytest.raises(NotFound):
        clusters.update_cluster(session, workshop.id, owner.id, first.id, heading="Zurück?")
    with pytest.raises(NotFound):
        clusters.move_idea(session, workshop.id, owner.id, c.id, first.id)


# --- Duplicates, corrections, hiding ------------------------------------------------------------

def test_duplicates_become_one_card_that_keeps_both_texts_and_counts_both_authors(
        session, make, workshop, board, owner, cards, announced):
    a, b, c, d, e = cards  # a by Amira, b by Ben

    keeper = clusters.merge_duplicates(session, workshop.id, owner.id, b.id, a.id)

    assert keeper.id == a.id
    assert make.fresh(Idea, b.id).state == "merged"
    assert layout(make, board.id)[None] == [a.id, c.id, d.id, e.id]
    # What the screens are sent right away, and what a screen catching up gets.
    for audience in (STAFF, PUBLIC):
        sent = {i["id"]: i for i in change_payload(announced[-1], audience)["ideas"]}
        synced = {i["id"]: i for i in sync(make, workshop.id, 0, audience)["ideas"]}
        for shown in (sent[a.id], synced[a.id]):
            assert (shown["text"], shown["authors"]) == ("Sprachcafé", 2), audience
            assert shown["duplicates"] == [{"id": b.id, "text": "Kita-Plätze"}], audience
        assert sent[b.id]["state"] == "merged" and b.id not in synced
    public = {i["id"]: i for i in change_payload(announced[-1], PUBLIC)["ideas"]}
    assert (public[b.id]["state"], public[b.id]["text"]) == ("merged", None)


def test_merging_a_card_into_a_merged_card_gathers_all_texts_on_one_card(
        session, make, workshop, board, owner, cards):
    a, b, c, d, e = cards

    clusters.merge_duplicates(session, workshop.id, owner.id, b.id, a.id)
    clusters.merge_duplicates(session, workshop.id, owner.id, a.id, c.id)

    payload = shown(make, c.id, PUBLIC)
    assert payload["authors"] == 3
    assert sorted(d_["id"] for d_ in payload["duplicates"]) == [a.id, b.id]
    assert layout(make, board.id)[None] == [c.id, d.id, e.id]


def test_card_cannot_be_a_duplicate_of_itself_of_another_board_or_of_a_merged_card(
        session, make, workshop, board, owner, cards, amira):
    a, b, c, d, e = cards
    far = make.idea(amira, workshop.boards[1], "Woanders")
    clusters.merge_duplicates(session, workshop.id, owner.id, e.id, d.id)
    seq = make.seq(workshop.id)

    for idea, into, error in [(a, a, InvalidInput), (a, far, InvalidInput),
                              (a, e, NotFound), (e, a, NotFound)]:
        with pytest.raises(error):
            clusters.merge_duplicates(session, workshop.id, owner.id, idea.id, into.id)

    assert make.seq(workshop.id) == seq
    assert make.fresh(Idea, a.id).state == "visible"


def test_hidden_card_cannot_be_merged_so_its_text_never_reaches_the_public(
        session, make, workshop, board, owner, cards):
    a, b, c, d, e = cards
    clusters.set_hidden(session, workshop.id, owner.id, b.id, True)
    seq = make.seq(workshop.id)

    for idea, into in [(b, a), (a, b)]:
        with pytest.raises(InvalidInput):
            clusters.merge_duplicates(session, workshop.id, owner.id, idea.id, into.id)

    assert make.seq(workshop.id) == seq
    assert [make.fresh(Idea, x.id).state for x in (a, b)] == ["visible", "hidden"]
    assert "Kita-Plätze" not in repr(sync(make, workshop.id, 0, PUBLIC)["ideas"])


def test_corrected_text_keeps_the_authors_original_for_staff_only(
        session, make, workshop, board, owner, cards, announced):
    a = cards[0]

    clusters.correct_text(session, workshop.id, owner.id, a.id, "Sprachcafe im Rathaus")
    clusters.correct_text(session, workshop.id, owner.id, a.id, "Sprachcafé im Rathaus")

    stored = make.fresh(Idea, a.id)
    assert (stored.text, stored.original_text) == ("Sprachcafé im Rathaus", "Sprachcafé")
    staff = change_payload(announced[-1], STAFF)["ideas"][0]
    public = change_payload(announced[-1], PUBLIC)["ideas"][0]
    assert (staff["text"], staff["original_text"]) == ("Sprachcafé im Rathaus", "Sprachcafé")
    assert public["text"] == "Sprachcafé im Rathaus" and "original_text" not in public
    synced = sync(make, workshop.id, 0, PUBLIC)["ideas"]
    assert "original_text" not in repr(synced) and "Sprachcafé'" not in repr(synced)
    with pytest.raises(TextEmpty):
        clusters.correct_text(session, workshop.id, owner.id, a.id, "   ")
    assert make.fresh(Idea, a.id).text == "Sprachcafé im Rathaus"


def test_hidden_card_keeps_its_place_and_its_text_only_for_staff(
        session, make, workshop, board, owner, cards):
    a, b, c, d, e = cards
    theme = clusters.create_cluster(session, workshop.id, owner.id, board.id, "X",
                                    idea_ids=[a.id, b.id, c.id])

    clusters.set_hidden(session, workshop.id, owner.id, b.id, True)

    assert layout(make, board.id)[theme.id] == [a.id, b.id, c.id]
    assert (shown(make, b.id, PUBLIC)["text"], shown(make, b.id, STAFF)["text"]) == (
        None, "Kita-Plätze")

    clusters.set_hidden(session, workshop.id, owner.id, b.id, False)
    assert shown(make, b.id, PUBLIC)["text"] == "Kita-Plätze"


# --- Matrix ---------------------------------------------------------------------------------------

def test_cluster_is_placed_on_the_impact_effort_matrix_and_taken_off_again(
        session, make, workshop, board, owner):
    theme = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Wohnen")

    clusters.place_on_matrix(session, workshop.id, owner.id, theme.id, 0.25, 1)
    stored = make.fresh(Cluster, theme.id)
    assert (stored.matrix_x, stored.matrix_y) == (0.25, 1.0)
    seq = make.seq(workshop.id)
    for x, y in [(0.5, None), (1.5, 0.5), (-0.1, 0.5), (True, 0.5), ("0.5", 0.5)]:
        with pytest.raises(InvalidInput):
            clusters.place_on_matrix(session, workshop.id, owner.id, theme.id, x, y)
    assert make.seq(workshop.id) == seq

    clusters.place_on_matrix(session, workshop.id, owner.id, theme.id)
    stored = make.fresh(Cluster, theme.id)
    assert (stored.matrix_x, stored.matrix_y) == (None, None)


# --- Another workshop ---------------------------------------------------------------------------

def test_no_cluster_action_reaches_into_another_workshop(session, make, workshop, owner, cards):
    elsewhere = make.workshop()
    theirs = make.idea(make.participant(elsewhere)[0], elsewhere.boards[0], "Fremd")
    their_cluster = clusters.create_cluster(session, elsewhere.id, None, elsewhere.boards[0].id,
                                            "Fremd", idea_ids=[theirs.id])
    seq = make.seq(elsewhere.id)
    wid, me = workshop.id, owner.id

    for attempt in [
            lambda: clusters.create_cluster(session, wid, me, elsewhere.boards[0].id, "X"),
            lambda: clusters.create_cluster(session, wid, me, workshop.boards[0].id, "X",
                                            idea_ids=[theirs.id]),
            lambda: clusters.update_cluster(session, wid, me, their_cluster.id, heading="X"),
            lambda: clusters.move_cluster(session, wid, me, their_cluster.id, 0),
            lambda: clusters.dissolve_cluster(session, wid, me, their_cluster.id),
            lambda: clusters.merge_clusters(session, wid, me, their_cluster.id,
                                            their_cluster.id),
            lambda: clusters.move_idea(session, wid, me, theirs.id),
            lambda: clusters.correct_text(session, wid, me, theirs.id, "X"),
            lambda: clusters.set_hidden(session, wid, me, theirs.id, True),
            lambda: clusters.merge_duplicates(session, wid, me, theirs.id, cards[0].id),
            lambda: clusters.place_on_matrix(session, wid, me, their_cluster.id, 0.5, 0.5)]:
        with pytest.raises(NotFound):
            attempt()

    stored = make.fresh(Idea, theirs.id)
    assert (stored.text, stored.state, stored.cluster_id) == ("Fremd", "visible",
                                                               their_cluster.id)
    assert make.fresh(Cluster, their_cluster.id).heading == "Fremd"
    assert make.seq(elsewhere.id) == seq
    assert make.count(Cluster, workshop_id=workshop.id) == 0


# --- Catching up --------------------------------------------------------------------------------

def test_screen_catching_up_learns_of_new_moved_and_dissolved_clusters(
        session, make, workshop, board, owner, cards):
    a, b, c, d, e = cards
    staying = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Bleibt",
                                      idea_ids=[a.id])
    going = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Geht",
                                    idea_ids=[b.id, c.id])
    seen = make.seq(workshop.id)

    clusters.dissolve_cluster(session, workshop.id, owner.id, going.id)
    late = clusters.create_cluster(session, workshop.id, owner.id, board.id, "Neu",
                                   idea_ids=[d.id])

    missed = sync(make, workshop.id, seen, PUBLIC)
    assert missed["full"] is False
    assert {c_["id"]: c_["state"] for c_ in missed["clusters"]} == {
        going.id: "dissolved", late.id: "active"}
    placed = {i["id"]: (i["cluster_id"], i["position"]) for i in missed["ideas"]}
    assert placed[b.id][0] is None and placed[c.id][0] is None
    assert placed[d.id] == (late.id, 0)
    assert a.id not in placed and staying.id not in [c_["id"] for c_ in missed["clusters"]]
    # Applying what was missed over what was seen gives what the database holds now.
    full = sync(make, workshop.id, 0, PUBLIC)
    assert {c_["id"] for c_ in full["clusters"] if c_["state"] == "active"} == {
        staying.id, late.id}


# --- Two facilitators at once ---------------------------------------------------------------------

def test_two_facilitators_moving_the_same_cards_at_once_end_in_one_consistent_order(
        database_url, make, workshop, board, owner, cards):
    colleague = make.facilitator()
    make.add_facilitator(workshop, colleague)
    second_board = workshop.boards[1]
    themes = {b.id: [make.run(clusters.create_cluster, workshop.id, owner.id, b.id, name).id
                     for name in ("A", "B")] for b in (board, second_board)}
    card_ids = ids(cards)
    engine = make_engine(database_url)
    barrier = threading.Barrier(2)
    failures = []

    def facilitator(person_id: int, seed: int) -> None:
        chance = random.Random(seed)
        try:
            barrier.wait()
            for _ in range(25):
                target = chance.choice([board, board, second_board])
                # One session per action, as the server opens one per socket event.
                with Session(engine, expire_on_commit=False) as s:
                    clusters.move_idea(s, workshop.id, person_id, card_ids[chance.randrange(2)],
                                       chance.choice([None] + themes[target.id]), 0,
                                       board_id=target.id)
                with Session(engine, expire_on_commit=False) as s:
                    clusters.move_idea(s, workshop.id, person_id, chance.choice(card_ids))
        except Exception as error:  # noqa: BLE001 - reported below with the thread's name
            failures.append(repr(error))

    threads = [threading.Thread(target=facilitator, args=(person, seed))
               for person, seed in ((owner.id, 1), (colleague.id, 2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    engine.dispose()

    assert failures == []
    assert_every_list_gap_free(make, workshop)
    both = [layout(make, b.id) for b in (board, second_board)]
    placed = [card for lay in both for key, value in lay.items() if key != "clusters"
              for card in value]
    assert sorted(placed) == sorted(card_ids), "every card sits in exactly one list"
    assert make.seq(workshop.id) >= 100


def test_card_posted_while_clustering_joins_the_end_of_the_unsorted_cards(
        session, make, workshop, board, owner, cards, amira):
    a, b, c, d, e = cards
    clusters.create_cluster(session, workshop.id, owner.id, board.id, "X", idea_ids=[a.id])

    late = make.idea(amira, board, "Noch eine Idee")

    assert layout(make, board.id)[None] == [b.id, c.id, d.id, e.id, late.id]
