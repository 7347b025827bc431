"""The renderer process: the server hands each job to a spare that has already warmed up."""
import json
import subprocess
import sys
import time

from record_helpers import ROOT, read_pdf

from facilitator.views import reports


def _spare(wait: float) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "facilitator.reports.pdf", "--wait", str(wait), "--nice", "0"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_spare_renderer_warms_up_then_makes_the_job_it_is_given(seeded, tmp_path):
    spare = _spare(60)
    assert spare.stdout.readline() == b"ready\n"
    out, status = tmp_path / "record.pdf", tmp_path / "status.json"
    job = {"database_url": seeded.url, "workshop_id": seeded.workshop_id, "out": str(out),
           "uploads": str(seeded.uploads), "status": str(status)}
    started = time.monotonic()
    spare.stdin.write(json.dumps(job).encode() + b"\n")
    spare.stdin.close()
    assert spare.wait(120) == 0, spare.stderr.read().decode()
    assert time.monotonic() - started < 60
    done = json.loads(status.read_text())
    assert done["state"] == "done" and done["pid"] == spare.pid
    assert len(read_pdf(out).pages) == done["pages"]
    assert not (tmp_path / "record.pdf.part").exists()


def test_a_spare_renderer_quits_when_idle_or_when_its_server_is_gone():
    idle = _spare(0.2)
    assert idle.stdout.readline() == b"ready\n"
    assert idle.wait(10) == 0
    orphan = _spare(60)
    orphan.stdin.close()  # what happens when the server process ends
    assert orphan.wait(30) == 0


def test_a_failed_job_is_written_to_the_status_file(tmp_path):
    spare = _spare(60)
    status = tmp_path / "status.json"
    job = {"database_url": f"sqlite:///{tmp_path / 'missing' / 'x.db'}", "workshop_id": 1,
           "out": str(tmp_path / "x.pdf"), "status": str(status)}
    spare.communicate(json.dumps(job).encode() + b"\n", timeout=60)
    assert spare.returncode == 1
    failed = json.loads(status.read_text())
    assert failed["state"] == "failed" and failed["error"]
    assert not (tmp_path / "x.pdf").exists()


def test_the_console_prepares_a_renderer_and_the_next_pdf_uses_it(client, app_make):
    owner = app_make.facilitator()
    workshop = app_make.workshop(owner, language="en")
    person, _ = app_make.participant(workshop)
    app_make.idea(person, workshop.boards[0], "Mehr Sprachkurse am Abend")
    client.get(f"/console/sign-in/{app_make.sign_in_secret(owner)}")
    assert client.get(f"/console/{workshop.id}/record").status_code == 200
    spare = reports._spare
    assert spare is not None and spare.poll() is None

    started = client.post(f"/console/{workshop.id}/record/pdf",
                          headers={"Accept": "application/json"}).json
    assert started["state"] == "running"
    assert reports._children[workshop.id] is spare and reports._spare is None
    deadline = time.monotonic() + 120
    while (status := client.get(f"/console/{workshop.id}/record/status").json)["state"] == \
            "running":
        assert time.monotonic() < deadline
        time.sleep(0.3)
    assert status["state"] == "done"
    # Asking for the status when nothing runs gets the next spare ready.
    assert reports._spare is not None and reports._spare is not spare
