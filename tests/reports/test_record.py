"""build_record(): what the documentation may and must contain (SQLite and PostgreSQL)."""
import uuid

import pytest

from facilitator.domain import clusters, ideas, measures, phases, voting
from facilitator.domain.measures import MeasureSpec
from facilitator.domain.voting import RoundSpec
from facilitator.domain.errors import NotFound
from facilitator.reports import build_record
from facilitator.reports import record as sections
from facilitator.reports.record import PROTECTING, SUPPRESSED, suppress_small


def _dot(make, participant, round_id, target_id):
    make.run(voting.place_dot, participant, round_id, target_id, uuid.uuid4().hex)


def test_cards_are_anonymous_unless_names_are_asked_for_and_were_chosen(make, session):
    workshop = make.workshop()
    board = workshop.boards[0]
    named, _ = make.participant(workshop, display_name="Aylin")
    anonymous, _ = make.participant(workshop)
    make.idea(named, board, "Mehr Sprachcafés")
    make.idea(anonymous, board, "Busse am Abend")

    plain = build_record(session, workshop.id)
    assert {card.text: card.author for card in plain.boards[0].cards} == {
        "Mehr Sprachcafés": "", "Busse am Abend": ""}
    with_names = build_record(session, workshop.id, include_names=True)
    assert {card.text: card.author for card in with_names.boards[0].cards} == {
        "Mehr Sprachcafés": "Aylin", "Busse am Abend": ""}


def test_small_groups_are_shown_as_less_than_five_and_cannot_be_worked_out_from_the_total():
    counts = suppress_small([("Verwaltung", 6), ("Politik", 2), ("Ehrenamt", 9),
                             ("Neuzugewanderte", 0), ("", 5)])
    assert [(c.name, c.count, c.shown) for c in counts] == [
        ("Verwaltung", 6, "6"), ("Politik", None, SUPPRESSED), ("Ehrenamt", 9, "9"),
        ("Neuzugewanderte", 0, "0"),
        # With only "Politik" hidden, 22 - 6 - 9 - 5 would give it away: the next smallest goes,
        # marked as hidden to protect (it is not a small group, and the record must not say so).
        ("", None, PROTECTING)]
    two_small = suppress_small([("A", 3), ("B", 1), ("C", 12)])
    assert [c.shown for c in two_small] == [SUPPRESSED, SUPPRESSED, "12"]
    assert [c.shown for c in suppress_small([("A", 7), ("B", 5)])] == ["7", "5"]


def test_participation_counts_people_by_group_and_by_board(make, session):
    workshop = make.workshop()
    verwaltung, politik = workshop.stakeholder_groups[0], workshop.stakeholder_groups[1]
    people = [make.participant(workshop, stakeholder_group_id=verwaltung.id)[0] for _ in range(6)]
    people += [make.participant(workshop, stakeholder_group_id=politik.id)[0] for _ in range(2)]
    people += [make.participant(workshop)[0] for _ in range(5)]
    for person in people[:4]:
        make.idea(person, workshop.boards[0])
    make.idea(people[0], workshop.boards[1])

    participation = build_record(session, workshop.id).participation
    assert participation.total == 13
    assert participation.active == 4
    assert [(g.name, g.shown) for g in participation.by_group] == [
        ("Verwaltung", "6"), ("Politik", SUPPRESSED), ("Zivilgesellschaft", "0"),
        ("Neuzugewanderte", "0"), ("", PROTECTING)]
    assert [(b.title, b.participants, b.cards) for b in participation.by_board] == [
        (workshop.boards[0].title, 4, 4), (workshop.boards[1].title, 1, 1),
        (workshop.boards[2].title, 0, 0)]


def test_hidden_and_withdrawn_cards_are_only_counted_and_duplicates_stay_with_their_card(
        make, session):
    workshop = make.workshop()
    facilitator_id = None
    board = workshop.boards[0]
    person, _ = make.participant(workshop)
    keeper = make.idea(person, board, "Sprachkurse mit Kinderbetreuung")
    duplicate = make.idea(person, board, "Deutschkurse mit Kinderbetreuung")
    hidden = make.idea(person, board, "Telefonnummer 0171 555")
    hidden_duplicate = make.idea(person, board, "Telefon 0171 555")
    withdrawn = make.idea(person, board, "doch nicht")
    make.run(clusters.merge_duplicates, workshop.id, facilitator_id, duplicate.id, keeper.id)
    make.run(clusters.merge_duplicates, workshop.id, facilitator_id, hidden_duplicate.id,
             hidden.id)
    make.run(clusters.set_hidden, workshop.id, facilitator_id, hidden.id, True)
    make.run(ideas.withdraw_idea, person, withdrawn.id)

    record = build_record(session, workshop.id)
    board_record = record.boards[0]
    assert [card.text for card in board_record.cards] == ["Sprachkurse mit Kinderbetreuung"]
    assert [d.text for d in board_record.cards[0].duplicates] == [
        "Deutschkurse mit Kinderbetreuung"]
    assert board_record.hidden_count == 2  # the hidden card and the duplicate merged into it
    assert board_record.withdrawn_count == 1
    assert record.appendix[0].cards == board_record.cards
    everything = repr(record)
    assert "0171" not in everything and "doch nicht" not in everything


def test_clusters_come_in_order_with_their_cards_and_a_corrected_card_keeps_its_original(
        make, session):
    workshop = make.workshop()
    board = workshop.boards[0]
    person, _ = make.participant(workshop)
    cards = [make.idea(person, board, f"Karte {n}") for n in range(5)]
    make.run(phases.set_phase, workshop.id, [], "cluster")
    make.run(clusters.create_cluster, workshop.id, None, board.id, "Wohnen", "blue",
             [cards[2].id, cards[0].id])
    make.run(clusters.create_cluster, workshop.id, None, board.id, "Arbeit", "green",
             [cards[1].id])
    make.run(clusters.correct_text, workshop.id, None, cards[3].id, "Karte drei")

    record = build_record(session, workshop.id).boards[0]
    assert [(c.heading, c.colour, [card.text for card in c.cards]) for c in record.clusters] == [
        ("Wohnen", "blue", ["Karte 2", "Karte 0"]), ("Arbeit", "green", ["Karte 1"])]
    assert [(c.text, c.original_text) for c in record.unclustered] == [
        ("Karte drei", "Karte 3"), ("Karte 4", None)]


def test_only_closed_or_revealed_rounds_are_documented_with_ranks_ties_and_final_order(
        make, session):
    workshop = make.workshop()
    board, other = workshop.boards[0], workshop.boards[1]
    people = [make.participant(workshop)[0] for _ in range(3)]
    cards = [make.idea(people[0], board, f"Idee {n}") for n in range(3)]
    make.idea(people[0], other, "Anderswo")
    make.run(phases.set_phase, workshop.id, [], "cluster")
    first = make.run(clusters.create_cluster, workshop.id, None, board.id, "Erstes", "grey",
                     [cards[0].id])
    second = make.run(clusters.create_cluster, workshop.id, None, board.id, "Zweites", "grey",
                      [cards[1].id, cards[2].id])
    round_ = make.run(voting.open_round, workshop.id, RoundSpec(
        kind="dots", target_kind="cluster", board_ids=[board.id], question="Was zuerst?",
        dots_per_person=2, max_per_item=2))
    for person in people:
        _dot(make, person, round_.id, second.id)
    _dot(make, people[0], round_.id, first.id)

    assert build_record(session, workshop.id).boards[0].rounds == []  # still open, unrevealed
    make.run(voting.update_round, workshop.id, round_.id,
             {"state": "closed", "final_order": [first.id, second.id]})

    record = build_record(session, workshop.id)
    documented = record.boards[0].rounds[0]
    assert (documented.question, documented.voters, documented.state) == ("Was zuerst?", 3,
                                                                          "closed")
    assert [(row.label, row.score, row.rank, row.tie) for row in documented.rows] == [
        ("Zweites", 3, 1, False), ("Erstes", 1, 2, False)]
    assert documented.final_order == record.boards[0].final_order == ["Erstes", "Zweites"]
    assert [(c.heading, c.votes, c.rank) for c in record.boards[0].clusters] == [
        ("Erstes", 1, 2), ("Zweites", 3, 1)]
    assert record.boards[1].rounds == []  # the round did not touch the other board


def test_consent_check_results_keep_the_distribution(make, session):
    workshop = make.workshop()
    board = workshop.boards[0]
    people = [make.participant(workshop)[0] for _ in range(2)]
    round_ = make.run(voting.open_round, workshop.id, RoundSpec(
        kind="consent", board_ids=[board.id], question="Wie weiter?",
        options=["Beratungsbus"], passive_option="Alles bleibt"))
    make.run(voting.rate_option, people[0], round_.id, 0, 10)
    make.run(voting.rate_option, people[1], round_.id, 0, 4)
    make.run(voting.rate_option, people[0], round_.id, 1, 2)
    make.run(voting.rate_option, people[1], round_.id, 1, 0)
    make.run(voting.update_round, workshop.id, round_.id, {"state": "closed"})

    consent = build_record(session, workshop.id).boards[0].rounds[0]
    assert consent.kind == "consent"
    assert [(r.label, r.score, r.answers, r.passive) for r in consent.rows] == [
        ("Beratungsbus", 2, 2, False), ("Alles bleibt", 14, 2, True)]
    assert consent.rows[1].distribution[10] == 1 and consent.rows[1].distribution[4] == 1


def test_measures_follow_the_latest_public_measure_round_then_their_position(make, session):
    workshop = make.workshop()
    people = [make.participant(workshop)[0] for _ in range(2)]
    made = [make.run(measures.save_measure, workshop.id, None, MeasureSpec(
        title=title, board_id=workshop.boards[0].id)) for title in ("A", "B", "C")]
    assert [m.title for m in build_record(session, workshop.id).measures] == ["A", "B", "C"]

    round_ = make.run(voting.open_round, workshop.id, RoundSpec(
        kind="dots", target_kind="measure", dots_per_person=3, max_per_item=3))
    for _ in range(2):
        _dot(make, people[0], round_.id, made[2].id)
    _dot(make, people[1], round_.id, made[1].id)
    make.run(voting.update_round, workshop.id, round_.id, {"revealed": True})

    record = build_record(session, workshop.id)
    assert [(m.title, m.score, m.rank) for m in record.measures] == [
        ("C", 2, 1), ("B", 1, 2), ("A", 0, 3)]
    assert record.measures[0].board_title == workshop.boards[0].title
    assert record.measures_round.voters == 2
    assert record.boards[0].rounds == []  # measure rounds belong to the measures section

    make.run(voting.update_round, workshop.id, round_.id, {"final_order": [made[0].id]})
    assert [m.title for m in build_record(session, workshop.id).measures] == ["A", "C", "B"]


def test_agenda_gives_each_board_its_phases_with_start_and_end(make, session):
    workshop = make.workshop()
    person, _ = make.participant(workshop)
    first = make.idea(person, workshop.boards[0])
    make.run(phases.set_phase, workshop.id, [workshop.boards[0].id], "cluster")
    make.run(phases.set_phase, workshop.id, [workshop.boards[0].id], "prioritise")

    agenda = build_record(session, workshop.id).agenda
    spans = agenda[0].phases
    assert [span.phase for span in spans] == ["collect", "cluster", "prioritise"]
    assert spans[0].start == first.created_at.replace(tzinfo=spans[0].start.tzinfo)
    assert spans[0].end == spans[1].start and spans[1].end == spans[2].start
    assert spans[2].end is None
    assert [span.phase for span in agenda[1].phases] == ["collect"]
    assert agenda[1].phases[0].start is None  # no card: when it began is not known


# --- Each section's builder alone ---------------------------------------------------------------

def test_load_source_refuses_an_unknown_workshop(session):
    with pytest.raises(NotFound):
        sections.load_source(session, 987654)


def test_read_cards_follows_chains_of_merges_and_counts_what_is_not_shown(make, session):
    workshop = make.workshop()
    board = workshop.boards[0]
    person, _ = make.participant(workshop, display_name="Aylin")
    keeper, middle, last = (make.idea(person, board, f"Karte {n}") for n in range(3))
    gone = make.idea(person, board, "zurückgezogen")
    make.run(clusters.merge_duplicates, workshop.id, None, last.id, middle.id)
    make.run(clusters.merge_duplicates, workshop.id, None, middle.id, keeper.id)
    make.run(ideas.withdraw_idea, person, gone.id)

    index = sections.read_cards(session, workshop.id, names={})
    assert list(index.cards) == [keeper.id]
    assert sorted(d.text for d in index.cards[keeper.id].duplicates) == ["Karte 1", "Karte 2"]
    assert index.cards[keeper.id].author == ""
    assert (index.hidden[board.id], index.withdrawn[board.id]) == (0, 1)
    assert index.posters[board.id] == index.authors == {person.id}
    named = sections.read_cards(session, workshop.id, names={person.id: "Aylin"})
    assert named.cards[keeper.id].author == "Aylin"


def test_build_board_gives_cards_the_dots_of_the_latest_card_round_on_that_board(make, session):
    workshop = make.workshop()
    board = workshop.boards[0]
    people = [make.participant(workshop)[0] for _ in range(2)]
    first, second = (make.idea(people[0], board, f"Idee {n}") for n in range(2))
    round_ = make.run(voting.open_round, workshop.id, RoundSpec(
        kind="dots", target_kind="idea", board_ids=[board.id], question="Welche Idee?",
        dots_per_person=2, max_per_item=2))
    for person in people:
        _dot(make, person, round_.id, second.id)
    make.run(voting.update_round, workshop.id, round_.id, {"state": "closed"})

    source = sections.load_source(session, workshop.id)
    built = sections.build_board(session, source, source.boards[0])
    assert [(c.text, c.votes, c.rank) for c in built.cards] == [
        ("Idee 0", 0, 2), ("Idee 1", 2, 1)]
    assert [r.question for r in built.rounds] == ["Welche Idee?"]
    other = sections.build_board(session, source, source.boards[1])
    assert other.rounds == [] and other.cards == []


def test_build_participation_counts_authors_and_voters_once(make, session):
    workshop = make.workshop()
    board = workshop.boards[0]
    author, voter, idle = (make.participant(workshop)[0] for _ in range(3))
    card = make.idea(author, board)
    round_ = make.run(voting.open_round, workshop.id, RoundSpec(
        kind="dots", target_kind="idea", board_ids=[board.id]))
    _dot(make, voter, round_.id, card.id)
    _dot(make, author, round_.id, card.id)

    source = sections.load_source(session, workshop.id)
    boards = [sections.build_board(session, source, b) for b in source.boards]
    participation = sections.build_participation(session, source, boards)
    assert (participation.total, participation.active, participation.voters) == (3, 2, 2)
    assert participation.by_board[0].participants == 1


def test_build_workshop_rounds_takes_only_consent_checks_for_the_whole_workshop(make, session):
    workshop = make.workshop()
    person, _ = make.participant(workshop)
    for board_ids, question in (([], "Für alle?"), ([workshop.boards[0].id], "Nur hier?")):
        round_ = make.run(voting.open_round, workshop.id, RoundSpec(
            kind="consent", board_ids=board_ids, question=question, options=["Ja"],
            passive_option="Alles bleibt"))
        make.run(voting.rate_option, person, round_.id, 0, 1)
        make.run(voting.update_round, workshop.id, round_.id, {"state": "closed"})

    source = sections.load_source(session, workshop.id)
    assert [r.question for r in sections.build_workshop_rounds(session, source)] == ["Für alle?"]
    assert [r.question for r in sections.board_rounds(session, source, workshop.boards[0].id)
            ] == ["Nur hier?"]


def test_build_measures_names_their_source_cards_and_cluster(make, session):
    workshop = make.workshop()
    board = workshop.boards[0]
    person, _ = make.participant(workshop)
    card = make.idea(person, board, "Busse am Abend")
    make.run(phases.set_phase, workshop.id, [], "cluster")
    cluster = make.run(clusters.create_cluster, workshop.id, None, board.id, "Mobilität", "blue",
                       [card.id])
    make.run(measures.save_measure, workshop.id, None, MeasureSpec(
        title="Nachtbus", board_id=board.id, source_idea_ids=[card.id],
        source_cluster_id=cluster.id))

    built, round_ = sections.build_measures(session, sections.load_source(session, workshop.id))
    assert round_ is None
    assert [(m.title, m.source_cards, m.source_cluster, m.board_title) for m in built] == [
        ("Nachtbus", ["Busse am Abend"], "Mobilität", board.title)]


def test_build_appendix_lists_each_boards_cards_and_counts(make, session):
    workshop = make.workshop()
    person, _ = make.participant(workshop)
    make.idea(person, workshop.boards[1], "Nur hier")
    source = sections.load_source(session, workshop.id)
    boards = [sections.build_board(session, source, b) for b in source.boards]
    appendix = sections.build_appendix(boards)
    assert [(a.title, [c.text for c in a.cards]) for a in appendix] == [
        (b.title, ["Nur hier"] if b.id == workshop.boards[1].id else []) for b in source.boards]
