"""PDF/UA details read back from the structure tree of the realistic workshop's PDF: passages in
other languages carry /Lang, table header cells /Scope (facilitator/reports/tagging.py)."""
from collections import Counter

from facilitator.reports.tagging import text_language


def structure_elements(reader) -> list[dict]:
    """Every structure element of the PDF's tree, depth first."""
    found = []

    def walk(node) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            if node.get("/Type") == "/StructElem":
                found.append(node)
            if "/K" in node:
                walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_passages_in_other_languages_carry_their_language(german_pdf):
    languages = Counter(str(element["/Lang"]) for element in structure_elements(german_pdf.reader)
                        if "/Lang" in element)
    # The seed has Arabic, Farsi, Ukrainian or Russian, Tigrinya and Turkish cards; German is
    # the document's language (the catalogue's /Lang) and never repeated on an element.
    assert {"ar", "fa", "ti", "tr"} <= set(languages), languages
    assert {"uk", "ru"} & set(languages), languages
    assert "de" not in languages


def test_every_table_header_cell_has_a_scope(german_pdf):
    headers = [element for element in structure_elements(german_pdf.reader)
               if element["/S"] == "/TH"]
    assert len(headers) > 30
    assert all(element["/A"]["/Scope"] == "/Column" for element in headers)


def test_the_language_of_a_card_is_told_by_its_letters():
    assert text_language("نحتاج إلى دورات لغة", "de") == "ar"
    assert text_language("کلاس زبان برای مادران", "de") == "fa"
    assert text_language("Потрібні курси мови", "de") == "uk"
    assert text_language("Нужны курсы языка", "de") == "ru"
    assert text_language("ናይ ቋንቋ ትምህርቲ", "de") == "ti"
    assert text_language("Akşam dil kursları", "de") == "tr"
    assert text_language("Mehr Sprachkurse am Abend", "de") is None
    assert text_language("نحتاج إلى دورات لغة", "ar") is None  # the page's own language
