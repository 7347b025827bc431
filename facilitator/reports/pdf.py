"""The record as a tagged PDF (WeasyPrint), made in a process of its own.

The real-time server never renders: a PDF is a job of `facilitator.jobs` (the spec on stdin,
progress in a status file, a spare renderer that has warmed up), which calls `generate()`.

WeasyPrint fetches nothing but the app's static files and the upload folder: `RestrictedFetcher`
refuses every other URL (network, other local files), whatever the HTML asks for.
"""
from __future__ import annotations

import gc
import mimetypes
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from .. import config
from .record import Photo, WorkshopRecord
from .tagging import pdf_ua_details

STATIC = config.PROJECT_ROOT / "static"
# PDF/UA-1: a tagged PDF (structure tree, reading order, alt text) with its title and language.
PDF_VARIANT = "pdf/ua-1"


def default_uploads() -> Path:
    """UPLOAD_PATH, else instance/uploads (as the uploads feature stores them)."""
    configured = os.environ.get("UPLOAD_PATH")
    return Path(configured) if configured else config.instance_dir() / "uploads"


def photo_path(uploads: Path, workshop_id: int, photo: Photo) -> Path | None:
    """Where a photo's file is: in the workshop's upload folder or directly under uploads/.
    None when missing, or when the name would lead out of the upload folder."""
    root = uploads.resolve()
    for candidate in (uploads / str(workshop_id) / photo.filename, uploads / photo.filename):
        resolved = candidate.resolve()
        if resolved.is_relative_to(root) and resolved.is_file():
            return resolved
    return None


def _weasyprint():
    # Imported on use: the web server process never loads WeasyPrint (nor Pango) at all.
    import weasyprint
    from weasyprint.urls import URLFetcher, URLFetcherResponse
    return weasyprint, URLFetcher, URLFetcherResponse


def restricted_fetcher(roots: list[Path]):
    """A WeasyPrint URL fetcher that serves only regular files inside `roots`."""
    _, URLFetcher, URLFetcherResponse = _weasyprint()

    class RestrictedFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols=("file",), allow_redirects=False)
            self.roots = [root.resolve() for root in roots]
            self.refused: list[str] = []
            self.served: list[str] = []

        def allowed_path(self, url: str) -> Path | None:
            parts = urlsplit(url)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                return None
            # resolve() follows symlinks and "..", so nothing can point out of the roots.
            path = Path(url2pathname(unquote(parts.path))).resolve()
            if not any(path.is_relative_to(root) for root in self.roots) or not path.is_file():
                return None
            return path

        def fetch(self, url, headers=None):
            path = self.allowed_path(url)
            if path is None:
                self.refused.append(url)
                raise ValueError(f"refused to fetch {url[:200]!r}")
            self.served.append(str(path))
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes(),
                                      headers={"Content-Type": mime})

    return RestrictedFetcher()


@dataclass
class Rendered:
    pages: int
    refused: list[str] = field(default_factory=list)
    served: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def record_html(record: WorkshopRecord, uploads: Path) -> str:
    """The print HTML of the record: assets and photos as file URLs the fetcher allows, emoji
    no shipped font has written out (html.visible_emoji)."""
    from .html import map_text, render_record, report_app, visible_emoji

    record = map_text(record, visible_emoji)

    def asset_url(path: str) -> str:
        return (STATIC / path).as_uri()

    def photo_url(photo: Photo) -> str | None:
        found = photo_path(uploads, record.id, photo)
        return found.as_uri() if found else None

    with report_app().app_context():
        return render_record(record, preview=False, asset_url=asset_url, photo_url=photo_url)


def render_pdf(record: WorkshopRecord, target, uploads: Path, progress=lambda stage: None
               ) -> Rendered:
    """Write the record as a tagged PDF to `target` (a path or a binary file)."""
    weasyprint, _, _ = _weasyprint()
    timings = {}
    started = time.perf_counter()
    progress("html")
    html = record_html(record, uploads)
    timings["html"] = time.perf_counter() - started
    fetcher = restricted_fetcher([STATIC, uploads])
    progress("layout")
    started = time.perf_counter()
    document = weasyprint.HTML(string=html, base_url=STATIC.as_uri() + "/",
                               url_fetcher=fetcher).render(pdf_variant=PDF_VARIANT)
    del html
    pages = len(document.pages)
    timings["layout"] = time.perf_counter() - started
    progress("writing")
    started = time.perf_counter()
    with pdf_ua_details():  # artifacts, /Lang, /Scope, split elements merged (tagging.py)
        # The finisher runs once the tree is built and before the file is written: the boxes
        # let go page by page (tagging.py) hang in reference cycles until collected.
        document.write_pdf(target, pdf_variant=PDF_VARIANT, finisher=lambda *_: gc.collect())
    timings["write"] = time.perf_counter() - started
    return Rendered(pages, fetcher.refused, fetcher.served, timings)


def generate(database_url: str, workshop_id: int, out: Path, uploads: Path,
             include_names: bool = False, progress=lambda stage: None) -> dict:
    """Read the workshop, render it, and put the PDF at `out` only once it is complete; returns
    what the job's status reports (pages, cards, the workshop's seq, names shown)."""
    from sqlalchemy.orm import Session

    from ..database import make_engine
    from .record import build_record

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            record = build_record(session, workshop_id, include_names=include_names)
    finally:
        engine.dispose()
    partial = out.with_name(out.name + ".part")
    result = render_pdf(record, partial, uploads, progress=progress)
    os.replace(partial, out)
    return {"pages": result.pages, "cards": record.card_count, "seq": record.seq,
            "names": include_names}
