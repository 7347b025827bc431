"""The compendium: one document across all events of a participation process.

`build_compendium()` reads the process into plain dataclasses (no Flask): the events in order with
their participation figures, a chapter per thematic field with what every event that worked on it
found (clusters with their cards, measures), and the measure catalogue: each measure once (a
measure carried into later events is one entry, `processes.identity`), with the participants'
dots and the steering group's dots in two columns, never added up. Votes count once a round is
closed or revealed (as in the workshop record); the steering group's once its decision or the
round is closed.

Renderings: `compendium_html()` (Jinja, templates/reports/compendium.html), `render_pdf()`
(tagged PDF/UA like the record), `export_docx()` and `export_csv()` (every measure).
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import guidelines, processes, steering, voting
from ..models import Idea, Measure, SteeringDecision, VoteRound, utcnow


@dataclass
class EventRow:
    number: int
    title: str
    kind: str
    event_date: date | None
    place: str
    state: str
    participants: int
    cards: int
    fields: list[str] = field(default_factory=list)


@dataclass
class ClusterResult:
    heading: str
    cards: list[str]


@dataclass
class EventResult:
    event_title: str
    clusters: list[ClusterResult]
    measures: list[str]
    loose_cards: list[str] = field(default_factory=list)


@dataclass
class GuidelineRow:
    """The field's current guideline (Leitlinie) and its consent check, if one was held."""
    version: int
    text: str
    checked: bool = False
    state: str = ""
    answers: int = 0
    resistance: int = 0
    passive: int = 0
    adopted: bool | None = None


@dataclass
class Chapter:
    title: str
    question: str
    results: list[EventResult]
    guideline: GuidelineRow | None = None
    # The steering group's decided priority (1 high, 2 medium, 3 low) and when it was decided.
    priority: int | None = None
    priority_decided_on: date | None = None


@dataclass
class PriorityRow:
    """A field's priority as the steering group decided it."""
    field: str
    priority: int
    decided_on: date | None


@dataclass
class ScheduleRow:
    """A measure's schedule as the steering group decided it."""
    title: str
    field: str
    start_period: str
    responsible: str
    decided_on: date | None


@dataclass
class ChangeRow:
    kind: str  # new | changed | done | given_up | not_carried
    title: str
    detail: list[str] = field(default_factory=list)  # changed: which fields


@dataclass
class Changes:
    """Fortschreibung: what changed against the round this one continues (unchanged measures
    are left out)."""
    previous_title: str
    rows: list[ChangeRow]


@dataclass
class CatalogueRow:
    number: int
    title: str
    description: str
    field: str
    responsible: str
    partners: str
    horizon: str
    origin_event: str
    origin_cluster: str
    source_cards: list[str]
    carried_into: list[str]
    participants: int
    steering: int
    status: str = ""
    # The steering group's schedule: start period, responsible organisation, date decided.
    start_period: str = ""
    scheduled_responsible: str = ""
    decided_on: date | None = None
    change: str = ""  # Fortschreibung: new | changed | kept | done | given_up ("" first round)


@dataclass
class WorkingGroupRow:
    """A working group in figures only: the compendium names no member (data minimisation)."""
    field: str
    members: int  # signed up with a contact (consent)
    interested: int  # counted without anything personal
    meetings: list[str] = field(default_factory=list)


@dataclass
class Compendium:
    id: int
    title: str
    organiser: str
    language: str
    events: list[EventRow]
    chapters: list[Chapter]
    catalogue: list[CatalogueRow]
    steering_members: list[str]
    generated_at: datetime
    changes: Changes | None = None
    working_groups: list[WorkingGroupRow] = field(default_factory=list)
    priorities: list[PriorityRow] = field(default_factory=list)
    schedule: list[ScheduleRow] = field(default_factory=list)
    # Stock-taking boards of the events (Bestandsaufnahme): tables per municipality.
    stocktaking: list["StockChapter"] = field(default_factory=list)


# --- Stock-taking (Bestandsaufnahme, domain/stocktaking.py) --------------------------------------

@dataclass
class StockChapter:
    """One stock-taking board of an event: its rows grouped by municipality."""
    event_title: str
    board_title: str
    labels: list[str]
    group_label: str | None
    groups: list[tuple[str, list[tuple[list[str], bool]]]]  # (municipality, [(values, exists)])


def _stocktaking(session: Session, events) -> list[StockChapter]:
    from ..domain import stocktaking
    from .record import _breakable
    return [StockChapter(event.title, table.board.title, table.labels, table.group_label,
                         [(name, [([_breakable(v) for v in values], exists)
                                  for _, values, exists in rows])
                          for name, rows in table.groups])
            for event in events for table in stocktaking.tables_of(session, event)]


def _counted(round_: VoteRound) -> bool:
    return round_.state == "closed" or round_.revealed


def _votes(session: Session, events) -> dict[tuple, list[int]]:
    """Per measure identity: [participants' dots, steering group's dots] over all events."""
    totals: dict[tuple, list[int]] = {}
    for event in events:
        for round_ in voting.rounds_of(session, event.id):
            if round_.kind != "dots" or round_.target_kind != "measure":
                continue
            decision = session.scalar(select(SteeringDecision).where(
                SteeringDecision.round_id == round_.id))
            steering_counts = decision is not None and (
                decision.state == "closed" or _counted(round_))
            for row in processes.side_by_side(session, round_):
                measure = session.get(Measure, row["id"])
                entry = totals.setdefault(processes.identity(measure), [0, 0])
                if _counted(round_):
                    entry[0] += row["participants"]
                if steering_counts:
                    entry[1] += row["steering"]
    return totals


def build_compendium(session: Session, process_id: int) -> Compendium:
    process = processes.get_process(session, process_id)
    events = processes.events(session, process.id)
    field_titles = {f.id: f.title for f in process.fields}
    rows = []
    for number, event in enumerate(events, 1):
        figures = processes.participation(session, event.id)
        rows.append(EventRow(
            number, event.title, event.event_kind or "workshop", event.event_date, event.place,
            processes.event_state(session, event), figures["participants"], figures["cards"],
            list(dict.fromkeys(field_titles[b.field_id] for b in event.boards
                               if b.field_id in field_titles))))
    chapters = []
    ordered_fields = steering.fields_by_priority(session, process.id)
    priorities = {f.id: p for f, p in ordered_fields if p is not None}
    # The field chapters in the order of the steering group's priority (undecided ones last).
    rank = {f.id: n for n, (f, _) in enumerate(ordered_fields)}
    for chapter in sorted(processes.results_by_field(session, process.id),
                          key=lambda c: rank.get(c.field.id, len(rank))):
        results = []
        for event, clusters, measures in chapter.events:
            cluster_results = [ClusterResult(c.heading, list(session.scalars(
                select(Idea.text).where(Idea.cluster_id == c.id, Idea.state == "visible")
                .order_by(Idea.position, Idea.id)))) for c in clusters]
            board_ids = [b.id for b in event.boards if b.field_id == chapter.field.id]
            loose = list(session.scalars(select(Idea.text).where(
                Idea.board_id.in_(board_ids), Idea.cluster_id.is_(None),
                Idea.state == "visible").order_by(Idea.position, Idea.id))) if board_ids else []
            results.append(EventResult(event.title, cluster_results,
                                       [m.title for m in measures], loose))
        decided = priorities.get(chapter.field.id)
        chapters.append(Chapter(chapter.field.title, chapter.field.question, results,
                                _guideline(session, chapter.field.id),
                                decided.priority if decided else None,
                                decided.decided_on if decided else None))
    votes = _votes(session, events)
    seen: dict[tuple, CatalogueRow] = {}
    event_titles = {e.id: e.title for e in events}
    for event in events:
        for measure in session.scalars(select(Measure).where(
                Measure.workshop_id == event.id, Measure.state == "active").order_by(
                Measure.position, Measure.id)):
            key = processes.identity(measure)
            if key in seen:
                seen[key].carried_into.append(event.title)
                # The latest event's wording (who is responsible, by when) is the current one.
                for name in ("title", "description", "responsible", "partners", "horizon"):
                    if getattr(measure, name):
                        setattr(seen[key], name, getattr(measure, name))
                seen[key].status = measure.status
                continue
            line = processes.lineage(session, measure)
            carried = measure.carried_measure_id or measure.carried_cluster_id
            seen[key] = CatalogueRow(
                0, measure.title, measure.description, measure.thematic_field,
                measure.responsible, measure.partners, measure.horizon,
                event_titles.get(line["event"].id, line["event"].title) if line["event"] else "",
                line["cluster"].heading if line["cluster"] else "",
                [c.text for c in line["cards"] if c.state == "visible"],
                [event.title] if carried else [], *votes.get(key, [0, 0]), measure.status)
    changes = _change_kinds(session, process)
    for key, entry in steering.schedule(session, process.id).items():
        if key in seen:
            seen[key].start_period, seen[key].scheduled_responsible, seen[key].decided_on = (
                entry.start_period, entry.responsible, entry.decided_on)
    for key, row in seen.items():
        row.change = changes.get(key, "")
    catalogue = sorted(seen.values(), key=lambda r: (-r.participants, -r.steering, r.title))
    for number, row in enumerate(catalogue, 1):
        row.number = number
    field_titles = {f.id: f.title for f in process.fields}
    return Compendium(
        process.id, process.title, process.organiser, process.language, rows, chapters,
        catalogue, [m.name for m in steering.members(session, process.id)], utcnow(),
        _changes(session, process), _working_groups(session, process.id),
        [PriorityRow(field_titles[f.id], p.priority, p.decided_on)
         for f, p in ordered_fields if p is not None],
        sorted((ScheduleRow(r.title, r.field, r.start_period, r.scheduled_responsible,
                            r.decided_on) for r in catalogue if r.start_period or
                r.scheduled_responsible), key=lambda r: (r.start_period, r.title)),
        stocktaking=_stocktaking(session, events))


def _change_kinds(session: Session, process) -> dict[tuple, str]:
    """Fortschreibung: per measure identity of this round what changed (new, changed, kept,
    done, given_up); empty in a first round."""
    if process.previous_id is None:
        return {}
    diff = processes.update_diff(session, process.id)
    kinds = {processes.identity(new): "changed" for _, new, _ in diff["changed"]}
    for kind in ("new", "kept", "done", "given_up"):
        kinds.update({processes.identity(m): kind for m in diff[kind]})
    return kinds


def _working_groups(session: Session, process_id: int) -> list[WorkingGroupRow]:
    from ..domain import working_groups
    return [WorkingGroupRow(item.field.title, len(item.members), item.interested,
                            [e.title for e in item.meetings])
            for item in working_groups.overview(session, process_id)]


def _guideline(session: Session, field_id: int) -> GuidelineRow | None:
    current = guidelines.current(session, field_id)
    return guideline_row(session, current) if current is not None else None


def guideline_row(session: Session, current) -> GuidelineRow:
    """One guideline version with its consent check's outcome (also for the process page)."""
    row = GuidelineRow(current.version, current.text)
    result = guidelines.consent_result(session, current)
    if result is not None:
        row.checked = True
        row.state, row.answers, row.resistance, row.passive, row.adopted = (
            result.state, result.answers, result.resistance, result.passive, result.adopted)
    return row


def _changes(session: Session, process) -> Changes | None:
    if process.previous_id is None:
        return None
    diff = processes.update_diff(session, process.id)
    rows = [ChangeRow("new", m.title) for m in diff["new"]]
    rows += [ChangeRow("changed", new.title, fields) for old, new, fields in diff["changed"]]
    rows += [ChangeRow("done", m.title) for m in diff["done"]]
    rows += [ChangeRow("given_up", m.title) for m in diff["given_up"]]
    rows += [ChangeRow("not_carried", m.title) for m in diff["dropped"]]
    return Changes(processes.get_process(session, process.previous_id).title, rows)


# --- renderings -----------------------------------------------------------------------------------

def compendium_html(compendium: Compendium, asset_url=None) -> str:
    from flask import render_template
    from flask_babel import force_locale

    from flask_babel import gettext as _

    from .html import Formats, horizon_name, page_footer_content, report_app, text_direction
    from .pdf import STATIC

    asset_url = asset_url or (lambda path: (STATIC / path).as_uri())
    with report_app().app_context(), force_locale(compendium.language):
        return render_template("reports/compendium.html", c=compendium, asset_url=asset_url,
                               footer_content=page_footer_content(_("Page {page} of {pages}")),
                               fmt=Formats(compendium.language), text_dir=text_direction,
                               horizon_name=horizon_name, kind_name=kind_name,
                               guideline_heading=guideline_heading, consent_line=consent_line,
                               change_name=change_name, priority_name=priority_name,
                               priority_line=priority_line)


def guideline_heading(row: GuidelineRow) -> str:
    from flask_babel import gettext as _
    return _("Guideline (version %(version)s)", version=row.version)


def consent_line(row: GuidelineRow) -> str:
    """The consent check's outcome in one sentence (the figures are total resistance, 0–10 per
    phone and option)."""
    from flask_babel import gettext as _
    if not row.checked:
        return _("No consent check has been held on this version.")
    if row.adopted is None:
        return _("Consent check still open (answers so far: %(answers)s).", answers=row.answers)
    figures = dict(answers=row.answers, resistance=row.resistance, passive=row.passive)
    if row.adopted:
        return _("Adopted by consent check (answers: %(answers)s, total resistance "
                 "%(resistance)s; keep drafting: %(passive)s).", **figures)
    return _("Not adopted in the consent check (answers: %(answers)s, total resistance "
             "%(resistance)s; keep drafting: %(passive)s).", **figures)


def change_name(kind: str) -> str:
    from flask_babel import gettext as _
    return {"new": _("New"), "changed": _("Changed"), "done": _("Done"),
            "given_up": _("Dropped"), "not_carried": _("Not carried on"),
            "kept": _("Unchanged")}.get(kind, kind)


def priority_name(priority: int) -> str:
    from flask_babel import gettext as _
    return {1: _("high"), 2: _("medium"), 3: _("low")}.get(priority, str(priority))


def priority_line(priority: int, decided_on, fmt) -> str:
    """The steering group's decided priority of a field in one line."""
    from flask_babel import gettext as _
    if decided_on:
        return _("Priority set by the steering group: %(priority)s (%(name)s), decided on "
                 "%(date)s.", priority=priority, name=priority_name(priority),
                 date=fmt.day(decided_on, "medium"))
    return _("Priority set by the steering group: %(priority)s (%(name)s).",
             priority=priority, name=priority_name(priority))


def kind_name(kind: str) -> str:
    from flask_babel import gettext as _
    return {"kickoff": _("Kick-off"), "workshop": _("Workshop"),
            "steering": _("Steering group session"),
            "closing": _("Closing event"),
            "working_group": _("Working group meeting")}.get(kind, kind)


def render_pdf(compendium: Compendium, target) -> int:
    """Write the compendium as a tagged PDF (PDF/UA-1, like the record); returns its pages."""
    from .pdf import PDF_VARIANT, STATIC, _weasyprint, restricted_fetcher
    from .tagging import pdf_ua_details

    weasyprint, _, _ = _weasyprint()
    html = compendium_html(compendium)
    fetcher = restricted_fetcher([STATIC])
    document = weasyprint.HTML(string=html, base_url=STATIC.as_uri() + "/",
                               url_fetcher=fetcher).render(pdf_variant=PDF_VARIANT)
    with pdf_ua_details():
        document.write_pdf(target, pdf_variant=PDF_VARIANT)
    return len(document.pages)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def export_csv(compendium: Compendium) -> bytes:
    """Every measure of the process, once: UTF-8 with BOM, `;`, CRLF (what German Excel opens)."""
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from .html import report_app

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    with report_app().app_context(), force_locale(compendium.language):
        writer.writerow([_("No."), _("Measure"), _("Description"), _("Thematic field"),
                         _("Responsible"), _("Partners"), _("Horizon"), _("From event"),
                         _("From cluster"), _("Source cards"), _("Carried into"), _("Status"),
                         _("Start period"), _("Responsible organisation"), _("Decided on"),
                         _("What changed"), _("Participants' dots"), _("Steering group's dots")])
        from .html import horizon_name
        from .sections import status_name
        for row in compendium.catalogue:
            writer.writerow([_cell(v) for v in (
                row.number, row.title, row.description, row.field, row.responsible,
                row.partners, horizon_name(row.horizon), row.origin_event, row.origin_cluster,
                " | ".join(row.source_cards), " | ".join(row.carried_into),
                status_name(row.status) if row.status else "", row.start_period,
                row.scheduled_responsible, row.decided_on.isoformat() if row.decided_on else "",
                change_name(row.change) if row.change else "", row.participants,
                row.steering)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_docx(compendium: Compendium) -> bytes:
    """The compendium as a Word file: real headings, tables with a repeated header row."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from flask_babel import force_locale
    from flask_babel import gettext as _

    from .html import Formats, horizon_name, report_app

    document = Document()
    fmt = Formats(compendium.language)

    def table(headers, rows):
        grid = document.add_table(rows=1, cols=len(headers))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, headers):
            cell.text = text
        header = grid.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        header.append(repeat)
        for values in rows:
            for cell, text in zip(grid.add_row().cells, values):
                cell.text = str(text)

    with report_app().app_context(), force_locale(compendium.language):
        document.core_properties.title = compendium.title
        document.core_properties.language = compendium.language
        document.add_heading(compendium.title, 0)
        if compendium.organiser:
            document.add_paragraph(compendium.organiser)
        document.add_paragraph(_("Compendium of the participation process"))
        document.add_heading(_("Events"), 1)
        table([_("No."), _("Event"), _("Kind"), _("Date"), _("Thematic fields"),
               _("Participants"), _("Cards")],
              [(e.number, e.title, kind_name(e.kind), fmt.day(e.event_date, "medium"),
                ", ".join(e.fields), e.participants, e.cards) for e in compendium.events])
        for chapter in compendium.chapters:
            document.add_heading(chapter.title, 1)
            if chapter.question:
                document.add_paragraph(chapter.question)
            if chapter.priority:
                document.add_paragraph(priority_line(chapter.priority,
                                                     chapter.priority_decided_on, fmt))
            if chapter.guideline:
                document.add_heading(guideline_heading(chapter.guideline), 2)
                document.add_paragraph(chapter.guideline.text)
                document.add_paragraph(consent_line(chapter.guideline))
            if not chapter.results:
                document.add_paragraph(_("No event has worked on this field yet."))
            for result in chapter.results:
                document.add_heading(result.event_title, 2)
                for cluster in result.clusters:
                    document.add_paragraph(cluster.heading or _("(no heading)"),
                                           style="List Bullet")
                    for card in cluster.cards:
                        document.add_paragraph(card, style="List Bullet 2")
                for card in result.loose_cards:
                    document.add_paragraph(card, style="List Bullet")
                for title in result.measures:
                    document.add_paragraph(_("Measure") + ": " + title)
        for stock in compendium.stocktaking:  # Bestandsaufnahme: a table per municipality
            document.add_heading(f'{_("Stock-taking: existing offers")}: {stock.event_title} – '
                                 f"{stock.board_title}", 1)
            for name, rows in stock.groups:
                if stock.group_label:
                    document.add_heading(f"{stock.group_label}: {name or _('(not given)')}", 2)
                table([_("No.")] + stock.labels + [_("Already exists")],
                      [[number] + values + [_("yes") if exists else _("no")]
                       for number, (values, exists) in enumerate(rows, 1)])
        if compendium.changes:
            document.add_heading(_("What changed since “%(title)s”",
                                   title=compendium.changes.previous_title), 1)
            table([_("Change"), _("Measure")],
                  [(change_name(r.kind) + (f" ({', '.join(r.detail)})" if r.detail else ""),
                    r.title) for r in compendium.changes.rows])
        document.add_heading(_("Measure catalogue"), 1)
        table([_("No."), _("Measure"), _("Thematic field"), _("Responsible"), _("Horizon"),
               _("From event"), _("Start period"), _("Responsible organisation"),
               _("Decided on"), _("Participants' dots"), _("Steering group's dots")],
              [(r.number, r.title, r.field, r.responsible, horizon_name(r.horizon),
                r.origin_event, r.start_period, r.scheduled_responsible,
                fmt.day(r.decided_on, "medium") if r.decided_on else "", r.participants,
                r.steering) for r in compendium.catalogue])
        if compendium.priorities or compendium.schedule:
            document.add_heading(_("Decisions of the steering group"), 1)
        if compendium.priorities:
            document.add_heading(_("Priority of the thematic fields"), 2)
            table([_("Rank"), _("Thematic field"), _("Priority"), _("Decided on")],
                  [(n, p.field, f"{p.priority} ({priority_name(p.priority)})",
                    fmt.day(p.decided_on, "medium") if p.decided_on else "")
                   for n, p in enumerate(compendium.priorities, 1)])
        if compendium.schedule:
            document.add_heading(_("Schedule of measures"), 2)
            table([_("Measure"), _("Thematic field"), _("Start period"),
                   _("Responsible organisation"), _("Decided on")],
                  [(r.title, r.field, r.start_period, r.responsible,
                    fmt.day(r.decided_on, "medium") if r.decided_on else "")
                   for r in compendium.schedule])
        if compendium.working_groups:
            document.add_heading(_("Working groups"), 1)
            table([_("Thematic field"), _("Members with contact"), _("Interested"),
                   _("Meetings")],
                  [(w.field, w.members, w.interested, ", ".join(w.meetings))
                   for w in compendium.working_groups])
        if compendium.steering_members:
            document.add_heading(_("Steering group"), 1)
            for name in compendium.steering_members:
                document.add_paragraph(name, style="List Bullet")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def generate(database_url: str, process_id: int, fmt: str, out, progress=lambda stage: None
             ) -> dict:
    """The job runner's entry (facilitator.jobs, kind "compendium_<fmt>"): read, render, and put
    the file at `out` only once it is complete."""
    import os
    from pathlib import Path

    from sqlalchemy.orm import Session as _Session

    from ..database import make_engine

    engine = make_engine(database_url)
    try:
        with _Session(engine) as session:
            progress("reading")
            built = build_compendium(session, process_id)
    finally:
        engine.dispose()
    progress("writing")
    out = Path(out)
    partial = out.with_name(out.name + ".part")
    pages = None
    if fmt == "pdf":
        pages = render_pdf(built, partial)
    else:
        partial.write_bytes(export_docx(built) if fmt == "docx" else export_csv(built))
    os.replace(partial, out)
    return {"pages": pages, "events": len(built.events), "measures": len(built.catalogue)}
