"""CSV for Excel and DOCX for Word, both from the record: every visible card, no hidden text, read
back the way a spreadsheet or Word would. On SQLite and PostgreSQL."""
import csv
import io
import shutil
import subprocess

import docx
import pytest

from facilitator.reports.csv_export import export_csv
from facilitator.reports.docx_export import export_docx

from export_helpers import HIDDEN_TEXT, WITHDRAWN_TEXT, play_workshop


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


def test_docx_opens_in_libreoffice(session, played, tmp_path):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed; the DOCX is read back with python-docx above")
    source = tmp_path / "record.docx"
    source.write_bytes(export_docx(session, played.workshop.id))

    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(source)], check=True, capture_output=True, timeout=120)

    assert (tmp_path / "record.pdf").stat().st_size > 10_000
