"""The facilitation's sections in the DOCX (imprint, foreword, plain-language summary,
programme, per board summary/quotes/dissent/open questions, action plan, feedback, next steps):
the same parts, words and order as the PDF (templates/reports/record.html). A section left empty
is left out. Called by docx_export._Writer, whose building blocks it uses."""
from flask_babel import gettext as _

from .html import horizon_name
from .record import BoardRecord
from .sections import section_title, status_name

BY_FACILITATION = "(written by the facilitation team, not a statement of participants)"


def _paragraphs(writer, text: str) -> None:
    for block in text.split("\n\n"):
        if block.strip():
            writer.paragraph(block.strip())


def front_matter(writer) -> None:
    """Imprint, foreword, summary in plain language and the programme as planned."""
    record, docs = writer.record, writer.record.documentation
    if docs.has_imprint:
        writer.heading(_("Imprint"), 1)
        facts = [(_("Organiser"), record.organiser)] + [
            (section_title(key), getattr(docs, key))
            for key in ("contact", "facilitation", "editing", "photo_credits")]
        facts.append((_("Date of issue"), writer.fmt.day(record.generated_at, "long")))
        for label, value in facts:
            if value:
                writer.paragraph(label, bold=True)
                writer.paragraph(value)
    for key in ("foreword", "plain_summary"):
        if getattr(docs, key):
            writer.heading(section_title(key), 1)
            _paragraphs(writer, getattr(docs, key))
    if docs.programme:
        writer.heading(section_title("programme"), 1)
        writer.table([_("Time"), _("Item"), _("Method"), _("Input and speakers")],
                     [[row.time, row.title, row.method, row.speakers] for row in docs.programme])


def board_texts(writer, board: BoardRecord) -> None:
    """The board's summary by the facilitation (marked as such) and its key quotes."""
    if board.summary:
        writer.paragraph(f"{section_title('summary')} {_(BY_FACILITATION)}", bold=True)
        _paragraphs(writer, board.summary)
    if board.quotes:
        writer.paragraph(f"{section_title('quotes')} "
                         f"{_('(cards chosen by the facilitation team, verbatim)')}", bold=True)
        for card in board.quotes:
            writer.paragraph(f"{writer.quoted(card.text)} "
                             f"({_('Card no. %(number)s', number=card.number)})", italic=True)


def board_open_points(writer, board: BoardRecord) -> None:
    """Which vote the final order follows and why it differs; dissent and open questions."""
    if board.final_order and board.final_order_from is not None:
        writer.votes_from(_("Set after the dot voting"), board.final_order_from)
    if board.final_order_reason:
        writer.paragraph(f"{_('Why the order differs from the vote:')} "
                         f"{board.final_order_reason}")
    for key in ("dissent", "open_questions"):
        if getattr(board, key):
            writer.paragraph(f"{section_title(key)} {_('(recorded by the facilitation team)')}",
                             bold=True)
            _paragraphs(writer, getattr(board, key))


def action_plan_header() -> list[str]:
    return [_("No."), _("measure").capitalize(), _("Thematic field"), _("Responsible"),
            _("Partners"), _("Time horizon"), _("Due by"), _("Status"), _("Indicator"),
            _("Estimated cost")]


def action_plan(writer) -> None:
    """The measures as the steering group's action plan: a table of its own."""
    record = writer.record
    if record.measures_round and record.measures_round.final_order_reason:
        writer.paragraph(f"{_('Why the order differs from the vote:')} "
                         f"{record.measures_round.final_order_reason}")
    if not record.action_plan:
        return
    writer.heading(_("Action plan"), 2)
    writer.table(action_plan_header(), [
        [str(m.number or ""), m.title, m.thematic_field or m.board_title, m.responsible,
         m.partners, horizon_name(m.horizon),
         writer.fmt.day(m.due_date, "medium") if m.due_date else "", status_name(m.status),
         m.indicator, m.cost] for m in record.action_plan])


def closing(writer) -> None:
    """Feedback, then next steps and how the results will be used."""
    docs = writer.record.documentation
    if docs.feedback:
        writer.heading(section_title("feedback"), 1)
        _paragraphs(writer, docs.feedback)
    filled = [key for key in ("next_steps", "use_of_results") if getattr(docs, key)]
    if len(filled) == 2:
        writer.heading(_("Next steps and use of the results"), 1)
    for key in filled:
        writer.heading(section_title(key), 2 if len(filled) == 2 else 1)
        _paragraphs(writer, getattr(docs, key))
