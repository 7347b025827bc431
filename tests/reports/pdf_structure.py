"""Reading a tagged PDF back with pikepdf: its structure tree, the marked content of its pages,
and the text of what is tagged apart from the text of what is an artifact."""
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pypdf import PdfReader

from record_helpers import normalise

TEXT_OPERATORS = {"Tj", "TJ", "'", '"'}


@dataclass
class Element:
    """One structure element: its role, attributes, pages and kids (elements only)."""
    role: str
    obj: pikepdf.Dictionary
    kids: list["Element"] = field(default_factory=list)
    # (page number from 0, MCID) of the marked content directly inside it.
    content: list[tuple[int, int]] = field(default_factory=list)

    def walk(self):
        yield self
        for kid in self.kids:
            yield from kid.walk()

    @property
    def pages(self) -> set[int]:
        return {page for element in self.walk() for page, _ in element.content}


def structure_tree(pdf: pikepdf.Pdf) -> Element:
    """The tree from the StructTreeRoot, with each MCID resolved to its page."""
    page_numbers = {page.objgen: n for n, page in enumerate(pdf.pages)}

    def build(node, page) -> Element:
        page = page_numbers.get(node.Pg.objgen, page) if "/Pg" in node else page
        element = Element(str(node.S) if "/S" in node else "/StructTreeRoot", node)
        kids = node.get("/K")
        kids = kids if isinstance(kids, pikepdf.Array) else [] if kids is None else [kids]
        for kid in kids:
            if isinstance(kid, int):
                element.content.append((page, int(kid)))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                kid_page = page_numbers[kid.Pg.objgen] if "/Pg" in kid else page
                element.content.append((kid_page, int(kid.MCID)))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
                continue
            elif isinstance(kid, pikepdf.Dictionary):
                element.kids.append(build(kid, page))
        return element

    return build(pdf.Root.StructTreeRoot, None)


@dataclass
class PageContent:
    mcids: list[int]  # every MCID the page's content marks, in order
    artifacts: Counter  # artifact kinds (/Pagination/Footer, /Layout, …) with text inside


def page_content(page: pikepdf.Page) -> PageContent:
    mcids, artifacts, stack = [], Counter(), []
    for operands, operator in pikepdf.parse_content_stream(page):
        operator = str(operator)
        if operator in ("BDC", "BMC"):
            properties = operands[1] if operator == "BDC" else None
            if isinstance(properties, pikepdf.Dictionary) and "/MCID" in properties:
                mcids.append(int(properties.MCID))
            kind = str(operands[0])
            if kind == "/Artifact" and isinstance(properties, pikepdf.Dictionary):
                kind += "".join(str(properties.get(key, "")) for key in ("/Type", "/Subtype"))
            stack.append(kind)
        elif operator == "EMC":
            stack.pop()
        elif operator in TEXT_OPERATORS:
            artifact = next((kind for kind in stack if kind.startswith("/Artifact")), None)
            if artifact:
                artifacts[artifact] += 1
    return PageContent(mcids, artifacts)


def split_text(path: Path) -> tuple[list[str], list[str]]:
    """(tagged text, artifact text) of each page, normalised: the page's text drawn inside
    marked content that is not an artifact, and the text drawn inside artifacts."""
    def text_where(keep_artifacts: bool) -> list[str]:
        pdf = pikepdf.open(path)
        for page in pdf.pages:
            kept, stack = [], []
            for operands, operator in pikepdf.parse_content_stream(page):
                name = str(operator)
                if name in ("BDC", "BMC"):
                    stack.append(str(operands[0]))
                elif name == "EMC":
                    stack.pop()
                elif name in TEXT_OPERATORS and ("/Artifact" in stack) != keep_artifacts:
                    continue
                kept.append(pikepdf.ContentStreamInstruction(operands, operator))
            page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(kept))
        out = io.BytesIO()
        pdf.save(out)
        return [normalise(page.extract_text()) for page in PdfReader(out).pages]

    return text_where(False), text_where(True)
