"""Stock-taking boards (Bestandsaufnahme): cards with fields the facilitator defines.

Offenbach collected the offers that already exist with its municipalities: every card is one
offer (Angebot, Träger, Kommune, seit wann, Zielgruppe), marked "bereits vorhanden", and the
result is a table per municipality. A board is a stock-taking board when it has `card_fields`
([{key, label, required, group}]); a board without fields is an ordinary board.

A card on such a board is an ordinary `Idea`: its `entry` holds the row ({"values": {key: text},
"exists": bool}) and its `text` the row's short form ("Sprachcafé — Caritas, Dietzenbach"), so
everything that shows, moderates, translates, exports or deletes cards keeps working on it.
Field keys ("f1", "f2", …) never change: renaming a field keeps every card's value.
Plain Python: no Flask here.
"""
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import IDEA_MAX_CHARS, Board, Idea, Workshop
from . import validate
from .changes import WorkshopChange
from .errors import FieldLabelTaken, FieldRequired, InvalidInput, NotFound, TextEmpty, TextTooLong

LABEL_MAX_CHARS = 60
VALUE_MAX_CHARS = 200
MAX_FIELDS = 12
KINDS = ("cards", "stocktaking")
_KEY = re.compile(r"^f[0-9]{1,3}$")

# (label, required, grouping field): the Offenbach set, in the workshop's language.
DEFAULT_FIELDS = {
    "de": (("Angebot", True, False), ("Träger", True, False), ("Kommune", True, True),
           ("Seit wann", False, False), ("Zielgruppe", False, False)),
    "en": (("Offer", True, False), ("Provider", True, False), ("Municipality", True, True),
           ("Since when", False, False), ("Target group", False, False)),
}


def is_stocktaking(board: Board) -> bool:
    return bool(board.card_fields)


def kind_of(board: Board) -> str:
    return "stocktaking" if is_stocktaking(board) else "cards"


def default_fields(language: str) -> list[dict]:
    rows = DEFAULT_FIELDS.get(language, DEFAULT_FIELDS["de"])
    return [{"key": f"f{number}", "label": label, "required": required, "group": group}
            for number, (label, required, group) in enumerate(rows, start=1)]


def group_field(board: Board) -> dict | None:
    return next((f for f in board.card_fields or () if f.get("group")), None)


def set_kind(board: Board, kind: str, language: str) -> None:
    """The board form's choice: a stock-taking board gets the default fields (kept if it has
    some already); an ordinary board none (its cards keep their rows and texts)."""
    if kind not in KINDS:
        raise InvalidInput(field="board_kind")
    if kind == "stocktaking" and not board.card_fields:
        board.card_fields = default_fields(language)
    elif kind == "cards" and board.card_fields:
        board.card_fields = None


def clean_fields(rows, current: list[dict] | None = None) -> list[dict]:
    """The facilitator's field rows checked: [{key?, label, required, group}] in order; a row
    with an empty label is dropped (that is how a field is removed). Known keys are kept, new
    fields get fresh ones; the first field names the card and is always required; at most one
    field groups the export."""
    if not isinstance(rows, (list, tuple)):
        raise InvalidInput(field="card_fields")
    known = {f["key"] for f in current or ()}
    taken_numbers = [int(key[1:]) for key in known if _KEY.match(key)]
    next_number = max(taken_numbers, default=0) + 1
    cleaned: list[dict] = []
    labels: set[str] = set()
    for row in rows:
        if not isinstance(row, dict):
            raise InvalidInput(field="card_fields")
        label = validate.text(row.get("label"), LABEL_MAX_CHARS, "field_label", required=False)
        if not label:
            continue
        if label.casefold() in labels:
            raise FieldLabelTaken(field="field_label", label=label)
        labels.add(label.casefold())
        key = row.get("key") or None
        if key is not None and not isinstance(key, str):
            raise InvalidInput(field="field_key")
        if key in known and key not in {f["key"] for f in cleaned}:
            pass
        elif key is None:
            key = f"f{next_number}"
            next_number += 1
        else:
            raise InvalidInput(field="field_key")
        required, group = row.get("required", False), row.get("group", False)
        cleaned.append({"key": key, "label": label,
                        "required": validate.flag(required, "field_required"),
                        "group": validate.flag(group, "field_group")})
    if len(cleaned) > MAX_FIELDS:
        raise InvalidInput(field="card_fields", max=MAX_FIELDS)
    if sum(f["group"] for f in cleaned) > 1:
        raise InvalidInput(field="field_group")
    if cleaned:
        cleaned[0]["required"] = True
    return cleaned


def set_fields(session: Session, workshop_id: int, board_id, rows) -> Board:
    """Define (add, rename, remove, regroup) the fields of a board's cards; every screen learns
    of it. Removing every field makes the board an ordinary board again."""
    board_id = validate.integer(board_id, "board_id")
    board = session.get(Board, board_id)
    if board is None or board.workshop_id != workshop_id:
        raise NotFound(field="board_id")
    fields = clean_fields(rows, board.card_fields)
    with WorkshopChange(session, workshop_id, "board_updated") as change:
        board = session.get(Board, board_id)
        board.card_fields = fields or None
        change.touch(board)
    return board


def _values_of(fields: list[dict], values) -> dict[str, str]:
    """{key: text} from what a client sent: {key: text} or [{key, value}]."""
    if isinstance(values, (list, tuple)):
        pairs = []
        for item in values:
            if not isinstance(item, dict) or set(item) != {"key", "value"}:
                raise InvalidInput(field="fields")
            pairs.append((item["key"], item["value"]))
    elif isinstance(values, dict):
        pairs = list(values.items())
    else:
        raise InvalidInput(field="fields")
    keys = {f["key"] for f in fields}
    seen: dict[str, str] = {}
    for key, value in pairs:
        if key not in keys or key in seen:
            raise InvalidInput(field="fields")
        seen[key] = value
    cleaned = {}
    for field_ in fields:
        raw = seen.get(field_["key"], "")
        try:
            text = validate.text(raw, VALUE_MAX_CHARS, field_["key"], required=field_["required"])
        except TextEmpty:
            raise FieldRequired(field=field_["key"], label=field_["label"]) from None
        except TextTooLong:
            raise TextTooLong(field=field_["key"], label=field_["label"],
                              max=VALUE_MAX_CHARS) from None
        if text:
            cleaned[field_["key"]] = text
    return cleaned


def short_text(fields: list[dict], values: dict[str, str]) -> str:
    """The card's text: "Angebot — Träger, Kommune" (the first field, then the second and the
    grouping field), within a card's length."""
    if not fields:
        return ""
    first = values.get(fields[0]["key"], "")
    more = [f for f in fields[1:2]] + [f for f in fields[2:] if f.get("group")]
    rest = [values[f["key"]] for f in more if values.get(f["key"])]
    text = first + (" — " + ", ".join(rest) if rest else "") if first else ", ".join(rest)
    return text if len(text) <= IDEA_MAX_CHARS else text[:IDEA_MAX_CHARS - 1].rstrip() + "…"


def entry_for(board: Board, text, values=None, exists=None) -> tuple[dict | None, str]:
    """What a card posted to `board` stores: (its row, its text). On an ordinary board the
    text as written (sent fields are ignored: the board stopped taking stock meanwhile). On a
    stock-taking board the row is checked field by field (a card sent as plain text fills the
    first field); bad input raises and nothing is stored."""
    if not is_stocktaking(board):
        return None, validate.text(text, IDEA_MAX_CHARS)
    fields = board.card_fields
    if values is None:
        values = {fields[0]["key"]: text}
    if exists is None:
        exists = True
    cleaned = _values_of(fields, values)
    return ({"values": cleaned, "exists": validate.flag(exists, "exists")},
            short_text(fields, cleaned))


# --- Reading the rows back (console, exports, record, compendium) -------------------------------

@dataclass
class Table:
    """A stock-taking board's rows, one table per value of the grouping field."""
    board: Board
    labels: list[str]
    group_label: str | None
    # [(municipality, [(idea, [value per field], exists)])]; "" is the group of rows without one.
    groups: list[tuple[str, list[tuple[Idea, list[str], bool]]]]

    @property
    def count(self) -> int:
        return sum(len(rows) for _, rows in self.groups)


def row_values(board: Board, idea: Idea) -> tuple[list[str], bool]:
    fields = board.card_fields or []
    if idea.entry and isinstance(idea.entry.get("values"), dict):
        values = idea.entry["values"]
        return [values.get(f["key"], "") for f in fields], bool(idea.entry.get("exists", True))
    # A card written before the board took stock: its text is the first field.
    return [idea.text] + [""] * (len(fields) - 1), False


def table(board: Board, ideas: list[Idea]) -> Table:
    """The board's visible cards as rows grouped by the grouping field (sorted, rows without
    a value last); without a grouping field one table."""
    fields = board.card_fields or []
    group = group_field(board)
    index = fields.index(group) if group else None
    grouped: dict[str, list] = {}
    for idea in ideas:
        if idea.board_id != board.id or idea.state != "visible":
            continue
        values, exists = row_values(board, idea)
        key = values[index].strip() if index is not None else ""
        grouped.setdefault(key, []).append((idea, values, exists))
    # Rows with the same municipality typed differently ("offenbach", "Offenbach ") meet.
    merged: dict[str, tuple[str, list]] = {}
    for key, rows in grouped.items():
        name, existing = merged.get(key.casefold(), (key, []))
        merged[key.casefold()] = (name, existing + rows)
    ordered = sorted(merged.values(), key=lambda item: (item[0] == "", item[0].casefold()))
    return Table(board, [f["label"] for f in fields], group["label"] if group else None,
                 [(name, sorted(rows, key=lambda row: row[0].id)) for name, rows in ordered])


def tables_of(session: Session, workshop: Workshop) -> list[Table]:
    """Every stock-taking board of a workshop with its rows, in board order."""
    boards = [board for board in workshop.boards if is_stocktaking(board)]
    if not boards:
        return []
    ideas = session.scalars(select(Idea).where(
        Idea.board_id.in_([b.id for b in boards]), Idea.state == "visible").order_by(Idea.id)).all()
    return [table(board, ideas) for board in boards]


# --- The JSON archive (domain/archive.py) -------------------------------------------------------

def checked_fields(raw) -> list[dict] | None:
    """A board's fields as an archive holds them, checked as the facilitator's form is."""
    if raw in (None, []):
        return None
    if not isinstance(raw, list):
        raise InvalidInput(field="card_fields")
    keys = [row.get("key") if isinstance(row, dict) else None for row in raw]
    if not all(isinstance(key, str) and _KEY.match(key) for key in keys):
        raise InvalidInput(field="field_key")
    return clean_fields(raw, [{"key": key} for key in keys]) or None


def checked_entry(raw) -> dict | None:
    """A card's row as an archive holds it: texts under field keys, and "already exists"."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("values"), dict):
        raise InvalidInput(field="entry")
    values = {}
    for key, value in raw["values"].items():
        if not isinstance(key, str) or not _KEY.match(key):
            raise InvalidInput(field="entry")
        text = validate.text(value, VALUE_MAX_CHARS, "entry", required=False)
        if text:
            values[key] = text
    return {"values": values, "exists": validate.flag(raw.get("exists", True), "exists")}
