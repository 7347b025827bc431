"""Fixtures of the record tests: one realistic workshop, seeded through the domain API by
bench/pdf.py's `seed()` (six boards, ~200 cards in German, Turkish, Cyrillic, Arabic, Farsi and
Tigrinya, clusters, merged duplicates, hidden and withdrawn cards, a revealed dot round, a consent
check, matrix placements, measures, photos and a logo), and its PDF made once per test run by the
same child process the server starts. Hostile cards try to inject HTML and CSS and to make the
renderer read local files; they must come out as plain text."""
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from facilitator.jobs import JobSpec

from record_helpers import CARDS, HOSTILE, ROOT, Pdf, bench, fresh_database, read_pdf


@dataclass
class Seeded:
    url: str
    workshop_id: int
    uploads: Path
    made: dict


# Session-scoped: test_pdf, test_pdfua and test_renderer read the same workshop and PDF (seeding
# and rendering took ~10 s per module).
@pytest.fixture(scope="session")
def seeded(tmp_path_factory) -> Seeded:
    """The realistic workshop in a SQLite file of its own (tests may add workshops, never change
    this one)."""
    directory = tmp_path_factory.mktemp("record")
    uploads = directory / "uploads"
    with fresh_database(directory) as (url, session):
        made = bench.seed(session, CARDS, language="de", extra_cards={1: HOSTILE})
        bench.add_photos(session, made["workshop"], uploads, 2)
    return Seeded(url, made["workshop"].id, uploads, made)


@pytest.fixture(scope="session")
def german_pdf(seeded, tmp_path_factory) -> Pdf:
    """The PDF as the server makes it: a `python -m facilitator.jobs` child, the job on stdin."""
    folder = tmp_path_factory.mktemp("pdf")
    spec = JobSpec(kind="pdf", database_url=seeded.url, workshop_id=seeded.workshop_id,
                   out=str(folder / "record.pdf"), uploads=str(seeded.uploads),
                   status=str(folder / "status.json"))
    completed = subprocess.run([sys.executable, "-m", "facilitator.jobs", "--nice", "0"],
                               input=spec.line(), cwd=ROOT, capture_output=True, timeout=300)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return read_pdf(folder / "record.pdf")
