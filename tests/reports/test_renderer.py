"""The job runner (facilitator.jobs): the job spec on stdin, one status file, a spare renderer
that has already warmed up, one reaper; and record files that go with their workshop."""
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from facilitator import jobs
from facilitator.database import make_engine
from facilitator.jobs import JobSpec
from facilitator.models import Facilitator, Workshop
from facilitator.views import reports

from record_helpers import ROOT, read_pdf


def _owner_id(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        owner = connection.scalar(select(func.min(Facilitator.id)))
    engine.dispose()
    return owner


def _child(wait: float | None = None) -> subprocess.Popen:
    command = [sys.executable, "-m", "facilitator.jobs", "--nice", "0"]
    if wait is not None:
        command += ["--wait", str(wait)]
    return subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def test_a_spare_renderer_warms_up_then_makes_the_job_it_is_given(seeded, tmp_path):
    spare = _child(60)
    assert spare.stdout.readline() == b"ready\n"
    out, status = tmp_path / "record.pdf", tmp_path / "status.json"
    spec = JobSpec(kind="pdf", database_url=seeded.url, workshop_id=seeded.workshop_id,
                   out=str(out), uploads=str(seeded.uploads), status=str(status))
    started = time.monotonic()
    spare.stdin.write(spec.line())
    spare.stdin.close()
    assert spare.wait(120) == 0, spare.stderr.read().decode()
    assert time.monotonic() - started < 60
    done = jobs.read_status(status)
    assert done["state"] == "done" and done["pid"] == spare.pid and done["kind"] == "pdf"
    assert len(read_pdf(out).pages) == done["pages"]
    assert not (tmp_path / "record.pdf.part").exists()


def test_a_spare_renderer_quits_when_idle_or_when_its_server_is_gone():
    idle = _child(0.2)
    assert idle.stdout.readline() == b"ready\n"
    assert idle.wait(10) == 0
    orphan = _child(60)
    orphan.stdin.close()  # what happens when the server process ends
    assert orphan.wait(30) == 0


def test_a_failed_job_is_written_to_the_status_file(tmp_path):
    status = tmp_path / "status.json"
    spec = JobSpec(kind="pdf", database_url=f"sqlite:///{tmp_path / 'missing' / 'x.db'}",
                   workshop_id=1, out=str(tmp_path / "x.pdf"), status=str(status))
    child = _child()
    child.communicate(spec.line(), timeout=60)
    assert child.returncode == 1
    failed = jobs.read_status(status)
    assert failed["state"] == "failed" and failed["error"]
    assert not (tmp_path / "x.pdf").exists()


def test_exports_and_the_import_run_as_jobs_with_their_result_in_the_status(seeded, tmp_path):
    secret_url = seeded.url
    made = {}
    for kind in ("csv", "json", "docx"):
        out = tmp_path / f"export.{kind}"
        status = jobs.run_and_wait(JobSpec(kind=kind, database_url=secret_url, status="",
                                           workshop_id=seeded.workshop_id, out=str(out),
                                           uploads=str(seeded.uploads)),
                                   tmp_path / "jobs.log", {})
        assert status["state"] == "done" and status["bytes"] == out.stat().st_size
        made[kind] = out
    imported = jobs.run_and_wait(JobSpec(kind="import", database_url=secret_url, status="",
                                         facilitator_id=_owner_id(seeded.url),
                                         source=str(made["json"]),
                                         uploads=str(seeded.uploads)),
                                 tmp_path / "jobs.log", {})
    assert imported["workshop_id"] != seeded.workshop_id
    (tmp_path / "bad.json").write_text('{"format": "facilitator-workshop", "version": 1}')
    refused = jobs.run_and_wait(JobSpec(kind="import", database_url=secret_url, status="",
                                        facilitator_id=1, source=str(tmp_path / "bad.json")),
                                tmp_path / "jobs.log", {})
    assert refused["refused"] == {"detail": "workshop: missing", "params": {"where": "workshop"}}


def test_the_console_prepares_a_renderer_and_the_next_pdf_uses_it(client, app, app_make):
    owner = app_make.facilitator()
    workshop = app_make.workshop(owner, language="en")
    person, _ = app_make.participant(workshop)
    app_make.idea(person, workshop.boards[0], "Mehr Sprachkurse am Abend")
    client.post(f"/console/sign-in/{app_make.sign_in_secret(owner)}")
    assert client.get(f"/console/{workshop.id}/record").status_code == 200
    spare = reports.runner.spare
    assert spare is not None and spare.poll() is None

    started = client.post(f"/console/{workshop.id}/record/pdf",
                          headers={"Accept": "application/json"}).json
    assert started["state"] == "running"
    # The job, with the database URL (a password, on a real server), went through stdin.
    command_line = Path(f"/proc/{spare.pid}/cmdline").read_bytes().decode()
    assert "facilitator.jobs" in command_line
    assert app.config["DATABASE_URL"] not in command_line
    assert reports.runner.children[reports.record_key(workshop)] is spare
    assert reports.runner.spare is None
    _wait_until_done(client, workshop.id)
    # Asking for the status when nothing runs gets the next spare ready.
    assert reports.runner.spare is not None and reports.runner.spare is not spare


def _wait_until_done(client, workshop_id: int) -> dict:
    deadline = time.monotonic() + 120
    while (status := client.get(f"/console/{workshop_id}/record/status").json)["state"] == \
            "running":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    assert status["state"] == "done"
    return status


def test_a_deleted_workshops_pdf_is_deleted_and_never_served_to_a_workshop_with_its_id(
        client, app, app_make):
    owner = app_make.facilitator()
    client.post(f"/console/sign-in/{app_make.sign_in_secret(owner)}")
    first = app_make.workshop(owner, title="Erste Werkstatt")
    client.post(f"/console/{first.id}/record/pdf", headers={"Accept": "application/json"})
    _wait_until_done(client, first.id)
    folder = Path(app.instance_path) / "reports"
    files = sorted(p.name for p in folder.glob(f"{reports.record_key(first)}*"))
    assert files == [f"{reports.record_key(first)}.json", f"{reports.record_key(first)}.pdf"]

    deleted = client.post(f"/console/{first.id}/delete", data={"confirm_code": first.join_code})
    assert deleted.status_code == 302 and app_make.count(Workshop) == 0
    assert not list(folder.glob(f"{reports.record_key(first)}*"))
    app_make.session.expunge_all()  # forget the deleted rows: their ids come again
    second = app_make.workshop(owner, title="Zweite Werkstatt")
    assert second.id == first.id  # SQLite gave the deleted workshop's id again
    status = client.get(f"/console/{second.id}/record/status").json
    assert status["state"] == "idle" and "url" not in status
    assert client.get(f"/console/{second.id}/record.pdf",
                      headers={"Accept": "application/json"}).status_code == 404
