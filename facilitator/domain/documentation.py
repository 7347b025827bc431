"""The parts of the documentation the facilitation writes (DOMAIN.md §3.2): imprint, foreword,
programme as planned, per board a summary, quotes, dissent and open questions, next steps, how
the results are used, a summary in Einfache Sprache, feedback; photo credits; and whether the
results are published to the participants.

Entered in the console ("Dokumentation", views/documentation.py) during or after the event.
A section left empty is simply absent from the record: `missing()` tells the console which ones
are still empty, so nothing is ever printed as a "[please fill in]" placeholder.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import TITLE_MAX_CHARS, Board, Idea, Photo, RecordSection, Workshop
from . import validate
from .changes import Change, commit_and_announce, next_seq
from .errors import InvalidInput, NotFound

TEXT_MAX_CHARS = 8000
PROGRAMME_MAX_ROWS = 40
QUOTES_MAX = 12


@dataclass(frozen=True)
class Section:
    key: str
    scope: str  # workshop | board
    kind: str = "text"  # text | programme | quotes
    # Required for a complete record (DOMAIN.md §3.3: next steps and the use of the results
    # "must not be optional"); the console lists every empty one, these first.
    expected: bool = True


# In the order the record prints them.
SECTIONS = (
    Section("contact", "workshop"),
    Section("facilitation", "workshop"),
    Section("editing", "workshop", expected=False),
    Section("photo_credits", "workshop", expected=False),
    Section("foreword", "workshop", expected=False),
    Section("programme", "workshop", kind="programme"),
    Section("summary", "board"),
    Section("quotes", "board", kind="quotes", expected=False),
    Section("dissent", "board", expected=False),
    Section("open_questions", "board", expected=False),
    Section("next_steps", "workshop"),
    Section("use_of_results", "workshop"),
    Section("plain_summary", "workshop", expected=False),
    Section("feedback", "workshop", expected=False),
)
BY_KEY = {section.key: section for section in SECTIONS}
WORKSHOP_KEYS = tuple(s.key for s in SECTIONS if s.scope == "workshop")
BOARD_KEYS = tuple(s.key for s in SECTIONS if s.scope == "board")
PROGRAMME_FIELDS = {"time": 40, "title": TITLE_MAX_CHARS, "method": 1000, "speakers": 300}

# On what basis people may appear in a photo (DOMAIN.md §3.3 "Photos of people").
PHOTO_CONSENTS = ("", "no_people", "consent", "assembly")


@dataclass
class ProgrammeItem:
    """One row of the programme as planned: "10:00–10:30", "Thementische", "World Café …",
    "Moderation: …"."""
    time: str = ""
    title: str = ""
    method: str = ""
    speakers: str = ""


@dataclass
class BoardTexts:
    summary: str = ""
    quote_ids: list[int] = field(default_factory=list)
    dissent: str = ""
    open_questions: str = ""


@dataclass
class Documentation:
    """Everything entered, with "" (or []) for what is not."""
    texts: dict[str, str]  # workshop-level text sections by key
    programme: list[ProgrammeItem]
    boards: dict[int, BoardTexts]

    def board(self, board_id: int) -> BoardTexts:
        return self.boards.get(board_id) or BoardTexts()


@dataclass
class Missing:
    """A section still empty: `board_id` None for the workshop's own sections."""
    key: str
    board_id: int | None
    expected: bool


def _rows(session: Session, workshop_id: int) -> list[RecordSection]:
    return list(session.scalars(select(RecordSection).where(
        RecordSection.workshop_id == workshop_id).order_by(RecordSection.id)))


def documentation_of(session: Session, workshop_id: int) -> Documentation:
    """What the facilitation has entered so far."""
    docs = Documentation({key: "" for key in WORKSHOP_KEYS if BY_KEY[key].kind == "text"},
                         [], {})
    for row in _rows(session, workshop_id):
        if row.board_id is None:
            if row.key == "programme":
                docs.programme = [ProgrammeItem(**{k: str(item.get(k, "")) for k in
                                                   PROGRAMME_FIELDS})
                                  for item in row.items or [] if isinstance(item, dict)]
            elif row.key in docs.texts:
                docs.texts[row.key] = row.text or ""
        elif row.key in BOARD_KEYS:
            texts = docs.boards.setdefault(row.board_id, BoardTexts())
            if row.key == "quotes":
                texts.quote_ids = [i for i in row.items or [] if isinstance(i, int)]
            else:
                setattr(texts, row.key, row.text or "")
    return docs


def _clean_programme(rows) -> list[dict]:
    if not isinstance(rows, list) or len(rows) > PROGRAMME_MAX_ROWS:
        raise InvalidInput(field="programme")
    cleaned = []
    for row in rows:
        if isinstance(row, ProgrammeItem):
            row = row.__dict__
        if not isinstance(row, dict):
            raise InvalidInput(field="programme")
        item = {name: validate.text(row.get(name, ""), limit, f"programme.{name}",
                                    required=False)
                for name, limit in PROGRAMME_FIELDS.items()}
        if any(item.values()):  # an empty row of the form is no row
            cleaned.append(item)
    return cleaned


def _clean_quotes(session: Session, board: Board, ids) -> list[int]:
    """Chosen cards: visible cards of this board only (a hidden card is never quoted)."""
    if not isinstance(ids, list):
        raise InvalidInput(field="quotes")
    wanted = list(dict.fromkeys(validate.integer(i, "quotes") for i in ids))
    if len(wanted) > QUOTES_MAX:
        raise InvalidInput(field="quotes")
    if not wanted:
        return []
    found = set(session.scalars(select(Idea.id).where(
        Idea.id.in_(wanted), Idea.board_id == board.id, Idea.state == "visible")))
    if found != set(wanted):
        raise NotFound(field="quotes")
    return wanted


def _upsert(session: Session, rows: dict, workshop_id: int, board_id: int | None, key: str,
            text: str = "", items: list | None = None) -> None:
    row = rows.get((board_id, key))
    if row is None:
        if not text and not items:
            return  # nothing entered, nothing stored
        row = RecordSection(workshop_id=workshop_id, board_id=board_id, key=key)
        session.add(row)
        rows[(board_id, key)] = row
    row.text = text
    row.items = list(items or [])


def save_documentation(session: Session, workshop_id: int, texts: dict | None = None,
                       programme=None, boards: dict | None = None) -> Documentation:
    """Store what the console sent: `texts` {key: text} for the workshop's sections,
    `programme` a list of rows, `boards` {board_id: {summary?, quotes?, dissent?,
    open_questions?}}. Only what is given changes; everything is checked before anything is
    written (InvalidInput / NotFound name the field)."""
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound(field="workshop_id")
    writes: list[tuple[int | None, str, str, list | None]] = []
    for key, value in (texts or {}).items():
        if key not in WORKSHOP_KEYS or BY_KEY[key].kind != "text":
            raise InvalidInput(field=str(key))
        writes.append((None, key, validate.text(value, TEXT_MAX_CHARS, key, required=False),
                       None))
    if programme is not None:
        writes.append((None, "programme", "", _clean_programme(programme)))
    board_rows = {b.id: b for b in session.scalars(select(Board).where(
        Board.workshop_id == workshop_id))}
    for board_id, values in (boards or {}).items():
        board = board_rows.get(validate.integer(board_id, "board_id"))
        if board is None:
            raise NotFound(field="board_id")
        if not isinstance(values, dict):
            raise InvalidInput(field="boards")
        for key, value in values.items():
            if key not in BOARD_KEYS:
                raise InvalidInput(field=str(key))
            if key == "quotes":
                writes.append((board.id, key, "", _clean_quotes(session, board, value)))
            else:
                writes.append((board.id, key, validate.text(value, TEXT_MAX_CHARS, key,
                                                            required=False), None))
    existing = {(row.board_id, row.key): row for row in _rows(session, workshop_id)}
    for board_id, key, text, items in writes:
        _upsert(session, existing, workshop_id, board_id, key, text, items)
    session.commit()
    return documentation_of(session, workshop_id)


def missing(docs: Documentation, board_ids: list[int]) -> list[Missing]:
    """Sections still empty, in the record's order (expected ones are flagged)."""
    empty = []
    for section in SECTIONS:
        if section.scope == "workshop":
            filled = (bool(docs.programme) if section.kind == "programme"
                      else bool(docs.texts.get(section.key, "").strip()))
            if not filled:
                empty.append(Missing(section.key, None, section.expected))
        else:
            for board_id in board_ids:
                texts = docs.board(board_id)
                filled = (bool(texts.quote_ids) if section.kind == "quotes"
                          else bool(getattr(texts, section.key).strip()))
                if not filled:
                    empty.append(Missing(section.key, board_id, section.expected))
    return empty


@dataclass
class PhotoDetails:
    credit: str = ""
    taken_on: date | str | None = None
    consent: str = ""


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidInput(field="taken_on")


def save_photo_details(session: Session, workshop_id: int, photo_id, details: PhotoDetails
                       ) -> Photo:
    """Credit, date and the consent basis of one photo, for its caption in the record."""
    photo = session.get(Photo, validate.integer(photo_id, "photo_id"))
    if photo is None or photo.workshop_id != workshop_id:
        raise NotFound(field="photo_id")
    if details.consent not in PHOTO_CONSENTS:
        raise InvalidInput(field="consent")
    photo.credit = validate.text(details.credit, TITLE_MAX_CHARS, "credit", required=False)
    photo.taken_on = _date(details.taken_on)
    photo.consent = details.consent
    session.commit()
    return photo


def publish_results(session: Session, workshop_id: int, published: bool) -> Workshop:
    """Open (or close again) the participants' read-only results page."""
    seq = next_seq(session, workshop_id)
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        session.rollback()
        raise NotFound(field="workshop_id")
    workshop.results_published = bool(published)
    workshop.updated_seq = seq
    # Announced: phones show the results link and projectors the QR code without a reload.
    commit_and_announce(session, Change("workshop_updated", workshop_id, seq, workshop=workshop))
    return workshop
