"""`python run.py demo --with-results`, `report` and `import` as organisers' scripts run them:
a real process with DATABASE_URL and INSTANCE_PATH of its own. The demo and the import on SQLite
and PostgreSQL, reading back on SQLite."""
import csv
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import astuple, dataclass
from pathlib import Path

import docx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from facilitator import jobs
from facilitator.database import make_engine
from facilitator.models import Cluster, Facilitator, Photo, Vote, VoteRound, Workshop

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable  # the interpreter running the tests (make test: .venv/bin/python)


def run(*args, database_url: str, instance: Path, check: bool = True):
    env = {k: v for k, v in os.environ.items()
           if k not in ("MESSAGE_QUEUE", "PORT", "HOST", "UPLOAD_PATH")}
    done = subprocess.run([PYTHON, "run.py", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180, env={**env, "DATABASE_URL": database_url,
                                            "INSTANCE_PATH": str(instance),
                                            "SECRET_KEY": "cli-test",
                                            "PUBLIC_URL": "http://192.0.2.10:5000"})
    if check:
        assert done.returncode == 0, done.stderr
    return done


def count(database_url: str, query) -> int:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return session.scalar(query)
    finally:
        engine.dispose()


@dataclass
class Demo:
    database_url: str
    code: str
    instance: Path


def _demo(database_url: str, instance: Path) -> Demo:
    links = json.loads(run("demo", "--with-results", "--json", database_url=database_url,
                           instance=instance).stdout)
    return Demo(database_url, links["join_code"], instance)


# One demo per database for the whole module (each `run.py` is a process of a few seconds).
# Reading it back (reports) is the same on either database: SQLite only. Writing (the demo
# itself, the import) runs on PostgreSQL too.
@pytest.fixture(scope="module")
def sqlite_demo(_migrated_sqlite, tmp_path_factory) -> Demo:
    folder = tmp_path_factory.mktemp("cli")
    shutil.copyfile(_migrated_sqlite, folder / "facilitator.db")
    return _demo(f"sqlite:///{folder / 'facilitator.db'}", folder / "instance")


@pytest.fixture(scope="module")
def postgres_demo(_migrated_postgres, tmp_path_factory) -> Demo:
    url, detail = _migrated_postgres
    if url is None:
        pytest.skip(detail)  # tests/conftest.py fails a skip when CI=true
    engine, tables = detail
    with engine.begin() as connection:  # the run's shared schema: empty it first
        connection.exec_driver_sql(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    return _demo(url, tmp_path_factory.mktemp("cli-pg") / "instance")


@pytest.fixture(params=["sqlite", "postgres"])
def demo(request) -> Demo:
    return request.getfixturevalue(f"{request.param}_demo")


def test_demo_with_results_has_clusters_votes_consent_measures_phases_and_a_photo(demo):
    database_url, code, instance = astuple(demo)
    workshop_id = count(database_url, select(Workshop.id).where(Workshop.join_code == code))

    def rows(model, *where):
        return count(database_url, select(func.count()).select_from(model).where(
            model.workshop_id == workshop_id, *where))

    assert rows(Cluster) >= 5
    assert rows(VoteRound, VoteRound.kind == "dots", VoteRound.revealed.is_(True)) == 1
    assert rows(VoteRound, VoteRound.kind == "consent") == 1
    assert count(database_url, select(func.count(Vote.id))) > 30
    assert rows(Photo, Photo.kind == "photo") == 1 and rows(Photo, Photo.kind == "logo") == 1
    assert len(list((instance / "uploads" / str(workshop_id)).iterdir())) == 2


def test_report_writes_csv_json_and_docx(sqlite_demo, tmp_path):
    database_url, code, instance = astuple(sqlite_demo)
    for fmt in ("csv", "json", "docx"):
        run("report", code, "--format", fmt, "-o", str(tmp_path / f"out.{fmt}"),
            database_url=database_url, instance=instance)

    rows = list(csv.reader(io.StringIO((tmp_path / "out.csv").read_bytes().decode("utf-8-sig")),
                           delimiter=";"))
    assert rows[0][:4] == ["Nr.", "Thementisch", "Cluster", "Text"]  # the record's vocabulary
    texts = {row[3] for row in rows[1:]}
    assert "Sprachkurse mit Kinderbetreuung anbieten" in texts
    assert "دورات لغة في المساء للعاملين" in texts
    assert not any("Mustermann" in text for text in texts)  # hidden by moderation in the demo
    exported = json.loads((tmp_path / "out.json").read_text("utf-8"))
    assert exported["format"] == "facilitator-workshop" and len(exported["photos"]) == 2
    document = docx.Document(str(tmp_path / "out.docx"))
    assert document.core_properties.title == "Auftaktveranstaltung Integrationskonzept"
    assert len(document.inline_shapes) == 2  # the logo and the pin-board photo


def test_report_writes_the_pdf_and_html_documentation(sqlite_demo, tmp_path):
    database_url, code, instance = astuple(sqlite_demo)
    for fmt in ("pdf", "html"):
        done = run("report", code, "--format", fmt, "-o", str(tmp_path / f"out.{fmt}"),
                   database_url=database_url, instance=instance, check=False)
        if done.returncode != 0 and "is missing" in done.stderr:
            pytest.skip(done.stderr.strip())
        assert done.returncode == 0, done.stderr
    pypdf = pytest.importorskip("pypdf")
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(tmp_path / "out.pdf").pages)
    assert "Sprachkurse mit Kinderbetreuung anbieten" in text
    html = (tmp_path / "out.html").read_text()
    assert "Sprachkurse mit Kinderbetreuung anbieten" in html
    # One self-contained file: no link to the server's folders (reports/html.standalone_html).
    assert "file:" not in html.replace("&#34;file:", "") and "<link" not in html
    assert str(instance) not in html and 'src="data:image/' in html


def test_import_restores_the_export_as_a_new_workshop(demo, tmp_path):
    database_url, code, instance = astuple(demo)
    run("report", code, "--format", "json", "-o", str(tmp_path / "w.json"),
        database_url=database_url, instance=instance)

    done = run("import", str(tmp_path / "w.json"), "--facilitator", "Moderation Nord",
               database_url=database_url, instance=instance)

    assert "Imported “Auftaktveranstaltung Integrationskonzept” — join code" in done.stdout
    new_code = done.stdout.split("join code ")[1].split()[0]
    assert new_code != code
    assert "/console/sign-in/" in done.stdout
    run("report", new_code, "--format", "json", "-o", str(tmp_path / "again.json"),
        database_url=database_url, instance=instance)
    first = json.loads((tmp_path / "w.json").read_text("utf-8"))
    again = json.loads((tmp_path / "again.json").read_text("utf-8"))
    first.pop("exported_at"), again.pop("exported_at")
    assert again == first


def test_import_of_a_malformed_file_fails_clearly_and_changes_nothing(sqlite_demo, tmp_path):
    database_url, instance = sqlite_demo.database_url, sqlite_demo.instance
    before = count(database_url, select(func.count(Workshop.id)))
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "facilitator-workshop", "version": 1, "workshop": {}}')

    done = run("import", str(bad), database_url=database_url, instance=instance, check=False)

    assert done.returncode != 0
    assert "is not a workshop export this installation can read" in done.stderr
    assert "workshop.title" in done.stderr and "Nothing was imported." in done.stderr
    assert count(database_url, select(func.count(Workshop.id))) == before


def test_report_for_an_unknown_code_fails_clearly(sqlite_demo, tmp_path):
    done = run("report", "ZZZZ-ZZZZ", "--format", "csv", "-o", str(tmp_path / "x.csv"),
               database_url=sqlite_demo.database_url, instance=sqlite_demo.instance,
               check=False)

    assert done.returncode != 0 and "There is no workshop with the join code" in done.stderr
    assert not (tmp_path / "x.csv").exists()


def test_the_export_child_process_writes_what_the_server_sends(sqlite_demo, tmp_path):
    """What the gevent server runs for downloads and imports (facilitator.jobs), run directly:
    the job on stdin, the result in the status file."""
    database_url, code, instance = astuple(sqlite_demo)
    workshop_id = count(database_url, select(Workshop.id).where(Workshop.join_code == code))
    uploads = str(instance / "uploads")
    log = tmp_path / "jobs.log"
    for fmt in ("csv", "json", "docx"):
        jobs.run_and_wait(jobs.JobSpec(kind=fmt, database_url=database_url, status="",
                                       workshop_id=workshop_id, out=str(tmp_path / f"child.{fmt}"),
                                       uploads=uploads), log, {**os.environ})
    assert len(docx.Document(str(tmp_path / "child.docx")).inline_shapes) == 2
    owner_id = count(database_url, select(func.min(Facilitator.id)))

    answer = jobs.run_and_wait(jobs.JobSpec(kind="import", database_url=database_url, status="",
                                            facilitator_id=owner_id,
                                            source=str(tmp_path / "child.json"), uploads=uploads),
                               log, {**os.environ})
    assert answer["workshop_id"] != workshop_id
    (tmp_path / "bad.json").write_text('{"format": "facilitator-workshop", "version": 1}')
    answer = jobs.run_and_wait(jobs.JobSpec(kind="import", database_url=database_url, status="",
                                            facilitator_id=owner_id,
                                            source=str(tmp_path / "bad.json")),
                               log, {**os.environ})
    assert answer["refused"] == {"detail": "workshop: missing", "params": {"where": "workshop"}}
