"""Slow work in a child process: the PDF record, the CSV/JSON/DOCX exports and the JSON import.

Rendering a large workshop takes seconds of CPU; inside the gevent server that would stall every
phone of every workshop (STACK.md). So the server starts

    python -m facilitator.jobs [--wait SECONDS] [--nice N]

and writes the job to it as one JSON line on stdin (`JobSpec`): never on the command line,
where a database password would show in `ps`. The child writes its progress and its result to
the job's one status file (JSON, replaced in one step) and lowers its own priority so the live
server keeps the CPU it needs. With `--wait` it first warms up (imports WeasyPrint, ~2 s), says
"ready" and waits for its job: the server keeps one such spare renderer, so a PDF starts at once.

The server side (`Runner`) hands jobs to children, reaps each child in a background task (and
stops one that hangs), and reads the status files: a status claiming "running" whose process is
gone is reported as failed. Blocking jobs (a download, an import) wait cooperatively
(`run_and_wait`), so the event loop keeps serving meanwhile. This module knows no Flask: the
caller passes the log file, the environment and how to start a background task.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from . import config

KINDS = ("pdf", "csv", "json", "docx", "import",
         # A process's compendium (workshop_id carries the process id).
         "compendium_pdf", "compendium_docx", "compendium_csv",
         # A whole process as JSON (workshop_id carries the process id), and its import.
         "process_json", "process_import")
# A child that runs longer than this is stuck (5,000 cards take well under a minute).
TIMEOUT = 15 * 60


@dataclass
class JobSpec:
    """One job, as the child reads it from stdin."""
    kind: str  # one of KINDS
    database_url: str
    status: str  # the status file
    workshop_id: int | None = None
    out: str = ""  # the file the job makes (not for the import)
    uploads: str | None = None  # the upload folder (UPLOAD_PATH)
    names: bool = False  # show the names participants chose to show
    facilitator_id: int | None = None  # the import: who gets the workshop
    source: str = ""  # the import: the archive file

    def line(self) -> bytes:
        return (json.dumps(asdict(self)) + "\n").encode()


class JobFailed(RuntimeError):
    """The child crashed or reported a failure; the details are in the job log. `status` is
    the job's last status (an import that died half-way names the workshop it started)."""

    def __init__(self, message: str, status: dict | None = None) -> None:
        super().__init__(message)
        self.status = status or {}


# --- The status file ----------------------------------------------------------------------------

def write_status(path: Path | str | None, **status) -> None:
    """Replace the status file in one step, so a reader never sees half of it."""
    if path is None:
        return
    path = Path(path)
    status.setdefault("pid", os.getpid())
    status["updated_at"] = time.time()
    # A name of this process's own: the server and the child both write the status.
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(status))
    os.replace(temporary, path)


def read_status(path: Path) -> dict:
    try:
        return json.loads(Path(path).read_text())
    except (FileNotFoundError, ValueError):
        return {"state": "idle"}


# --- The child ----------------------------------------------------------------------------------

def _write_atomically(out: Path, data: bytes) -> None:
    partial = out.with_name(out.name + ".part")
    partial.write_bytes(data)
    os.replace(partial, out)


def _session(spec: JobSpec):
    from sqlalchemy.orm import Session

    from .database import make_engine
    from .reports.pdf import default_uploads
    engine = make_engine(spec.database_url)
    # The domain reads no configuration: the upload folder is handed to it here. Between its
    # short write transactions an import leaves SQLite to the server's phones for a while
    # (SQLite's busy wait polls every 100 ms at most; the server is another process).
    return engine, Session(engine, info={
        "upload_path": spec.uploads or str(default_uploads()),
        "between_writes": lambda held: time.sleep(max(held, 0.12))})


def execute(spec: JobSpec, progress: Callable[[str], None]) -> dict:
    """Do the job; returns what the status file reports about the result."""
    if spec.kind.startswith("compendium_"):
        from .reports.compendium import generate
        return generate(spec.database_url, spec.workshop_id, spec.kind.split("_", 1)[1],
                        Path(spec.out), progress)
    if spec.kind == "pdf":
        from .reports.pdf import default_uploads, generate
        uploads = Path(spec.uploads) if spec.uploads else default_uploads()
        return generate(spec.database_url, spec.workshop_id, Path(spec.out), uploads,
                        spec.names, progress)
    engine, session = _session(spec)
    try:
        with session:
            if spec.kind == "import":
                return _import(session, spec)
            if spec.kind == "process_import":
                return _import_process(session, spec)
            if spec.kind == "process_json":
                from .domain import process_archive
                progress("writing")
                data = process_archive.dumps(process_archive.export_process(
                    session, spec.workshop_id, spec.names))
                _write_atomically(Path(spec.out), data)
                return {"bytes": len(data)}
            from .reports.export_job import render
            progress("writing")
            data = render(session, spec.kind, spec.workshop_id, spec.names)
    finally:
        engine.dispose()
    _write_atomically(Path(spec.out), data)
    return {"bytes": len(data)}


# An import refused its write by SQLite ("database is locked": a transaction's snapshot older
# than a phone's commit) is tried again from the start: a failed import leaves nothing behind.
IMPORT_TRIES = 3


def _import(session, spec: JobSpec) -> dict:
    """A refused archive is an answer, not a crash: the server shows the reason."""
    from sqlalchemy.exc import OperationalError

    from .domain import archive

    def started(workshop_id: int) -> None:
        # Should this process die half-way, the server deletes what it wrote (the failure
        # below keeps the id in the status too).
        write_status(spec.status, state="running", stage="importing", kind=spec.kind,
                     started_at=time.time(), started_workshop_id=workshop_id)
    for attempt in range(1, IMPORT_TRIES + 1):
        try:
            workshop = archive.import_workshop(session, spec.facilitator_id,
                                               Path(spec.source).read_bytes(), started)
        except archive.ArchiveInvalid as error:
            return {"refused": {"detail": str(error), "params": error.params}}
        except OperationalError as error:
            if "locked" not in str(error) or attempt == IMPORT_TRIES:
                raise
            traceback.print_exc()
            session.rollback()
            time.sleep(0.2 * attempt)
            continue
        return {"workshop_id": workshop.id}


def _import_process(session, spec: JobSpec) -> dict:
    """A whole process (domain/process_archive.py): a refused file is an answer, as above; the
    import deletes whatever it made of a refused file itself."""
    from sqlalchemy.exc import OperationalError

    from .domain import process_archive
    from .domain.errors import DomainError
    for attempt in range(1, IMPORT_TRIES + 1):
        try:
            process = process_archive.import_process(session, spec.facilitator_id,
                                                     Path(spec.source).read_bytes())
        except DomainError as error:
            return {"refused": {"code": error.code, "detail": str(error),
                                "params": error.params}}
        except OperationalError as error:
            if "locked" not in str(error) or attempt == IMPORT_TRIES:
                raise
            traceback.print_exc()
            session.rollback()
            time.sleep(0.2 * attempt)
            continue
        return {"process_id": process.id}


def run_job(spec: JobSpec) -> int:
    """Do the job, recording its progress and result (or failure) in its status file."""
    started = time.time()

    def progress(stage: str) -> None:
        write_status(spec.status, state="running", stage=stage, kind=spec.kind,
                     started_at=started)

    try:
        if spec.kind not in KINDS:
            raise ValueError(f"unknown job kind {spec.kind!r}")
        if not spec.database_url:
            raise ValueError("no database URL")
        progress("record")
        result = execute(spec, progress)
    except Exception as error:  # noqa: BLE001 - reported to the console, then exit non-zero
        traceback.print_exc()
        unfinished = read_status(spec.status).get("started_workshop_id") if spec.status else None
        write_status(spec.status, state="failed", stage="failed", kind=spec.kind,
                     started_at=started, finished_at=time.time(),
                     error=f"{type(error).__name__}: {error}"[:500],
                     **({"started_workshop_id": unfinished} if unfinished else {}))
        return 1
    write_status(spec.status, state="done", stage="done", kind=spec.kind, started_at=started,
                 finished_at=time.time(), **result)
    return 0


def warm_up() -> None:
    """Import and initialise what a PDF job needs (about two seconds of a job's time)."""
    import importlib
    for name in ("weasyprint", "sqlalchemy.orm", "facilitator.database",
                 "facilitator.reports.record", "weasyprint.pdf"):
        importlib.import_module(name)
    from .reports.html import report_app
    report_app()


def read_job(idle_seconds: float | None) -> JobSpec | None:
    """The one job on stdin; None when stdin closes or nothing came within `idle_seconds`."""
    if idle_seconds is not None:
        import select
        readable, _, _ = select.select([sys.stdin], [], [], idle_seconds)
        if not readable:
            return None
    line = sys.stdin.readline()
    return JobSpec(**json.loads(line)) if line.strip() else None


def main(argv: list[str] | None = None) -> int:
    import argparse
    parser = argparse.ArgumentParser(
        prog="python -m facilitator.jobs",
        description="Do one job (PDF, CSV, JSON, DOCX or import) given as a JSON line on stdin.")
    parser.add_argument("--wait", type=float, metavar="SECONDS", default=None,
                        help="first warm up and print 'ready'; quit if no job comes in SECONDS")
    parser.add_argument("--nice", type=int, default=10,
                        help="lower this process's priority by this much (default 10)")
    args = parser.parse_args(argv)
    if args.nice:
        os.nice(args.nice)
    if args.wait is not None:
        warm_up()
        print("ready", flush=True)
    spec = read_job(args.wait)
    return run_job(spec) if spec else 0


# --- The server's side ----------------------------------------------------------------------------

def alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)  # no signal: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Runner:
    """The job children of one server process: a spare renderer, the running jobs by key, and
    their reapers. `log` is where the children's output goes; `env` their environment."""

    def __init__(self, max_jobs: int = 2, spare_idle: float = 10 * 60) -> None:
        # Rendering is CPU-bound; more at once than cores would slow the live server too.
        self.max_jobs = max_jobs
        self.spare_idle = spare_idle
        self.children: dict[str, subprocess.Popen] = {}
        self.spare: subprocess.Popen | None = None

    @staticmethod
    def _child(log: Path, env: dict, wait: float | None) -> subprocess.Popen:
        command = [sys.executable, "-m", "facilitator.jobs"]
        if wait is not None:
            command += ["--wait", str(wait)]
        with open(log, "ab") as output:
            # gevent's subprocess (the server is monkey-patched) starts and waits cooperatively.
            return subprocess.Popen(command, cwd=config.PROJECT_ROOT, env=env,
                                    stdin=subprocess.PIPE, stdout=output,
                                    stderr=subprocess.STDOUT, close_fds=True)

    def prepare(self, log: Path, env: dict) -> None:
        """Keep one spare renderer waiting, so the next PDF starts without the start-up time. It
        quits by itself after `spare_idle` seconds, or when this process ends (its stdin closes)."""
        if self.spare is None or self.spare.poll() is not None:  # poll() also reaps one that quit
            self.spare = self._child(log, env, self.spare_idle)

    def busy(self) -> bool:
        return sum(1 for child in self.children.values() if child.poll() is None) >= self.max_jobs

    def running(self, key: str) -> bool:
        child = self.children.get(key)
        return child is not None and child.poll() is None

    def _take_child(self, log: Path, env: dict) -> subprocess.Popen:
        """The spare renderer if one waits, else a new child."""
        child, self.spare = self.spare, None
        if child is not None and child.poll() is None:
            return child
        return self._child(log, env, None)

    def start(self, key: str, spec: JobSpec, log: Path, env: dict,
              spawn: Callable[..., object]) -> subprocess.Popen:
        """Start the job in the background; `spawn(function, *args)` runs its reaper. The status
        names the child before it gets the job, so the child's own reports always come later."""
        child = self._take_child(log, env)
        for attempt in range(2):
            write_status(spec.status, state="running", stage="starting", kind=spec.kind,
                         started_at=time.time(), pid=child.pid)
            try:
                child.stdin.write(spec.line())
                child.stdin.close()
                break
            except OSError:  # the spare quit (idle) just now
                child.wait()
                if attempt:
                    raise
                child = self._child(log, env, None)
        self.children[key] = child
        spawn(self.reap, key, child, Path(spec.status))
        return child

    def reap(self, key: str, child: subprocess.Popen, status_path: Path) -> None:
        """Wait for the child, stop it if it hangs, and record a crash it could not record."""
        try:
            code = child.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            child.kill()  # only ever the child this process started
            code = child.wait()
        if self.children.get(key) is child:
            del self.children[key]
        if code != 0:
            status = read_status(status_path)
            if status.get("state") == "running":
                write_status(status_path, state="failed", stage="failed",
                             started_at=status.get("started_at"), finished_at=time.time(),
                             error=f"exit code {code}")

    def status(self, path: Path) -> dict:
        """The job's status; "running" from a process that is gone (or hangs) becomes failed."""
        status = read_status(path)
        if status.get("state") == "running":
            started = status.get("started_at") or 0
            known = next((c for c in self.children.values() if c.pid == status.get("pid")), None)
            gone = known.poll() is not None if known else not alive(status.get("pid"))
            if gone or time.time() - started > TIMEOUT:
                status = {"state": "failed", "stage": "failed", "started_at": started,
                          "finished_at": time.time(), "error": "the job process stopped"}
                write_status(path, **status)
        return status


def run_and_wait(spec: JobSpec, log: Path, env: dict, timeout: float = TIMEOUT) -> dict:
    """Do a job in a child and wait for it (cooperatively under gevent); returns the status of
    a finished job, raises JobFailed otherwise. `spec.status` may be "": a temporary file."""
    with tempfile.TemporaryDirectory(prefix="facilitator-job-") as folder:
        if not spec.status:
            spec.status = str(Path(folder) / "status.json")
        child = Runner._child(log, env, None)
        try:
            child.communicate(spec.line(), timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        status = read_status(Path(spec.status))
    if status.get("state") != "done":
        raise JobFailed(f"{spec.kind} job failed: {status.get('error') or child.returncode}",
                        status)
    return status


if __name__ == "__main__":
    sys.exit(main())
