"""Participation processes straight through the domain (SQLite and PostgreSQL): events in order,
templates and copies without cards, results carried forward with one identity, and a steering
group whose votes never mix with the participants'."""
import uuid

import pytest
from sqlalchemy import select

from facilitator.domain import clusters, measures, processes, voting, workshops
from facilitator.domain.errors import InvalidInput, NotFound, VoteBudgetExceeded
from facilitator.domain.measures import MeasureSpec
from facilitator.domain.processes import EventSpec, FieldSpec, ProcessSpec
from facilitator.domain.voting import RoundSpec
from facilitator.models import Idea, Measure, Vote, Workshop

FIELDS = ("Sprache", "Bildung", "Arbeit")


@pytest.fixture
def process(session, owner):
    return processes.create_process(session, owner.id, ProcessSpec(
        title="Integrationskonzept 2026, Landkreis Emsland", organiser="Landkreis Emsland",
        fields=(FieldSpec("Sprache", "Wie lernen alle Deutsch?", "blue"), "Bildung", "Arbeit"),
        stakeholder_groups=("Verwaltung", "Migrantenorganisation", "Verwaltung")))


def field_ids(process, *titles):
    return [f.id for f in process.fields if f.title in titles]


@pytest.fixture
def kickoff(session, owner, process):
    return processes.create_event(session, process.id, owner.id, EventSpec(
        "Auftakt", kind="kickoff", field_ids=field_ids(process, "Sprache", "Bildung")))


@pytest.fixture
def kickoff_results(session, make, owner, kickoff):
    """Cards, a cluster and a measure made from it on the kick-off's "Sprache" board."""
    board = kickoff.boards[0]
    amira = make.participant(kickoff, "Amira")[0]
    cards = [make.idea(amira, board, text) for text in ("Sprachcafé", "Abendkurse")]
    cluster = clusters.create_cluster(session, kickoff.id, owner.id, board.id, "Kurse",
                                      idea_ids=[c.id for c in cards])
    measure = measures.save_measure(session, kickoff.id, owner.id, MeasureSpec(
        "Sprachcafé im Rathaus", board_id=board.id, source_cluster_id=cluster.id,
        source_idea_ids=[cards[0].id], responsible="VHS"))
    return cards, cluster, measure


def test_a_process_keeps_fields_groups_team_and_events_in_order(session, make, owner, process,
                                                                 kickoff):
    assert [f.title for f in process.fields] == list(FIELDS)
    assert [g.name for g in process.groups] == ["Verwaltung", "Migrantenorganisation"]
    workshop = processes.create_event(session, process.id, owner.id, EventSpec(
        "Werkstatt Arbeit", field_ids=field_ids(process, "Arbeit")))
    closing = processes.create_event(session, process.id, owner.id, EventSpec(
        "Abschluss", kind="closing"))
    assert [(e.title, e.event_kind) for e in processes.events(session, process.id)] == [
        ("Auftakt", "kickoff"), ("Werkstatt Arbeit", "workshop"), ("Abschluss", "closing")]
    # Fields become boards linked to the field; the process's groups and organiser carry over.
    assert [(b.title, b.field_id, b.question, b.colour) for b in kickoff.boards] == [
        ("Sprache", process.fields[0].id, "Wie lernen alle Deutsch?", "blue"),
        ("Bildung", process.fields[1].id, "", "yellow")]
    assert [g.name for g in kickoff.stakeholder_groups] == ["Verwaltung", "Migrantenorganisation"]
    assert kickoff.organiser == "Landkreis Emsland" and closing.boards == []
    # A colleague joining the team may run every event, earlier and later ones.
    colleague = make.facilitator()
    processes.add_facilitator(session, process.id, colleague.id)
    later = processes.create_event(session, process.id, owner.id, EventSpec("Nachtrag"))
    assert all(workshops.can_run(session, colleague.id, e.id)
               for e in (kickoff, workshop, closing, later))
    assert processes.can_run(session, colleague.id, process.id)
    assert not processes.can_run(session, make.facilitator().id, process.id)


def test_a_workshop_without_a_process_stays_alone_and_can_join_one_later(
        session, make, owner, workshop, process):
    assert make.fresh(Workshop, workshop.id).process_id is None
    processes.attach_workshop(session, process.id, workshop.id, "workshop")
    stored = make.fresh(Workshop, workshop.id)
    assert (stored.process_id, stored.event_kind, stored.event_position) == (
        process.id, "workshop", 1)


def test_a_process_from_the_old_free_text_label_is_opened_by_who_runs_its_events(
        session, make, owner):
    labelled = make.workshop(owner, process_title="Integrationskonzept (alt)")
    process_id = labelled.process_id
    assert processes.team(session, process_id) == []
    assert not processes.can_run(session, make.facilitator().id, process_id)
    assert processes.can_run(session, owner.id, process_id)
    assert processes.team(session, process_id) == [owner.id]


def test_unknown_kinds_templates_and_fields_are_refused(session, owner, process):
    with pytest.raises(InvalidInput):
        processes.create_event(session, process.id, owner.id, EventSpec("X", kind="party"))
    with pytest.raises(InvalidInput):
        processes.create_event(session, process.id, owner.id, EventSpec("X", template="bingo"))
    with pytest.raises(NotFound):
        processes.create_event(session, process.id, owner.id, EventSpec("X", field_ids=[99999]))


@pytest.mark.parametrize("template, titles", [
    ("dots", ["Sprache", "Arbeit"]),
    ("themeninseln", ["Sprache", "Arbeit"]),
    ("world_cafe", ["Tisch 1: Sprache", "Tisch 2: Arbeit"]),
    ("zukunftswerkstatt", ["Kritik", "Vision", "Verwirklichung"]),
])
def test_templates_make_the_boards_of_their_format(session, owner, process, template, titles):
    event = processes.create_event(session, process.id, owner.id, EventSpec(
        "Werkstatt", template=template, field_ids=field_ids(process, "Sprache", "Arbeit")))
    assert [b.title for b in event.boards] == titles


def test_copying_an_event_takes_its_format_without_a_single_card(
        session, make, owner, kickoff, kickoff_results):
    copy = processes.copy_event(session, kickoff.id, owner.id, "Auftakt, zweiter Termin")
    assert [(b.title, b.question, b.colour, b.field_id) for b in copy.boards] == [
        (b.title, b.question, b.colour, b.field_id) for b in kickoff.boards]
    assert copy.event_kind == "kickoff" and copy.join_code != kickoff.join_code
    assert make.count(Idea, workshop_id=copy.id) == 0
    assert make.count(Measure, workshop_id=copy.id) == 0


def test_a_measure_carried_into_two_later_events_keeps_one_identity_and_its_sources(
        session, make, owner, process, kickoff, kickoff_results):
    cards, cluster, original = kickoff_results
    workshop = processes.create_event(session, process.id, owner.id, EventSpec(
        "Werkstatt Sprache", field_ids=field_ids(process, "Sprache")))
    closing = processes.create_event(session, process.id, owner.id, EventSpec(
        "Abschluss", kind="closing"))
    ideas_before = make.count(Idea)

    into_workshop = processes.carry_forward(session, workshop.id, owner.id,
                                            measure_ids=[original.id])[0]
    # Carried on from the workshop (not from the kick-off): still the same measure.
    into_closing = processes.carry_forward(session, closing.id, owner.id,
                                           measure_ids=[into_workshop.id],
                                           cluster_ids=[cluster.id])
    again = processes.carry_forward(session, closing.id, owner.id, measure_ids=[original.id])

    assert make.count(Idea) == ideas_before  # no card copied
    assert again[0].id == into_closing[0].id  # carrying twice into one event: one row
    assert processes.identity(into_workshop) == processes.identity(into_closing[0]) == (
        "measure", original.id)
    assert processes.identity(into_closing[1]) == ("cluster", cluster.id)
    for carried in (into_workshop, into_closing[0]):
        stored = make.fresh(Measure, carried.id)
        assert (stored.title, stored.responsible, stored.source_idea_ids) == (
            "Sprachcafé im Rathaus", "VHS", [])
        line = processes.lineage(session, stored)
        assert line["measure"].id == original.id and line["cluster"].id == cluster.id
        assert [c.text for c in line["cards"]] == ["Sprachcafé", "Abendkurse"]
        assert line["event"].id == kickoff.id
    # The measure lands on the later event's board of the same field.
    assert into_workshop.board_id == workshop.boards[0].id and into_closing[0].board_id is None
    assert [m.workshop_id for m in processes.carried_into(session, "measure", original.id)] == [
        workshop.id, closing.id]
    assert processes.lineage(session, into_closing[1])["cards"][0].text == "Sprachcafé"


def test_only_results_of_the_same_process_can_be_carried(session, make, owner, process, kickoff,
                                                         kickoff_results, workshop):
    stranger = measures.save_measure(session, workshop.id, owner.id, MeasureSpec("Fremd"))
    with pytest.raises(NotFound):
        processes.carry_forward(session, kickoff.id, owner.id, measure_ids=[stranger.id])
    with pytest.raises(InvalidInput):  # into a workshop without a process
        processes.carry_forward(session, workshop.id, owner.id,
                                measure_ids=[kickoff_results[2].id])


def test_the_steering_groups_vote_stands_beside_the_participants_vote_never_mixed(
        session, make, owner, process, kickoff, kickoff_results):
    closing = processes.create_event(session, process.id, owner.id, EventSpec(
        "Abschluss", kind="closing"))
    carried = processes.carry_forward(session, closing.id, owner.id,
                                      measure_ids=[kickoff_results[2].id],
                                      cluster_ids=[kickoff_results[1].id])
    round_ = voting.open_round(session, closing.id, RoundSpec(
        target_kind="measure", dots_per_person=3, max_per_item=2))
    phone = make.participant(closing)[0]
    voting.place_dot(session, phone, round_.id, carried[0].id, uuid.uuid4().hex)
    voting.place_dot(session, phone, round_.id, carried[0].id, uuid.uuid4().hex)
    decision = processes.put_to_steering_group(session, round_.id)
    assert processes.put_to_steering_group(session, round_.id).id == decision.id
    mayor, _ = processes.add_member(session, process.id, "Landrat")
    office, secret = processes.add_member(session, process.id, "Stabsstelle Integration")
    assert processes.member_by_secret(session, secret).id == office.id
    processes.steering_dot(session, mayor, decision.id, carried[1].id)
    processes.steering_dot(session, mayor, decision.id, carried[1].id)
    processes.steering_dot(session, office, decision.id, carried[1].id)
    processes.steering_dot(session, office, decision.id, carried[0].id)
    assert processes.steering_dot(session, office, decision.id, carried[0].id, -1) == {
        carried[1].id: 1}

    rows = {r["id"]: r for r in processes.side_by_side(session, round_)}
    assert (rows[carried[0].id]["participants"], rows[carried[0].id]["steering"]) == (2, 0)
    assert (rows[carried[1].id]["participants"], rows[carried[1].id]["steering"]) == (0, 3)
    # The participants' tally and voter count know nothing of the steering group.
    assert {r["id"]: r["score"] for r in voting.results(session, round_)} == {
        carried[0].id: 2, carried[1].id: 0}
    assert voting.voter_count(session, round_) == 1
    assert make.count(Vote, round_id=round_.id) == 2
    assert processes.steering_voters(session, decision) == 2


def test_a_steering_member_sees_and_votes_only_on_their_process(session, make, owner, process,
                                                                kickoff, kickoff_results):
    other = processes.create_process(session, owner.id, ProcessSpec("Anderer Prozess"))
    outsider, _ = processes.add_member(session, other.id, "Fremd")
    member, _ = processes.add_member(session, process.id, "Landrat")
    closing = processes.create_event(session, process.id, owner.id, EventSpec("Abschluss"))
    carried = processes.carry_forward(session, closing.id, owner.id,
                                      measure_ids=[kickoff_results[2].id])
    round_ = voting.open_round(session, closing.id, RoundSpec(
        target_kind="measure", dots_per_person=1, max_per_item=1))
    decision = processes.put_to_steering_group(session, round_.id)
    assert processes.decisions(session, other.id) == []
    with pytest.raises(NotFound):
        processes.steering_dot(session, outsider, decision.id, carried[0].id)
    processes.steering_dot(session, member, decision.id, carried[0].id)
    with pytest.raises(VoteBudgetExceeded):
        processes.steering_dot(session, member, decision.id, carried[0].id)


def test_results_per_field_and_participation(session, make, owner, process, kickoff,
                                             kickoff_results):
    chapters = processes.results_by_field(session, process.id)
    assert [c.field.title for c in chapters] == list(FIELDS)
    language = chapters[0].events
    assert [(e.title, [c.heading for c in cl], [m.title for m in ms])
            for e, cl, ms in language] == [("Auftakt", ["Kurse"], ["Sprachcafé im Rathaus"])]
    assert [e.title for e, _, _ in chapters[1].events] == ["Auftakt"] and not chapters[2].events
    assert processes.participation(session, kickoff.id) == {"participants": 1, "cards": 2}
    assert processes.event_state(session, kickoff) == "done"


def test_fortschreibung_starts_from_last_years_state_and_shows_what_changed(
        session, make, owner, process, kickoff, kickoff_results):
    cards, cluster, language_cafe = kickoff_results
    courses = measures.save_measure(session, kickoff.id, owner.id, MeasureSpec(
        "Abendkurse", board_id=kickoff.boards[0].id, responsible="VHS"))
    dropped = measures.save_measure(session, kickoff.id, owner.id, MeasureSpec("Flyer drucken"))
    colleague = make.facilitator()
    processes.add_facilitator(session, process.id, colleague.id)

    update = processes.start_update(session, process.id, owner.id, "Integrationskonzept 2027")
    assert [f.title for f in update.fields] == list(FIELDS)
    assert processes.team(session, update.id) == sorted([owner.id, colleague.id])
    review = processes.create_event(session, update.id, owner.id, EventSpec(
        "Bilanz 2027", field_ids=field_ids(update, "Sprache")))
    kept, changed = processes.carry_forward(session, review.id, owner.id,
                                            measure_ids=[language_cafe.id, courses.id])
    measures.save_measure(session, review.id, owner.id, MeasureSpec(
        "Abendkurse", board_id=review.boards[0].id, responsible="Kreisvolkshochschule"),
        measure_id=changed.id)
    fresh = measures.save_measure(session, review.id, owner.id, MeasureSpec("Sprach-App"))

    diff = processes.update_diff(session, update.id)
    assert [m.id for m in diff["new"]] == [fresh.id]
    assert [m.id for m in diff["kept"]] == [kept.id]
    assert [(old.id, new.id, fields) for old, new, fields in diff["changed"]] == [
        (courses.id, changed.id, ["responsible"])]
    assert [m.id for m in diff["dropped"]] == [dropped.id]
    # One identity across the rounds, and the sources of last year's measure.
    assert processes.identity(kept) == ("measure", language_cafe.id)
    assert processes.lineage(session, kept)["event"].id == kickoff.id
    with pytest.raises(InvalidInput):
        processes.update_diff(session, process.id)


def test_a_whole_process_exports_and_imports_with_its_links(session, make, owner, process,
                                                            kickoff, kickoff_results):
    from facilitator.domain import process_archive
    from facilitator.domain.archive import ArchiveInvalid
    closing = processes.create_event(session, process.id, owner.id, EventSpec(
        "Abschluss", kind="closing", field_ids=field_ids(process, "Sprache")))
    carried = processes.carry_forward(session, closing.id, owner.id,
                                      measure_ids=[kickoff_results[2].id],
                                      cluster_ids=[kickoff_results[1].id])
    round_ = voting.open_round(session, closing.id, RoundSpec(target_kind="measure"))
    decision = processes.put_to_steering_group(session, round_.id)
    member, _ = processes.add_member(session, process.id, "Landrat")
    processes.steering_dot(session, member, decision.id, carried[1].id)

    data = process_archive.dumps(process_archive.export_process(session, process.id))
    copy = process_archive.import_process(session, owner.id, data)

    events = processes.events(session, copy.id)
    assert [(e.title, e.event_kind) for e in events] == [("Auftakt", "kickoff"),
                                                          ("Abschluss", "closing")]
    assert [f.title for f in copy.fields] == list(FIELDS)
    assert [b.field_id for b in events[0].boards] == field_ids(copy, "Sprache", "Bildung")
    rows = session.scalars(select(Measure).where(Measure.workshop_id == events[1].id)
                           .order_by(Measure.id)).all()
    assert [processes.lineage(session, m)["event"].id for m in rows] == [events[0].id] * 2
    assert processes.identity(rows[1])[0] == "cluster"
    new_round = voting.rounds_of(session, events[1].id)[0]
    assert [(r["label"], r["steering"]) for r in processes.side_by_side(session, new_round)] == [
        ("Sprachcafé im Rathaus", 0), ("Kurse", 1)]
    assert [m.name for m in processes.members(session, copy.id)] == ["Landrat"]
    # The original is untouched; a broken file leaves nothing behind.
    assert len(processes.events(session, process.id)) == 2
    before = make.count(Workshop)
    broken = process_archive.export_process(session, process.id)
    broken["carried"] = [{"event": 9, "measure": 1, "from": {"event": 1, "measure": 1}}]
    with pytest.raises(ArchiveInvalid):
        process_archive.import_process(session, owner.id, broken)
    assert make.count(Workshop) == before


def test_a_consent_check_of_the_steering_group_stands_beside_the_rooms(session, make, owner,
                                                                       process, kickoff):
    round_ = voting.open_round(session, kickoff.id, RoundSpec(
        kind="consent", options=["Sprache zuerst", "Arbeit zuerst"],
        passive_option="Reihenfolge offen lassen"))
    phone = make.participant(kickoff)[0]
    voting.rate_option(session, phone, round_.id, 1, 7)
    decision = processes.put_to_steering_group(session, round_.id)
    member, _ = processes.add_member(session, process.id, "Landrat")
    processes.steering_rate(session, member, decision.id, 1, 2)
    assert processes.steering_rate(session, member, decision.id, 1, 0) == {1: 0}
    processes.steering_rate(session, member, decision.id, 2, 9)
    with pytest.raises(InvalidInput):
        processes.steering_dot(session, member, decision.id, 1)
    with pytest.raises(InvalidInput):
        processes.steering_rate(session, member, decision.id, 2, 11)
    rows = {r["id"]: (r["participants"], r["steering"])
            for r in processes.side_by_side(session, round_)}
    assert rows == {0: (0, 0), 1: (7, 0), 2: (0, 9)}
    assert {r["id"]: r["score"] for r in voting.results(session, round_)} == {0: 0, 1: 7, 2: 0}
