"""The workshop as CSV, JSON or DOCX bytes: what a download job of `facilitator.jobs` makes.

A DOCX of 5,000 cards takes about 3 s of CPU, the JSON archive with photos about 1 s, importing
it about 2 s; inside the gevent server that would stall every phone for as long, so the server
runs them as jobs (views/uploads.py). Outside gevent (tests, the command line) `render()` runs
in-process.
"""
from sqlalchemy.orm import Session

FORMATS = ("csv", "json", "docx")


def render(session: Session, fmt: str, workshop_id: int, include_names: bool = False) -> bytes:
    """The workshop as `fmt` bytes, on this session (its info names the upload folder)."""
    if fmt == "csv":
        from .csv_export import export_csv
        return export_csv(session, workshop_id)
    if fmt == "docx":
        from .docx_export import export_docx
        return export_docx(session, workshop_id, include_names=include_names)
    if fmt == "json":
        from ..domain import archive
        return archive.dumps(archive.export_workshop(session, workshop_id, include_names))
    raise ValueError(fmt)
