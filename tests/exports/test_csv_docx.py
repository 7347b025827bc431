"""CSV for Excel and DOCX for Word, both from the record: every visible card, no hidden text, read
back the way a spreadsheet or Word would (and LibreOffice lays the DOCX out). On SQLite only:
the record is read the same way from either database (tests/reports/test_record.py runs its
rules on both)."""
import csv
import io
import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from facilitator.reports.csv_export import export_csv
from facilitator.reports.docx_export import export_docx

from export_helpers import HIDDEN_TEXT, WITHDRAWN_TEXT, play_workshop


@pytest.fixture
def database_url(_migrated_sqlite, tmp_path):
    """A SQLite file of the test's own (this module overrides the two-database fixture)."""
    shutil.copyfile(_migrated_sqlite, tmp_path / "facilitator.db")
    return f"sqlite:///{tmp_path / 'facilitator.db'}"


@pytest.fixture
def played(make, uploads):
    return play_workshop(make)


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


# --- CSV --------------------------------------------------------------------------------------

def test_csv_opens_with_umlauts_and_every_visible_card_once(session, played):
    data = export_csv(session, played.workshop.id)

    assert data.startswith(b"\xef\xbb\xbf")  # the BOM makes Excel read UTF-8
    rows = read_csv(data)
    # The record's vocabulary (the same catalogue as the PDF): Thementisch, Platz, Punktabfrage.
    assert rows[0] == ["Nr.", "Thementisch", "Cluster", "Text", "Originaltext (vor Korrektur)",
                       "Punkte der Karte", "Platz der Karte", "Punktabfrage zu den Karten",
                       "Punkte des Clusters", "Platz des Clusters", "Punktabfrage zu den Clustern",
                       "Uhrzeit", "Doppelung von Nr.", "Quelle", "Übersetzung"]
    assert all(len(row) == len(rows[0]) for row in rows)
    texts = [row[3].removeprefix("'") for row in rows[1:]]
    assert sorted(texts) == sorted(played.visible)
    assert "Bezahlbarer Wohnraum für Familien – Größe zählt" in texts
    assert "- mehr Busse am Abend\nauch am Wochenende" in texts  # one cell, two lines


def test_csv_never_contains_hidden_or_withdrawn_text(session, played):
    text = export_csv(session, played.workshop.id).decode("utf-8-sig")

    assert HIDDEN_TEXT not in text and WITHDRAWN_TEXT not in text


def test_csv_has_votes_ranks_clusters_and_the_duplicate(session, played):
    rows = {row[3]: row for row in read_csv(export_csv(session, played.workshop.id))[1:]}

    keeper = rows["Bezahlbarer Wohnraum für Familien – Größe zählt"]
    assert keeper[1] == "Wohnen und Nachbarschaft" and keeper[2] == "Wohnraum"
    assert keeper[8] == "9" and keeper[9] == "1"  # 3 phones × 2 dots + 3 × 1
    duplicate = rows["Bezahlbare Wohnungen für Familien"]
    assert duplicate[12] == keeper[0] and duplicate[8] == ""
    corrected = rows["Arbeitsmarktzugang für Geflüchtete erleichtern!"]
    assert corrected[4] == "Arbeitsmarktzugang für Geflüchtete erleichtern"
    assert corrected[5] != "" and corrected[6] != ""  # the closed round on cards
    assert rows["سكن ميسور التكلفة للعائلات"][2] == "Wohnraum"
    assert rows["Wohnungsbörse in Leichter Sprache"][2] == ""  # in no cluster
    assert all(len(row[11]) == len("2026-01-01 10:00") for row in rows.values())


def test_csv_cells_a_spreadsheet_would_run_are_shown_as_text(session, played):
    rows = read_csv(export_csv(session, played.workshop.id))

    texts = [row[3] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://example.org\";\"klick\")" in texts
    assert "'- mehr Busse am Abend\nauch am Wochenende" in texts
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


# --- DOCX -------------------------------------------------------------------------------------

def docx_text(data: bytes) -> tuple[docx.document.Document, str]:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return document, "\n".join(parts)


def test_docx_contains_every_visible_card_and_no_hidden_text(session, played):
    document, text = docx_text(export_docx(session, played.workshop.id))

    for card in played.visible:
        for line in card.split("\n"):
            assert line in text, card
    assert HIDDEN_TEXT not in text and WITHDRAWN_TEXT not in text
    assert "1 Karte wurde von der Moderation ausgeblendet" in text


def test_docx_is_structured_for_word(session, played):
    document, text = docx_text(export_docx(session, played.workshop.id))

    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name.startswith("Heading") or p.style.name == "Title"]
    assert ("Title", "Integrationskonzept: Auftaktworkshop Süd") in headings
    for board in played.workshop.boards:
        assert ("Heading 2", board.title) in headings
    # The PDF's section names; no "[Bitte ergänzen …]" placeholder sections.
    for section in ("Anlass und Ziel der Veranstaltung", "Ablauf", "Beteiligung",
                    "Priorisierte Maßnahmen", "Anhang: alle Karten im Wortlaut"):
        assert ("Heading 1", section) in headings
    assert "Bitte ergänzen" not in text
    assert "Wohnungsbörse in Leichter Sprache" in text and "Sozialamt" in text
    # Results as tables with a header row repeated on each page.
    header_rows = [t.rows[0] for t in document.tables]
    assert any([c.text for c in row.cells] == ["Platz", "Cluster", "Punkte"]
               for row in header_rows)
    assert all(row._tr.trPr is not None and row._tr.trPr.find(
        docx.oxml.ns.qn("w:tblHeader")) is not None for row in header_rows)
    # Two board photos and the logo, each with alternative text.
    assert len(document.inline_shapes) == 3
    assert all(shape._inline.docPr.get("descr") for shape in document.inline_shapes)
    assert document.core_properties.title == "Integrationskonzept: Auftaktworkshop Süd"
    assert document.core_properties.language == "de-DE"
    assert document.core_properties.author == "Landkreis Emsland"


def test_docx_sets_arabic_cards_right_to_left(session, played):
    document, _ = docx_text(export_docx(session, played.workshop.id))

    arabic = [p for p in document.paragraphs if p.text.startswith("سكن ميسور")]
    assert arabic and all(p._p.pPr.find(docx.oxml.ns.qn("w:bidi")) is not None for p in arabic)


def test_docx_is_a4_german_dated_with_page_numbers_and_a_filled_contents(session, played):
    document, text = docx_text(export_docx(session, played.workshop.id))

    for section in document.sections:
        assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults.find(".//" + qn("w:lang")).get(qn("w:val")) == "de-DE"
    footer = document.sections[0].footer._element.xml
    assert "Seite " in footer and " von " in footer
    assert 'w:instr=" PAGE "' in footer and 'w:instr=" NUMPAGES "' in footer
    assert document.sections[0].different_first_page_header_footer  # none on the cover
    assert not any(s.different_first_page_header_footer for s in document.sections[1:])
    # The contents are there without updating fields, each entry linked to its heading.
    entries = [p.text for p in document.paragraphs if p.style.name in ("toc 1", "toc 2")]
    assert entries[:3] == ["Anlass und Ziel der Veranstaltung", "Ablauf", "Beteiligung"]
    assert "Wohnen und Nachbarschaft" in entries
    assert document.settings.element.find(qn("w:updateFields")) is None
    bookmarks = {b.get(qn("w:name")) for b in document.element.body.iter(qn("w:bookmarkStart"))}
    anchors = [h.get(qn("w:anchor")) for h in document.element.body.iter(qn("w:hyperlink"))]
    assert anchors and set(anchors) <= bookmarks
    # True dates (python-docx's template says 2013), German numbers.
    created = document.core_properties.created.replace(tzinfo=timezone.utc)
    assert abs(created - datetime.now(timezone.utc)) < timedelta(minutes=10)
    assert document.core_properties.modified == document.core_properties.created
    assert "1 Punkt" in text and "80\u00a0%" in text and "90\u00a0%" in text


def test_docx_keeps_appendix_numbers_left_of_right_to_left_cards(session, played):
    document, _ = docx_text(export_docx(session, played.workshop.id))

    line = next(p for p in document.paragraphs if "سكن ميسور" in p.text and p.text[0].isdigit())
    assert line.text.startswith(tuple(f"{n}. \u2068" for n in range(1, 20)))
    assert line._p.pPr is None or line._p.pPr.find(qn("w:bidi")) is None


def test_docx_opens_in_libreoffice_on_a4_with_its_contents_and_page_numbers(session, played,
                                                                            tmp_path):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed; the DOCX is read back with python-docx above")
    source = tmp_path / "record.docx"
    source.write_bytes(export_docx(session, played.workshop.id))

    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(source)], check=True, capture_output=True, timeout=120)

    pages = PdfReader(tmp_path / "record.pdf").pages
    assert [round(float(v)) for v in pages[0].mediabox[2:]] == [595, 842]  # A4 in points
    texts = [page.extract_text() for page in pages]
    assert "Seite 1 von" not in texts[0]  # the cover
    assert f"Seite 2 von {len(pages)}" in texts[1]
    assert "Inhalt" in texts[1] and "Ergebnisse nach Thementisch" in texts[1]
    assert f"Seite {len(pages)} von {len(pages)}" in texts[-1]
