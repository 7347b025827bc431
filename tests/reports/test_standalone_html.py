"""The HTML export is one self-contained file: styles inlined, fonts cut down and embedded,
photos and the logo as data: URIs, no file:// link and no server path. Opened from another
folder in real Chromium it requests nothing and looks like the preview."""
import re
import shutil

import pytest
from sqlalchemy.orm import Session

from facilitator.database import make_engine
from facilitator.reports.html import standalone_html
from facilitator.reports.record import build_record

from record_helpers import ROOT


@pytest.fixture(scope="module")
def exported(seeded, tmp_path_factory):
    engine = make_engine(seeded.url)
    with Session(engine) as session:
        record = build_record(session, seeded.workshop_id)
    engine.dispose()
    html = standalone_html(record, seeded.uploads)
    path = tmp_path_factory.mktemp("export") / "dokumentation.html"
    path.write_text(html, "utf-8")
    return html, path, record


def test_the_html_export_links_nothing_outside_itself(exported, seeded):
    html, _, record = exported
    tags = re.findall(r"<[^>]*>", html)  # markup only: hostile card texts mention file:// too
    assert not [tag for tag in tags if "file:" in tag or tag.startswith(("<link", "<script"))]
    assert str(ROOT) not in html and str(seeded.uploads) not in html
    assert not re.search(r'(src|href)="(?!data:|#)', html)  # only data: URIs and anchors
    images = re.findall(r'<img [^>]*src="([^"]+)"', html)
    assert len(images) == len(record.all_photos) + 1  # the photos and the logo
    assert all(src.startswith("data:image/") for src in images)
    fonts = re.findall(r'url\("(data:[^;]+);base64,', html)
    assert fonts and set(fonts) == {"data:font/woff2"}
    assert html.count("@font-face") >= 4  # Latin regular and bold, Arabic, Ethiopic, …


def test_the_embedded_fonts_are_cut_down_to_the_record(exported):
    html, path, _ = exported
    full = sum(f.stat().st_size for f in (ROOT / "static" / "fonts").glob("*.ttf"))
    assert path.stat().st_size < full / 2  # ~4 MB of faces; the record needs a fraction


@pytest.mark.browser
def test_the_html_export_opened_from_another_folder_requests_nothing_and_is_styled(
        exported, browser, tmp_path):
    _, path, record = exported
    elsewhere = tmp_path / "Downloads" / "Ablage"
    elsewhere.mkdir(parents=True)
    copy = shutil.copy(path, elsewhere / "Werkstatt.html")
    page = browser.new_context(locale="de-DE", viewport={"width": 1100, "height": 900}).new_page()
    requested, failed = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("requestfailed", lambda request: failed.append(request.url))

    page.goto(copy.as_uri())
    page.evaluate("document.fonts.ready")
    loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded')"
                           ".map(f => f.family.replaceAll('\"', ''))")
    assert {"Report Sans", "Report Arabic"} <= set(loaded)
    assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") == "832px"
    sizes = page.evaluate("[...document.images].map(i => i.complete && i.naturalWidth)")
    assert len(sizes) == len(record.all_photos) + 1 and all(sizes)
    page.screenshot(path=str(tmp_path / "standalone.png"), full_page=False)

    assert not failed
    assert [url for url in requested if not url.startswith("data:")] == [copy.as_uri()]
