"""What a committee reader objected to in the record (issue 9), each read back from the PDF, the
HTML, the DOCX or the CSV of one small workshop made for it: Arabic and long chart labels, one
numbering and one vocabulary in every format, truthful participation figures, which vote the
dots come from, long unbroken text in tables, right-to-left details and the layout."""
import io
import uuid
from dataclasses import dataclass
from datetime import date

import docx
import pytest
import weasyprint
from sqlalchemy.orm import Session

from facilitator.domain import facilitators, ideas, measures, participants, voting, workshops
from facilitator.domain.measures import MeasureSpec
from facilitator.domain.voting import RoundSpec
from facilitator.domain.workshops import BoardSpec, WorkshopSpec
from facilitator.reports import build_record
from facilitator.reports.csv_export import to_csv
from facilitator.reports.docx_export import render_docx
from facilitator.reports.pdf import STATIC, record_html, restricted_fetcher

from record_helpers import fresh_database, normalise, read_pdf, translated


ARABIC_LABEL = "نحتاج إلى دورات لغة مسائية للأمهات"
LONG_LABEL = ("Anerkennung ausländischer Abschlüsse beschleunigen und Beratung dazu im "
              "Landratsamt an zwei Tagen pro Woche anbieten")
LONG_WORD = ("Integrationskursträgerinformationsveranstaltung" * 6)[:280]  # no space
URL = "https://www.landkreis-musterstadt.de/integration/" + "beratung-" * 25 + "ende"
LINES = "Zeile eins\nZeile zwei"
EMOJI = "Danke 🙏 👍 😀"
QUESTION = "Was zuerst angehen?"


@dataclass
class Made:
    record: object
    html: str
    pdf: object  # record_helpers.Pdf
    document: object  # weasyprint Document, laid out
    csv: list
    docx: object


def _seed(session: Session) -> int:
    """A board with the objectionable cards, a dot round on them, a consent check, a measure
    from the Arabic card, and stakeholder groups of 6 and 2 people."""
    def commit(value):
        session.commit()
        return value

    facilitator = commit(facilitators.create_facilitator(session, "Moderation"))
    workshop = commit(workshops.create_workshop(session, facilitator.id, WorkshopSpec(
        title="Werkstatt Einwände", event_date=date(2025, 3, 14), language="de",
        stakeholder_groups=("Verwaltung", "Politik"),
        boards=(BoardSpec("Arbeit", question="Was hilft beim Ankommen?"),))))
    board = workshop.boards[0]
    verwaltung, politik = workshop.stakeholder_groups
    people = [commit(participants.join(session, workshop, None, group.id)[0])
              for group in [verwaltung] * 6 + [politik] * 2]
    cards = {text: commit(ideas.post_idea(session, people[n % 8], board.id, uuid.uuid4().hex,
                                          text).idea)
             for n, text in enumerate((ARABIC_LABEL, LONG_LABEL, LONG_WORD, URL, LINES, EMOJI))}
    round_ = commit(voting.open_round(session, workshop.id, RoundSpec(
        kind="dots", target_kind="idea", board_ids=[board.id], question=QUESTION,
        dots_per_person=3, max_per_item=3)))
    for person in people[:4]:
        for text in (ARABIC_LABEL, LONG_LABEL, LONG_WORD):
            commit(voting.place_dot(session, person, round_.id, cards[text].id,
                                    uuid.uuid4().hex))
    commit(voting.update_round(session, workshop.id, round_.id, {"state": "closed"}))
    consent = commit(voting.open_round(session, workshop.id, RoundSpec(
        kind="consent", board_ids=[board.id], question="Welcher Weg?",
        options=["Beratungsbus", "Sprechstunde", "Lotsen"], passive_option="Alles bleibt")))
    for person in people[:3]:
        for option in range(4):
            commit(voting.rate_option(session, person, consent.id, option, option * 2))
    commit(voting.update_round(session, workshop.id, consent.id, {"state": "closed"}))
    commit(measures.save_measure(session, workshop.id, facilitator.id, MeasureSpec(
        title="Abendkurse", board_id=board.id, source_idea_ids=[cards[ARABIC_LABEL].id])))
    return workshop.id


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> Made:
    folder = tmp_path_factory.mktemp("objections")
    with fresh_database(folder) as (_, session):
        record = build_record(session, _seed(session))
    html = record_html(record, folder)
    document = weasyprint.HTML(string=html, base_url=STATIC.as_uri() + "/",
                               url_fetcher=restricted_fetcher([STATIC])).render()
    document.write_pdf(folder / "record.pdf")
    csv_rows = [line.split(";") for line in
                to_csv(record).decode("utf-8-sig").split("\r\n") if line]
    return Made(record, html, read_pdf(folder / "record.pdf"), document, csv_rows,
                docx.Document(io.BytesIO(render_docx(record, folder))))


def chart_text(made: Made) -> str:
    """The extracted text of the bar chart: after the round's question, up to its caption."""
    caption = normalise(translated("de", "Dots per %(what)s; the same figures are in the table.")
                        % {"what": translated("de", "card")})
    text = made.pdf.text
    end = text.index(caption)
    return text[text.rindex(QUESTION, 0, end):end]


# --- 1, 2: chart labels ---------------------------------------------------------------------------

def test_arabic_chart_labels_come_out_shaped_and_in_logical_order(made):
    assert normalise(ARABIC_LABEL) in chart_text(made)


def test_long_chart_labels_wrap_and_are_never_cut(made):
    chart = chart_text(made)
    assert normalise(LONG_LABEL) in chart
    assert normalise(LONG_WORD) in chart.replace(" ", "")
    assert "…" not in chart


# --- 3: one numbering, one vocabulary, one set of facts -------------------------------------------

def test_every_card_has_the_same_number_in_pdf_docx_and_csv(made):
    cards = made.record.appendix[0].cards
    assert [card.number for card in cards] == list(range(1, len(cards) + 1))
    csv_numbers = {row[3]: row[0] for row in made.csv[1:] if "\n" not in row[3]}
    docx_lines = [p.text.replace("\u2068", "").replace("\u2069", "")
                  for p in made.docx.paragraphs]
    for card in cards:
        first_line = card.text.split("\n")[0]
        if "\n" not in card.text:
            assert csv_numbers[card.text] == str(card.number)
        assert any(line.startswith(f"{card.number}. {first_line}") for line in docx_lines)
        if not any(ord(char) > 0x2190 for char in card.text):  # emoji are written out in the PDF
            # (the 280-letter word wraps in the appendix too)
            assert normalise(f"{card.number}. {first_line}").replace(" ", "") in \
                made.pdf.text.replace(" ", "")


def test_pdf_docx_and_csv_use_the_same_words(made):
    docx_text = "\n".join([p.text for p in made.docx.paragraphs] + [
        cell.text for table in made.docx.tables for row in table.rows for cell in row.cells])
    for word in ("Thementisch", "Platz", "Widerstandsabfrage"):
        assert word in made.pdf.text and word in docx_text, word
    for word in ("Tafel", "Rang", "Konsenscheck", "Eintrag"):
        assert word not in made.pdf.text and word not in docx_text, word
    assert made.csv[0][1] == "Thementisch" and "Platz der Karte" in made.csv[0]


def test_the_docx_has_the_consent_bands_and_where_each_measure_came_from(made):
    headers = [[cell.text for cell in table.rows[0].cells] for table in made.docx.tables]
    consent = next(h for h in headers if "Gesamtwiderstand" in h)
    assert consent[-5:] == ["0", "1–3", "4–6", "7–9", "10 (Veto)"]
    measure_table = next(t for t in made.docx.tables if "Aus den Karten" in
                         [cell.text for cell in t.rows[0].cells])
    assert ARABIC_LABEL in measure_table.rows[1].cells[-1].text


# --- 4: participation ------------------------------------------------------------------------------

def test_participation_says_devices_everywhere_and_explains_a_protecting_cell(made):
    groups = [(g.name, g.shown) for g in made.record.participation.by_group]
    assert groups == [("Verwaltung", "*"), ("Politik", "< 5"), ("", "0")]
    sentence = normalise(translated("de", "%(total)s devices joined the workshop; %(active)s of "
                                          "them posted cards or voted, %(voters)s took part in "
                                          "votes.") % {"total": 8, "active": 6, "voters": 4})
    assert sentence in made.pdf.text
    assert sentence in normalise("\n".join(p.text for p in made.docx.paragraphs))
    note = normalise(translated("de", "“*”: a group of five or more that is not shown either, "
                                      "because otherwise the small group could be worked out "
                                      "from the total."))
    assert note in made.pdf.text
    assert "Personen: 8" not in made.pdf.text


# --- 5: which vote the dots come from --------------------------------------------------------------

def test_the_dots_say_which_vote_they_come_from(made):
    said = normalise(translated("de", "Dots on the cards are from the dot voting")
                     + f" „{QUESTION}“.")
    assert said in made.pdf.text
    assert said in normalise("\n".join(p.text for p in made.docx.paragraphs))
    row = next(row for row in made.csv[1:] if row[3] == LONG_LABEL)
    assert row[7] == QUESTION


# --- 6: long unbroken text -------------------------------------------------------------------------

def test_no_text_runs_past_the_right_margin(made):
    """Every line box of every page ends inside the page's content area (the 280-letter word
    and the URL in the ranking table and the cards included)."""
    overflowing = []
    for number, page in enumerate(made.document.pages, start=1):
        box = page._page_box
        right = box.content_box_x() + box.width + 0.5
        for child in box.descendants():
            if type(child).__name__ == "TextBox" and child.position_x + child.width > right:
                overflowing.append((number, child.text[:40]))
    assert not overflowing


# --- 7: right to left -------------------------------------------------------------------------------

def test_right_to_left_text_is_isolated_inside_the_records_own_lines(made):
    html = made.html
    # The dots of an Arabic card are page text, left to right: "4 Punkte", not "Punkte 4".
    assert f'<li class="card" dir="rtl" lang="ar">{ARABIC_LABEL}<span class="card-votes" dir="ltr">' in html
    # An Arabic card quoted in a German measure keeps the German quotes around it.
    assert f'<q><span dir="rtl" lang="ar">{ARABIC_LABEL}</span></q>' in html
    # The appendix numbers stay on the left, the Arabic text is isolated after them.
    number = made.record.appendix[0].cards[0].number
    assert f'<li>{number}. <span dir="rtl" lang="ar">{ARABIC_LABEL}</span></li>' in html


# --- 8: layout ---------------------------------------------------------------------------------------

def _pages_of(made: Made, text: str) -> list[int]:
    return [n for n, page in enumerate(made.pdf.pages) if normalise(text) in page]


def test_a_card_keeps_its_line_breaks(made):
    raw = [page.extract_text() for page in made.pdf.reader.pages]
    assert sum("Zeile eins\nZeile zwei" in page for page in raw) >= 2  # card box and appendix


def test_a_short_consent_table_is_not_split_and_a_note_stays_with_its_table(made):
    assert 'class="ranking consent-table keep"' in made.html
    options = [_pages_of(made, label) for label in ("Beratungsbus", "Sprechstunde", "Lotsen",
                                                     "Alles bleibt")]
    assert len({tuple(pages) for pages in options}) == 1
    note = translated("de", "Groups of fewer than five people are shown as “< 5” so that nobody "
                            "can be identified.")
    assert _pages_of(made, note) == _pages_of(made, translated(
        "de", "Participants by stakeholder group"))


def test_emoji_are_drawn_or_written_out_never_empty_boxes(made):
    text = made.pdf.text.replace("\ufe0e", "")
    assert "👍" in text and "😀" in text
    assert "[person with folded hands]" in text
    fonts = {str(font.get_object()["/BaseFont"]).split("+")[-1]
             for page in made.pdf.reader.pages
             for font in (page["/Resources"].get("/Font") or {}).values()}
    assert "Report-Symbols" in fonts
    assert all(font.startswith("Report-") for font in fonts), "no system font fallback"


# --- 1: the impact/effort matrix in an Arabic record -----------------------------------------------

@pytest.fixture(scope="module")
def arabic_matrix(seeded, tmp_path_factory):
    """The realistic workshop's board with a matrix, as an Arabic record (its labels are the
    catalogue's Arabic), rendered alone: the PDF's text and the HTML."""
    import dataclasses

    from facilitator.database import make_engine
    from facilitator.reports.pdf import render_pdf

    engine = make_engine(seeded.url)
    with Session(engine) as session:
        record = build_record(session, seeded.workshop_id)
    engine.dispose()
    board = next(board for board in record.boards if board.matrix)
    board = dataclasses.replace(board, rounds=[], clusters=[], unclustered=[], photos=[])
    alone = dataclasses.replace(record, language="ar", boards=[board], appendix=[], measures=[],
                                photos=[], workshop_rounds=[], logo=None)
    out = tmp_path_factory.mktemp("matrix") / "matrix.pdf"
    render_pdf(alone, out, seeded.uploads)
    return read_pdf(out), record_html(alone, seeded.uploads)


def test_matrix_labels_are_shaped_arabic_text_never_svg_text(arabic_matrix):
    pdf, html = arabic_matrix
    for msgid in ("Impact", "Effort", "quick wins"):
        label = translated("ar", msgid)
        assert label != msgid and normalise(label) in pdf.text, msgid
        # Inside the SVG only digits (the numbered points) are text.
    svg = html[html.index("<svg", html.index('class="matrix-plot"')):html.index("</svg>")]
    texts = [t for t in svg.split("<text")[1:]]
    assert texts and all(t.split(">", 1)[1].split("<")[0].isdigit() for t in texts)
