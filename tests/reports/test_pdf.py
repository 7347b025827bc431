"""The PDF documentation, read back: content, outline, page numbers, metadata, tagging, fonts,
and what a hostile card can (not) do."""
import dataclasses
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from facilitator.database import make_engine
from facilitator.reports import build_record
from facilitator.reports.pdf import STATIC, record_html, render_pdf, restricted_fetcher

from record_helpers import HOSTILE, is_rtl, normalise, read_pdf, translated

SECTIONS_EN = ["Contents", "Purpose of the event", "Agenda as it ran", "Participation",
               "Results by board", "Prioritised measures", "Photos",
               "Appendix: all cards verbatim"]


def outline(reader: PdfReader) -> list[tuple[int, str]]:
    """(level, title) of every bookmark, in order."""
    entries = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                entries.append((level, item.title))
    walk(reader.outline, 1)
    return entries


@pytest.fixture(scope="module")
def record(seeded):
    engine = make_engine(seeded.url)
    with Session(engine) as session:
        yield build_record(session, seeded.workshop_id)
    engine.dispose()


@pytest.fixture(scope="module")
def english(record, seeded, tmp_path_factory):
    """The same record rendered in English, in this process (to see what the fetcher did)."""
    out = tmp_path_factory.mktemp("pdf-en") / "record-en.pdf"
    rendered = render_pdf(dataclasses.replace(record, language="en"), out, seeded.uploads)
    return rendered, read_pdf(out)


def test_every_visible_card_is_in_the_pdf_but_no_hidden_or_withdrawn_text(german_pdf, seeded):
    made = seeded.made
    visible = made["visible"] + made["duplicates"]
    assert len(visible) > 190
    assert sum(is_rtl(text) for text in visible) > 20, "the seed has right-to-left cards"
    missing = [text for text in visible if not german_pdf.contains_card(text)]
    assert not missing
    assert made["hidden"] and made["withdrawn"]
    for text in made["hidden"] + made["withdrawn"]:
        # Each seeded card ends in its own number, e.g. "(57)": not even that may appear.
        number = re.search(r"\(\d+\)$", text).group(0)
        assert normalise(text) not in german_pdf.text
        assert all(number not in page.split() for page in german_pdf.pages), text


def test_a_corrected_card_shows_the_correction_and_keeps_the_original_wording(german_pdf, seeded):
    original, corrected = seeded.made["corrected"]
    assert normalise(corrected) in german_pdf.text
    # The appendix names the author's own wording after the corrected text.
    assert normalise(f"{original})") in german_pdf.text


def test_hidden_and_withdrawn_cards_are_only_counted(english, record):
    _, pdf = english
    assert [board.hidden_count for board in record.boards] == [1] * 6
    assert pdf.text.count("1 card was hidden by moderation; its text is not documented.") == 6
    assert pdf.text.count("1 card was withdrawn by its author.") == 1


def test_outline_lists_every_section_and_every_board(german_pdf, seeded):
    boards = [board.title for board in seeded.made["boards"]]
    entries = outline(german_pdf.reader)
    top = [title for level, title in entries if level == 1]
    assert top == [translated("de", title) for title in SECTIONS_EN]
    # Every board twice on the second level: under the results and under the appendix.
    second = [title for level, title in entries if level == 2]
    assert second == boards + boards


def test_outline_entries_point_at_the_pages_the_contents_name(german_pdf):
    reader = german_pdf.reader
    for item in reader.outline:
        if isinstance(item, list) or item.title == translated("de", "Contents"):
            continue
        page = reader.get_destination_page_number(item) + 1
        # The table of contents on page 2 lists the same title with the same page number.
        assert re.search(re.escape(normalise(item.title)) + r" \.*\s*" + str(page) + r"\b",
                         german_pdf.pages[1]), item.title


def test_every_page_but_the_cover_says_page_x_of_y(german_pdf, english):
    total = len(german_pdf.pages)
    assert total > 10
    pattern = translated("de", "Page {page} of {pages}")  # "Seite {page} von {pages}" in German
    assert "{page}" in pattern and "{pages}" in pattern
    assert pattern.format(page=1, pages=total) not in german_pdf.pages[0]
    for number, text in enumerate(german_pdf.pages[1:], start=2):
        assert text.endswith(pattern.format(page=number, pages=total)), number
    _, pdf = english
    assert pdf.pages[2].endswith(f"Page 3 of {len(pdf.pages)}")


def test_metadata_language_and_tags_make_an_accessible_pdf(german_pdf, record):
    reader = german_pdf.reader
    assert reader.metadata.title == record.title
    assert reader.metadata.author == record.organiser == "Landkreis Musterstadt, Stabsstelle Integration"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "de"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()
    assert reader.pdf_header == "%PDF-1.7"


def test_fonts_for_every_script_are_embedded(german_pdf):
    """The vendored faces (static/fonts), embedded as subsets, never a system fallback."""
    embedded = {}
    for page in german_pdf.reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            name = str(font["/BaseFont"]).split("+")[-1]
            embedded[name] = "/FontFile2" in descriptor.get_object()
    assert embedded == {"Report-Sans": True, "Report-Sans-Bold": True, "Report-Arabic": True,
                        "Report-Ethiopic": True}


def test_the_cover_names_title_date_place_and_organiser(german_pdf, record):
    cover = german_pdf.pages[0]
    for text in (record.title, "14. März 2025", record.place, record.organiser):
        assert normalise(text) in cover


def test_results_show_dot_counts_ranks_consent_matrix_and_measures(english, record):
    _, pdf = english
    board = record.boards[0]
    dots = next(r for r in board.rounds if r.kind == "dots")
    consent = next(r for r in board.rounds if r.kind == "consent")
    assert "Dot voting: “Welche Themen sind am dringendsten?”" in pdf.text
    assert f"{dots.voters} people voted, with 3 dots each." in pdf.text
    assert "Consent check: “Wie organisieren wir die Beratung?”" in pdf.text
    best = consent.rows[0]
    assert f"1 {best.label} {best.score} {best.answers}" in pdf.text
    assert "Impact and effort" in pdf.text
    assert "Final priority order" in pdf.text
    assert [m.rank for m in record.measures] == sorted(m.rank for m in record.measures)
    assert record.measures[0].title in pdf.text


def test_hostile_cards_are_literal_text_and_nothing_outside_the_app_is_fetched(english, seeded):
    rendered, pdf = english
    for text in HOSTILE:
        assert normalise(text) in pdf.text, text
    assert rendered.refused == []
    allowed = (STATIC.resolve(), seeded.uploads.resolve())
    assert rendered.served and all(any(Path(p).is_relative_to(root) for root in allowed)
                                   for p in rendered.served)
    assert "root:x:0:0" not in pdf.text


def test_user_text_is_escaped_in_the_html_and_never_reaches_css(record, seeded):
    html = record_html(record, seeded.uploads)
    assert "<script" not in html
    assert '<img src="file:///etc' not in html and '<link rel="stylesheet" href="http' not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&#34; onmouseover=&#34;alert(1)" in html
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    assert "passwd" not in style and "Musterstadt" not in style
    assert html.count("<style>") == 1


def test_right_to_left_cards_are_marked_rtl(record, seeded):
    html = record_html(record, seeded.uploads)
    assert '<li class="card" dir="rtl" lang="ar">نحتاج إلى دورات لغة مع رعاية الأطفال' in html
    assert '<li class="card" lang="ru">Больше курсов' in html


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://192.0.2.1/evil.css",
    "https://example.org/font.ttf",
    "ftp://example.org/x",
    "data:text/css,body{}",
    "file://otherhost/" + str(STATIC / "reports" / "record.css"),
    (STATIC / "reports" / ".." / ".." / "facilitator" / "config.py").as_uri(),
    STATIC.as_uri(),  # a directory
])
def test_the_fetcher_refuses_anything_but_files_in_its_roots(url):
    fetcher = restricted_fetcher([STATIC])
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.refused == [url]


def test_the_fetcher_does_not_follow_symlinks_out_of_its_roots(tmp_path):
    root = tmp_path / "uploads"
    root.mkdir()
    (root / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (root / "escape.jpg").symlink_to("/etc/passwd")
    fetcher = restricted_fetcher([root])
    assert fetcher.fetch((root / "photo.jpg").as_uri()).read() == b"\xff\xd8\xff"
    with pytest.raises(ValueError):
        fetcher.fetch((root / "escape.jpg").as_uri())


def test_a_workshop_with_hardly_anything_yet_still_makes_a_complete_pdf(make, session, tmp_path):
    """No purpose, no votes, no measures, no photos; one card is a long pasted link."""
    workshop = make.workshop(boards=("Nur ein Thementisch",), stakeholder_groups=())
    person, _ = make.participant(workshop)
    link = "https://example.org/?q=" + "abcdefghij" * 20  # no place to break a line
    make.idea(person, workshop.boards[0], link)
    record = build_record(session, workshop.id)
    out = tmp_path / "empty.pdf"
    rendered = render_pdf(record, out, tmp_path / "uploads")
    pdf = read_pdf(out)
    assert rendered.refused == []
    assert [title for level, title in outline(pdf.reader) if level == 2] == [
        "Nur ein Thementisch", "Nur ein Thementisch"]
    assert link in pdf.text.replace(" ", "")
    # In its card (55 mm wide) the link wraps over several short lines instead of running out.
    results_page = next(page for page in pdf.reader.pages if "abcdefghij" in page.extract_text())
    pieces = [line for line in results_page.extract_text().splitlines() if line and line in link]
    assert len(pieces) >= 5 and max(map(len, pieces)) < 45
