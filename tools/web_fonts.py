"""Write the WOFF2 fonts the screens use (static/css/fonts.css), from the TTFs in static/fonts.

Run from the repository root (`make web-fonts`) after updating static/fonts, the language
names or the unicode-ranges in static/css/fonts.css. The script faces hold every glyph their
unicode-range in fonts.css reaches (a browser never draws another character with them) and every
layout feature, but no hinting instructions: phones and Chromium's renderers ignore them, and
they were 38% of the Arabic face (78.7 KB, now 49.0 KB). The language-name faces hold only the
glyphs of the language names in their own script, so the language switch on a German phone costs
a few kilobytes instead of every script's font. The PDF keeps the whole TTFs."""
import re
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


# Every feature and name (the copyright and licence stay in the file), no hinting.
SCRIPT_OPTIONS = subset.Options(
    hinting=False, desubroutinize=True, layout_features=["*"], name_IDs=["*"],
    name_languages=["*"], glyph_names=False, notdef_outline=True)

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


def css_unicode_ranges(name: str) -> list[int]:
    """The code points fonts.css gives the face `name` (its `unicode-range`)."""
    css = (ROOT / "static" / "css" / "fonts.css").read_text()
    for block in re.findall(r"@font-face\s*{[^}]*}", css):
        if f"/{name}.woff2" in block:
            ranges = re.search(r"unicode-range:([^;]*);", block).group(1)
            points = []
            for part in ranges.split(","):
                first, _, last = part.strip().removeprefix("U+").partition("-")
                points.extend(range(int(first, 16), int(last or first, 16) + 1))
            return points
    raise SystemExit(f"static/css/fonts.css declares no face for {name}.woff2")


def write(source: str, name: str, options: subset.Options, **glyphs) -> None:
    """static/fonts/web/<name>.woff2: the TTF `source` cut to `glyphs` (Subsetter.populate's
    `text=` or `unicodes=`) with `options`."""
    # The TTF's own date, not today's: the same input gives the same bytes.
    font = TTFont(FONTS / f"{source}.ttf", recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(**glyphs)
    subsetter.subset(font)
    font.flavor = "woff2"
    path = FONTS / "web" / f"{name}.woff2"
    font.save(path)
    print(name, path.stat().st_size, "bytes")


if __name__ == "__main__":
    (FONTS / "web").mkdir(exist_ok=True)
    for name in WEB:
        write(name, name, SCRIPT_OPTIONS, unicodes=css_unicode_ranges(name))
    text = language_names_text()
    for source, name in NAME_FACES.items():
        write(source, name, NAME_OPTIONS, text=text)
