"""Measures (Maßnahmen) straight through the domain: made from cards or a cluster and linked to
them, edited, deleted, announced to screens and caught up on, and never linked across
workshops."""
import pytest
from sqlalchemy.orm import Session

from facilitator.domain import clusters, measures
from facilitator.domain.changes import PUBLIC, change_payload, changes_since
from facilitator.domain.errors import InvalidInput, NotFound, TextEmpty, TextTooLong
from facilitator.domain.measures import MeasureSpec
from facilitator.models import Measure


@pytest.fixture
def cards(make, workshop, board):
    amira = make.participant(workshop, "Amira")[0]
    return [make.idea(amira, board, text) for text in ("Sprachcafé", "Lernpatenschaften")]


@pytest.fixture
def theme(session, workshop, board, owner, cards):
    return clusters.create_cluster(session, workshop.id, owner.id, board.id, "Sprache",
                                   idea_ids=[c.id for c in cards])


def sync(make, workshop_id: int, since: int) -> dict:
    make.session.commit()
    with Session(make.session.get_bind(), expire_on_commit=False) as reader:
        return changes_since(reader, workshop_id, since, PUBLIC)


def test_measure_made_from_a_cluster_stays_linked_to_it_and_its_cards(
        session, make, workshop, board, owner, cards, theme, announced):
    seq = make.seq(workshop.id)

    made = measures.save_measure(session, workshop.id, owner.id, MeasureSpec(
        title="Sprachcafé im Rathaus", description="Jeden Dienstag, 18 Uhr",
        responsible="Integrationsbüro", partners="VHS, Stadtbibliothek", horizon="short",
        board_id=board.id, source_cluster_id=theme.id,
        source_idea_ids=[cards[1].id, cards[0].id, cards[1].id]))

    stored = make.fresh(Measure, made.id)
    assert (stored.title, stored.description, stored.responsible, stored.partners,
            stored.horizon, stored.state) == (
        "Sprachcafé im Rathaus", "Jeden Dienstag, 18 Uhr", "Integrationsbüro",
        "VHS, Stadtbibliothek", "short", "active")
    # The thematic field defaults to the board's theme; links keep their order, once each.
    assert stored.thematic_field == board.title
    assert (stored.source_cluster_id, stored.source_idea_ids) == (
        theme.id, [cards[1].id, cards[0].id])
    assert make.seq(workshop.id) == seq + 1
    sent = change_payload(announced[-1], PUBLIC)
    assert announced[-1].event == "measure_updated"
    assert [(m["id"], m["title"], m["source_idea_ids"]) for m in sent["measures"]] == [
        (made.id, "Sprachcafé im Rathaus", [cards[1].id, cards[0].id])]


def test_measures_are_listed_in_the_order_they_were_made(session, make, workshop, owner):
    made = [measures.save_measure(session, workshop.id, owner.id, MeasureSpec(title))
            for title in ("Eins", "Zwei", "Drei")]

    assert [make.fresh(Measure, m.id).position for m in made] == [0, 1, 2]
    assert [m["title"] for m in sync(make, workshop.id, 0)["measures"]] == [
        "Eins", "Zwei", "Drei"]


def test_measure_is_edited_in_place(session, make, workshop, board, owner, theme):
    made = measures.save_measure(session, workshop.id, owner.id, MeasureSpec(
        "Sprachcafé", thematic_field="Sprache und Bildung", source_cluster_id=theme.id))
    seen = make.seq(workshop.id)

    measures.save_measure(session, workshop.id, owner.id, MeasureSpec(
        "Sprachcafé im Rathaus", thematic_field="Sprache", responsible="VHS", horizon="medium",
        source_cluster_id=theme.id), measure_id=made.id)

    stored = make.fresh(Measure, made.id)
    assert (stored.title, stored.thematic_field, stored.responsible, stored.horizon) == (
        "Sprachcafé im Rathaus", "Sprache", "VHS", "medium")
    assert make.count(Measure, workshop_id=workshop.id) == 1
    assert [(m["id"], m["title"]) for m in sync(make, workshop.id, seen)["measures"]] == [
        (made.id, "Sprachcafé im Rathaus")]


def test_deleted_measure_leaves_the_list_and_screens_catching_up_learn_it(
        session, make, workshop, owner):
    kept = measures.save_measure(session, workshop.id, owner.id, MeasureSpec("Bleibt"))
    gone = measures.save_measure(session, workshop.id, owner.id, MeasureSpec("Geht"))
    seen = make.seq(workshop.id)

    measures.delete_measure(session, workshop.id, owner.id, gone.id)

    assert [(m["id"], m["state"]) for m in sync(make, workshop.id, seen)["measures"]] == [
        (gone.id, "deleted")]
    assert make.fresh(Measure, kept.id).state == "active"
    for again in (lambda: measures.delete_measure(session, workshop.id, owner.id, gone.id),
                  lambda: measures.save_measure(session, workshop.id, owner.id,
                                                MeasureSpec("Zurück"), measure_id=gone.id)):
        with pytest.raises(NotFound):
            again()


@pytest.mark.parametrize("spec, error", [
    (MeasureSpec(""), TextEmpty),
    (MeasureSpec("x" * 121), TextTooLong),
    (MeasureSpec("Gut", horizon="someday"), InvalidInput),
    (MeasureSpec("Gut", description=5), InvalidInput),
    (MeasureSpec("Gut", source_idea_ids="1"), InvalidInput),
    (MeasureSpec("Gut", source_idea_ids=[10 ** 6]), NotFound),
    (MeasureSpec("Gut", board_id=10 ** 6), NotFound),
    (MeasureSpec("Gut", source_cluster_id=10 ** 6), NotFound),
], ids=["no title", "long title", "horizon", "description", "ideas not a list",
        "unknown idea", "unknown board", "unknown cluster"])
def test_bad_measure_is_refused_and_stores_nothing(session, make, workshop, owner, spec,
                                                   error):
    seq = make.seq(workshop.id)

    with pytest.raises(error):
        measures.save_measure(session, workshop.id, owner.id, spec)

    assert make.count(Measure, workshop_id=workshop.id) == 0
    assert make.seq(workshop.id) == seq


def test_measure_never_links_to_or_changes_another_workshop(session, make, workshop, owner):
    elsewhere = make.workshop()
    stranger = make.participant(elsewhere)[0]
    their_card = make.idea(stranger, elsewhere.boards[0], "Fremd")
    their_cluster = clusters.create_cluster(session, elsewhere.id, None, elsewhere.boards[0].id,
                                            "Fremd")
    theirs = measures.save_measure(session, elsewhere.id, None, MeasureSpec("Fremde Maßnahme"))
    seq = make.seq(workshop.id)

    for attempt in (
            lambda: measures.save_measure(session, workshop.id, owner.id, MeasureSpec(
                "X", source_idea_ids=[their_card.id])),
            lambda: measures.save_measure(session, workshop.id, owner.id, MeasureSpec(
                "X", source_cluster_id=their_cluster.id)),
            lambda: measures.save_measure(session, workshop.id, owner.id, MeasureSpec(
                "X", board_id=elsewhere.boards[0].id)),
            lambda: measures.save_measure(session, workshop.id, owner.id, MeasureSpec("X"),
                                          measure_id=theirs.id),
            lambda: measures.delete_measure(session, workshop.id, owner.id, theirs.id)):
        with pytest.raises(NotFound):
            attempt()

    assert make.count(Measure, workshop_id=workshop.id) == 0
    stored = make.fresh(Measure, theirs.id)
    assert (stored.title, stored.state) == ("Fremde Maßnahme", "active")
    assert make.seq(workshop.id) == seq
