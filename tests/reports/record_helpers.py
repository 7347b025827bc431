"""Helpers of the record tests: the seeding of bench/pdf.py, hostile card texts, and reading a
PDF back as normalised text per page."""
import importlib.util
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask_babel import force_locale
from flask_babel import gettext as _
from pypdf import PdfReader
from sqlalchemy.orm import Session

from facilitator.database import make_engine, migrate
from facilitator.reports.html import report_app

ROOT = Path(__file__).resolve().parents[2]
CARDS = 200

HOSTILE = (
    '<b>fett</b><script>alert("x")</script>',
    '<img src="file:///etc/passwd" alt="pw">',
    '<style>@import url("file:///etc/passwd"); body { display: none }</style>',
    '<link rel="stylesheet" href="http://192.0.2.1/evil.css">',
    'body { background: url(file:///etc/shadow) } </style><p>raus',
    "file:///etc/passwd",
    '" onmouseover="alert(1)',
)


def load_bench():
    """bench/pdf.py as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_pdf", ROOT / "bench" / "pdf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = load_bench()

# Bidi controls and zero-width joiners: text extraction keeps or drops them unpredictably.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def normalise(text: str) -> str:
    """Text as it can be compared with what pypdf extracts: compatibility forms folded (Arabic
    presentation forms), invisible controls dropped, whitespace collapsed."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    return re.sub(r"\s+", " ", text).strip()


def is_rtl(text: str) -> bool:
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


@dataclass
class Pdf:
    path: Path
    reader: PdfReader
    pages: list[str]  # normalised text of each page

    @property
    def text(self) -> str:
        return " ".join(self.pages)

    def contains_card(self, text: str) -> bool:
        """Left-to-right text: as a whole. Right-to-left text: a wrapped line may come out with
        its neutral parts (the "(12)") elsewhere in the line, so every word on one page."""
        wanted = normalise(text)
        if not is_rtl(wanted):
            return wanted in self.text
        words = wanted.split()
        return any(set(words) <= set(page.split()) for page in self.pages)


def read_pdf(path: Path) -> Pdf:
    reader = PdfReader(str(path))
    return Pdf(path, reader, [normalise(page.extract_text()) for page in reader.pages])


def translated(language: str, msgid: str) -> str:
    """A UI string as the record shows it in `language` (from the catalogues)."""
    with report_app().app_context(), force_locale(language):
        return _(msgid)


@contextmanager
def fresh_database(folder: Path):
    """A migrated SQLite file of its own in `folder`; yields its URL and a session on it."""
    url = f"sqlite:///{folder / 'record.db'}"
    migrate(url)
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield url, session
    finally:
        engine.dispose()
