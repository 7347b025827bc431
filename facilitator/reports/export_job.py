"""CSV, JSON and DOCX files of a workshop, and the JSON import, in a process of its own when
the server runs.

A DOCX of 5,000 cards takes about 3 s of CPU, the JSON archive with photos about 1 s, importing
it about 2 s; inside the gevent server that would stall every phone (of every workshop on the
server) for as long. The views therefore start

    python -m facilitator.reports.export_job FORMAT DATABASE_URL WORKSHOP_ID OUT --uploads DIR
    python -m facilitator.reports.export_job import DATABASE_URL FACILITATOR_ID FILE --uploads DIR

and wait for them cooperatively (gevent's subprocess), so the event loop keeps serving. Outside
gevent (tests, the command line) the same functions run in-process.
"""
import argparse
import json
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


def import_off_loop(session: Session, database_url: str, facilitator_id: int, data: bytes,
                    upload_dir: str) -> int:
    """`archive.import_workshop()` in a child process under gevent, else right here; returns
    the new workshop's id or raises the ArchiveInvalid the import raised."""
    from ..domain import archive
    if not _gevent_patched():
        return archive.import_workshop(session, facilitator_id, data).id
    with tempfile.TemporaryDirectory(prefix="facilitator-import-") as folder:
        source = Path(folder) / "archive.json"
        source.write_bytes(data)
        done = subprocess.run(
            [sys.executable, "-m", "facilitator.reports.export_job", "import", database_url,
             str(facilitator_id), str(source), "--uploads", str(upload_dir)],
            capture_output=True, timeout=TIMEOUT, env={**os.environ, "UPLOAD_PATH": upload_dir})
    try:
        answer = json.loads(done.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise RuntimeError(f"import failed: {done.stderr.decode(errors='replace')[-500:]}")
    if answer.get("ok"):
        return answer["workshop_id"]
    raise archive.ArchiveInvalid(answer.get("detail", ""), **answer.get("params", {}))


def _import(args) -> int:
    """The child's side of `import_off_loop`: one JSON line on stdout, whatever happens."""
    from ..database import make_engine
    from ..domain import archive
    engine = make_engine(args.database_url)
    try:
        with Session(engine, info={"upload_path": args.uploads} if args.uploads else {}) as s:
            workshop = archive.import_workshop(s, args.facilitator_id, args.file.read_bytes())
            print(json.dumps({"ok": True, "workshop_id": workshop.id}))
    except archive.ArchiveInvalid as error:
        print(json.dumps({"ok": False, "detail": str(error), "params": error.params}))
    finally:
        engine.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["import"]:
        parser = argparse.ArgumentParser(prog="python -m facilitator.reports.export_job import",
                                         description="Import a workshop archive (JSON).")
        parser.add_argument("database_url")
        parser.add_argument("facilitator_id", type=int)
        parser.add_argument("file", type=Path)
        parser.add_argument("--uploads", default=None)
        return _import(parser.parse_args(argv[1:]))
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
