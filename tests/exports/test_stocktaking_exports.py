"""Stock-taking boards (Bestandsaufnahme) in the exports: the CSV with a table per municipality,
the record (PDF, tagged; DOCX, header rows) with a "Bestandsaufnahme" chapter, the JSON archive.
On SQLite only, like the other export tests (the rows are read the same way from either
database: tests/domain/test_stocktaking.py runs on both)."""
import csv
import io
import shutil
import uuid

import docx
import pikepdf
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from facilitator.domain import archive, clusters, ideas, stocktaking
from facilitator.domain.workshops import BoardSpec
from facilitator.reports.csv_export import export_csv, export_stocktaking_csv
from facilitator.reports.docx_export import export_docx
from facilitator.reports.pdf import record_html, render_pdf
from facilitator.reports.record import build_record


def structure_roles(pdf: pikepdf.Pdf) -> list[tuple[str, pikepdf.Dictionary]]:
    """Every structure element of a tagged PDF: (role, element)."""
    found, todo = [], [pdf.Root.StructTreeRoot]
    while todo:
        node = todo.pop()
        if "/S" in node:
            found.append((str(node.S), node))
        kids = node.get("/K")
        kids = kids if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
        todo += [kid for kid in kids if isinstance(kid, pikepdf.Dictionary)
                 and kid.get("/Type") not in ("/MCR", "/OBJR")]
    return found

HOSTILE = '=HYPERLINK("http://example.org";"klick")'
ROWS = [  # Angebot, Träger, Kommune, seit wann, Zielgruppe, bereits vorhanden
    ("Sprachcafé", "Caritas", "Dietzenbach", "2019", "", True),
    ("Hausaufgabenhilfe", "AWO", "Rodgau", "", "Kinder", True),
    ("Frauentreff", "Internationaler Bund", "Dietzenbach", "", "Frauen", False),
    ("مقهى اللغة", "جمعية", "Rodgau", "", "", True),
    (HOSTILE, "<b>Träger</b>", "Offenbach", "", "", True),
]


@pytest.fixture
def database_url(_migrated_sqlite, tmp_path):
    shutil.copyfile(_migrated_sqlite, tmp_path / "facilitator.db")
    return f"sqlite:///{tmp_path / 'facilitator.db'}"


@pytest.fixture
def stock(make, uploads):
    workshop = make.workshop(boards=(
        BoardSpec("Bestandsaufnahme Sprache", "Welche Angebote gibt es schon?",
                  kind="stocktaking"), BoardSpec("Ideen")))
    board = workshop.boards[0]
    phone = make.participant(workshop)[0]
    keys = [f["key"] for f in board.card_fields]
    for *values, exists in ROWS:
        make.run(ideas.post_idea, phone, board.id, uuid.uuid4().hex, "",
                 [{"key": k, "value": v} for k, v in zip(keys, values) if v], exists)
    hidden = make.run(ideas.post_idea, phone, board.id, uuid.uuid4().hex, "",
                      [{"key": keys[0], "value": "Versteckt"}, {"key": keys[1], "value": "X"},
                       {"key": keys[2], "value": "Rodgau"}])
    make.run(clusters.set_hidden, workshop.id, None, hidden.idea.id, True)
    return workshop


def read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_has_a_table_per_municipality(session, stock):
    data = export_stocktaking_csv(session, stock.id, stock.boards[0].id)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = read_csv(data)
    header = ["Nr.", "Angebot", "Träger", "Kommune", "Seit wann", "Zielgruppe",
              "Bereits vorhanden", "Quelle"]
    assert rows == [
        ["Kommune: Dietzenbach"], header,
        ["1", "Sprachcafé", "Caritas", "Dietzenbach", "2019", "", "ja", "Smartphone"],
        ["2", "Frauentreff", "Internationaler Bund", "Dietzenbach", "", "Frauen", "nein", "Smartphone"],
        [],
        ["Kommune: Offenbach"], header,
        ["3", "'" + HOSTILE, "<b>Träger</b>", "Offenbach", "", "", "ja", "Smartphone"],
        [],
        ["Kommune: Rodgau"], header,
        ["4", "Hausaufgabenhilfe", "AWO", "Rodgau", "", "Kinder", "ja", "Smartphone"],
        ["5", "مقهى اللغة", "جمعية", "Rodgau", "", "", "ja", "Smartphone"],
        [],
    ]
    assert "Versteckt" not in data.decode("utf-8-sig")


def test_the_cards_csv_shows_the_rows_short_form(session, stock):
    texts = [row[3] for row in read_csv(export_csv(session, stock.id))[1:]]
    assert "Sprachcafé — Caritas, Dietzenbach" in texts


def test_record_pdf_has_a_tagged_table_per_municipality(session, stock, uploads, tmp_path):
    record = build_record(session, stock.id)
    assert [(name, [row.values[0].replace("\u200b", "") for row in rows]) for name, rows in
            record.stocktaking[0].groups] == [
        ("Dietzenbach", ["Sprachcafé", "Frauentreff"]), ("Offenbach", [HOSTILE]),
        ("Rodgau", ["Hausaufgabenhilfe", "مقهى اللغة"])]
    html = record_html(record, uploads)
    assert "Bestandsaufnahme: bestehende Angebote" in html
    assert "<caption>Kommune: <span" in html
    assert "&lt;b&gt;Träger&lt;/b&gt;" in html and "<b>Träger</b>" not in html
    # A long word gets invisible break opportunities, ordinary words none.
    assert "=HYPERLINK(&#34;http://e\u200bxample.org" in html or \
        '=HYPERLINK("http://e\u200bxample.org' in html
    assert "Hausaufgabenhilfe" in html
    target = tmp_path / "record.pdf"
    render_pdf(record, target, uploads)
    text = "\n".join(page.extract_text() for page in PdfReader(target).pages)
    assert "Frauentreff" in text and "Hausaufgabenhilfe" in text
    with pikepdf.open(target) as pdf:
        roles = structure_roles(pdf)
        tables = [node for role, node in roles if role == "/Table"]
        captions = [node for role, node in roles if role == "/Caption"]
        headers = [node for role, node in roles if role == "/TH"]
        # The participation tables and three municipality tables, each with its caption.
        assert len(tables) >= 3 + 2 and len(captions) >= 3
        assert all(h.A.Scope == "/Column" for h in headers)


def test_docx_has_the_chapter_with_header_rows(session, stock):
    document = docx.Document(io.BytesIO(export_docx(session, stock.id)))
    headings = [(p.style.name, p.text) for p in document.paragraphs
                if p.style.name.startswith("Heading")]
    assert ("Heading 1", "Bestandsaufnahme: bestehende Angebote") in headings
    assert ("Heading 3", "Kommune: Dietzenbach") in headings
    stock_tables = [t for t in document.tables if t.rows[0].cells[1].text == "Angebot"]
    assert len(stock_tables) == 3
    for table in stock_tables:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in stock_tables[0].rows[1].cells][1:4] == [
        "Sprachcafé", "Caritas", "Dietzenbach"]


def test_archive_keeps_the_fields_and_rows(session, make, stock, owner_id=None):
    data = archive.export_workshop(session, stock.id)
    copy = make.run(archive.import_workshop, make.facilitator().id, archive.dumps(data))
    board = copy.boards[0]
    assert [f["label"] for f in board.card_fields] == [
        "Angebot", "Träger", "Kommune", "Seit wann", "Zielgruppe"]
    table = stocktaking.tables_of(session, copy)[0]
    assert [name for name, _ in table.groups] == ["Dietzenbach", "Offenbach", "Rodgau"]
    assert table.groups[0][1][1][2] is False  # Frauentreff: not yet existing


def test_compendium_has_a_stocktaking_table_per_municipality(session, make):
    from facilitator.domain import processes
    from facilitator.reports import compendium
    owner = make.facilitator()
    process = make.run(processes.create_process, owner.id, processes.ProcessSpec(
        "Integrationskonzept Kreis Offenbach", fields=("Sprache",)))
    event = make.run(processes.create_event, process.id, owner.id, processes.EventSpec(
        "Bestandsaufnahme mit den Kommunen", template="stocktaking",
        field_ids=[process.fields[0].id]))
    board = event.boards[0]
    phone = make.participant(event)[0]
    keys = [f["key"] for f in board.card_fields]
    for offer, town in [("Sprachcafé", "Dietzenbach"), ("Deutschkurs", "Rodgau"),
                        ("<script>x</script>", "Rodgau")]:
        make.run(ideas.post_idea, phone, board.id, uuid.uuid4().hex, "",
                 {keys[0]: offer, keys[1]: "VHS", keys[2]: town}, True)
    book = compendium.build_compendium(session, process.id)
    assert [(s.board_title, [name for name, _ in s.groups]) for s in book.stocktaking] == [
        ("Sprache", ["Dietzenbach", "Rodgau"])]
    html = compendium.compendium_html(book)
    assert html.count('<table class="counts stocktaking">') == 2
    assert "<caption>Kommune: <span" in html and "&lt;script&gt;x" in html
    document = docx.Document(io.BytesIO(compendium.export_docx(book)))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Kommune: Rodgau" in headings
    assert any(t.rows[0].cells[1].text == "Angebot" for t in document.tables)
