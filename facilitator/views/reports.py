"""The workshop record for facilitators: HTML preview, PDF generation job, PDF download.

The PDF is rendered by a child process (`python -m facilitator.reports.pdf`), never in the
server: WeasyPrint needs seconds of CPU that would stall every phone under gevent. The child
writes its progress to instance/reports/workshop-<id>.json, so every server process (and a
restarted one) sees the same job; the process that started it also reaps it.
"""
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from flask import (Blueprint, Response, abort, current_app, flash, get_flashed_messages,
                   jsonify, redirect, request, send_file, url_for)
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from sqlalchemy.orm import Session

from .. import auth, config
from ..extensions import db, socketio
from ..models import Workshop

bp = Blueprint("reports", __name__, url_prefix="/console")

# A child that runs longer than this is stuck (5,000 cards take well under a minute).
JOB_TIMEOUT = 15 * 60
# Rendering is CPU-bound; more at once than cores would slow the live server too.
MAX_JOBS = 2
# A spare renderer quits after waiting this long for a job.
SPARE_IDLE = 10 * 60
# Children this process started, by workshop: reaped by a background task.
_children: dict[int, subprocess.Popen] = {}
# The spare renderer waiting for the next job (see prepare_renderer).
_spare: subprocess.Popen | None = None


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _pdf_path(workshop_id: int) -> Path:
    return _folder() / f"workshop-{workshop_id}.pdf"


def _status_path(workshop_id: int) -> Path:
    return _folder() / f"workshop-{workshop_id}.json"


def _uploads() -> str:
    return (current_app.config.get("UPLOAD_PATH") or os.environ.get("UPLOAD_PATH")
            or os.path.join(current_app.instance_path, "uploads"))


def _alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    child = next((c for c in _children.values() if c.pid == pid), None)
    if child is not None:
        return child.poll() is None
    try:
        os.kill(pid, 0)  # no signal: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_status(path: Path, **status) -> None:
    status["updated_at"] = time.time()
    # A name of this process's own: the server and the renderer both write the status.
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.write_text(json.dumps(status))
    os.replace(partial, path)


def job_status(workshop: Workshop) -> dict:
    """{state: idle|running|done|failed, stage, started_at, finished_at, pages, url, outdated}."""
    path = _status_path(workshop.id)
    try:
        status = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        status = {"state": "idle"}
    if status.get("state") == "running":
        started = status.get("started_at") or 0
        if not _alive(status.get("pid")) or time.time() - started > JOB_TIMEOUT:
            status = {"state": "failed", "stage": "failed", "started_at": started,
                      "finished_at": time.time(), "error": "the renderer stopped"}
            _write_status(path, **status)
    result = {key: status.get(key) for key in (
        "state", "stage", "started_at", "finished_at", "pages", "cards", "names")}
    if result["state"] == "done":
        if _pdf_path(workshop.id).is_file():
            result["url"] = url_for(".download", workshop_id=workshop.id)
            result["outdated"] = status.get("seq") != workshop.seq
        else:
            result["state"] = "idle"
    if result["state"] == "failed":
        # The details are in instance/reports/renderer.log, not in the browser.
        result["message"] = _("The PDF could not be made. Please try again; if it fails again, "
                              "the server log names the reason.")
    return result


def _reap(workshop_id: int, child: subprocess.Popen, status_path: Path) -> None:
    """Wait for the child (cooperatively under gevent), stop it if it hangs, and record a crash
    it could not record itself."""
    try:
        code = child.wait(timeout=JOB_TIMEOUT)
    except subprocess.TimeoutExpired:
        child.kill()  # only ever the child this process started
        code = child.wait()
    _children.pop(workshop_id, None)
    if code != 0:
        try:
            status = json.loads(status_path.read_text())
        except (FileNotFoundError, ValueError):
            status = {}
        if status.get("state") == "running":
            _write_status(status_path, state="failed", stage="failed",
                          started_at=status.get("started_at"), finished_at=time.time(),
                          error=f"exit code {code}")


def _renderer() -> subprocess.Popen:
    """A renderer process that warms up (imports WeasyPrint and the app, ~2 s) and then waits
    for one job on stdin. Its output goes to instance/reports/renderer.log."""
    log = open(_folder() / "renderer.log", "ab")
    try:
        # gevent's subprocess (the server is monkey-patched) starts and waits without blocking.
        return subprocess.Popen(
            [sys.executable, "-m", "facilitator.reports.pdf", "--wait", str(SPARE_IDLE)],
            cwd=config.PROJECT_ROOT, env={**os.environ, "INSTANCE_PATH": current_app.instance_path},
            stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, close_fds=True)
    finally:
        log.close()


def prepare_renderer() -> None:
    """Keep one spare renderer waiting, so the next PDF starts without the start-up time.
    Pages that offer "Make PDF" call this. A spare quits by itself after SPARE_IDLE seconds
    (or when this process ends, which closes its stdin)."""
    global _spare
    if _spare is None or _spare.poll() is not None:  # poll() also reaps one that quit
        _spare = _renderer()


def _hand_over(job: dict) -> subprocess.Popen:
    """Give the job to the spare renderer if one waits, else to a new one."""
    global _spare
    line = (json.dumps(job) + "\n").encode()
    child, _spare = _spare, None
    if child is not None and child.poll() is None:
        try:
            child.stdin.write(line)
            child.stdin.close()
            return child
        except OSError:  # it quit (idle) just now
            child.wait()
    child = _renderer()
    child.stdin.write(line)
    child.stdin.close()
    return child


def start_job(workshop: Workshop, include_names: bool = False) -> dict:
    """Start rendering the workshop's PDF unless it is already being rendered."""
    status = job_status(workshop)
    if status["state"] == "running":
        return status
    if sum(1 for c in _children.values() if c.poll() is None) >= MAX_JOBS:
        return {"state": "busy", "message": _("Other documents are being made right now. "
                                              "Please try again in a minute.")}
    status_path = _status_path(workshop.id)
    # Through the pipe, not the command line: a database password never shows in `ps`.
    child = _hand_over({
        "database_url": current_app.config["DATABASE_URL"], "workshop_id": workshop.id,
        "out": str(_pdf_path(workshop.id)), "uploads": _uploads(), "names": include_names,
        "status": str(status_path)})
    _children[workshop.id] = child
    _write_status(status_path, state="running", stage="starting", started_at=time.time(),
                  pid=child.pid)
    socketio.start_background_task(_reap, workshop.id, child, status_path)
    return job_status(workshop)


# --- Preview ------------------------------------------------------------------------------------

def _off_loop(function, *args):
    """Run on a real thread under gevent, so the event loop keeps serving phones while a large
    record is read and rendered (the GIL is shared, but the loop is not blocked)."""
    try:
        from gevent import get_hub, monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return function(*args)
    if not monkey.is_module_patched("socket"):
        return function(*args)
    return get_hub().threadpool.apply(function, args)


def _preview_html(app, workshop_id: int, include_names: bool, urls: dict, extra: dict) -> str:
    from ..reports.html import render_record
    from ..reports.record import build_record

    # A session of its own: this may run on another thread than the request.
    with app.app_context(), Session(db.engine) as session:
        record = build_record(session, workshop_id, include_names=include_names)
        return render_record(
            record, preview=True,
            asset_url=lambda path: urls["static"].replace("__PATH__", path),
            photo_url=lambda photo: urls["photo"].replace("__FILE__", quote(photo.filename)),
            **extra)


@bp.get("/<int:workshop_id>/record")
@auth.facilitator_required
def preview(workshop_id: int):
    """The record as it will be printed, in the browser (same template, screen CSS)."""
    workshop = auth.runnable_workshop(workshop_id)
    include_names = request.args.get("names") == "1"
    urls = {"static": url_for("static", filename="__PATH__"),
            "photo": url_for("uploads.photo_file", workshop_id=workshop_id,
                             filename="__FILE__")
            if "uploads.photo_file" in current_app.view_functions else ""}
    extra = {
        "workshop_id": workshop_id, "include_names": include_names,
        "csrf_token_value": generate_csrf(),
        "console_url": url_for("console.live", workshop_id=workshop_id),
        "generate_url": url_for(".generate", workshop_id=workshop_id),
        "status_url": url_for(".status", workshop_id=workshop_id),
        "names_url": url_for(".preview", workshop_id=workshop_id,
                             **({} if include_names else {"names": "1"})),
        "url_for_download": url_for(".download", workshop_id=workshop_id),
        "job": job_status(workshop),
        # Read here: the page is rendered off the request (flashes live in the request).
        "flashes": get_flashed_messages(with_categories=True),
    }
    prepare_renderer()  # the facilitator may well make the PDF next
    html = _off_loop(_preview_html, current_app._get_current_object(), workshop_id,
                     include_names, urls, extra)
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


# --- PDF --------------------------------------------------------------------------------------

def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.is_json


@bp.post("/<int:workshop_id>/record/pdf")
@auth.facilitator_required
def generate(workshop_id: int):
    workshop = auth.runnable_workshop(workshop_id)
    status = start_job(workshop, include_names=request.form.get("names") == "1")
    if _wants_json():
        return jsonify(status), 202 if status["state"] == "running" else 200
    if status.get("message"):
        flash(status["message"], "error")
    return redirect(url_for(".preview", workshop_id=workshop_id), 303)


@bp.get("/<int:workshop_id>/record/status")
@auth.facilitator_required
def status(workshop_id: int):
    """What the console polls while the PDF is made: {state: idle|running|done|failed, ...}.
    A page offering "Make PDF" asks once on loading, so a renderer gets ready meanwhile."""
    status = job_status(auth.runnable_workshop(workshop_id))
    if status["state"] != "running":
        prepare_renderer()
    response = jsonify(status)
    response.headers["Cache-Control"] = "no-store"
    return response


def _download_name(workshop: Workshop) -> str:
    stem = re.sub(r"[^\w-]+", "-", workshop.title, flags=re.UNICODE).strip("-_")[:60]
    return f"{stem or 'workshop'}.pdf"


@bp.get("/<int:workshop_id>/record.pdf")
@auth.facilitator_required
def download(workshop_id: int):
    """The last PDF made (the status says whether the workshop changed since)."""
    workshop = auth.runnable_workshop(workshop_id)
    path = _pdf_path(workshop_id)
    if not path.is_file():
        if _wants_json():
            abort(404)
        flash(_("The PDF has not been made yet."), "info")
        return redirect(url_for(".preview", workshop_id=workshop_id), 303)
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=_download_name(workshop), conditional=True, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
