"""Retention: a workshop's raw participation data (authorship, participants, votes, presence)
goes once its period has passed and its record is made; cards, rounds and the record stay. The
domain on SQLite and PostgreSQL, then `run.py retention`, the server's hourly pass and the
console."""
import os
import subprocess
import sys
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from facilitator.domain import presence, retention, voting
from facilitator.models import Connection, Idea, Participant, Vote, VoteRound, Workshop

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2027, 3, 1, 12, 0)


def always(_workshop) -> bool:
    return True


def never(_workshop) -> bool:
    return False


def held_on(make, days_before: int, **settings) -> Workshop:
    workshop = make.workshop(make.facilitator(), ["Wohnen"])
    workshop = make.session.get(Workshop, workshop.id)
    workshop.event_date = (NOW - timedelta(days=days_before)).date()
    for name, value in settings.items():
        setattr(workshop, name, value)
    make.session.commit()
    return workshop


def participate(make, session, workshop) -> None:
    """Two named phones, a card each, a dot round with one dot, one phone online."""
    board = workshop.boards[0]
    amira, _token = make.participant(workshop, "Amira")
    jonas, _token = make.participant(workshop, "Jonas")
    first = make.idea(amira, board, "Sprachcafé im Quartier")
    make.idea(jonas, board, "Wohnungen für große Familien")
    round_ = voting.open_round(session, workshop.id, voting.RoundSpec(
        target_kind="idea", board_ids=[board.id]))
    voting.place_dot(session, amira, round_.id, first.id, uuid.uuid4().hex)
    presence.connected(session, uuid.uuid4().hex, workshop.id, "participant", board.id, jonas.id)


def count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_due_workshop_with_its_record_keeps_its_cards_and_loses_who_wrote_and_voted(
        session, make):
    workshop = held_on(make, days_before=100)
    participate(make, session, workshop)
    elsewhere = held_on(make, days_before=3)
    participate(make, session, elsewhere)
    texts = sorted(session.scalars(select(Idea.text).where(Idea.workshop_id == workshop.id)))

    done = retention.delete_due(session, 90, always, now=NOW)

    assert done == [retention.Deleted(workshop.id, participants=2, votes=1, authored_cards=2,
                                      presence=1, undo_steps=0)]
    session.expire_all()
    mine = Idea.workshop_id == workshop.id
    assert sorted(session.scalars(select(Idea.text).where(mine))) == texts
    assert count(session, Idea, mine, Idea.participant_id.is_not(None)) == 0
    assert count(session, Participant, Participant.workshop_id == workshop.id) == 0
    assert count(session, Vote, Vote.round_id.in_(select(VoteRound.id).where(
        VoteRound.workshop_id == workshop.id))) == 0
    assert count(session, VoteRound, VoteRound.workshop_id == workshop.id) == 1
    assert count(session, Connection, Connection.workshop_id == workshop.id) == 0
    assert session.get(Workshop, workshop.id).participation_deleted_at is not None
    # The other workshop, three days after its event, is untouched.
    assert count(session, Participant, Participant.workshop_id == elsewhere.id) == 2
    assert count(session, Idea, Idea.workshop_id == elsewhere.id,
                 Idea.participant_id.is_not(None)) == 2
    # A second pass finds nothing more to do.
    assert retention.delete_due(session, 90, always, now=NOW) == []


def test_nothing_goes_before_its_period_without_a_record_or_when_kept(session, make):
    recent = held_on(make, days_before=10)
    no_record = held_on(make, days_before=400)
    kept = held_on(make, days_before=400, retention_days=0)
    short = held_on(make, days_before=10, retention_days=5)
    for workshop in (recent, no_record, kept, short):
        participate(make, session, workshop)
    made = {recent.id, kept.id, short.id}

    done = retention.delete_due(session, 90, lambda w: w.id in made, now=NOW)

    assert [item.workshop_id for item in done] == [short.id]
    for workshop in (recent, no_record, kept):
        assert count(session, Participant, Participant.workshop_id == workshop.id) == 2
    # Once the record is made, the overdue workshop goes on the next pass.
    assert [item.workshop_id for item in retention.delete_due(session, 90, always, now=NOW)] == [
        no_record.id]


def test_the_period_runs_from_the_end_of_the_workshops_day():
    workshop = Workshop(event_date=date(2027, 1, 10), created_at=datetime(2026, 12, 1),
                        retention_days=None)
    assert retention.due_at(workshop, 30) == datetime(2027, 2, 10)
    workshop.retention_days = 1
    assert retention.due_at(workshop, 30) == datetime(2027, 1, 12)
    workshop.retention_days = 0
    assert retention.due_at(workshop, 30) is None
    undated = Workshop(event_date=None, created_at=datetime(2027, 1, 5, 9, 30),
                       retention_days=None)
    assert retention.due_at(undated, 0) is None
    assert retention.due_at(undated, 2) == datetime(2027, 1, 8)


@pytest.mark.parametrize("days", [-1, 3651, "7", 1.5, True])
def test_a_workshops_period_must_be_whole_days_in_range(session, make, days):
    workshop = held_on(make, days_before=1)
    with pytest.raises(retention.InvalidInput):
        retention.set_period(session, workshop.id, days)
    assert session.get(Workshop, workshop.id).retention_days is None


def record_pdf(instance: Path, workshop: Workshop) -> None:
    """A made record, where the reports module keeps it."""
    from facilitator.views.reports import record_key
    folder = instance / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{record_key(workshop)}.pdf").write_bytes(b"%PDF-1.7 test record")


def test_run_py_retention_deletes_what_is_due_and_says_so(app, app_make, tmp_path):
    old = held_on(app_make, days_before=200)
    participate(app_make, app_make.session, old)
    fresh = held_on(app_make, days_before=200)
    participate(app_make, app_make.session, fresh)
    record_pdf(Path(app.config["INSTANCE_PATH"]), old)

    done = subprocess.run(
        [sys.executable, "run.py", "retention"], cwd=ROOT, capture_output=True, text=True,
        timeout=60, env={**os.environ, "DATABASE_URL": app.config["DATABASE_URL"],
                         "INSTANCE_PATH": app.config["INSTANCE_PATH"], "SECRET_KEY": "x",
                         "PUBLIC_URL": "http://192.168.1.20:5000", "RETENTION_DAYS": "90"})

    assert done.returncode == 0, done.stderr
    assert f"Workshop {old.id}: deleted 2 participants, 1 votes" in done.stdout
    assert "Retention: 1 workshop(s) done (period 90 days" in done.stdout
    assert app_make.count(Participant, workshop_id=old.id) == 0
    assert app_make.count(Participant, workshop_id=fresh.id) == 2  # no record yet


def test_the_running_server_deletes_what_falls_due(start_live_server):
    server = start_live_server(env={"RETENTION_CHECK_SECONDS": "1", "RETENTION_DAYS": "30"})
    make = server.factory()
    workshop = held_on(make, days_before=(NOW.date() - date.today()).days + 60)
    participate(make, make.session, workshop)
    record_pdf(Path(server.env["INSTANCE_PATH"]), workshop)

    deadline = time.monotonic() + 15
    while make.count(Participant, workshop_id=workshop.id) and time.monotonic() < deadline:
        time.sleep(0.2)
        make.session.expire_all()
    assert make.count(Participant, workshop_id=workshop.id) == 0
    assert make.count(Idea, workshop_id=workshop.id) == 2
    assert "retention: deleted the raw participation data of workshop" in server.log()
    make.close()


def period(make, workshop) -> int | None:
    make.session.rollback()  # a fresh read, not this session's snapshot
    return make.session.scalar(select(Workshop.retention_days).where(Workshop.id == workshop.id))


def test_the_console_shows_when_and_sets_the_workshops_own_period(app, client, app_make):
    owner = app_make.facilitator()
    workshop = app_make.workshop(owner, ["Wohnen"], language="en")
    client.post(f"/console/sign-in/{app_make.sign_in_secret(owner)}")
    page = client.get(f"/console/{workshop.id}").get_data(as_text=True)
    assert 'data-retention-state="due"' in page and "once the record has been made" in page

    assert client.post(f"/console/{workshop.id}/retention",
                       data={"retention_days": "0"}).status_code == 302
    assert 'data-retention-state="kept"' in client.get(f"/console/{workshop.id}").get_data(True)
    client.post(f"/console/{workshop.id}/retention", data={"retention_days": "many"})
    assert period(app_make, workshop) == 0
    client.post(f"/console/{workshop.id}/retention", data={"retention_days": ""})
    assert period(app_make, workshop) is None
    # The phones' privacy notice names the period.
    assert "nach 90 Tagen, wenn die Veranstalter" in client.get("/privacy").get_data(True)
