"""Editing a process after it was made, straight through the domain (SQLite and PostgreSQL):
title, organiser, description; fields added, renamed, reordered and removed only while unused;
stakeholder groups reaching the events; the team, never without its last member. Bad input
raises a named error and changes nothing."""
import pytest
from sqlalchemy import select

from facilitator.domain import process_settings, processes, workshops
from facilitator.domain.errors import InvalidInput, NotFound, TextEmpty, TextTooLong
from facilitator.domain.process_settings import FieldInUse, LastOfTeam, NameTaken, NoSuchAccount
from facilitator.domain.processes import EventSpec, FieldSpec, ProcessSpec
from facilitator.models import Process, ProcessField, StakeholderGroup, WorkshopFacilitator


@pytest.fixture
def process(session, owner):
    return processes.create_process(session, owner.id, ProcessSpec(
        title="Integrationskonzept 2026", organiser="Landkreis Emsland",
        fields=(FieldSpec("Sprache", "Wie lernen alle Deutsch?", "blue"), "Bildung", "Arbeit"),
        stakeholder_groups=("Verwaltung", "Politik")))


def fresh(session, process_id):
    session.expire_all()
    return session.get(Process, process_id)


def titles(process):
    return [f.title for f in process.fields]


def test_details_are_saved_and_a_200_character_title_fits(session, process):
    long_title = "Integrationskonzept " + "ا" * 180
    process_settings.update_details(session, process.id, long_title, "Kreis",
                                    "Ein Prozess über <b>zwei</b> Jahre.")
    again = fresh(session, process.id)
    assert (again.title, again.organiser, again.description) == (
        long_title, "Kreis", "Ein Prozess über <b>zwei</b> Jahre.")
    assert len(again.title) == 200


@pytest.mark.parametrize("title, organiser, description, error", [
    ("", "Kreis", "", TextEmpty), ("x" * 201, "Kreis", "", TextTooLong),
    ("Titel", "o" * 121, "", TextTooLong), ("Titel", "Kreis", "d" * 4001, TextTooLong),
    (None, "Kreis", "", InvalidInput), ("Titel", 5, "", InvalidInput)])
def test_bad_details_are_refused_and_change_nothing(session, process, title, organiser,
                                                    description, error):
    with pytest.raises(error):
        process_settings.update_details(session, process.id, title, organiser, description)
    session.rollback()
    again = fresh(session, process.id)
    assert (again.title, again.organiser, again.description) == (
        "Integrationskonzept 2026", "Landkreis Emsland", "")


def test_fields_are_added_renamed_and_reordered(session, process):
    field = process_settings.add_field(session, process.id, "Gesundheit", "Wer pflegt?", "green")
    assert titles(fresh(session, process.id)) == ["Sprache", "Bildung", "Arbeit", "Gesundheit"]
    process_settings.edit_field(session, process.id, field.id, "Gesundheit und Pflege",
                                "Wer pflegt wen?", "pink")
    process_settings.move_field(session, process.id, field.id, -1)
    process_settings.move_field(session, process.id, field.id, -1)
    again = fresh(session, process.id)
    assert titles(again) == ["Sprache", "Gesundheit und Pflege", "Bildung", "Arbeit"]
    assert [f.position for f in again.fields] == [0, 1, 2, 3]
    moved = session.get(ProcessField, field.id)
    assert (moved.question, moved.colour) == ("Wer pflegt wen?", "pink")
    # At the top nothing moves further.
    first = again.fields[0]
    process_settings.move_field(session, process.id, first.id, -1)
    assert titles(fresh(session, process.id))[0] == "Sprache"


@pytest.mark.parametrize("call, error", [
    (lambda s, p: process_settings.add_field(s, p.id, ""), TextEmpty),
    (lambda s, p: process_settings.add_field(s, p.id, "x" * 121), TextTooLong),
    (lambda s, p: process_settings.add_field(s, p.id, "sprache"), NameTaken),
    (lambda s, p: process_settings.add_field(s, p.id, "Neu", colour="plaid"), InvalidInput),
    (lambda s, p: process_settings.edit_field(s, p.id, p.fields[1].id, "Sprache"), NameTaken),
    (lambda s, p: process_settings.edit_field(s, p.id, 999999, "Neu"), NotFound),
    (lambda s, p: process_settings.edit_field(s, p.id, "1", "Neu"), InvalidInput),
    (lambda s, p: process_settings.move_field(s, p.id, p.fields[0].id, 5), InvalidInput),
    (lambda s, p: process_settings.remove_field(s, p.id, 999999), NotFound),
])
def test_bad_field_changes_are_refused_and_change_nothing(session, process, call, error):
    with pytest.raises(error):
        call(session, process)
    session.rollback()
    assert titles(fresh(session, process.id)) == ["Sprache", "Bildung", "Arbeit"]


def test_a_field_of_another_process_is_not_found(session, owner, process):
    other = processes.create_process(session, owner.id, ProcessSpec("Anderer", fields=("Wohnen",)))
    with pytest.raises(NotFound):
        process_settings.edit_field(session, process.id, other.fields[0].id, "Gekapert")
    with pytest.raises(NotFound):
        process_settings.remove_field(session, process.id, other.fields[0].id)
    session.rollback()
    assert titles(fresh(session, other.id)) == ["Wohnen"]


def test_a_field_an_event_works_on_is_not_removed(session, owner, process):
    sprache = process.fields[0]
    processes.create_event(session, process.id, owner.id, EventSpec(
        "Auftakt", field_ids=[sprache.id]))
    with pytest.raises(FieldInUse) as refused:
        process_settings.remove_field(session, process.id, sprache.id)
    assert refused.value.params["events"] == "Auftakt"
    session.rollback()
    assert titles(fresh(session, process.id)) == ["Sprache", "Bildung", "Arbeit"]
    # An unused field goes; the others close ranks.
    process_settings.remove_field(session, process.id, process.fields[1].id)
    again = fresh(session, process.id)
    assert titles(again) == ["Sprache", "Arbeit"]
    assert [f.position for f in again.fields] == [0, 1]


def test_a_field_with_a_guideline_is_not_removed(session, process):
    from facilitator.domain import guidelines
    guidelines.save(session, process.id, process.fields[2].id, "Arbeit für alle.")
    with pytest.raises(FieldInUse):
        process_settings.remove_field(session, process.id, process.fields[2].id)
    session.rollback()
    assert titles(fresh(session, process.id)) == ["Sprache", "Bildung", "Arbeit"]


def test_renaming_a_field_leaves_the_boards_already_made(session, owner, process):
    event = processes.create_event(session, process.id, owner.id, EventSpec(
        "Auftakt", field_ids=[process.fields[0].id]))
    process_settings.edit_field(session, process.id, process.fields[0].id, "Deutsch lernen")
    session.expire_all()
    assert [b.title for b in workshops.get_workshop(session, event.id).boards] == ["Sprache"]
    later = processes.create_event(session, process.id, owner.id, EventSpec(
        "Werkstatt", field_ids=[process.fields[0].id]))
    assert [b.title for b in later.boards] == ["Deutsch lernen"]


def event_groups(session, event_id):
    return list(session.scalars(select(StakeholderGroup.name).where(
        StakeholderGroup.workshop_id == event_id).order_by(StakeholderGroup.position)))


def test_groups_reach_existing_events_and_removals_keep_choices(session, make, owner, process):
    event = processes.create_event(session, process.id, owner.id, EventSpec("Auftakt"))
    assert event_groups(session, event.id) == ["Verwaltung", "Politik"]
    added = process_settings.add_group(session, process.id, "Migrantenorganisationen")
    assert event_groups(session, event.id) == ["Verwaltung", "Politik", "Migrantenorganisationen"]
    verwaltung = fresh(session, process.id).groups[0]
    chosen = [g for g in workshops.get_workshop(session, event.id).stakeholder_groups
              if g.name == "Verwaltung"][0]
    phone, _ = make.participant(event, "Amira", chosen.id)
    process_settings.rename_group(session, process.id, verwaltung.id, "Kommunalverwaltung")
    assert event_groups(session, event.id) == [
        "Kommunalverwaltung", "Politik", "Migrantenorganisationen"]
    process_settings.remove_group(session, process.id, added.id)
    assert [g.name for g in fresh(session, process.id).groups] == ["Kommunalverwaltung", "Politik"]
    # The event keeps the removed group, and the phone keeps its (renamed) choice.
    assert "Migrantenorganisationen" in event_groups(session, event.id)
    session.expire_all()
    assert session.get(StakeholderGroup, phone.stakeholder_group_id).name == "Kommunalverwaltung"
    later = processes.create_event(session, process.id, owner.id, EventSpec("Werkstatt"))
    assert event_groups(session, later.id) == ["Kommunalverwaltung", "Politik"]


@pytest.mark.parametrize("call, error", [
    (lambda s, p: process_settings.add_group(s, p.id, "  "), TextEmpty),
    (lambda s, p: process_settings.add_group(s, p.id, "VERWALTUNG"), NameTaken),
    (lambda s, p: process_settings.add_group(s, p.id, "g" * 81), TextTooLong),
    (lambda s, p: process_settings.rename_group(s, p.id, p.groups[1].id, "Verwaltung"),
     NameTaken),
    (lambda s, p: process_settings.rename_group(s, p.id, 999999, "Neu"), NotFound),
    (lambda s, p: process_settings.remove_group(s, p.id, None), InvalidInput),
])
def test_bad_group_changes_are_refused_and_change_nothing(session, owner, process, call, error):
    event = processes.create_event(session, process.id, owner.id, EventSpec("Auftakt"))
    with pytest.raises(error):
        call(session, process)
    session.rollback()
    assert [g.name for g in fresh(session, process.id).groups] == ["Verwaltung", "Politik"]
    assert event_groups(session, event.id) == ["Verwaltung", "Politik"]


def test_the_team_grows_by_account_name_and_never_loses_its_last_member(session, make, owner,
                                                                        process):
    event = processes.create_event(session, process.id, owner.id, EventSpec("Auftakt"))
    colleague = make.facilitator("Kollegin Yıldız")
    process_settings.add_to_team(session, process.id, "Kollegin Yıldız")
    assert set(processes.team(session, process.id)) == {owner.id, colleague.id}
    assert workshops.can_run(session, colleague.id, event.id)
    with pytest.raises(NoSuchAccount):
        process_settings.add_to_team(session, process.id, "Niemand")
    process_settings.remove_from_team(session, process.id, owner.id)
    assert processes.team(session, process.id) == [colleague.id]
    assert not workshops.can_run(session, owner.id, event.id)
    assert not processes.can_run(session, owner.id, process.id)
    with pytest.raises(LastOfTeam):
        process_settings.remove_from_team(session, process.id, colleague.id)
    session.rollback()
    assert processes.team(session, process.id) == [colleague.id]
    assert session.scalars(select(WorkshopFacilitator.facilitator_id).where(
        WorkshopFacilitator.workshop_id == event.id)).all() == [colleague.id]
    with pytest.raises(NotFound):
        process_settings.remove_from_team(session, process.id, owner.id)


def test_the_process_file_keeps_the_description_and_makes_no_stray_process(session, owner,
                                                                           process):
    from sqlalchemy import func

    from facilitator.domain import process_archive
    process_settings.update_details(session, process.id, process.title, process.organiser,
                                    "Zwei Jahre, sechs Felder.")
    processes.create_event(session, process.id, owner.id, EventSpec(
        "Auftakt", field_ids=[process.fields[0].id]))
    before = session.scalar(select(func.count(Process.id)))
    copy = process_archive.import_process(session, owner.id, process_archive.dumps(
        process_archive.export_process(session, process.id)))
    assert copy.description == "Zwei Jahre, sechs Felder."
    assert [e.process_id for e in processes.events(session, copy.id)] == [copy.id]
    # The event's workshop archive names the old process's title: it finds no process by it.
    assert session.scalar(select(func.count(Process.id))) == before + 1


def test_an_event_of_a_process_with_a_200_character_title_travels_alone(session, owner):
    from facilitator.domain import archive
    title = "Integrationskonzept " + "ل" * 180
    process = processes.create_process(session, owner.id, ProcessSpec(title, fields=("Sprache",)))
    event = processes.create_event(session, process.id, owner.id, EventSpec(
        "Auftakt", field_ids=[process.fields[0].id]))
    copy = archive.import_workshop(session, owner.id, archive.export_workshop(session, event.id))
    assert copy.process.title == title
