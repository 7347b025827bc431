"""Preparing workshops, who may run them, join codes, the projector choice and deleting."""
from datetime import date

import pytest

from facilitator.domain import boards, clusters, ideas, phases, presence, workshops
from facilitator.domain.errors import BoardNotEmpty, InvalidInput, NotFound
from facilitator.domain.workshops import (JOIN_CODE_ALPHABET, BoardSpec, WorkshopSpec,
                                          format_join_code)
from facilitator.models import (Board, Connection, Idea, Participant, Process, StakeholderGroup,
                                Workshop, WorkshopFacilitator)


def test_new_workshop_has_its_boards_in_order_groups_and_details(session, make):
    owner = make.facilitator("Kreis Moderation")

    workshop = workshops.create_workshop(session, owner.id, WorkshopSpec(
        title="  Auftakt Integrationskonzept ", event_date=date(2026, 3, 14), place="Kreishaus",
        purpose="Anlass und Ziel: gemeinsam Handlungsfelder finden", language="en",
        stakeholder_groups=("Verwaltung", "", "Politik", "Verwaltung", "  "),
        boards=(BoardSpec("Wohnen", "Was fehlt beim Wohnen?", "blue"),
                BoardSpec("Arbeit", colour="green"))))

    stored = make.fresh(Workshop, workshop.id)
    assert (stored.title, stored.event_date, stored.place, stored.language) == (
        "Auftakt Integrationskonzept", date(2026, 3, 14), "Kreishaus", "en")
    assert [(b.title, b.question, b.colour, b.position, b.is_open, b.concealed)
            for b in stored.boards] == [("Wohnen", "Was fehlt beim Wohnen?", "blue", 0, True, False),
                                        ("Arbeit", "", "green", 1, True, False)]
    assert [g.name for g in stored.stakeholder_groups] == ["Verwaltung", "Politik"]
    assert stored.projector_board_ids == [b.id for b in stored.boards]
    assert workshops.can_run(session, owner.id, workshop.id)


def test_join_codes_are_easy_to_read_aloud_and_all_different(make):
    owner = make.facilitator()
    codes = [make.workshop(owner, boards=("Tafel",)).join_code for _ in range(40)]

    assert len(set(codes)) == len(codes)
    for code in codes:
        assert len(code) == 8
        assert set(code) <= set(JOIN_CODE_ALPHABET)
        assert not set(code) & set("0O1Il")


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{dashed}", " {spaced} "])
def test_join_code_is_found_however_people_type_it(session, make, typed):
    workshop = make.workshop()
    code = workshop.join_code

    found = workshops.find_by_join_code(session, typed.format(
        code=code, lower=code.lower(), dashed=format_join_code(code),
        spaced=" ".join(code[i:i + 2] for i in range(0, 8, 2))))

    assert found.id == workshop.id


@pytest.mark.parametrize("code", ["", "AAAA-AAAA", "x" * 500, "' OR 1=1 --"])
def test_unknown_join_code_is_not_found(session, make, code):
    make.workshop()
    with pytest.raises(NotFound):
        workshops.find_by_join_code(session, code)


def test_screen_key_finds_only_its_workshop(session, make):
    first, second = make.workshop(), make.workshop()

    assert workshops.find_by_screen_key(session, second.screen_key).id == second.id
    assert first.screen_key != second.screen_key and len(first.screen_key) >= 24
    with pytest.raises(NotFound):
        workshops.find_by_screen_key(session, first.screen_key[:-1])


@pytest.mark.parametrize("spec", [
    WorkshopSpec(title=""),
    WorkshopSpec(title="x" * 121),
    WorkshopSpec(title="Gut", language="fr"),
    WorkshopSpec(title="Gut", boards=(BoardSpec("Tafel", colour="red"),)),
    WorkshopSpec(title="Gut", boards=(BoardSpec(" "),)),
    WorkshopSpec(title="Gut", boards=(BoardSpec("Tafel", question="?" * 301),)),
    WorkshopSpec(title="Gut", place="p" * 121),
    WorkshopSpec(title=None),
], ids=["empty title", "long title", "language", "colour", "blank board", "long question",
        "long place", "title not text"])
def test_invalid_workshop_is_refused_and_nothing_is_stored(session, make, spec):
    owner = make.facilitator()

    with pytest.raises(InvalidInput):
        workshops.create_workshop(session, owner.id, spec)

    assert make.count(Workshop) == 0
    assert make.count(Board) == 0


def test_update_renames_adds_reorders_and_removes_empty_boards_and_announces_it(
        session, make, announced):
    workshop = make.workshop(boards=("Wohnen", "Arbeit", "Leer"))
    wohnen, arbeit, leer = workshop.boards
    seq = make.seq(workshop.id)

    workshops.update_workshop(session, workshop.id, WorkshopSpec(
        title="Neuer Titel", stakeholder_groups=("Politik", "Neuzugewanderte"),
        boards=(BoardSpec("Arbeit und Ausbildung", colour="green", id=arbeit.id),
                BoardSpec("Gesundheit", "Was brauchen Familien?", "pink"),
                BoardSpec(leer.title, id=leer.id, remove=True))))

    stored = make.fresh(Workshop, workshop.id)
    assert stored.title == "Neuer Titel"
    # Boards the form did not mention stay, after the listed ones.
    assert [(b.title, b.position) for b in stored.boards] == [
        ("Arbeit und Ausbildung", 0), ("Gesundheit", 1), ("Wohnen", 2)]
    assert make.fresh(Board, leer.id) is None
    assert [g.name for g in stored.stakeholder_groups] == ["Politik", "Neuzugewanderte"]
    assert leer.id not in stored.projector_board_ids
    change = announced[-1]
    assert (change.event, change.seq, stored.seq) == ("workshop_updated", seq + 1, seq + 1)
    assert {b.id for b in change.boards} == {b.id for b in stored.boards}
    assert wohnen.id in {b.id for b in change.boards}


def test_removing_a_board_that_has_ideas_is_refused_and_changes_nothing(session, make, announced):
    workshop = make.workshop(boards=("Wohnen", "Arbeit"))
    wohnen, arbeit = workshop.boards
    phone, _ = make.participant(workshop)
    make.idea(phone, wohnen, "Bleibt")
    seq = make.seq(workshop.id)

    with pytest.raises(BoardNotEmpty) as refused:
        workshops.update_workshop(session, workshop.id, WorkshopSpec(
            title="Umbenannt", boards=(BoardSpec("Arbeit neu", id=arbeit.id),
                                       BoardSpec("Wohnen", id=wohnen.id, remove=True))))

    assert refused.value.params["title"] == "Wohnen"
    stored = make.fresh(Workshop, workshop.id)
    assert stored.title == "Integrationskonzept: Auftaktworkshop"
    assert [b.title for b in stored.boards] == ["Wohnen", "Arbeit"]
    assert stored.seq == seq
    assert [c.event for c in announced] == ["idea_posted"]


def test_board_of_another_workshop_cannot_be_edited_through_this_one(session, make):
    workshop, other = make.workshop(), make.workshop()

    with pytest.raises(NotFound):
        workshops.update_workshop(session, workshop.id, WorkshopSpec(
            title="Gekapert", boards=(BoardSpec("Fremd", id=other.boards[0].id),)))

    assert make.fresh(Board, other.boards[0].id).workshop_id == other.id
    assert make.fresh(Workshop, workshop.id).title == "Integrationskonzept: Auftaktworkshop"


def test_only_owners_and_added_facilitators_run_a_workshop(session, make):
    owner, colleague, stranger = make.facilitator(), make.facilitator(), make.facilitator()
    workshop = make.workshop(owner)
    own_other = make.workshop(stranger)

    assert workshops.can_run(session, owner.id, workshop.id)
    assert not workshops.can_run(session, colleague.id, workshop.id)
    assert not workshops.can_run(session, None, workshop.id)
    assert [w.id for w in workshops.workshops_of(session, stranger.id)] == [own_other.id]

    workshops.add_facilitator(session, workshop.id, colleague.id)
    workshops.add_facilitator(session, workshop.id, colleague.id)

    assert workshops.can_run(session, colleague.id, workshop.id)
    assert make.count(WorkshopFacilitator, workshop_id=workshop.id) == 2
    assert not workshops.can_run(session, stranger.id, workshop.id)


def test_workshops_of_a_process_share_one_process_record(session, make):
    owner = make.facilitator()
    kickoff = make.workshop(owner, title="Auftakt", process_title="Integrationskonzept 2026")
    thematic = make.workshop(owner, title="Wohnen", process_title="Integrationskonzept 2026")

    assert make.count(Process) == 1
    assert make.fresh(Workshop, kickoff.id).process_id == make.fresh(Workshop,
                                                                     thematic.id).process_id


def test_projector_shows_the_chosen_boards_in_the_chosen_order(session, make, announced):
    workshop = make.workshop()
    first, second, third = (b.id for b in workshop.boards)

    phases.set_projector(session, workshop.id, "boards", None, [third, first, third])

    assert make.fresh(Workshop, workshop.id).projector_board_ids == [third, first]
    assert announced[-1].event == "workshop_updated"
    assert announced[-1].workshop.projector_board_ids == [third, first]


@pytest.mark.parametrize("board_ids", ["all", [True], ["1"], list(range(51))])
def test_projector_choice_must_be_a_list_of_board_ids(session, make, board_ids):
    workshop = make.workshop()
    with pytest.raises(InvalidInput):
        phases.set_projector(session, workshop.id, "boards", None, board_ids)
    assert make.fresh(Workshop, workshop.id).projector_board_ids == [
        b.id for b in workshop.boards]


def test_projector_cannot_show_another_workshops_board(session, make):
    workshop, other = make.workshop(), make.workshop()
    with pytest.raises(NotFound):
        phases.set_projector(session, workshop.id, "boards", None, [other.boards[0].id])
    assert make.fresh(Workshop, workshop.id).projector_board_ids == [
        b.id for b in workshop.boards]


def test_idea_counts_per_board_count_visible_ideas_only(session, make):
    workshop = make.workshop()
    wohnen, arbeit, _ = workshop.boards
    phone, _ = make.participant(workshop)
    make.idea(phone, wohnen)
    make.idea(phone, wohnen)
    clusters.set_hidden(session, workshop.id, None, make.idea(phone, wohnen).id, True)
    ideas.withdraw_idea(session, phone, make.idea(phone, arbeit).id)
    make.idea(phone, arbeit)

    assert workshops.idea_counts(session, workshop.id) == {wohnen.id: 2, arbeit.id: 1}


def test_deleting_a_workshop_deletes_everything_in_it_and_nothing_else(session, make):
    owner = make.facilitator()
    doomed, kept = make.workshop(owner), make.workshop(owner)
    for workshop in (doomed, kept):
        phone, _ = make.participant(workshop, "Name", workshop.stakeholder_groups[0].id)
        make.idea(phone, workshop.boards[0])
        boards.update_settings(session, workshop.id, workshop.boards[1].id, {"concealed": True})
        presence.connected(session, f"sid-{workshop.id}", workshop.id, "participant",
                           workshop.boards[0].id, phone.id)

    workshops.delete_workshop(session, doomed.id)

    for model in (Board, Idea, Participant, StakeholderGroup, Connection, WorkshopFacilitator):
        assert make.count(model, workshop_id=doomed.id) == 0, model.__name__
        assert make.count(model, workshop_id=kept.id) > 0, model.__name__
    assert make.fresh(Workshop, doomed.id) is None
    with pytest.raises(NotFound):
        workshops.find_by_join_code(session, doomed.join_code)
    assert [w.id for w in workshops.workshops_of(session, owner.id)] == [kept.id]
    with pytest.raises(NotFound):
        workshops.delete_workshop(session, doomed.id)
