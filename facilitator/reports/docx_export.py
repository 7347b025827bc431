"""The documentation as a Word file (DOCX), for organisers who edit it further.

Made for a German authority's desk: A4 pages, the document language set (German, or the
workshop's), "Seite x von y" in the footer (PAGE and NUMPAGES fields, which every word
processor computes while laying out), a table of contents already filled with one linked entry
per chapter and board (Word adds page numbers when the field is updated; nothing asks it to on
opening), the record's creation time as the file's creation date, numbers in the locale's form
("1 Punkt", "35 %").

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
import re
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
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
        self.toc_entries: list[tuple[int, str, str]] = []  # (level, text, bookmark)
        self.toc_anchor = None
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
        properties.keywords = ""
        properties.category = _("Workshop documentation")
        # The template's own dates are from 2013: the record's time is when this was made.
        properties.created = properties.modified = record.generated_at
        properties.last_modified_by = "Facilitator"
        properties.revision = 1
        # Document language on the document defaults and the Normal style, so spell checking,
        # hyphenation and screen readers know it.
        for rpr in (doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
                    .find(qn("w:rPr")), doc.styles["Normal"].element.get_or_add_rPr()):
            for old in rpr.findall(qn("w:lang")):
                rpr.remove(old)
            lang = OxmlElement("w:lang")
            lang.set(qn("w:val"), LOCALES.get(self.language, self.language))
            lang.set(qn("w:bidi"), "ar-SA")
            rpr.append(lang)
        doc.styles["Normal"].font.size = Pt(11)
        self._page_setup(doc.sections[0])

    def _page_setup(self, section) -> None:
        """A4 with 2.5 cm margins; "Seite x von y" in the footer and the title in the header of
        every page but the cover. Later sections inherit both (python-docx copies the section
        properties, and headers and footers are linked to the previous section)."""
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Cm(2.5)
        section.top_margin, section.bottom_margin = Cm(2.5), Cm(2)
        section.different_first_page_header_footer = True
        footer = section.footer.paragraphs[0]
        footer.alignment = 1  # centred
        pattern = _("Page {page} of {pages}")
        for piece in re.split(r"(\{page\}|\{pages\})", pattern):
            if piece in ("{page}", "{pages}"):
                self._simple_field(footer, "PAGE" if piece == "{page}" else "NUMPAGES", "1")
            elif piece:
                footer.add_run(piece)
        header = section.header.paragraphs[0]
        header.alignment = 2  # right
        run = header.add_run(_clean(self.record.title))
        run.font.size = Pt(8)

    @staticmethod
    def _simple_field(paragraph, instruction: str, shown: str) -> None:
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), f" {instruction} ")
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = shown
        run.append(text)
        field.append(run)
        paragraph._p.append(field)

    def paragraph(self, text: str = "", style: str | None = None, bold: bool = False,
                  italic: bool = False, rtl: bool | None = None):
        """A paragraph in the direction of its text, unless `rtl` says (a numbered line of the
        record stays left to right, its Arabic text isolated in it)."""
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
            if rtl if rtl is not None else direction(text) == "rtl":
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
        if level <= 2:  # in the table of contents: a bookmark for its link
            name = f"_Toc{len(self.toc_entries) + 1:06d}"
            start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
            start.set(qn("w:id"), str(len(self.toc_entries) + 1))
            start.set(qn("w:name"), name)
            end.set(qn("w:id"), str(len(self.toc_entries) + 1))
            run._r.addprevious(start)
            run._r.addnext(end)
            self.toc_entries.append((level, _clean(text), name))
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
        """Where the table of contents goes: filled by `fill_contents()` once every heading is
        written."""
        self.paragraph(_("Contents"), style="TOC Heading")
        self.toc_anchor = self.paragraph()
        self.new_section()

    def new_section(self) -> None:
        """A new page and section: footer and header as before (linked), shown on its first
        page too (only the cover has none)."""
        self.doc.add_section(WD_SECTION.NEW_PAGE).different_first_page_header_footer = False

    def fill_contents(self) -> None:
        """A Word table-of-contents field (levels 1–2) whose shown result is already the list
        of chapters and boards, each linked to its heading. Page numbers come when Word updates
        the field (F9); until then the entries have none rather than wrong ones."""
        def field_char(paragraph, kind: str) -> None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run = OxmlElement("w:r")
            run.append(char)
            paragraph.append(run)

        begin = self.toc_anchor._p
        field_char(begin, "begin")
        instruction = OxmlElement("w:r")
        text = OxmlElement("w:instrText")
        text.set(qn("xml:space"), "preserve")
        text.text = 'TOC \\o "1-2" \\h \\z \\u'
        instruction.append(text)
        begin.append(instruction)
        field_char(begin, "separate")
        previous = begin
        for level, title, bookmark in self.toc_entries:
            entry = OxmlElement("w:p")
            properties = OxmlElement("w:pPr")
            style = OxmlElement("w:pStyle")
            style.set(qn("w:val"), self._style_id(f"toc {level}"))
            properties.append(style)
            entry.append(properties)
            link = OxmlElement("w:hyperlink")
            link.set(qn("w:anchor"), bookmark)
            link.set(qn("w:history"), "1")
            run = OxmlElement("w:r")
            text = OxmlElement("w:t")
            text.set(qn("xml:space"), "preserve")
            text.text = title
            run.append(text)
            link.append(run)
            entry.append(link)
            previous.addnext(entry)
            previous = entry
        end = OxmlElement("w:p")
        field_char(end, "end")
        previous.addnext(end)

    def _style_id(self, name: str) -> str:
        """The id of a style by name; "toc 1" and "toc 2" are latent in the default template
        and are added on first use."""
        from docx.enum.style import WD_STYLE_TYPE
        styles = self.doc.styles
        try:
            return styles[name].style_id
        except KeyError:
            style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            style.base_style = styles["Normal"]
            style.paragraph_format.left_indent = Cm(0.6 * (int(name[-1]) - 1))
            style.paragraph_format.space_after = Pt(2)
            return style.style_id

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
                   [[b.title, self.fmt.number(b.participants), self.fmt.number(b.cards)]
                    for b in p.by_board])

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
                       [[f"{row.rank}{'=' if row.tie else ''}", row.label,
                         self.fmt.number(row.score)]
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
                                      else ""), self.fmt.number(row.score),
                         self.fmt.number(row.answers or 0),
                         *map(self.fmt.number, consent_bands(row.distribution))]
                        for row in round_.rows])

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
                           [[str(n), m.heading, self.fmt.percent(m.impact),
                             self.fmt.percent(m.effort)]
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
                         "" if m.score is None else self.fmt.number(m.score), m.responsible,
                         m.partners,
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
        self.new_section()
        self.heading(_("Appendix: all cards verbatim"), 1)
        for board in self.record.appendix:
            self.heading(board.title, 2)
            if not board.cards:
                self.paragraph(_("No visible cards."), italic=True)
            for card in board.cards:
                # The number stays on the left, as in the PDF: the line is the record's own.
                self.paragraph(f"{card.number}. {isolate(self.card_text(card))}", rtl=False)
                for duplicate in card.duplicates:
                    self.paragraph(f"{duplicate.number}. = {isolate(self.card_text(duplicate))}",
                                   rtl=False)
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

    def stocktaking(self) -> None:
        """Stock-taking boards (Bestandsaufnahme): a table per municipality."""
        if not self.record.stocktaking:
            return
        self.heading(_("Stock-taking: existing offers"), 1)
        for table in self.record.stocktaking:
            self.heading(table.title, 2)
            if not table.groups:
                self.doc.add_paragraph(_("No offers were entered on this board."))
            for name, rows in table.groups:
                if table.group_label:
                    self.heading(f"{table.group_label}: {name or _('(not given)')}", 3)
                self.table([_("No.")] + table.labels + [_("Already exists")],
                           [[str(row.number or "")] + row.values
                            + [_("yes") if row.exists else _("no")] for row in rows])

    def build(self) -> bytes:
        self.cover()
        docx_sections.front_matter(self)
        self.purpose_and_agenda()
        self.participation()
        self.board_results()
        self.stocktaking()
        self.measures()
        docx_sections.closing(self)
        self.appendix()
        self.fill_contents()
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
