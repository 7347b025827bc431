"""The compendium PDF with the steering group's decisions, read back with pikepdf: the new tables
(field priorities, schedule, the catalogue's schedule column) are tagged like every other table
(caption, header cells with a column scope, each header once), every marked content is in the
structure tree exactly once, the catalogue's landscape page is still one tagged document, and
right-to-left and hostile text stays text."""
from collections import Counter

import pikepdf
import pytest

from facilitator.domain import measures, processes, steering
from facilitator.domain.measures import MeasureSpec
from facilitator.domain.processes import EventSpec, ProcessSpec
from facilitator.reports import compendium

from pdf_structure import page_content, structure_tree


@pytest.fixture
def rendered(session, make, tmp_path):
    owner = make.facilitator()
    process = processes.create_process(session, owner.id, ProcessSpec(
        "Integrationskonzept Kaiserslautern", language="de",
        fields=("Sprache", "العمل والمهنة", "<b>Gesundheit</b>")))
    language, work, health = process.fields
    event = processes.create_event(session, process.id, owner.id, EventSpec(
        "Arbeitsgruppen", field_ids=[language.id, work.id]))
    for title, board in (("Sprachcafé", 0), ("دليل العمل", 1)):
        measures.save_measure(session, event.id, owner.id, MeasureSpec(
            title, board_id=event.boards[board].id, responsible="Stadt"))
    steering.record_priorities(session, process.id, {work.id: 1, health.id: 2, language.id: 3},
                               "2027-02-01")
    cafe, guide = processes.round_measures(session, process.id)
    steering.set_schedule(session, process.id, cafe.id, "2027 Q2", "VHS <script>", "2027-02-01")
    steering.set_schedule(session, process.id, guide.id, "2028", "مركز العمل", None)
    book = compendium.build_compendium(session, process.id)
    html = compendium.compendium_html(book)
    out = tmp_path / "compendium.pdf"
    compendium.render_pdf(book, out)
    with pikepdf.open(out) as pdf:
        yield pdf, structure_tree(pdf), html


def test_the_steering_groups_tables_are_tagged_like_every_table(rendered):
    pdf, root, html = rendered
    roles = Counter(element.role for element in root.walk())
    assert roles["/Table"] == html.count("<table") == 4  # events, catalogue, priorities, schedule
    assert roles["/Caption"] == html.count("<caption>")
    headers = [e for e in root.walk() if e.role == "/TH"]
    assert len(headers) == html.count("<th ")
    assert all(e.obj.A.Scope == "/Column" for e in headers)
    assert "<script>" not in html and "VHS &lt;script&gt;" in html
    assert '<td dir="rtl">مركز العمل</td>' in html
    assert str(pdf.Root.Lang) == "de" and pdf.Root.MarkInfo.Marked


def test_every_marked_content_is_in_the_tree_once_with_the_landscape_catalogue(rendered):
    pdf, root, _ = rendered
    in_tree = Counter(item for element in root.walk() for item in element.content)
    assert max(in_tree.values()) == 1
    in_pages = {(n, mcid) for n, page in enumerate(pdf.pages)
                for mcid in page_content(page).mcids}
    assert set(in_tree) == in_pages
    shapes = [float(page.mediabox[2]) > float(page.mediabox[3]) for page in pdf.pages]
    assert True in shapes and shapes[0] is False  # the catalogue is landscape, the cover not
