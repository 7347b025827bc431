"""PDF/UA details read back from the realistic workshop's PDF with pikepdf (the structure tree,
the marked content of each page, the parent tree), as facilitator/reports/tagging.py adds them:
passages in other languages carry /Lang, table header cells /Scope, the running header, the page
numbers and the contents' dot leaders are artifacts, an element split across pages is one
structure element, and every piece of marked content is in the tree exactly once.

Not validated here (veraPDF is not installable; the PyPI checker `pdfua` 0.1.3 covers 16 of
106 rules and passed a PDF whose page numbers were tagged content outside the tree): the rest
of the Matterhorn protocol, e.g. role-mapping rules, fonts' glyph widths, nesting rules."""
from collections import Counter

import dataclasses

import pikepdf
import pytest
from sqlalchemy.orm import Session

from facilitator.database import make_engine
from facilitator.reports.pdf import record_html, render_pdf
from facilitator.reports.record import build_record
from facilitator.reports.tagging import text_language

from pdf_structure import page_content, split_text, structure_tree
from record_helpers import translated


@pytest.fixture(scope="module")
def tree(german_pdf):
    with pikepdf.open(german_pdf.path) as pdf:
        yield pdf, structure_tree(pdf)


@pytest.fixture(scope="module")
def record(seeded):
    engine = make_engine(seeded.url)
    with Session(engine) as session:
        yield build_record(session, seeded.workshop_id)
    engine.dispose()


@pytest.fixture(scope="module")
def html(record, seeded) -> str:
    return record_html(record, seeded.uploads)


@pytest.fixture(scope="module")
def long_table(record, seeded, tmp_path_factory):
    """One board whose dot voting ranks 70 clusters: a table over two pages (the realistic
    workshop has none that long), rendered alone; (pikepdf tree, its HTML)."""
    board = next(board for board in record.boards if board.rounds)
    round_ = next(round_ for round_ in board.rounds if round_.kind == "dots")
    rows = [dataclasses.replace(round_.rows[n % len(round_.rows)], rank=n + 1, tie=False,
                                overall_rank=n + 1, label=f"Thema {n + 1}") for n in range(70)]
    board = dataclasses.replace(board, rounds=[dataclasses.replace(round_, rows=rows)],
                                matrix=[], clusters=[], unclustered=[], photos=[])
    alone = dataclasses.replace(record, boards=[board], appendix=[], measures=[], photos=[],
                                workshop_rounds=[], logo=None)
    out = tmp_path_factory.mktemp("long") / "long.pdf"
    render_pdf(alone, out, seeded.uploads)
    with pikepdf.open(out) as pdf:
        yield structure_tree(pdf), record_html(alone, seeded.uploads)


@pytest.fixture(scope="module")
def texts(german_pdf):
    return split_text(german_pdf.path)


def elements(tree, role: str) -> list:
    return [element for element in tree[1].walk() if element.role == role]


def test_passages_in_other_languages_carry_their_language(tree):
    languages = Counter(str(element.obj.Lang) for element in tree[1].walk()
                        if "/Lang" in element.obj)
    # The seed has Arabic, Farsi, Ukrainian or Russian, Tigrinya and Turkish cards; German is
    # the document's language (the catalogue's /Lang) and never repeated on an element.
    assert {"ar", "fa", "ti", "tr"} <= set(languages), languages
    assert {"uk", "ru"} & set(languages), languages
    assert "de" not in languages
    assert str(tree[0].Root.Lang) == "de"


def test_every_table_header_cell_has_a_scope(tree, html):
    headers = elements(tree, "/TH")
    assert len(headers) == html.count("<th ")  # each header cell once (not once per page)
    assert all(element.obj.A.Scope == "/Column" for element in headers)


def test_running_header_and_page_numbers_are_pagination_artifacts(german_pdf, texts, tree):
    tagged, artifacts = texts
    total = len(german_pdf.pages)
    pattern = translated("de", "Page {page} of {pages}")
    for number in range(2, total + 1):
        page_number = pattern.format(page=number, pages=total)
        assert page_number in artifacts[number - 1]
        assert page_number not in tagged[number - 1]
    title = "Integrationskonzept"  # the running header repeats the title
    assert all(title in text for text in artifacts[2:])
    kinds = Counter()
    for page in tree[0].pages:
        kinds.update(page_content(page).artifacts)
    assert kinds["/Artifact/Pagination/Footer"] >= total - 1
    assert kinds["/Artifact/Pagination/Header"] >= total - 2


def test_the_contents_dot_leaders_are_artifacts(texts):
    tagged, artifacts = texts
    contents = translated("de", "Contents")
    page = next(n for n, text in enumerate(tagged) if text.startswith(contents))
    assert "....." in artifacts[page]
    assert "..." not in tagged[page]
    assert translated("de", "Purpose of the event") in tagged[page]


def test_every_marked_content_is_in_the_structure_tree_exactly_once(tree):
    pdf, root = tree
    in_tree = Counter(item for element in root.walk() for item in element.content)
    assert max(in_tree.values()) == 1
    in_pages = {(n, mcid) for n, page in enumerate(pdf.pages)
                for mcid in page_content(page).mcids}
    assert set(in_tree) == in_pages
    # The parent tree maps each MCID back to the element that holds it.
    holders = {item: element.obj.objgen for element in root.walk() for item in element.content}
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    for n, page in enumerate(pdf.pages):
        parents = nums[list(nums[0::2]).index(page.StructParents) * 2 + 1]
        for mcid, parent in enumerate(parents):
            assert holders[(n, mcid)] == parent.objgen, (n, mcid)


def test_a_chapter_split_across_pages_stays_one_element(tree, html):
    assert len(elements(tree, "/Sect")) == html.count("<section")
    assert any(len(sect.pages) > 1 for sect in elements(tree, "/Sect"))
    assert len(elements(tree, "/Table")) == html.count("<table")
    assert len(elements(tree, "/Part")) == 1  # <main>, on every page


def test_a_table_split_across_pages_is_one_table_with_its_header_once(long_table):
    root, html = long_table
    tables = [element for element in root.walk() if element.role == "/Table"]
    assert len(tables) == html.count("<table")
    ranking = max(tables, key=lambda table: len(table.pages))
    assert len(ranking.pages) >= 2
    assert [kid.role for kid in ranking.kids] == ["/THead", "/TBody"]
    rows = ranking.kids[1].kids
    assert len(rows) == 70 and all(row.role == "/TR" for row in rows)
    # The header repeated on the second page is an artifact: its cells are in the tree once.
    assert sum(1 for cell in ranking.walk() if cell.role == "/TH") == 3
    header_ids = {bytes(cell.obj.ID) for cell in ranking.walk() if cell.role == "/TH"}
    for row in rows:
        for cell in row.kids:
            assert {bytes(key) for key in cell.obj.A.Headers} <= header_ids
            assert len(cell.obj.A.Headers) == 1


def test_data_cells_point_at_header_cells_of_their_own_table(tree):
    for table in elements(tree, "/Table"):
        ids = {bytes(cell.obj.ID) for cell in table.walk() if cell.role == "/TH"}
        for cell in table.walk():
            if cell.role == "/TD" and "/Headers" in cell.obj.get("/A", {}):
                assert {bytes(key) for key in cell.obj.A.Headers} <= ids


def test_the_language_of_a_card_is_told_by_its_letters():
    assert text_language("نحتاج إلى دورات لغة", "de") == "ar"
    assert text_language("کلاس زبان برای مادران", "de") == "fa"
    assert text_language("Потрібні курси мови", "de") == "uk"
    assert text_language("Нужны курсы языка", "de") == "ru"
    assert text_language("ናይ ቋንቋ ትምህርቲ", "de") == "ti"
    assert text_language("Akşam dil kursları", "de") == "tr"
    assert text_language("Mehr Sprachkurse am Abend", "de") is None
    assert text_language("نحتاج إلى دورات لغة", "ar") is None  # the page's own language


def test_each_page_lets_go_of_its_boxes_once_its_part_of_the_tree_is_built(tmp_path):
    """The renderer's peak memory (bench/README.md): no page keeps its box tree into the
    writing of the file, and the tags are complete all the same."""
    import io

    import weasyprint

    from facilitator.reports.tagging import pdf_ua_details
    body = "".join(f"<h2>Teil {n}</h2><p lang='ar'>نحتاج إلى دورات لغة {n}</p>" * 4
                   for n in range(30))
    document = weasyprint.HTML(string=f"<html lang='de'><title>T</title><body>{body}</body>"
                               "</html>").render(pdf_variant="pdf/ua-1")
    assert len(document.pages) > 1
    at_writing = []
    with pdf_ua_details():
        data = document.write_pdf(pdf_variant="pdf/ua-1", finisher=lambda doc, _: at_writing.extend(
            page._page_box for page in doc.pages))
    assert at_writing and all(box is None for box in at_writing)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        kinds = Counter(str(element.get("/S")) for element in _elements(pdf.Root.StructTreeRoot))
    assert kinds["/H2"] == 120 and kinds["/P"] == 120


def _elements(node):
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
            yield kid
            yield from _elements(kid)
