"""PDF/UA details WeasyPrint 70 leaves out of the structure tree, added while it builds the tree.

WeasyPrint tags the record from the HTML (headings, lists, tables, figures) but writes neither
`/Lang` for an element with a `lang` attribute (a screen reader would read an Arabic card with a
German voice) nor `/Scope` for a table header cell. Both are known from the box the structure
element is made for, so `structure_details()` wraps WeasyPrint's tree builder for the duration
of one PDF and adds them. The wrapper relies on a private function of WeasyPrint: the version is
pinned in pyproject.toml, and tests/reports/test_pdfua.py reads both back from the PDF, so an
upgrade that changes it fails loudly instead of silently dropping the tags.
"""
from __future__ import annotations

import re
import unicodedata
from contextlib import contextmanager

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


@contextmanager
def structure_details():
    """While active, structure elements get `/Lang` from their element's `lang` attribute and
    table headers `/Scope` (`/Column` unless `scope="row"`)."""
    import pydyf
    from weasyprint.pdf import tags

    build = tags._build_box_tree

    def build_with_details(box, parent, *args):
        element_of_box = box.element is not None and box.element_tag not in ("html", "body")
        for element in build(box, parent, *args):
            if element_of_box:
                _add_details(element, box, pydyf)
            yield element

    tags._build_box_tree = build_with_details
    try:
        yield
    finally:
        tags._build_box_tree = build


def _add_details(element, box, pydyf) -> None:
    lang = box.element.get("lang")
    if lang and "Lang" not in element:
        element["Lang"] = pydyf.String(lang)
    if element.get("S") == "/TH" and box.element_tag == "th":
        scope = "/Row" if box.element.get("scope") == "row" else "/Column"
        element.setdefault("A", pydyf.Dictionary({"O": "/Table"}))["Scope"] = scope
