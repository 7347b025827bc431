"""The facilitation's sections in every format: a filled section is in the PDF, the DOCX (and the
action plan in the CSV); an empty one is absent, never a placeholder; the summary is marked as the
facilitation's; a quote is a visible card; the final order says which vote and why it differs."""
import csv
import io
import uuid
from datetime import date

import docx
import pytest
import weasyprint

from facilitator.domain import (clusters, documentation, facilitators, ideas, measures,
                                participants, voting, workshops)
from facilitator.domain.measures import MeasureSpec
from facilitator.domain.voting import RoundSpec
from facilitator.domain.workshops import BoardSpec, WorkshopSpec
from facilitator.reports import build_record
from facilitator.reports.csv_export import to_action_plan_csv
from facilitator.reports.docx_export import render_docx
from facilitator.reports.html import report_app
from facilitator.reports.pdf import STATIC, record_html, restricted_fetcher
from facilitator.reports.sections import section_title
from flask_babel import force_locale

from record_helpers import fresh_database, normalise, read_pdf, translated

SUMMARY = "Kurse müssen zu Arbeitszeiten und Kinderbetreuung passen."
DISSENT = "Ob Sprachcafés ehrenamtlich getragen werden können, blieb strittig."
NEXT = "Die Steuerungsgruppe berät die Maßnahmen am 12. März."
CONTACT = "Stabsstelle Integration, Tel. 05931 44-0"
QUOTE = "Deutsch lernen geht nur, wenn die Kinder versorgt sind"
HIDDEN = "Herr Müller von nebenan ist schuld"
REASON = "Die Kinderbetreuung ist Voraussetzung für alles andere."
QUESTION = "Was zuerst?"


def _seed(session) -> int:
    def commit(value):
        session.commit()
        return value

    owner = commit(facilitators.create_facilitator(session, "Moderation"))
    workshop = commit(workshops.create_workshop(session, owner.id, WorkshopSpec(
        title="Werkstatt Dokumentation", event_date=date(2025, 3, 14), language="de",
        boards=(BoardSpec("Sprache", question="Was hilft beim Deutschlernen?"),
                BoardSpec("Arbeit")))))
    sprache = workshop.boards[0]
    phones = [commit(participants.join(session, workshop)[0]) for _ in range(3)]
    quote = commit(ideas.post_idea(session, phones[0], sprache.id, uuid.uuid4().hex, QUOTE).idea)
    other = commit(ideas.post_idea(session, phones[1], sprache.id, uuid.uuid4().hex,
                                   "Sprachcafé").idea)
    hidden = commit(ideas.post_idea(session, phones[2], sprache.id, uuid.uuid4().hex,
                                    HIDDEN).idea)
    round_ = commit(voting.open_round(session, workshop.id, RoundSpec(
        kind="dots", target_kind="idea", board_ids=[sprache.id], question=QUESTION)))
    for phone in phones:
        commit(voting.place_dot(session, phone, round_.id, other.id, uuid.uuid4().hex))
    commit(voting.update_round(session, workshop.id, round_.id, {
        "state": "closed", "revealed": True, "final_order": [quote.id, other.id],
        "final_order_reason": REASON}))
    documentation.save_documentation(
        session, workshop.id, texts={"contact": CONTACT, "next_steps": NEXT},
        programme=[{"time": "10:00–10:30", "title": "Begrüßung", "method": "Plenum",
                    "speakers": "Landrätin"}],
        boards={sprache.id: {"summary": SUMMARY, "dissent": DISSENT,
                             "quotes": [quote.id, hidden.id]}})
    # Hidden after it was chosen: it must not be quoted.
    commit(clusters.set_hidden(session, workshop.id, owner.id, hidden.id, True))
    commit(measures.save_measure(session, workshop.id, owner.id, MeasureSpec(
        title="Kurse mit Kinderbetreuung", responsible="Kreisvolkshochschule",
        due_date="2026-09-01", status="planned", indicator="3 Standorte", cost="40.000 €")))
    return workshop.id


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sections")
    with fresh_database(folder) as (_, session):
        record = build_record(session, _seed(session))
    html = record_html(record, folder)
    weasyprint.HTML(string=html, base_url=STATIC.as_uri() + "/",
                    url_fetcher=restricted_fetcher([STATIC])).write_pdf(folder / "record.pdf")
    document = docx.Document(io.BytesIO(render_docx(record, folder)))
    docx_text = "\n".join([p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells])
    plan = list(csv.reader(io.StringIO(to_action_plan_csv(record).decode("utf-8-sig")),
                           delimiter=";"))
    return record, read_pdf(folder / "record.pdf").text, normalise(docx_text), plan


def section_title_in(language: str, key: str) -> str:
    with report_app().app_context(), force_locale(language):
        return normalise(section_title(key))


def de(msgid: str) -> str:
    return normalise(translated("de", msgid))


def test_filled_sections_are_in_the_pdf_and_the_docx(made):
    _, pdf, word, _ = made
    for text in (SUMMARY, DISSENT, NEXT, CONTACT, QUOTE, REASON, "Begrüßung", "Landrätin",
                 de("Imprint"), de("Programme as planned"), de("Next steps"),
                 de("Summary by the facilitation")):
        assert normalise(text) in pdf, text
        assert normalise(text) in word, text


def test_empty_sections_are_absent_never_placeholders(made):
    _, pdf, word, _ = made
    for key in ("foreword", "plain_summary", "feedback", "use_of_results", "open_questions",
                "editing"):
        title = section_title_in("de", key)
        assert title not in pdf, key
        assert title not in word, key
    for placeholder in ("Bitte ergänzen", "[", "TODO"):
        assert placeholder not in pdf.replace("[person", "")
    assert "Bitte ergänzen" not in word


def test_the_summary_is_marked_as_the_facilitations(made):
    _, pdf, word, _ = made
    marker = de("(written by the facilitation team, not a statement of participants)")
    assert marker in pdf and marker in word


def test_a_hidden_card_is_never_quoted(made):
    record, pdf, word, _ = made
    assert [card.text for card in record.boards[0].quotes] == [QUOTE]
    assert normalise(HIDDEN) not in pdf and normalise(HIDDEN) not in word


def test_the_final_order_says_which_vote_and_why(made):
    record, pdf, _, _ = made
    board = record.boards[0]
    assert (board.final_order_from, board.final_order_reason) == (QUESTION, REASON)
    assert de("Set after the dot voting") in pdf


def test_the_action_plan_is_its_own_table_in_the_csv_and_the_docx(made):
    _, _, word, plan = made
    header, row = plan[0], plan[1]
    assert row[:4] == ["1", "Kurse mit Kinderbetreuung", "", "Kreisvolkshochschule"]
    assert {"2026-09-01", "3 Standorte", "40.000 €", translated("de", "planned")} <= set(row)
    assert header[:2] == [translated("de", "No."), translated("de", "measure").capitalize()]
    assert de("Action plan") in word and "40.000 €" in word
