"""Working groups of a process (Kaiserslautern): sign-up with consent only for name and
contact, withdrawal deletes, deleting the workshop deletes its sign-ups, meetings are events of
the process — straight through the domain (SQLite and PostgreSQL)."""
import pytest
from sqlalchemy import func, select

from facilitator.domain import processes, retention, working_groups, workshops
from facilitator.domain.errors import Forbidden, InvalidInput, NotFound, TextEmpty
from facilitator.domain.processes import EventSpec, ProcessSpec
from facilitator.models import WorkingGroupMeeting, WorkingGroupSignup, Workshop

HEADERS = ("Arbeitsgruppe", "Name", "Kontakt", "Veranstaltung", "Datum")


@pytest.fixture
def process(session, owner):
    return processes.create_process(session, owner.id, ProcessSpec(
        "Integrationskonzept Kaiserslautern", fields=("Sprache", "Arbeit", "Wohnen")))


@pytest.fixture
def event(session, owner, process):
    return processes.create_event(session, process.id, owner.id, EventSpec(
        "Auftakt", kind="kickoff", field_ids=[f.id for f in process.fields]))


@pytest.fixture
def group(session, process):
    return working_groups.open_group(session, process.id, process.fields[0].id,
                                     "Sprachkurse vor Ort", "jeden 2. Dienstag, Rathaus")


def rows(session):
    return session.scalar(select(func.count()).select_from(WorkingGroupSignup))


def test_one_working_group_per_field_opened_again_updates_it(session, owner, process, group):
    again = working_groups.open_group(session, process.id, process.fields[0].id, "Neu", "")
    assert again.id == group.id and again.description == "Neu" and again.open
    working_groups.set_open(session, process.id, group.id, False)
    assert not working_groups.get_group(session, process.id, group.id).open
    assert [g.id for g in working_groups.groups_of(session, process.id)] == [group.id]
    other = processes.create_process(session, owner.id, ProcessSpec("Anderer", fields=("X",)))
    with pytest.raises(NotFound):
        working_groups.open_group(session, other.id, process.fields[0].id)
    with pytest.raises(NotFound):
        working_groups.get_group(session, other.id, group.id)
    with pytest.raises(InvalidInput):
        working_groups.open_group(session, process.id, process.fields[1].id, "x" * 1001)


def test_name_and_contact_are_stored_only_with_consent(session, make, process, event, group):
    phone, _ = make.participant(event)
    # Typed without ticking the box: refused, nothing stored.
    with pytest.raises(InvalidInput) as refused:
        working_groups.sign_up(session, phone, group.id, False, "Amina", "amina@example.org")
    assert refused.value.params["field"] == "consent"
    assert rows(session) == 0
    # Consent without a contact, or with nonsense: refused.
    with pytest.raises(InvalidInput) as refused:
        working_groups.sign_up(session, phone, group.id, True, "Amina", "")
    assert refused.value.params["field"] == "contact"
    with pytest.raises(InvalidInput):
        working_groups.sign_up(session, phone, group.id, True, "Amina", "=HYPERLINK(x)")
    with pytest.raises(TextEmpty):
        working_groups.sign_up(session, phone, group.id, True, "  ", "amina@example.org")
    with pytest.raises(InvalidInput):
        working_groups.sign_up(session, phone, group.id, "yes", "Amina", "amina@example.org")
    assert rows(session) == 0

    # Without consent: only counted, nothing personal.
    anonymous, _ = make.participant(event)
    counted = working_groups.sign_up(session, anonymous, group.id, False)
    assert (counted.consent, counted.name, counted.contact) == (False, None, None)
    # With consent: stored, a phone number is a contact too.
    signed = working_groups.sign_up(session, phone, group.id, True, "Amina", "+49 631 123456")
    assert (signed.name, signed.contact, signed.workshop_id) == ("Amina", "+49 631 123456",
                                                                 event.id)
    assert working_groups.counts(session, group.id) == (1, 1)
    assert [m.name for m in working_groups.members(session, group.id)] == ["Amina"]
    # The same phone again replaces its sign-up: taking consent back empties name and contact.
    again = working_groups.sign_up(session, phone, group.id, False)
    assert again.id == signed.id and (again.name, again.contact) == (None, None)
    assert working_groups.counts(session, group.id) == (0, 2)


def test_sign_up_only_for_the_own_process_and_while_open(session, make, owner, process, event,
                                                           group):
    alone = make.workshop(owner)
    stranger, _ = make.participant(alone)
    with pytest.raises(NotFound):
        working_groups.sign_up(session, stranger, group.id, False)
    assert working_groups.open_for_workshop(session, alone) == []
    phone, _ = make.participant(event)
    assert [g.id for g, f in working_groups.open_for_workshop(session, event)] == [group.id]
    working_groups.set_open(session, process.id, group.id, False)
    assert working_groups.open_for_workshop(session, event) == []
    with pytest.raises(Forbidden):
        working_groups.sign_up(session, phone, group.id, False)
    assert rows(session) == 0


def test_withdrawal_by_the_same_phone_deletes_the_sign_up(session, make, process, event, group):
    phone, _ = make.participant(event)
    other, _ = make.participant(event)
    working_groups.sign_up(session, phone, group.id, True, "Amina", "amina@example.org")
    working_groups.sign_up(session, other, group.id, False)
    assert list(working_groups.mine(session, phone)) == [group.id]
    assert working_groups.withdraw(session, phone, group.id) is True
    assert working_groups.withdraw(session, phone, group.id) is False
    assert working_groups.mine(session, phone) == {}
    assert session.scalar(select(func.count()).select_from(WorkingGroupSignup).where(
        WorkingGroupSignup.contact == "amina@example.org")) == 0
    assert working_groups.counts(session, group.id) == (0, 1)


def test_deleting_the_workshop_deletes_its_sign_ups(session, make, owner, process, event, group):
    later = processes.create_event(session, process.id, owner.id, EventSpec("Werkstatt"))
    in_event, _ = make.participant(event)
    in_later, _ = make.participant(later)
    working_groups.sign_up(session, in_event, group.id, True, "Amina", "amina@example.org")
    working_groups.sign_up(session, in_later, group.id, True, "Jonas", "jonas@example.org")
    workshops.delete_workshop(session, event.id)
    session.expire_all()
    assert [m.name for m in working_groups.members(session, group.id)] == ["Jonas"]
    # The working group and the other event's sign-up stay.
    assert working_groups.get_group(session, process.id, group.id)


def test_retention_keeps_a_consented_sign_up_but_unlinks_the_phone(session, make, process, event,
                                                                    group):
    phone, _ = make.participant(event)
    working_groups.sign_up(session, phone, group.id, True, "Amina", "amina@example.org")
    session.get(Workshop, event.id).retention_days = 1
    session.commit()
    retention.delete_participation(session, event.id)
    session.expire_all()
    [member] = working_groups.members(session, group.id)
    assert member.participant_id is None and member.contact == "amina@example.org"
    working_groups.remove_signup(session, process.id, member.id)
    assert rows(session) == 0


def test_a_meeting_is_an_event_of_the_process_with_the_field_as_board(session, owner, process,
                                                                       event, group):
    meeting = working_groups.create_meeting(session, process.id, group.id, owner.id,
                                            "AG Sprache: 1. Treffen")
    assert meeting.process_id == process.id and meeting.event_kind == "working_group"
    assert [(b.title, b.field_id) for b in meeting.boards] == [("Sprache", group.field_id)]
    assert [e.id for e in processes.events(session, process.id)] == [event.id, meeting.id]
    assert [m.id for m in working_groups.meetings(session, group.id)] == [meeting.id]
    assert processes.can_run(session, owner.id, process.id)
    [item] = working_groups.overview(session, process.id)
    assert item.meetings == [meeting] and item.field.title == "Sprache" and item.count == 0
    with pytest.raises(InvalidInput):
        working_groups.create_meeting(session, process.id, group.id, owner.id, "  ")
    assert session.scalar(select(func.count()).select_from(WorkingGroupMeeting)) == 1
    # Deleting the meeting's workshop removes only the link.
    workshops.delete_workshop(session, meeting.id)
    session.expire_all()
    assert working_groups.meetings(session, group.id) == []


def test_members_csv_quotes_formulas_and_holds_only_consented_rows(session, make, process, event,
                                                                    group):
    phone, _ = make.participant(event)
    anonymous, _ = make.participant(event)
    working_groups.sign_up(session, phone, group.id, True, "=cmd|' /C calc'!A0",
                           "+49 631 123456")
    working_groups.sign_up(session, anonymous, group.id, False)
    data = working_groups.members_csv(session, process.id, HEADERS)
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[0] == ";".join(HEADERS)
    assert lines[1].startswith("Sprache;'=cmd|' /C calc'!A0;'+49 631 123456;Auftakt;")
    assert lines[2:] == [""]


def test_deleting_the_field_deletes_group_and_sign_ups(session, make, process, event, group):
    phone, _ = make.participant(event)
    working_groups.sign_up(session, phone, group.id, True, "Amina", "amina@example.org")
    session.delete(process.fields[0])
    session.commit()
    session.expire_all()
    assert working_groups.groups_of(session, process.id) == []
    assert rows(session) == 0
