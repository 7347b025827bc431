"""The documentation as a Word file (DOCX), for organisers who edit it further.

Built from `build_record`, so it follows the same conventions as the PDF: no author names unless
asked for, hidden cards only counted, results only of closed or revealed rounds. Real headings
(so Word's navigation pane and table of contents work), tables with a repeated header row,
alternative text on every picture, the document language set, right-to-left paragraphs for Arabic
and Farsi cards. "Next steps" and "How the results will be used" are left as marked placeholders
to fill in: the documentation must not go out without them (DOMAIN.md §3.3).
"""
import io
import os
import re
import unicodedata
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph
from sqlalchemy.orm import Session

from ..domain import photos as photo_store
from .record import Card, RoundRecord, WorkshopRecord, build_record

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TIMEZONE = os.environ.get("REPORT_TIMEZONE", "Europe/Berlin")
PICTURE_BOX = (Cm(15.5), Cm(17))  # the largest a photo may take on A4 with margins
LOGO_BOX = (Cm(6), Cm(3.5))
LOCALES = {"de": "de-DE", "en": "en-GB"}
# Characters XML 1.0 cannot hold (other control characters, lone surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

LABELS = {
    "de": {
        "contents": "Inhalt", "contents_hint": "Das Inhaltsverzeichnis füllt Word beim Öffnen "
        "(Felder aktualisieren) oder mit Rechtsklick › Feld aktualisieren.",
        "date": "Datum", "place": "Ort", "organiser": "Veranstaltet von", "process": "Prozess",
        "purpose": "Anlass und Ziel", "agenda": "Ablauf", "board": "Tafel", "phase": "Phase",
        "start": "Beginn", "end": "Ende",
        "phases": {"collect": "Sammeln", "cluster": "Clustern", "prioritise": "Priorisieren",
                   "results": "Ergebnisse"},
        "participation": "Teilnehmende",
        "joined": "Teilgenommen haben {total} Personen; {active} haben Karten geschrieben oder "
                  "abgestimmt, {voters} haben abgestimmt.",
        "group": "Gruppe", "people": "Personen", "no_group": "keine Angabe",
        "cards": "Karten", "posters": "Personen mit Karten",
        "results": "Ergebnisse je Thementisch", "question": "Leitfrage",
        "unclustered": "Ohne Cluster", "points": "Punkte", "rank": "Rang",
        "also_said": "auch genannt", "original": "ursprünglich",
        "round_dots": "Punktabfrage", "round_consent": "Konsenscheck (Widerstand 0–10)",
        "voters": "{voters} Personen haben abgestimmt.", "item": "Eintrag",
        "resistance": "Widerstand gesamt", "answers": "Antworten", "vetos": "Vetos (10)",
        "passive": "(alles bleibt, wie es ist)", "final_order": "Prioritätenfolge der Moderation",
        "matrix": "Wirkung-Aufwand-Matrix", "effort": "Aufwand (0–1)", "impact": "Wirkung (0–1)",
        "photos": "Fotos", "photo": "Foto",
        "measures": "Priorisierte Maßnahmen", "measure": "Maßnahme", "field": "Handlungsfeld",
        "responsible": "Zuständig", "horizon": "Zeithorizont",
        "horizons": {"": "", "short": "kurzfristig", "medium": "mittelfristig",
                     "long": "langfristig"},
        "workshop_rounds": "Konsenscheck für den ganzen Workshop",
        "next_steps": "Nächste Schritte",
        "use_of_results": "Umgang mit den Ergebnissen",
        "placeholder": "[Bitte ergänzen: Diese Angaben gehören in jede Dokumentation.]",
        "appendix": "Anhang: alle Karten im Wortlaut",
        "hidden": "{count} Karte(n) wurden von der Moderation ausgeblendet; ihr Text ist nicht "
                  "abgedruckt.",
        "none": "Keine Karten.",
        "generated": "Erstellt mit Facilitator am {date}.",
    },
    "en": {
        "contents": "Contents", "contents_hint": "Word fills in the table of contents when it "
        "updates fields (on opening, or right-click › Update field).",
        "date": "Date", "place": "Place", "organiser": "Organised by", "process": "Process",
        "purpose": "Purpose of the event", "agenda": "Agenda as it ran", "board": "Board",
        "phase": "Phase", "start": "Start", "end": "End",
        "phases": {"collect": "Collecting", "cluster": "Clustering", "prioritise": "Prioritising",
                   "results": "Results"},
        "participation": "Participation",
        "joined": "{total} people took part; {active} wrote cards or voted, {voters} voted.",
        "group": "Group", "people": "People", "no_group": "not stated",
        "cards": "Cards", "posters": "People who wrote cards",
        "results": "Results by board", "question": "Guiding question",
        "unclustered": "Not in a cluster", "points": "Votes", "rank": "Rank",
        "also_said": "also said", "original": "originally",
        "round_dots": "Dot voting", "round_consent": "Consent check (resistance 0–10)",
        "voters": "{voters} people voted.", "item": "Item",
        "resistance": "Total resistance", "answers": "Answers", "vetos": "Vetoes (10)",
        "passive": "(leave things as they are)", "final_order": "Facilitator's priority order",
        "matrix": "Impact/effort matrix", "effort": "Effort (0–1)", "impact": "Impact (0–1)",
        "photos": "Photos", "photo": "Photo",
        "measures": "Prioritised measures", "measure": "Measure", "field": "Field",
        "responsible": "Responsible", "horizon": "Time horizon",
        "horizons": {"": "", "short": "short term", "medium": "medium term",
                     "long": "long term"},
        "workshop_rounds": "Consent checks for the whole workshop",
        "next_steps": "Next steps",
        "use_of_results": "How the results will be used",
        "placeholder": "[Please complete: every documentation needs this section.]",
        "appendix": "Appendix: every card verbatim",
        "hidden": "{count} card(s) were hidden by moderation; their text is not printed.",
        "none": "No cards.",
        "generated": "Made with Facilitator on {date}.",
    },
}


def _clean(text) -> str:
    return _NOT_XML.sub("", str(text or ""))


def direction(text: str) -> str:
    """"rtl" or "ltr" by the first strong character (what `dir="auto"` does in browsers)."""
    for char in text or "":
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


class _Writer:
    """Adds the record's parts to one python-docx Document."""

    def __init__(self, record: WorkshopRecord, upload_dir: Path) -> None:
        self.record, self.upload_dir = record, upload_dir
        self.language = record.language if record.language in LABELS else "en"
        self.t = LABELS[self.language]
        try:
            self.zone = ZoneInfo(TIMEZONE)
        except (ZoneInfoNotFoundError, ValueError):
            self.zone = None
        self.doc = Document()
        self.style_ids: dict[str, str] = {}
        self._setup()

    # -- building blocks -------------------------------------------------------------------

    def _setup(self) -> None:
        record, doc = self.record, self.doc
        properties = doc.core_properties
        properties.title = _clean(record.title)
        properties.author = _clean(record.organiser) or "Facilitator"
        properties.subject = _clean(record.process_title)
        properties.language = LOCALES.get(self.language, self.language)
        properties.comments = ""
        # Document language on the default run style, so spell checking and screen readers know.
        rpr = doc.styles["Normal"].element.get_or_add_rPr()
        lang = OxmlElement("w:lang")
        lang.set(qn("w:val"), LOCALES.get(self.language, self.language))
        lang.set(qn("w:bidi"), "ar-SA")
        rpr.append(lang)
        doc.styles["Normal"].font.size = Pt(11)
        # Ask Word to fill the table of contents (and other fields) when the file is opened.
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        doc.settings.element.append(update)

    def paragraph(self, text: str = "", style: str | None = None, bold: bool = False,
                  italic: bool = False):
        text = _clean(text)
        paragraph = self._new_paragraph()
        if style:
            # Set by id: python-docx looks a style name up in O(styles) XPath each time, which
            # made a 5,000-card record take 15 s instead of 2 s.
            if style not in self.style_ids:
                self.style_ids[style] = self.doc.styles[style].style_id
            paragraph._p.style = self.style_ids[style]
        if text:
            run = paragraph.add_run(text)
            if bold:
                run.bold = True
            if italic:
                run.italic = True
            if direction(text) == "rtl":
                self._right_to_left(paragraph, run)
        return paragraph

    def _new_paragraph(self) -> Paragraph:
        """An empty paragraph at the end of the body. python-docx searches the whole body for
        its closing section properties on every paragraph it adds (quadratic: 5,000 cards took
        10 s); the closing element is always the body's last child, so insert before it."""
        body = self.doc.element.body
        element = OxmlElement("w:p")
        last = body[-1] if len(body) else None
        if last is not None and last.tag == qn("w:sectPr"):
            last.addprevious(element)
        else:
            body.append(element)
        return Paragraph(element, self.doc._body)

    @staticmethod
    def _right_to_left(paragraph, run) -> None:
        ppr = paragraph._p.get_or_add_pPr()
        ppr.append(OxmlElement("w:bidi"))
        rtl = OxmlElement("w:rtl")
        run._r.get_or_add_rPr().append(rtl)

    def heading(self, text: str, level: int):
        paragraph = self.doc.add_heading(level=level)
        run = paragraph.add_run(_clean(text))
        if direction(text) == "rtl":
            self._right_to_left(paragraph, run)
        return paragraph

    def table(self, header: list[str], rows: list[list[str]]):
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        head = table.rows[0]
        # Repeat the header row on every page, and mark it as the header for screen readers.
        marker = OxmlElement("w:tblHeader")
        marker.set(qn("w:val"), "true")
        head._tr.get_or_add_trPr().append(marker)
        for cell, text in zip(head.cells, header):
            cell.text = ""
            run = cell.paragraphs[0].add_run(_clean(text))
            run.bold = True
        for values in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, values):
                text = _clean(value)
                cell.text = text
                if direction(text) == "rtl":
                    paragraph = cell.paragraphs[0]
                    self._right_to_left(paragraph, paragraph.runs[0])
        self.doc.add_paragraph()
        return table

    def picture(self, filename: str, caption: str, box=PICTURE_BOX, alt: str = "") -> bool:
        path = self.upload_dir / filename
        try:
            from PIL import Image
            with Image.open(path) as image:
                width, height = image.size
        except OSError:
            return False  # the file is gone: leave the picture out rather than fail
        scale = min(box[0] / width, box[1] / height)
        self.doc.add_picture(str(path), width=int(width * scale), height=int(height * scale))
        shape = self.doc.inline_shapes[-1]
        shape._inline.docPr.set("descr", _clean(alt or caption or self.t["photo"]))
        if caption:
            self.paragraph(caption, style="Caption")
        return True

    def time(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        local = moment.astimezone(self.zone) if self.zone else moment
        return local.strftime("%H:%M") if self.record.event_date == local.date() else \
            local.strftime("%d.%m.%Y %H:%M" if self.language == "de" else "%Y-%m-%d %H:%M")

    def card_text(self, card: Card) -> str:
        text = card.text
        if card.original_text:
            text += f" ({self.t['original']}: {card.original_text})"
        if card.author:
            text += f" — {card.author}"
        return text

    # -- the sections ----------------------------------------------------------------------

    def cover(self) -> None:
        record, t = self.record, self.t
        if record.logo:
            self.picture(record.logo.filename, "", LOGO_BOX, alt=record.organiser or t["photo"])
        self.doc.add_heading(_clean(record.title), level=0)
        if record.process_title:
            self.paragraph(record.process_title, style="Subtitle")
        details = []
        if record.event_date:
            details.append((t["date"], format_date(record.event_date, "long",
                                                   locale=LOCALES[self.language].replace("-", "_"))))
        if record.place:
            details.append((t["place"], record.place))
        if record.organiser:
            details.append((t["organiser"], record.organiser))
        for label, value in details:
            paragraph = self.doc.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(_clean(value))
        self.paragraph(t["generated"].format(date=format_date(
            record.generated_at.date(), "long", locale=LOCALES[self.language].replace("-", "_"))),
            style="Normal", italic=True)
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        self.contents()

    def contents(self) -> None:
        """A Word table-of-contents field (levels 1–2), filled when Word updates fields."""
        self.paragraph(self.t["contents"], style="TOC Heading")
        paragraph = self.doc.add_paragraph()
        # A complex field: begin, instruction, separate, the text shown until Word updates, end;
        # each part in a run of its own, as Word writes them.
        for kind, text in (("begin", None), ("instr", 'TOC \\o "1-2" \\h \\z \\u'),
                           ("separate", None), ("text", self.t["contents_hint"]), ("end", None)):
            run = paragraph.add_run()
            if kind == "instr":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._r.append(instr)
            elif kind == "text":
                run.text = text
            else:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._r.append(char)
        self.doc.add_section(WD_SECTION.NEW_PAGE)

    def purpose_and_agenda(self) -> None:
        record, t = self.record, self.t
        self.heading(t["purpose"], 1)
        for block in (record.purpose or "").split("\n\n"):
            if block.strip():
                self.paragraph(block.strip())
        self.heading(t["agenda"], 1)
        rows = [[board.title, t["phases"].get(span.phase, span.phase), self.time(span.start),
                 self.time(span.end)] for board in record.agenda for span in board.phases]
        self.table([t["board"], t["phase"], t["start"], t["end"]], rows)

    def participation(self) -> None:
        p, t = self.record.participation, self.t
        self.heading(t["participation"], 1)
        self.paragraph(t["joined"].format(total=p.total, active=p.active, voters=p.voters))
        if p.by_group:
            self.table([t["group"], t["people"]],
                       [[g.name or t["no_group"], g.shown] for g in p.by_group])
        self.table([t["board"], t["posters"], t["cards"]],
                   [[b.title, str(b.participants), str(b.cards)] for b in p.by_board])

    def round_table(self, round_: RoundRecord) -> None:
        t = self.t
        title = t["round_dots"] if round_.kind == "dots" else t["round_consent"]
        self.paragraph(f"{title}: {round_.question}" if round_.question else title, bold=True)
        self.paragraph(t["voters"].format(voters=round_.voters), style="Normal")
        if round_.kind == "dots":
            self.table([t["rank"], t["item"], t["points"]],
                       [[f"{row.rank}{'=' if row.tie else ''}", row.label, str(row.score)]
                        for row in round_.rows])
        else:
            self.table([t["rank"], t["item"], t["resistance"], t["answers"], t["vetos"]],
                       [[str(row.rank), row.label + (f" {t['passive']}" if row.passive else ""),
                         str(row.score), str(row.answers or 0),
                         str((row.distribution or [0] * 11)[-1])] for row in round_.rows])
        if round_.final_order:
            self.paragraph(t["final_order"], bold=True)
            for position, label in enumerate(round_.final_order, start=1):
                self.paragraph(f"{position}. {label}")

    def board_results(self) -> None:
        t = self.t
        self.heading(t["results"], 1)
        for board in self.record.boards:
            self.heading(board.title, 2)
            if board.question:
                self.paragraph(f"{t['question']}: {board.question}", italic=True)
            groups = [(c.heading or "—", c.votes, c.rank, c.cards) for c in board.clusters]
            if board.unclustered:
                groups.append((t["unclustered"], None, None, board.unclustered))
            for heading, votes, rank, cards in groups:
                suffix = f" ({votes} {t['points']}, {t['rank']} {rank})" if votes is not None \
                    else ""
                self.heading(heading + suffix, 3)
                for card in cards:
                    extra = f" ({card.votes} {t['points']})" if card.votes is not None else ""
                    self.paragraph(self.card_text(card) + extra, style="List Bullet")
                    for duplicate in card.duplicates:
                        self.paragraph(f"{t['also_said']}: {self.card_text(duplicate)}",
                                       style="List Bullet 2")
            for round_ in board.rounds:
                self.round_table(round_)
            if board.matrix:
                self.paragraph(t["matrix"], bold=True)
                self.table([t["item"], t["effort"], t["impact"]],
                           [[m.heading, f"{m.effort:.2f}", f"{m.impact:.2f}"]
                            for m in board.matrix])
            for photo in board.photos:
                self.picture(photo.filename, photo.caption)
            if board.hidden_count:
                self.paragraph(t["hidden"].format(count=board.hidden_count), italic=True)

    def measures(self) -> None:
        record, t = self.record, self.t
        if record.measures:
            self.heading(t["measures"], 1)
            self.table([t["rank"], t["measure"], t["field"], t["points"], t["responsible"],
                        t["horizon"]],
                       [[str(m.rank or ""), m.title + (f" — {m.description}" if m.description
                                                       else ""),
                         m.thematic_field or m.board_title,
                         "" if m.score is None else str(m.score), m.responsible,
                         t["horizons"].get(m.horizon, m.horizon)] for m in record.measures])
        if record.workshop_rounds:
            self.heading(t["workshop_rounds"], 1)
            for round_ in record.workshop_rounds:
                self.round_table(round_)
        if record.photos:
            self.heading(t["photos"], 1)
            for photo in record.photos:
                self.picture(photo.filename, photo.caption)

    def to_complete(self) -> None:
        for key in ("next_steps", "use_of_results"):
            self.heading(self.t[key], 1)
            self.paragraph(self.t["placeholder"], italic=True)

    def appendix(self) -> None:
        t = self.t
        self.doc.add_section(WD_SECTION.NEW_PAGE)
        self.heading(t["appendix"], 1)
        for board in self.record.appendix:
            self.heading(board.title, 2)
            if not board.cards:
                self.paragraph(t["none"], italic=True)
            number = 0
            for card in board.cards:
                for each in [card, *card.duplicates]:
                    number += 1
                    self.paragraph(f"{number}. {self.card_text(each)}")
            if board.hidden_count:
                self.paragraph(t["hidden"].format(count=board.hidden_count), italic=True)

    def build(self) -> bytes:
        self.cover()
        self.purpose_and_agenda()
        self.participation()
        self.board_results()
        self.measures()
        self.to_complete()
        self.appendix()
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def render_docx(record: WorkshopRecord, upload_dir: Path) -> bytes:
    """The record as DOCX bytes; photos are read from `upload_dir` (the workshop's folder)."""
    return _Writer(record, Path(upload_dir)).build()


def export_docx(session: Session, workshop_id: int, include_names: bool = False) -> bytes:
    record = build_record(session, workshop_id, include_names=include_names)
    return render_docx(record, photo_store.upload_root(session) / str(workshop_id))
