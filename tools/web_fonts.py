"""Write the WOFF2 fonts the screens use (static/css/fonts.css), from the TTFs in static/fonts.

Run from the repository root (`make web-fonts`) after updating static/fonts or the language
names. The script faces are whole (WOFF2, about a third of the TTF); the language-name faces hold
only the glyphs of the language names in their own script, so the language switch on a German
phone costs a few kilobytes instead of every script's font."""
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "static" / "fonts"
WEB = ("NotoSansArabic-Regular", "NotoSansArabic-Bold", "NotoSansEthiopic-Regular",
       "NotoSansEthiopic-Bold")
NAME_FACES = {"NotoSansArabic-Regular": "LanguageNames-Arabic",
              "NotoSansEthiopic-Regular": "LanguageNames-Ethiopic"}


# Just what shaping the names needs (joining forms, ligatures, marks). No hinting instructions
# (they were half of each face; phones ignore them), no glyph or font names: 3 KB + 0.7 KB.
NAME_OPTIONS = subset.Options(
    hinting=False, desubroutinize=True, name_IDs=[], glyph_names=False, notdef_outline=False,
    layout_features=["ccmp", "locl", "isol", "init", "medi", "fina", "rlig", "calt", "liga",
                     "mark", "mkmk", "kern"])


def language_names_text() -> str:
    sys.path.insert(0, str(ROOT))
    from facilitator import LANGUAGE_NAMES
    return "".join(LANGUAGE_NAMES.values())


def write(font: TTFont, name: str) -> None:
    font.flavor = "woff2"
    path = FONTS / "web" / f"{name}.woff2"
    font.save(path)
    print(name, path.stat().st_size, "bytes")


if __name__ == "__main__":
    (FONTS / "web").mkdir(exist_ok=True)
    for name in WEB:
        write(TTFont(FONTS / f"{name}.ttf"), name)
    text = language_names_text()
    for source, name in NAME_FACES.items():
        font = TTFont(FONTS / f"{source}.ttf")
        subsetter = subset.Subsetter(NAME_OPTIONS)
        subsetter.populate(text=text)
        subsetter.subset(font)
        write(font, name)
