"""CSV, JSON and DOCX files of a workshop, made in a process of its own when the server runs.

A DOCX of 5,000 cards takes about 3 s of CPU and the JSON archive with photos about 1 s; inside
the gevent server that would stall every phone for as long. The download view therefore starts

    python -m facilitator.reports.export_job FORMAT DATABASE_URL WORKSHOP_ID OUT --uploads DIR

and waits for it cooperatively (gevent's subprocess), so the event loop keeps serving. Outside
gevent (tests, the command line) `render()` runs in-process.
"""
import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

FORMATS = ("csv", "json", "docx")
TIMEOUT = 300


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


def _gevent_patched() -> bool:
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return False
    return monkey.is_module_patched("subprocess")


def render_off_loop(session: Session, database_url: str, fmt: str, workshop_id: int,
                    upload_dir: str) -> bytes:
    """`render()` in a child process when the caller runs under gevent, else right here."""
    if not _gevent_patched():
        return render(session, fmt, workshop_id)
    with tempfile.TemporaryDirectory(prefix="facilitator-export-") as folder:
        out = Path(folder) / f"export.{fmt}"
        # gevent's subprocess: this greenlet waits, the others go on.
        done = subprocess.run(
            [sys.executable, "-m", "facilitator.reports.export_job", fmt, database_url,
             str(workshop_id), str(out), "--uploads", str(upload_dir)],
            capture_output=True, timeout=TIMEOUT, env={**os.environ, "UPLOAD_PATH": upload_dir})
        if done.returncode != 0:
            raise RuntimeError(f"export failed: {done.stderr.decode(errors='replace')[-500:]}")
        return out.read_bytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m facilitator.reports.export_job",
                                     description="Write a workshop as CSV, JSON or DOCX.")
    parser.add_argument("format", choices=FORMATS)
    parser.add_argument("database_url")
    parser.add_argument("workshop_id", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--uploads", default=None, help="the upload folder (UPLOAD_PATH)")
    parser.add_argument("--names", action="store_true")
    parser.add_argument("--nice", type=int, default=10,
                        help="lower this process's priority by this much (default 10)")
    args = parser.parse_args(argv)
    if args.nice:
        os.nice(args.nice)
    from ..database import make_engine
    engine = make_engine(args.database_url)
    info = {"upload_path": args.uploads} if args.uploads else {}
    try:
        with Session(engine, info=info) as session:
            data = render(session, args.format, args.workshop_id, args.names)
    finally:
        engine.dispose()
    partial = args.out.with_name(args.out.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
