"""Write WOFF2 copies of the script fonts for the screens (static/css/fonts.css).

Run from the repository root (`make web-fonts`) after updating static/fonts. WOFF2 is about a
third of the TTF; the glyphs are the same as in the PDF."""
from pathlib import Path

from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"
WEB = ("NotoSansArabic-Regular", "NotoSansArabic-Bold", "NotoSansEthiopic-Regular",
       "NotoSansEthiopic-Bold")

if __name__ == "__main__":
    (FONTS / "web").mkdir(exist_ok=True)
    for name in WEB:
        font = TTFont(FONTS / f"{name}.ttf")
        font.flavor = "woff2"
        font.save(FONTS / "web" / f"{name}.woff2")
        print(name, (FONTS / "web" / f"{name}.woff2").stat().st_size, "bytes")
