"""The documentation as a Word file (DOCX), for organisers who edit it further.

Built from `build_record`, so it follows the same conventions as the PDF: no author names unless
asked for, hidden cards only counted, results only of closed or revealed rounds. It tells the
same story as the PDF: the same labels (from the same gettext catalogue, so "Thementisch",
"Platz" and "Widerstandsabfrage" in both), the same card numbers (`Card.number`), the consent
bands and where each measure came from. Real headings (so Word's navigation pane and table of
contents work), tables with a repeated header row, alternative text on every picture, the
document language set, right-to-left paragraphs for Arabic and Farsi cards. Sections without
content are left out, never printed as placeholders.
"""
import io
import os
import re
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import Session

from ..domain import photos as photo_store
from .html import Formats, consent_bands, horizon_name, phase_name, report_app, text_direction
from . import docx_sections
from ..card_sources import source_label
from .record import Card, RoundRecord, WorkshopRecord, build_record

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PICTURE_BOX = (Cm(15.5), Cm(17))  # the largest a photo may take on A4 with margins
LOGO_BOX = (Cm(6), Cm(3.5))
LOCALES = {"de": "de-DE", "en": "en-GB", "ar": "ar-SA", "fa": "fa-IR", "tr": "tr-TR",
           "uk": "uk-UA", "ru": "ru-RU"}
# Characters XML 1.0 cannot hold (other control characters, lone surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

def _clean(text) -> str:
    return _NOT_XML.sub("", str(text or ""))


direction = text_direction
QUOTES = {"de": ("„", "“")}


def isolate(text: str) -> str:
    """User text inside a sentence of the record: isolated (FSI … PDI), so an Arabic quote keeps
    its place and the quotes around it (what <bdi> does in the PDF)."""
    return f"\u2068{text}\u2069" if direction(text) == "rtl" else text


class _Writer:
    """Adds the record's parts to one python-docx Document."""

    def __init__(self, record: WorkshopRecord, upload_dir: Path) -> None:
        self.record, self.upload_dir = record, upload_dir
        self.language = record.language
        self.fmt = Formats(record.language)
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
        shape._inline.docPr.set("descr", _clean(alt or caption or _("Photo of a board")))
        if caption:
            self.paragraph(caption, style="Caption")
        return True

    def quoted(self, text: str) -> str:
        opening, closing = QUOTES.get(self.language, ("“", "”"))
        return f"{opening}{isolate(text)}{closing}"

    def card_text(self, card: Card) -> str:
        text = card.text
        if card.original_text:
            text += f" ({_('original:')} {card.original_text})"
        if card.translation:
            text += f" ({_('Translation')}, {card.translation_lang}: {card.translation})"
        if card.source != "phone":
            text += f" [{source_label(card.source)}]"
        if card.author:
            text += f" — {card.author}"
        return text

    # -- the sections ----------------------------------------------------------------------

    def cover(self) -> None:
        record = self.record
        if record.logo:
            self.picture(record.logo.filename, "", LOGO_BOX,
                         alt=record.logo.caption or _("Logo"))
        self.doc.add_heading(_clean(record.title), level=0)
        if record.process_title:
            self.paragraph(record.process_title, style="Subtitle")
        details = []
        if record.event_date:
            details.append((_("Date"), self.fmt.day(record.event_date, "full")))
        if record.place:
            details.append((_("Place"), record.place))
        if record.organiser:
            details.append((_("Organiser"), record.organiser))
        for label, value in details:
            paragraph = self.doc.add_paragraph()
            paragraph.add_run(f"{label}: ").bold = True
            paragraph.add_run(_clean(value))
        self.paragraph(_("Generated by Facilitator on %(date)s.",
                         date=self.fmt.stamp(record.generated_at)), style="Normal", italic=True)
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        self.contents()

    def contents(self) -> None:
        """A Word table-of-contents field (levels 1–2), filled when Word updates fields."""
        self.paragraph(_("Contents"), style="TOC Heading")
        paragraph = self.doc.add_paragraph()
        # A complex field: begin, instruction, separate, the text shown until Word updates, end;
        # each part in a run of its own, as Word writes them.
        for kind, text in (("begin", None), ("instr", 'TOC \\o "1-2" \\h \\z \\u'),
                           ("separate", None), ("text", _("Word fills in the table of contents when it updates fields (on opening, or right-click › Update field).")), ("end", None)):
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
        record = self.record
        self.heading(_("Purpose of the event"), 1)
        for block in (record.purpose or "").split("\n\n"):
            if block.strip():
                self.paragraph(block.strip())
        if record.process_title:
            self.paragraph(f"{_('Part of the participation process:')} {record.process_title}")
        self.heading(_("Agenda as it ran"), 1)
        rows = [[board.title, phase_name(span.phase), self.fmt.span(span.start, span.end)]
                for board in record.agenda for span in board.phases]
        self.table([_("Board"), _("Phase"), _("Time")], rows)

    def participation(self) -> None:
        p = self.record.participation
        self.heading(_("Participation"), 1)
        self.paragraph(_("%(total)s devices joined the workshop; %(active)s of them posted cards "
                         "or voted, %(voters)s took part in votes.",
                         total=p.total, active=p.active, voters=p.voters))
        if p.by_group:
            self.table([_("Stakeholder group"), _("Participants")],
                       [[g.name or _("No group given"), g.shown] for g in p.by_group])
            note = _("Groups of fewer than five people are shown as “< 5” so that nobody can "
                     "be identified.")
            if any(g.shown == "*" for g in p.by_group):
                note += " " + _("“*”: a group of five or more that is not shown either, because "
                                "otherwise the small group could be worked out from the total.")
            self.paragraph(note, italic=True)
        self.table([_("Board"), _("People who posted"), _("Cards")],
                   [[b.title, str(b.participants), str(b.cards)] for b in p.by_board])

    def round_table(self, round_: RoundRecord) -> None:
        title = _("Dot voting") if round_.kind == "dots" else _("Consent check")
        self.paragraph(f"{title}: {self.quoted(round_.question)}" if round_.question else title,
                       bold=True)
        if round_.kind == "dots":
            what = {"idea": _("card"), "cluster": _("cluster"),
                    "measure": _("measure")}[round_.target_kind]
            self.paragraph(ngettext("%(num)s person voted, with %(dots)s dots each.",
                                    "%(num)s people voted, with %(dots)s dots each.",
                                    round_.voters, dots=round_.dots_per_person))
            self.table([_("Rank"), what.capitalize(), _("Dots")],
                       [[f"{row.rank}{'=' if row.tie else ''}", row.label, str(row.score)]
                        for row in round_.rows])
        else:
            self.paragraph(ngettext(
                "%(num)s person rated their resistance to each option from 0 (none) to 10 "
                "(veto).", "%(num)s people rated their resistance to each option from 0 (none) "
                "to 10 (veto).", round_.voters))
            self.table([_("Rank"), _("Option"), _("Total resistance"), _("Answers"), "0", "1–3",
                        "4–6", "7–9", _("10 (veto)")],
                       [[f"{row.rank}{'=' if row.tie else ''}",
                         row.label + (f" ({_('leave things as they are')})" if row.passive
                                      else ""), str(row.score), str(row.answers or 0),
                         *map(str, consent_bands(row.distribution))] for row in round_.rows])

    def final_order(self, labels: list[str]) -> None:
        if labels:
            self.paragraph(f"{_('Final priority order')} {_('(recorded by the facilitation team)')}",
                           bold=True)
            for position, label in enumerate(labels, start=1):
                self.paragraph(f"{position}. {label or _('(no heading)')}")

    def votes_from(self, message: str, question: str | None) -> None:
        if question is not None:
            self.paragraph(f"{message} {self.quoted(question)}." if question else f"{message}.",
                           italic=True)

    def board_results(self) -> None:
        self.heading(_("Results by board"), 1)
        for board in self.record.boards:
            self.heading(board.title, 2)
            if board.question:
                self.paragraph(f"{_('Guiding question:')} {self.quoted(board.question)}",
                               italic=True)
            self.votes_from(_("Dots on the clusters are from the dot voting"),
                            board.cluster_votes_from)
            self.votes_from(_("Dots on the cards are from the dot voting"),
                            board.card_votes_from)
            docx_sections.board_texts(self, board)
            groups = [(c.heading or _("Cluster %(number)s", number=n), c.votes, c.rank, c.cards)
                      for n, c in enumerate(board.clusters, start=1)]
            if board.unclustered:
                groups.append((_("Cards not in a cluster") if board.clusters else _("Cards"),
                               None, None, board.unclustered))
            for heading, votes, rank, cards in groups:
                suffix = (f" ({ngettext('%(num)s dot', '%(num)s dots', votes)}, "
                          f"{_('rank %(rank)s', rank=rank)})" if votes is not None else "")
                self.heading(heading + suffix, 3)
                for card in cards:
                    extra = (f" ({ngettext('%(num)s dot', '%(num)s dots', card.votes)})"
                             if card.votes else "")
                    self.paragraph(self.card_text(card) + extra, style="List Bullet")
                    for duplicate in card.duplicates:
                        self.paragraph(f"= {self.card_text(duplicate)}", style="List Bullet 2")
            for round_ in board.rounds:
                self.round_table(round_)
            if board.matrix:
                self.paragraph(_("Impact and effort"), bold=True)
                self.table([_("No."), _("Cluster"), _("Impact"), _("Effort")],
                           [[str(n), m.heading, f"{round(m.impact * 100)} %",
                             f"{round(m.effort * 100)} %"]
                            for n, m in enumerate(board.matrix, start=1)])
            self.final_order(board.final_order)
            docx_sections.board_open_points(self, board)
            for photo in board.photos:
                self.picture(photo.filename, photo.caption)
            if board.hidden_count:
                self.paragraph(ngettext(
                    "%(num)s card hidden by moderation (not documented)",
                    "%(num)s cards hidden by moderation (not documented)", board.hidden_count),
                    italic=True)

    def measures(self) -> None:
        """The action plan as a table of its own (for the steering group), with where each
        measure came from."""
        record = self.record
        if record.workshop_rounds:
            self.heading(_("Decisions for the whole workshop"), 1)
            for round_ in record.workshop_rounds:
                self.round_table(round_)
        if record.measures:
            self.heading(_("Prioritised measures"), 1)
            if record.measures_round:
                self.paragraph(_(
                    "In the order of the vote “%(question)s” (%(voters)s people voted); measures "
                    "not in that vote follow.", question=record.measures_round.question
                    or _("Prioritising measures"), voters=record.measures_round.voters) + " "
                    + _("The dots of each measure are from this vote."))
            self.table([_("Rank"), _("measure").capitalize(), _("Thematic field"), _("Dots"),
                        _("Responsible"), _("Partners"), _("Time horizon"),
                        _("From the cluster"), _("From the cards")],
                       [[str(m.rank or ""), m.title + (f" — {m.description}" if m.description
                                                       else ""),
                         m.thematic_field or m.board_title,
                         "" if m.score is None else str(m.score), m.responsible, m.partners,
                         horizon_name(m.horizon), m.source_cluster,
                         "; ".join(self.quoted(text) for text in m.source_cards)]
                        for m in record.measures])
        docx_sections.action_plan(self)
        if record.photos:
            self.heading(_("Photos"), 1)
            for photo in record.photos:
                self.picture(photo.filename, photo.caption)

    def appendix(self) -> None:
        """Every card verbatim, with the record's one numbering (as in the PDF and the CSV)."""
        self.doc.add_section(WD_SECTION.NEW_PAGE)
        self.heading(_("Appendix: all cards verbatim"), 1)
        for board in self.record.appendix:
            self.heading(board.title, 2)
            if not board.cards:
                self.paragraph(_("No visible cards."), italic=True)
            for card in board.cards:
                self.paragraph(f"{card.number}. {self.card_text(card)}")
                for duplicate in card.duplicates:
                    self.paragraph(f"{duplicate.number}. = {self.card_text(duplicate)}")
            if board.hidden_count:
                self.paragraph(ngettext(
                    "%(num)s card was hidden by moderation; its text is not documented.",
                    "%(num)s cards were hidden by moderation; their text is not documented.",
                    board.hidden_count), italic=True)
            if board.withdrawn_count:
                self.paragraph(ngettext(
                    "%(num)s card was withdrawn by its author.",
                    "%(num)s cards were withdrawn by their authors.", board.withdrawn_count),
                    italic=True)

    def build(self) -> bytes:
        self.cover()
        docx_sections.front_matter(self)
        self.purpose_and_agenda()
        self.participation()
        self.board_results()
        self.measures()
        docx_sections.closing(self)
        self.appendix()
        out = io.BytesIO()
        self.doc.save(out)
        return out.getvalue()


def render_docx(record: WorkshopRecord, upload_dir: Path) -> bytes:
    """The record as DOCX bytes; photos are read from `upload_dir` (the workshop's folder).
    Labels come from the record's gettext catalogue, as in the PDF."""
    with report_app().app_context(), force_locale(record.language):
        return _Writer(record, Path(upload_dir)).build()


def export_docx(session: Session, workshop_id: int, include_names: bool = False) -> bytes:
    record = build_record(session, workshop_id, include_names=include_names)
    return render_docx(record, photo_store.upload_root(session) / str(workshop_id))
