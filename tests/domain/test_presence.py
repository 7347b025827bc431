"""Who is online: one row per live socket in the database, so every server process counts all."""
from sqlalchemy import update

from facilitator.domain import presence
from facilitator.domain.presence import STALE_AFTER
from facilitator.models import Connection, utcnow


def test_participants_are_counted_per_board_and_a_phone_on_two_tabs_once(session, make):
    workshop = make.workshop()
    wohnen, arbeit, _ = workshop.boards
    amira, ben, chen = (make.participant(workshop)[0] for _ in range(3))

    presence.connected(session, "tab-1", workshop.id, "participant", wohnen.id, amira.id)
    presence.connected(session, "tab-2", workshop.id, "participant", wohnen.id, amira.id)
    presence.connected(session, "ben", workshop.id, "participant", wohnen.id, ben.id)
    presence.connected(session, "chen", workshop.id, "participant", arbeit.id, chen.id)

    assert presence.counts(session, workshop.id) == {
        "participants": 3, "boards": {str(wohnen.id): 2, str(arbeit.id): 1}}


def test_staff_and_projectors_are_not_counted_as_participants(session, make):
    workshop = make.workshop()
    phone, _ = make.participant(workshop)

    presence.connected(session, "console", workshop.id, "staff")
    presence.connected(session, "wall", workshop.id, "screen")
    presence.connected(session, "phone", workshop.id, "participant", None, phone.id)

    assert presence.counts(session, workshop.id) == {"participants": 1, "boards": {}}


def test_disconnecting_removes_the_socket_and_names_its_workshop(session, make):
    workshop = make.workshop()
    phone, _ = make.participant(workshop)
    presence.connected(session, "phone", workshop.id, "participant", workshop.boards[0].id,
                       phone.id)

    assert presence.disconnected(session, "phone") == workshop.id
    assert presence.counts(session, workshop.id) == {"participants": 0, "boards": {}}
    assert presence.disconnected(session, "phone") is None


def test_reconnecting_socket_moves_to_its_new_board(session, make):
    workshop = make.workshop()
    phone, _ = make.participant(workshop)
    first, second = workshop.boards[:2]

    presence.connected(session, "same-sid", workshop.id, "participant", first.id, phone.id)
    presence.connected(session, "same-sid", workshop.id, "participant", second.id, phone.id)

    assert presence.counts(session, workshop.id)["boards"] == {str(second.id): 1}


def test_sockets_of_a_dead_process_stop_counting_and_live_ones_are_kept(session, make):
    workshop = make.workshop()
    alive, dead = (make.participant(workshop)[0] for _ in range(2))
    board = workshop.boards[0]
    presence.connected(session, "alive", workshop.id, "participant", board.id, alive.id)
    presence.connected(session, "dead", workshop.id, "participant", board.id, dead.id)
    session.execute(update(Connection).values(seen_at=utcnow() - STALE_AFTER * 2))
    session.commit()

    assert presence.counts(session, workshop.id)["participants"] == 0

    presence.still_alive(session, ["alive"])

    assert presence.counts(session, workshop.id)["participants"] == 1
    assert make.count(Connection) == 1


def test_counts_stay_within_their_workshop(session, make):
    first, second = make.workshop(), make.workshop()
    phone, _ = make.participant(first)
    presence.connected(session, "phone", first.id, "participant", first.boards[0].id, phone.id)

    assert presence.counts(session, second.id) == {"participants": 0, "boards": {}}


def test_facilitators_on_the_console_are_named_once_each_and_only_while_connected(session, make):
    workshop = make.workshop()
    other = make.workshop()
    ayse, ben = make.facilitator("Ayşe (Moderation)"), make.facilitator("Ben")
    phone, _ = make.participant(workshop)

    presence.connected(session, "ben-laptop", workshop.id, "staff", facilitator_id=ben.id)
    presence.connected(session, "ayse-1", workshop.id, "staff", facilitator_id=ayse.id)
    presence.connected(session, "ayse-2", workshop.id, "staff", facilitator_id=ayse.id)
    presence.connected(session, "elsewhere", other.id, "staff", facilitator_id=ben.id)
    presence.connected(session, "phone", workshop.id, "participant", None, phone.id)

    assert presence.facilitators(session, workshop.id) == [
        {"id": ayse.id, "name": "Ayşe (Moderation)"}, {"id": ben.id, "name": "Ben"}]

    presence.disconnected(session, "ben-laptop")
    # A console of a crashed server process drops out once its row is stale.
    session.execute(update(Connection).where(Connection.sid == "ayse-1").values(
        seen_at=utcnow() - STALE_AFTER * 2))
    session.commit()
    assert presence.facilitators(session, workshop.id) == [
        {"id": ayse.id, "name": "Ayşe (Moderation)"}]
    presence.disconnected(session, "ayse-2")
    assert presence.facilitators(session, workshop.id) == []


def test_arrivals_and_departures_are_written_together_and_a_brief_visit_leaves_no_row(
        session, make):
    workshop = make.workshop()
    board = workshop.boards[0]
    amira, ben = (make.participant(workshop)[0] for _ in range(2))
    row = {"workshop_id": workshop.id, "role": "participant", "board_id": board.id,
           "facilitator_id": None}

    presence.record(session, [{**row, "sid": "a", "participant_id": amira.id},
                              {**row, "sid": "b", "participant_id": ben.id},
                              {**row, "sid": "brief", "participant_id": ben.id}], ["brief"])
    assert presence.counts(session, workshop.id) == {"participants": 2,
                                                     "boards": {str(board.id): 2}}
    presence.record(session, [], ["a"])
    assert presence.counts(session, workshop.id)["participants"] == 1
