"""The cards as a spreadsheet: one row per visible card, for Excel and LibreOffice.

Built from `build_record`, so it shows exactly what the documentation shows: no hidden or
withdrawn card, no author, votes only from closed or revealed rounds; the same card numbers as
the PDF's and the DOCX's appendix (`Card.number`), the headers from the same catalogue, and for
each card which dot voting its dots come from. The file is what German
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

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ..card_sources import source_label
from .html import report_app
from .record import BoardRecord, Card, ClusterRecord, WorkshopRecord, build_record

DELIMITER = ";"
TIMEZONE = os.environ.get("REPORT_TIMEZONE", "Europe/Berlin")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def headers() -> list[str]:
    """The column headers in the current locale."""
    return [_("No."), _("Board"), _("Cluster"), _("Text"), _("Original text (before correction)"),
            _("Dots on the card"), _("Rank of the card"), _("Dot voting on the cards"),
            _("Dots on the cluster"), _("Rank of the cluster"), _("Dot voting on the clusters"),
            _("Time"), _("Duplicate of No."), _("Source"), _("Translation")]


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


def _row(board: BoardRecord, cluster: ClusterRecord | None, card: Card, zone,
         duplicate_of: int | None = None) -> list[str]:
    """One card; a duplicate carries no dots of its own (they are its card's)."""
    dots = duplicate_of is None
    cluster_dots = dots and cluster is not None and cluster.votes is not None
    return [
        _number(card.number), safe_cell(board.title), safe_cell(cluster.heading if cluster else ""),
        safe_cell(card.text), safe_cell(card.original_text),
        _number(card.votes) if dots else "", _number(card.rank) if dots else "",
        safe_cell(board.card_votes_from) if dots and card.votes is not None else "",
        _number(cluster.votes) if cluster_dots else "",
        _number(cluster.rank) if cluster_dots else "",
        safe_cell(board.cluster_votes_from) if cluster_dots else "",
        _time(card.created_at, zone), _number(duplicate_of), source_label(card.source),
        safe_cell(f"{card.translation_lang}: {card.translation}" if card.translation else "")]


def rows(record: WorkshopRecord) -> list[list[str]]:
    """The header and one row per visible card: board by board, cluster by cluster, then the
    cards in no cluster; a merged duplicate follows the card it was merged into."""
    zone = _zone()
    table = [headers()]
    for board in record.boards:
        placed = [(cluster, card) for cluster in board.clusters for card in cluster.cards]
        placed += [(None, card) for card in board.unclustered]
        for cluster, card in placed:
            table.append(_row(board, cluster, card, zone))
            table.extend(_row(board, cluster, duplicate, zone, duplicate_of=card.number)
                         for duplicate in card.duplicates)
    return table


def to_csv(record: WorkshopRecord) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=DELIMITER, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    with report_app().app_context(), force_locale(record.language):
        writer.writerows(rows(record))
    return out.getvalue().encode("utf-8-sig")


def export_csv(session: Session, workshop_id: int) -> bytes:
    """The workshop's cards as CSV bytes (see the module docstring)."""
    return to_csv(build_record(session, workshop_id))


def action_plan_rows(record: WorkshopRecord) -> list[list[str]]:
    """The measures as the steering group's action plan: the same columns as the DOCX table,
    plus where each measure came from and its dots (which vote: the measures round)."""
    from .docx_sections import action_plan_header
    from .html import horizon_name
    from .sections import status_name
    header = action_plan_header() + [_("Description"), _("From the cluster"),
                                     _("From the cards"), _("Dots"), _("Dot voting")]
    vote = record.measures_round.question if record.measures_round else ""
    return [header] + [[
        _number(m.number), safe_cell(m.title), safe_cell(m.thematic_field or m.board_title),
        safe_cell(m.responsible), safe_cell(m.partners), horizon_name(m.horizon),
        m.due_date.isoformat() if m.due_date else "", status_name(m.status),
        safe_cell(m.indicator), safe_cell(m.cost), safe_cell(m.description),
        safe_cell(m.source_cluster), safe_cell(" | ".join(m.source_cards)), _number(m.score),
        safe_cell(vote) if m.score is not None else ""] for m in record.measures]


def to_action_plan_csv(record: WorkshopRecord) -> bytes:
    """Every measure as one row of the action plan (CSV as `to_csv`)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=DELIMITER, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    with report_app().app_context(), force_locale(record.language):
        writer.writerows(action_plan_rows(record))
    return out.getvalue().encode("utf-8-sig")


def export_action_plan_csv(session: Session, workshop_id: int) -> bytes:
    return to_action_plan_csv(build_record(session, workshop_id))


def stocktaking_rows(table) -> list[list[str]]:
    """A stock-taking board (Bestandsaufnahme) as one table per value of its grouping field
    (per municipality): a line naming the municipality, the header, the rows, an empty line.
    Only visible cards; no author."""
    group_label = table.group_label or _("Group")
    header = [_("No.")] + table.labels + [_("Already exists"), _("Source")]
    out: list[list[str]] = []
    number = 0
    for name, rows in table.groups:
        title = name if table.group_label is None or name else _("(not given)")
        out.append([safe_cell(f"{group_label}: {title}" if table.group_label else
                              table.board.title)])
        out.append([safe_cell(cell) for cell in header])
        for idea, values, exists in rows:
            number += 1
            out.append([str(number)] + [safe_cell(value) for value in values]
                       + [_("yes") if exists else _("no"), source_label(idea.source)])
        out.append([])
    return out


def export_stocktaking_csv(session: Session, workshop_id: int, board_id: int) -> bytes:
    """One stock-taking board's rows, a table per municipality (CSV as `to_csv`)."""
    from ..domain import stocktaking
    from ..domain.errors import NotFound
    from ..models import Workshop
    workshop = session.get(Workshop, workshop_id)
    table = next((t for t in stocktaking.tables_of(session, workshop)
                  if t.board.id == board_id), None) if workshop else None
    if table is None:
        raise NotFound(field="board_id")
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=DELIMITER, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    with report_app().app_context(), force_locale(workshop.language):
        writer.writerows(stocktaking_rows(table))
    return out.getvalue().encode("utf-8-sig")
