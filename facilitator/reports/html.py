"""The record as HTML: one Jinja template (templates/reports/record.html) for the browser preview
and for WeasyPrint, in the workshop's language.

User text reaches the page only through Jinja's autoescaping: never `|safe`, never inside a
`style` attribute or a stylesheet. Page furniture that needs CSS strings (the page footer) is
built from translated UI strings only, and quoted by `css_string()`.
"""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, fields, is_dataclass, replace
from functools import cache
from datetime import date, datetime
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import Flask, render_template
from flask_babel import Babel, force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from .. import config
from ..models import PHASES
from .record import Photo, RoundRecord, WorkshopRecord
from .sections import consent_note, section_title, status_name
from .tagging import text_language

TEMPLATE = "reports/record.html"
TIMEZONE = os.environ.get("REPORT_TIMEZONE", "Europe/Berlin")
# Card colours the template has classes for (workshops.COLOURS); anything else renders grey.
COLOURS = ("yellow", "blue", "green", "pink", "orange", "purple", "teal", "grey")
CHART_ROWS = 15  # bars per chart; the table below a chart always lists every row
# Languages written right to left: the record's own text (dots, list numbers) runs that way.
RTL_LANGUAGES = {"ar", "fa", "ps", "ckb", "he", "ur"}

_RTL = {"R", "AL"}
_LTR = {"L"}


def text_direction(text: str) -> str:
    """"rtl" or "ltr" by the first strong character (what `dir="auto"` does in browsers).

    Computed here rather than left to `dir="auto"` so WeasyPrint and every browser agree."""
    for char in text or "":
        kind = unicodedata.bidirectional(char)
        if kind in _RTL:
            return "rtl"
        if kind in _LTR:
            return "ltr"
    return "ltr"


# Characters that might be emoji or symbols no shipped face has (checked against the fonts).
_SYMBOL_CANDIDATE = re.compile("[\u2190-\u2bff\U0001f000-\U0001faff]")
FONT_FILES = ("DejaVuSans.ttf", "NotoSansSymbols2-Regular.ttf")
TEXT_PRESENTATION = "\ufe0e"


@cache
def _covered() -> frozenset[int]:
    """Code points the record's faces for symbols draw (DejaVu Sans, Noto Sans Symbols 2)."""
    from fontTools.ttLib import TTFont
    covered: set[int] = set()
    for name in FONT_FILES:
        covered.update(TTFont(config.PROJECT_ROOT / "static" / "fonts" / name,
                              lazy=True).getBestCmap())
    return frozenset(covered)


def _name_of(match: re.Match) -> str:
    char = match.group(0)
    if unicodedata.category(char) not in ("So", "Sk"):
        return char
    if ord(char) in _covered():
        # Text presentation (VS15): Pango then takes the glyph from the record's own faces, not
        # from whatever emoji font the system has.
        return char + TEXT_PRESENTATION
    if 0x1F3FB <= ord(char) <= 0x1F3FF:
        return ""  # a skin tone modifier: the emoji it modifies says enough
    return f"[{unicodedata.name(char, 'emoji').lower()}]"


def visible_emoji(text: str) -> str:
    """Emoji that no shipped face draws (colour emoji need a 10 MB font) as their Unicode name in
    brackets, e.g. "[person with folded hands]": visible in the PDF, never an empty box."""
    return _SYMBOL_CANDIDATE.sub(_name_of, text) if _SYMBOL_CANDIDATE.search(text) else text


def map_text(value, function: Callable[[str], str]):
    """A copy of a record (dataclasses, lists) with `function` applied to every string in it."""
    if isinstance(value, str):
        return function(value)
    if isinstance(value, list):
        return [map_text(item, function) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: map_text(getattr(value, f.name), function)
                                 for f in fields(value) if f.init})
    return value


def css_string(text: str) -> str:
    """A CSS string literal that is also safe inside <style>: backslashes, quotes, line breaks
    and "<" escaped (so no "</style>" can appear), other control characters dropped."""
    cleaned = "".join(ch for ch in text if ch >= " " or ch == "\n")
    escaped = (cleaned.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
               .replace("<", "\\3C "))
    return f'"{escaped}"'


def page_footer_content(pattern: str) -> Markup:
    """CSS `content` for "Page {page} of {pages}" in any word order the translation uses.
    Marked safe for the template's <style> because every piece went through css_string()."""
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", pattern):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return Markup(" ".join(parts) or "counter(page)")


@dataclass
class Formats:
    """Dates, times and numbers in the record's language and local time."""
    language: str

    def local(self, moment: datetime | None) -> datetime | None:
        return moment.astimezone(ZoneInfo(TIMEZONE)) if moment is not None else None

    def day(self, value: date | datetime | None, form: str = "long") -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            value = self.local(value).date()
        return format_date(value, form, locale=self.language)

    def clock(self, moment: datetime | None) -> str:
        return format_time(self.local(moment), "HH:mm", locale=self.language) if moment else ""

    def stamp(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        return f"{self.day(moment, 'medium')}, {self.clock(moment)}"

    def span(self, start: datetime | None, end: datetime | None) -> str:
        """"09:12–10:03" on one day; with dates when the phase crossed midnight."""
        if start and end and self.local(start).date() != self.local(end).date():
            return f"{self.stamp(start)} – {self.stamp(end)}"
        return f"{self.clock(start) or '…'}–{self.clock(end) or '…'}"


def phase_name(phase: str) -> str:
    names = {"collect": _("Collecting cards"), "cluster": _("Clustering"),
             "prioritise": _("Prioritising"), "results": _("Results")}
    return names.get(phase, phase) if phase in PHASES else phase


def horizon_name(horizon: str) -> str:
    return {"short": _("short term"), "medium": _("medium term"),
            "long": _("long term")}.get(horizon, "")


def consent_bands(distribution: list[int] | None) -> list[int]:
    """Resistance answers in bands: none (0), low (1–3), medium (4–6), high (7–9), veto (10)."""
    d = distribution or [0] * 11
    return [d[0], sum(d[1:4]), sum(d[4:7]), sum(d[7:10]), d[10]]


@dataclass
class Bar:
    label: str
    score: int
    rank: int
    tie: bool
    width: float  # 0..1 of the longest bar
    direction: str


def chart_bars(round_: RoundRecord, limit: int = CHART_ROWS) -> list[Bar]:
    """The top rows of a dot round as bars (the chart). Labels are whole: they wrap, never cut."""
    rows = round_.rows[:limit]
    top = max((row.score for row in rows), default=0) or 1
    return [Bar(row.label or _("(no heading)"), row.score, row.rank, row.tie, row.score / top,
                text_direction(row.label)) for row in rows]


def _context(record: WorkshopRecord, *, preview: bool, asset_url: Callable[[str], str],
             photo_url: Callable[[Photo], str], **extra) -> dict:
    return {
        "record": record, "preview": preview, "asset_url": asset_url, "photo_url": photo_url,
        "fmt": Formats(record.language), "text_dir": text_direction,
        "phase_name": phase_name, "horizon_name": horizon_name, "consent_bands": consent_bands,
        "chart_bars": chart_bars, "colours": COLOURS,
        "section_title": section_title, "status_name": status_name,
        "consent_note": consent_note,
        "page_dir": "rtl" if record.language in RTL_LANGUAGES else "ltr",
        "text_lang": lambda text: text_language(text, record.language),
        "footer_content": page_footer_content(_("Page {page} of {pages}")),
        **extra,
    }


def render_record(record: WorkshopRecord, *, preview: bool, asset_url: Callable[[str], str],
                  photo_url: Callable[[Photo], str], **extra) -> str:
    """The record as an HTML document, inside a Flask app context (the server's or
    `report_app()`'s), in the record's language."""
    with force_locale(record.language):
        return render_template(TEMPLATE, **_context(
            record, preview=preview, asset_url=asset_url, photo_url=photo_url, **extra))


def report_app() -> Flask:
    """A bare Flask app with the project's templates and translations, for rendering outside the
    server (the PDF process, the command line): no database, sockets or blueprints."""
    root = config.PROJECT_ROOT
    app = Flask("facilitator", template_folder=str(root / "templates"),
                static_folder=str(root / "static"))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(
        Path(__file__).resolve().parent.parent / "translations")
    Babel(app, locale_selector=lambda: "de")
    return app
