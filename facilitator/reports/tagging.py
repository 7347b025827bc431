"""PDF/UA details WeasyPrint 70 leaves out, added while it draws the pages and builds the tree.

WeasyPrint tags the record from the HTML (headings, lists, tables, figures) and has no option for
the rest (its issue #1836, page margins as artifacts, is open; PDF/UA-1 cannot put artifacts in
the tree). `pdf_ua_details()` therefore wraps a few of its functions for the duration of one PDF:

- `/Lang` on an element with a `lang` attribute (a screen reader would read an Arabic card with
  a German voice) and `/Scope` on every table header cell;
- the running header and "Seite x von y" (page margin boxes) are drawn as pagination artifacts,
  not as marked content outside the tree;
- the dot leaders of the table of contents and a table header repeated on a continuation page
  are artifacts (the header cells are in the tree once, where the table starts);
- an element split across pages is one structure element, not one per page: WeasyPrint builds
  the tree page by page, so a table (or a chapter) on three pages came out as three tables.
  Consecutive siblings made from the same HTML element are merged afterwards (their kids moved,
  marked content on other pages referenced by /MCR, the parent tree pointed at the survivor).

Memory: a page's box tree is needed to draw it and then once more to build its part of the
structure tree, and by nothing after that; so each page's boxes are let go as soon as its part of
the tree is built (pdf.py collects their reference cycles before the file is written). 5,000
cards: the boxes are ~340 MB of the renderer's peak; letting them go took it from 612 to 552 MB
(bench/README.md). Collecting every 40 pages while the tree is built saved 16 MB more for ~4 s
CPU: not done.

The wrappers rely on private functions of WeasyPrint: tests/reports/test_pdfua.py reads each
detail back from the PDF (structure tree, marked content, parent tree), so an upgrade that
changes them fails loudly instead of silently dropping the tags.
"""
from __future__ import annotations

import re
import unicodedata
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field

# Letters that tell languages of one script apart (the record has no language per card).
_PERSIAN = re.compile("[\u067e\u0686\u0698\u06af\u06a9\u06cc]")  # پ چ ژ گ ک ی
_UKRAINIAN = re.compile("[\u0456\u0457\u0454\u0491\u0406\u0407\u0404\u0490]")  # і ї є ґ
_TURKISH = re.compile("[\u011f\u011e\u015f\u015e\u0131\u0130]")  # ğ ş ı İ


def text_language(text: str, page_language: str) -> str | None:
    """The language of a participant's text as far as its letters tell (Arabic or Farsi,
    Ukrainian or Russian, Tigrinya, Turkish), or None when it is the page's language or cannot
    be told. A guess by script: the cards carry no language of their own."""
    guess = None
    for char in text or "":
        if char < "\u0370":
            continue
        name = unicodedata.name(char, "")
        if name.startswith("ARABIC"):
            guess = "fa" if _PERSIAN.search(text) else "ar"
        elif name.startswith("CYRILLIC"):
            guess = "uk" if _UKRAINIAN.search(text) else "ru"
        elif name.startswith("ETHIOPIC"):
            guess = "ti"
        if guess:
            break
    if guess is None and _TURKISH.search(text or ""):
        guess = "tr"
    return guess if guess and guess != page_language else None


@dataclass
class _State:
    """What the wrappers of one PDF share: drawing happens page by page before the tree is
    built, so the tree builder skips exactly what was drawn as an artifact."""
    artifact_depth: int = 0  # > 0 while drawing a margin box or a leader
    seen_headers: set[int] = field(default_factory=set)  # ids of <thead> elements drawn once
    # Ids of the text boxes of headers drawn again. Text boxes, because drawing works on copies
    # of the block boxes (stacking contexts) while the tree is built from the originals.
    artifact_boxes: set[int] = field(default_factory=set)
    origin: dict[int, tuple[int, str]] = field(default_factory=dict)  # struct elem → element
    document: object = None  # the WeasyPrint document whose tree is being built


@contextmanager
def pdf_ua_details():
    """While active, WeasyPrint writes the details listed in the module docstring."""
    import pydyf
    from weasyprint import draw
    from weasyprint import pdf as pdf_module
    from weasyprint.formatting_structure import boxes
    from weasyprint.pdf import stream as stream_module
    from weasyprint.pdf import tags

    state = _State()
    originals = {
        (tags, "_build_box_tree"): tags._build_box_tree,
        (pdf_module, "add_tags"): pdf_module.add_tags,
        (draw, "draw_stacking_context"): draw.draw_stacking_context,
        (draw, "draw_inline_level"): draw.draw_inline_level,
        (draw, "draw_table"): draw.draw_table,
        (stream_module.Stream, "marked"): stream_module.Stream.marked,
        (stream_module.Stream, "artifact"): stream_module.Stream.artifact,
    }
    build = tags._build_box_tree
    marked, artifact = stream_module.Stream.marked, stream_module.Stream.artifact

    # -- drawing ---------------------------------------------------------------------------

    @contextmanager
    def as_artifact(stream, properties=None):
        """An artifact sequence; nothing inside gets a marked-content id."""
        if stream._tags is not None and state.artifact_depth == 0:
            pydyf.Stream.begin_marked_content(stream, "Artifact", properties)
            opened = True
        else:
            opened = False
        state.artifact_depth += 1
        try:
            yield
        finally:
            state.artifact_depth -= 1
            if opened:
                pydyf.Stream.end_marked_content(stream)

    def marked_unless_artifact(self, box, tag):
        if state.artifact_depth or id(box) in state.artifact_boxes:
            return as_artifact(self) if state.artifact_depth == 0 else nullcontext()
        return marked(self, box, tag)

    def artifact_once(self):
        return nullcontext() if state.artifact_depth else artifact(self)

    def draw_stacking_context(stream, stacking_context):
        box = stacking_context.box
        if isinstance(box, boxes.MarginBox):
            where = "/Header" if box.at_keyword.startswith("@top") else "/Footer"
            with as_artifact(stream, pydyf.Dictionary({"Type": "/Pagination",
                                                       "Subtype": where})):
                return originals[(draw, "draw_stacking_context")](stream, stacking_context)
        return originals[(draw, "draw_stacking_context")](stream, stacking_context)

    def draw_inline_level(stream, page, box, *args, **kwargs):
        if getattr(box, "is_leader", False):
            with as_artifact(stream, pydyf.Dictionary({"Type": "/Layout"})):
                return originals[(draw, "draw_inline_level")](stream, page, box, *args, **kwargs)
        return originals[(draw, "draw_inline_level")](stream, page, box, *args, **kwargs)

    def draw_table(stream, table):
        header = table.children[0] if table.children else None
        if header is not None and header.is_header and header.element is not None:
            if id(header.element) in state.seen_headers:
                state.artifact_boxes.update(id(each) for each in header.descendants())
            state.seen_headers.add(id(header.element))
        return originals[(draw, "draw_table")](stream, table)

    # -- the structure tree ----------------------------------------------------------------

    def build_with_details(box, parent, *args):
        if isinstance(box, boxes.MarginBox) or getattr(box, "is_leader", False):
            return  # drawn as artifacts: nothing in the tree
        if getattr(box, "is_header", False) and any(
                id(each) in state.artifact_boxes for each in box.descendants()):
            # The header repeated on a continuation page: an artifact. WeasyPrint's table code
            # still sets an ID on each header cell's element; give it one it can set.
            for row in box.children:
                for cell in row.children:
                    cell.mark = pydyf.Dictionary({"A": pydyf.Dictionary()})
            return
        element_of_box = box.element is not None and box.element_tag not in ("html", "body")
        for element in build(box, parent, *args):
            if element_of_box:
                _add_details(element, box, pydyf)
                state.origin[element.number] = (id(box.element), element["S"])
            yield element
        if isinstance(box, boxes.PageBox) and state.document is not None:
            # This page's part of the tree is complete: nothing needs its boxes any more.
            page_number = args[1]
            state.document.pages[page_number]._page_box = None

    def add_tags(pdf, document, *args, **kwargs):
        state.document = document
        try:
            originals[(pdf_module, "add_tags")](pdf, document, *args, **kwargs)
        finally:
            state.document = None
        _merge_split_elements(pdf, state.origin, pydyf)

    patches = {
        (tags, "_build_box_tree"): build_with_details,
        (pdf_module, "add_tags"): add_tags,
        (draw, "draw_stacking_context"): draw_stacking_context,
        (draw, "draw_inline_level"): draw_inline_level,
        (draw, "draw_table"): draw_table,
        (stream_module.Stream, "marked"): marked_unless_artifact,
        (stream_module.Stream, "artifact"): artifact_once,
    }
    for (owner, name), function in patches.items():
        setattr(owner, name, function)
    try:
        yield
    finally:
        for (owner, name), function in originals.items():
            setattr(owner, name, function)




def _add_details(element, box, pydyf) -> None:
    lang = box.element.get("lang")
    if lang and "Lang" not in element:
        element["Lang"] = pydyf.String(lang)
    if element.get("S") == "/TH" and box.element_tag == "th":
        scope = "/Row" if box.element.get("scope") == "row" else "/Column"
        element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))["Scope"] = scope


def _number(reference) -> int | None:
    if isinstance(reference, bytes) and reference.endswith(b" 0 R"):
        return int(reference.split()[0])
    return None


def _merge_split_elements(pdf, origin: dict[int, tuple[int, str]], pydyf) -> None:
    """Merge consecutive sibling structure elements made from the same HTML element (one per
    page it spans) into the first; then point the parent tree at the survivors."""
    objects = pdf.objects
    replaced: dict[int, bytes] = {}
    merged_tables: dict[int, object] = {}  # by object number

    def struct(kid):
        number = _number(kid)
        if number is None:
            return None
        found = objects[number]
        return found if isinstance(found, dict) and found.get("Type") == "/StructElem" else None

    def absorb(keep, gone) -> None:
        for kid in gone["K"]:
            if isinstance(kid, int):
                if gone.get("Pg") != keep.get("Pg"):
                    kid = pydyf.Dictionary({"Type": "/MCR", "Pg": gone["Pg"], "MCID": kid})
            else:
                child = struct(kid)
                if child is not None:
                    child["P"] = keep.reference
            keep["K"].append(kid)
        replaced[gone.number] = keep.reference

    root_document = struct(objects[_number(pdf.catalog["StructTreeRoot"])]["K"][0])
    pending = [root_document]
    while pending:
        element = pending.pop()
        kept = pydyf.Array()
        previous = None
        for kid in element["K"]:
            current = struct(kid)
            if (current is not None and previous is not None
                    and origin.get(current.number) is not None
                    and origin.get(current.number) == origin.get(previous.number)):
                absorb(previous, current)
                if previous["S"] == "/Table":
                    merged_tables[previous.number] = previous
                continue
            kept.append(kid)
            previous = current
        element["K"] = kept
        pending.extend(child for child in map(struct, kept) if child is not None)

    if replaced:
        parent_tree = objects[_number(objects[_number(pdf.catalog["StructTreeRoot"])]
                                      ["ParentTree"])]
        nums = parent_tree["Nums"]
        for index, value in enumerate(nums):
            if isinstance(value, list):
                nums[index] = pydyf.Array(
                    replaced.get(_number(ref), ref) for ref in value)
            elif index % 2 and _number(value) in replaced:
                nums[index] = replaced[_number(value)]
    for table in merged_tables.values():
        _link_cells_to_headers(table, struct, pydyf)


def _link_cells_to_headers(table, struct, pydyf) -> None:
    """/Headers of every data cell of a table that was merged from several pages: the IDs of
    the header cells of its column (WeasyPrint linked each page's cells to that page's header,
    which on continuation pages is now an artifact)."""
    rows = []
    for group in map(struct, table["K"]):
        if group is None:
            continue
        if group["S"] == "/TR":
            rows.append(group)
        elif group["S"] in ("/THead", "/TBody", "/TFoot"):
            rows.extend(row for row in map(struct, group["K"])
                        if row is not None and row["S"] == "/TR")
    columns: dict[int, list] = {}
    for row in rows:
        column = 0
        for cell in map(struct, row["K"]):
            if cell is None or cell["S"] not in ("/TH", "/TD"):
                continue
            span = int(cell.get("A", {}).get("ColSpan", 1))
            if cell["S"] == "/TH" and "ID" in cell and cell["A"].get("Scope") != "/Row":
                for offset in range(span):
                    columns.setdefault(column + offset, []).append(cell["ID"])
            elif cell["S"] == "/TD":
                headers = [key for offset in range(span) for key in columns.get(column + offset, [])]
                cell.setdefault("A", pydyf.Dictionary({"O": "/Table"}))["Headers"] = \
                    pydyf.Array(headers)
            column += span
