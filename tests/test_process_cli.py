"""`python run.py demo --process --json` and `python run.py report --process ID`: the Emsland
demo process, and its compendium as PDF, DOCX and CSV (one module-scoped demo: it takes seconds)."""
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest
from docx import Document

ROOT = Path(__file__).resolve().parent.parent


def run(*args, env):
    done = subprocess.run([sys.executable, "run.py", *args], cwd=ROOT, capture_output=True,
                          timeout=120, env=env)
    assert done.returncode == 0, done.stderr.decode()
    return done


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("process-cli")
    env = {**{k: v for k, v in os.environ.items() if k not in ("MESSAGE_QUEUE", "PORT", "HOST")},
           "DATABASE_URL": f"sqlite:///{folder / 'demo.db'}",
           "INSTANCE_PATH": str(folder / "instance"), "SECRET_KEY": "cli-test",
           "PUBLIC_URL": "http://192.0.2.10:5000"}
    import json
    links = json.loads(run("demo", "--process", "--json", env=env).stdout)
    return links, env, folder


def test_the_demo_process_prints_its_events_and_links(demo):
    links, _, _ = demo
    assert set(links) >= {"process_id", "process_url", "events"}
    assert links["process_url"].endswith(f"/console/process/{links['process_id']}")
    assert [e["title"] for e in links["events"]] == [
        "Auftaktveranstaltung", "Workshop-Reihe 1: Sprache und Bildung",
        "Workshop-Reihe 2: Arbeit und Gesundheit", "Abschlussveranstaltung"]
    for event in links["events"]:
        assert re.fullmatch(r"[2-9A-Z]{8}", event["join_code"])
        assert "/console/sign-in/" in event["facilitator_url"]


def test_the_compendium_as_pdf_docx_and_csv(demo):
    links, env, folder = demo
    process = str(links["process_id"])
    run("report", "--process", process, "--format", "pdf", "-o", str(folder / "c.pdf"), env=env)
    # DOCX and CSV through the same functions the command calls, without two more start-ups.
    from sqlalchemy.orm import Session

    from facilitator.database import make_engine
    from facilitator.reports import compendium
    engine = make_engine(env["DATABASE_URL"])
    with Session(engine) as session:
        built = compendium.build_compendium(session, links["process_id"])
    engine.dispose()
    (folder / "c.docx").write_bytes(compendium.export_docx(built))
    (folder / "c.csv").write_bytes(compendium.export_csv(built))
    pdf = pypdf.PdfReader(io.BytesIO((folder / "c.pdf").read_bytes()))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pdf.pages))
    for title in [e["title"] for e in links["events"]] + ["Gesundheit und Pflege",
                                                           "Maßnahmenkatalog"]:
        assert title in text
    assert "PunktederSteuerungsgruppe" in text.replace(" ", "").replace("-", "")
    docx = "\n".join(p.text for p in Document(str(folder / "c.docx")).paragraphs)
    assert "Partizipation durch Bildung" in docx and "Maßnahmenkatalog" in docx
    rows = (folder / "c.csv").read_bytes().decode("utf-8-sig").splitlines()
    assert rows[0].split(";")[-2:] == ["Punkte der Teilnehmenden", "Punkte der Steuerungsgruppe"]
    # Five measures, each once, though each was carried into the closing event.
    assert len(rows) == 6
    assert any(row.startswith("1;Sprachcafé in jeder Gemeinde;") for row in rows)


def test_a_whole_process_exports_as_json_and_imports_again(demo):
    links, env, folder = demo
    run("report", "--process", str(links["process_id"]), "--format", "json",
        "-o", str(folder / "p.json"), env=env)
    done = run("import", "--process", str(folder / "p.json"), env=env)
    assert "Integrationskonzept 2026, Landkreis Emsland" in done.stdout.decode()
    assert "/console/process/" in done.stdout.decode()


def test_report_needs_a_join_code_or_a_process(demo):
    _, env, folder = demo
    done = subprocess.run([sys.executable, "run.py", "report", "-o", str(folder / "x.pdf")],
                          cwd=ROOT, capture_output=True, timeout=60, env=env)
    assert done.returncode != 0 and b"--process" in done.stderr
