"""The cards as a spreadsheet: one row per visible card, for Excel and LibreOffice.

Built from `build_record`, so it shows exactly what the documentation shows: no hidden or
withdrawn card, no author, votes only from closed or revealed rounds. The file is what German
Excel opens by double-click without an import dialog: UTF-8 with a byte order mark (umlauts,
Arabic, Cyrillic intact), `;` between fields, CRLF line ends, quotes where needed (a card may span
lines). Cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR) get a
leading apostrophe, which the spreadsheet shows as text (OWASP "CSV injection").
"""
import csv
import io
import os
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from .record import Card, WorkshopRecord, build_record

DELIMITER = ";"
TIMEZONE = os.environ.get("REPORT_TIMEZONE", "Europe/Berlin")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADERS = {
    "de": ("Nr.", "Tafel", "Cluster", "Text", "Originaltext (vor Korrektur)", "Punkte Karte",
           "Rang Karte", "Punkte Cluster", "Rang Cluster", "Zeit", "Doppelung von Nr."),
    "en": ("No.", "Board", "Cluster", "Text", "Original text (before correction)",
           "Card votes", "Card rank", "Cluster votes", "Cluster rank", "Time", "Duplicate of No."),
}


def _zone():
    try:
        return ZoneInfo(TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def safe_cell(value) -> str:
    """Text a spreadsheet shows as text, never evaluates."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _time(moment: datetime | None, zone) -> str:
    if moment is None:
        return ""
    return (moment.astimezone(zone) if zone else moment).strftime("%Y-%m-%d %H:%M")


def rows(record: WorkshopRecord) -> list[list[str]]:
    """The header and one row per visible card: board by board, cluster by cluster, then the
    cards in no cluster; a merged duplicate follows the card it was merged into."""
    zone = _zone()
    table = [list(HEADERS.get(record.language, HEADERS["en"]))]

    def add(board_title: str, cluster, card: Card, duplicate_of: int | None = None) -> int:
        number = len(table)
        table.append([
            str(number), safe_cell(board_title), safe_cell(cluster.heading if cluster else ""),
            safe_cell(card.text), safe_cell(card.original_text),
            "" if duplicate_of else _number(card.votes),
            "" if duplicate_of else _number(card.rank),
            "" if duplicate_of or cluster is None else _number(cluster.votes),
            "" if duplicate_of or cluster is None else _number(cluster.rank),
            _time(card.created_at, zone), _number(duplicate_of)])
        return number

    for board in record.boards:
        placed = [(cluster, card) for cluster in board.clusters for card in cluster.cards]
        placed += [(None, card) for card in board.unclustered]
        for cluster, card in placed:
            number = add(board.title, cluster, card)
            for duplicate in card.duplicates:
                add(board.title, cluster, duplicate, duplicate_of=number)
    return table


def to_csv(record: WorkshopRecord) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=DELIMITER, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerows(rows(record))
    return out.getvalue().encode("utf-8-sig")


def export_csv(session: Session, workshop_id: int) -> bytes:
    """The workshop's cards as CSV bytes (see the module docstring)."""
    return to_csv(build_record(session, workshop_id))
