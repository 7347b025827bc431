"""The record as a tagged PDF (WeasyPrint), made in a process of its own.

The real-time server never renders: it starts

    python -m facilitator.reports.pdf DATABASE_URL WORKSHOP_ID OUT.pdf [--uploads DIR]
        [--names] [--status STATUS.json]

(DATABASE_URL "-" reads it from the environment, so a password never shows in `ps`.) The server
keeps one spare renderer that has already imported everything (`--wait SECONDS`) and hands it
the next job as a JSON line on stdin, which saves the two seconds of start-up per PDF.

and polls it (views/reports.py). Rendering a large workshop takes seconds of CPU; inside the
gevent process that would stall every phone (STACK.md). The child lowers its own priority so the
live server keeps the CPU it needs, and reports its progress in the status file.

WeasyPrint fetches nothing but the app's static files and the upload folder: `RestrictedFetcher`
refuses every other URL (network, other local files), whatever the HTML asks for.
"""
from __future__ import annotations

import argparse
import json
import mimetypes
import os
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from .. import config
from .record import Photo, WorkshopRecord

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
    """The print HTML of the record: assets and photos as file URLs the fetcher allows."""
    from .html import render_record, report_app

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
    timings["layout"] = time.perf_counter() - started
    progress("writing")
    started = time.perf_counter()
    document.write_pdf(target, pdf_variant=PDF_VARIANT)
    timings["write"] = time.perf_counter() - started
    return Rendered(len(document.pages), fetcher.refused, fetcher.served, timings)


# --- The child process ----------------------------------------------------------------------

def write_status(path: Path | None, **status) -> None:
    """Replace the status file in one step, so a reader never sees half of it."""
    if path is None:
        return
    status.setdefault("pid", os.getpid())
    status["updated_at"] = time.time()
    # A name of this process's own: the server and the renderer both write the status.
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(status))
    os.replace(temporary, path)


def generate(database_url: str, workshop_id: int, out: Path, uploads: Path,
             include_names: bool = False, status: Path | None = None) -> Rendered:
    """Read the workshop, render it, and put the PDF at `out` only once it is complete."""
    from sqlalchemy.orm import Session

    from ..database import make_engine
    from .record import build_record

    started = time.time()
    write_status(status, state="running", stage="record", started_at=started)
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            record = build_record(session, workshop_id, include_names=include_names)
    finally:
        engine.dispose()
    partial = out.with_name(out.name + ".part")
    result = render_pdf(record, partial, uploads, progress=lambda stage: write_status(
        status, state="running", stage=stage, started_at=started))
    os.replace(partial, out)
    write_status(status, state="done", stage="done", started_at=started,
                 finished_at=time.time(), pages=result.pages, cards=record.card_count,
                 seq=record.seq, names=include_names)
    return result


@dataclass
class Job:
    """What one renderer process makes (from the command line, or as a JSON line on stdin)."""
    database_url: str
    workshop_id: int
    out: str
    uploads: str | None = None
    names: bool = False
    status: str | None = None


def run_job(job: Job) -> int:
    """Make the PDF; on failure record it in the status file and return non-zero."""
    status = Path(job.status) if job.status else None
    try:
        if not job.database_url:
            raise ValueError("no database URL")
        generate(job.database_url, job.workshop_id, Path(job.out),
                 Path(job.uploads) if job.uploads else default_uploads(), job.names, status)
    except Exception as error:  # noqa: BLE001 - reported to the console, then exit non-zero
        traceback.print_exc()
        write_status(status, state="failed", stage="failed", finished_at=time.time(),
                     error=f"{type(error).__name__}: {error}"[:500])
        return 1
    return 0


def warm_up() -> None:
    """Import and initialise everything a job needs (about two seconds of a job's time)."""
    import importlib
    _weasyprint()
    for name in ("sqlalchemy.orm", "facilitator.database", "facilitator.reports.record",
                 "weasyprint.pdf"):
        importlib.import_module(name)
    from .html import report_app
    report_app()


def wait_for_job(idle_seconds: float) -> int:
    """A spare renderer: warm up, say "ready", then make the one job that arrives on stdin as
    a JSON line. Exits without one after `idle_seconds`, or when stdin closes."""
    import select
    warm_up()
    print("ready", flush=True)
    readable, _, _ = select.select([sys.stdin], [], [], idle_seconds)
    line = sys.stdin.readline() if readable else ""
    if not line.strip():
        return 0
    return run_job(Job(**json.loads(line)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m facilitator.reports.pdf",
        description="Render a workshop's documentation as a tagged PDF.")
    parser.add_argument("database_url", nargs="?",
                        help='"-": from the DATABASE_URL environment variable')
    parser.add_argument("workshop_id", type=int, nargs="?")
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("--uploads", type=Path, default=None,
                        help="the upload folder (default: UPLOAD_PATH, else instance/uploads)")
    parser.add_argument("--names", action="store_true",
                        help="show the names participants chose to show")
    parser.add_argument("--status", type=Path, default=None, help="progress file (JSON)")
    parser.add_argument("--nice", type=int, default=10,
                        help="lower this process's priority by this much (default 10)")
    parser.add_argument("--wait", type=float, metavar="SECONDS", default=None,
                        help="instead: warm up, print 'ready', and make the one job that comes "
                             "as a JSON line on stdin within SECONDS")
    args = parser.parse_args(argv)
    if args.nice:
        os.nice(args.nice)
    if args.wait is not None:
        return wait_for_job(args.wait)
    if args.database_url is None or args.workshop_id is None or args.out is None:
        parser.error("DATABASE_URL, WORKSHOP_ID and OUT are needed (or --wait)")
    database_url = os.environ.get("DATABASE_URL", "") if args.database_url == "-" else (
        args.database_url)
    return run_job(Job(database_url, args.workshop_id, str(args.out),
                       str(args.uploads) if args.uploads else None, args.names,
                       str(args.status) if args.status else None))


if __name__ == "__main__":
    sys.exit(main())
