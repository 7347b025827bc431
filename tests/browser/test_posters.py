"""Table posters printed from real Chromium: one A4 page each whatever the title, all of them from
one page for the organiser, and a QR code that still scans when the text is long."""
import io
import re
import subprocess

import pypdf
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from facilitator.domain.workshops import QUESTION_MAX_CHARS, BoardSpec
from facilitator.models import TITLE_MAX_CHARS

# The six tables of the Goslar event (three of these titles wrapped onto a second page).
GOSLAR = [BoardSpec(title, question, colour) for title, question, colour in (
    ("Bildung und Sprache", "Was brauchen Kinder, Jugendliche und Erwachsene, um gut Deutsch zu "
                            "lernen und einen Abschluss zu schaffen?", "yellow"),
    ("Arbeitswelt und Wirtschaft", "Wie finden Neuzugewanderte schneller Arbeit, die zu ihren "
                                   "Fähigkeiten passt?", "blue"),
    ("Ehrenamt und Zivilgesellschaft", "Wie gewinnen und halten wir Ehrenamtliche?", "green"),
    ("Empowerment", "Wie stärken wir Selbstorganisationen von Migrantinnen und Migranten?", "pink"),
    ("Gesundheit", "Was erschwert heute den Weg zu Ärztinnen, Therapie und Pflege?", "orange"),
    ("Wohnen und Leben vor Ort", "Was macht Nachbarschaft in Stadt und Dorf lebendig?", "teal"),
)]
LONG_QUESTION = ("Welche konkreten Schritte sollten Landkreis, Kommunen, Jobcenter, Schulen, "
                 "Vereine und Migrantenorganisationen in den nächsten zwei Jahren gemeinsam gehen, "
                 "damit Anerkennung, Sprachförderung und Wohnungssuche besser "
                 "ineinandergreifen und niemand zwischen den Zuständigkeiten verloren geht?")
# As long as a board title may be (the preparation form refuses more).
LONG_GERMAN = ("Gesellschaftliche Teilhabe, Antidiskriminierung und interkulturelle Öffnung der "
               "Kreisverwaltung im ländlichen Raum")
LONG_ARABIC = ("المشاركة الاجتماعية ومكافحة التمييز والانفتاح الثقافي للإدارة والاعتراف بالشهادات "
               "المهنية في الأرياف والمدن")
LONG_WORKSHOP = ("Dialog zum Integrations- und Teilhabekonzept des Landkreises Goslar: "
                 "Auftaktveranstaltung mit Verwaltung und Politik")
ARABIC_QUESTION = ("ما الخطوات العملية التي يجب أن تتخذها البلديات والمدارس والجمعيات معًا خلال "
                   "العامين القادمين حتى لا يضيع أحد بين الجهات المختصة، وحتى تتكامل دروس اللغة "
                   "ورعاية الأطفال والبحث عن سكن والاعتراف بالشهادات بشكل أفضل؟")


def test_the_long_texts_are_as_long_as_the_preparation_form_allows():
    assert all(100 < len(title) <= TITLE_MAX_CHARS for title in (LONG_GERMAN, LONG_ARABIC,
                                                                  LONG_WORKSHOP))
    assert 250 < len(LONG_QUESTION) <= QUESTION_MAX_CHARS and len(ARABIC_QUESTION) > 200


@pytest.fixture(scope="module")
def workshop(live_server):
    make = live_server.factory()
    owner = make.facilitator()
    made = make.workshop(owner, GOSLAR + [
        BoardSpec(LONG_GERMAN, LONG_QUESTION, "purple"),
        BoardSpec(LONG_ARABIC, ARABIC_QUESTION, "grey")],
        title=LONG_WORKSHOP)
    yield made, owner, make
    make.close()


def print_pdf(page, url: str) -> pypdf.PdfReader:
    page.goto(url)
    expect(page.locator("[data-poster-page]").first).to_be_visible()
    return pypdf.PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))


def clipped_posters(page) -> list[str]:
    """Titles of posters whose content is taller than the page (hidden, not printed)."""
    page.emulate_media(media="print")
    clipped = page.locator("[data-poster-page]").evaluate_all(
        "pages => pages.filter(p => p.scrollHeight > p.clientHeight + 1)"
        ".map(p => p.querySelector('h1').textContent)")
    page.emulate_media(media="null")  # back to what page.pdf() uses
    return clipped


def test_every_poster_is_one_a4_page_whatever_the_title(live_server, workshop, desktop):
    made, _, _ = workshop
    page = desktop()
    for board in made.boards:
        pdf = print_pdf(page, f"{live_server.url}/poster/{made.join_code}/board/{board.id}")

        assert len(pdf.pages) == 1, board.title
        width, height = (float(v) for v in pdf.pages[0].mediabox.upper_right)
        assert abs(width - 595.3) < 1.5 and abs(height - 841.9) < 1.5  # A4 in points
        assert clipped_posters(page) == []


@pytest.mark.parametrize("title", [LONG_GERMAN, LONG_ARABIC], ids=["german", "arabic"])
def test_a_long_title_shrinks_the_qr_code_but_it_still_scans(live_server, workshop, desktop,
                                                             tmp_path, title):
    made, _, _ = workshop
    board = next(b for b in made.boards if b.title == title)
    pdf_path = tmp_path / "poster.pdf"
    page = desktop()
    page.goto(f"{live_server.url}/poster/{made.join_code}/board/{board.id}")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    pdf_path.write_bytes(page.pdf(format="A4", print_background=True))

    subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", str(pdf_path),
                    str(tmp_path / "poster")], check=True, timeout=60)
    [code] = zxingcpp.read_barcodes(Image.open(tmp_path / "poster.png"))
    assert code.text == f"{live_server.url}/join/{made.join_code}?board={board.id}"


def test_the_console_prints_all_posters_one_page_per_board(live_server, workshop, desktop):
    made, owner, make = workshop
    console = desktop()
    console.goto(f"{live_server.url}/console/sign-in/{make.sign_in_secret(owner)}"
                 f"?next=/console/{made.id}")
    with console.expect_navigation():  # a sign-in link only works on a click
        console.click("[data-sign-in]")
    link = console.get_by_role("link", name=re.compile("all table posters|alle Tischplakate", re.I))
    with console.context.expect_page() as opened:
        link.click()
    posters = opened.value
    expect(posters.locator("[data-poster-page]")).to_have_count(len(made.boards))

    pdf = pypdf.PdfReader(io.BytesIO(posters.pdf(format="A4", print_background=True)))

    assert len(pdf.pages) == len(made.boards) == 8
    for board, printed in zip(made.boards, pdf.pages):
        # Each page carries its own board's join code link (the URL is printed in Latin script).
        assert f"board={board.id}" in printed.extract_text().replace("\n", "")
    assert clipped_posters(posters) == []
