"""The workshop record for facilitators: HTML preview, PDF generation job, PDF download.

The PDF is a job of `facilitator.jobs` (a child process, never the server: WeasyPrint needs
seconds of CPU that would stall every phone under gevent). Its status and the PDF are files in
instance/reports/, so every server process (and a restarted one) sees the same job. They are
named by the workshop's id *and* a hash of its screen key: SQLite reuses the id of a deleted
workshop, the key is never reused. They are deleted with the workshop (`workshop_files`).
"""
import hashlib
import os
import re
from pathlib import Path
from urllib.parse import quote

from flask import (Blueprint, Response, abort, current_app, flash, get_flashed_messages,
                   jsonify, redirect, request, send_file, url_for)
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from sqlalchemy.orm import Session

from .. import auth, jobs
from ..extensions import db, socketio
from ..models import Workshop

bp = Blueprint("reports", __name__, url_prefix="/console")

# The job children of this server process (a spare renderer, running jobs, their reapers).
runner = jobs.Runner()


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def record_key(workshop: Workshop) -> str:
    """The name of a workshop's record files: its id and a hash of its never-reused screen key."""
    digest = hashlib.sha256(workshop.screen_key.encode()).hexdigest()[:16]
    return f"workshop-{workshop.id}-{digest}"


def _pdf_path(workshop: Workshop) -> Path:
    return _folder() / f"{record_key(workshop)}.pdf"


def _status_path(workshop: Workshop) -> Path:
    return _folder() / f"{record_key(workshop)}.json"


@bp.record_once
def _files_go_with_the_workshop(state) -> None:
    """delete_workshop() also deletes the record files (through the session's info, so the
    domain stays free of Flask and of the app's folders)."""
    instance_path = state.app.instance_path

    def report_files(workshop: Workshop) -> list[Path]:
        folder = Path(instance_path) / "reports"
        key = record_key(workshop)
        return [folder / f"{key}.pdf", folder / f"{key}.json", folder / f"{key}.pdf.part"]

    factory = db.session.session_factory
    info = dict(factory.kw.get("info") or {})
    info["workshop_files"] = (*info.get("workshop_files", ()), report_files)
    db.session.configure(info=info)


def _uploads() -> str:
    return (current_app.config.get("UPLOAD_PATH") or os.environ.get("UPLOAD_PATH")
            or os.path.join(current_app.instance_path, "uploads"))


def job_log() -> Path:
    """Where the job children write (tracebacks of failed jobs): not shown in the browser."""
    return _folder() / "jobs.log"


def job_env() -> dict:
    return {**os.environ, "INSTANCE_PATH": current_app.instance_path}


def job_status(workshop: Workshop) -> dict:
    """{state: idle|running|done|failed, stage, started_at, finished_at, pages, url, outdated}."""
    status = runner.status(_status_path(workshop))
    result = {key: status.get(key) for key in (
        "state", "stage", "started_at", "finished_at", "pages", "cards", "names")}
    if result["state"] == "done":
        if _pdf_path(workshop).is_file():
            result["url"] = url_for(".download", workshop_id=workshop.id)
            result["outdated"] = status.get("seq") != workshop.seq
        else:
            result["state"] = "idle"
    if result["state"] == "failed":
        # The details are in instance/reports/jobs.log, not in the browser.
        result["message"] = _("The PDF could not be made. Please try again; if it fails again, "
                              "the server log names the reason.")
    return result


def prepare_renderer() -> None:
    """Keep one spare renderer waiting: pages that offer "Make PDF" call this."""
    runner.prepare(job_log(), job_env())


def start_job(workshop: Workshop, include_names: bool = False) -> dict:
    """Start rendering the workshop's PDF unless it is already being rendered."""
    status = job_status(workshop)
    if status["state"] == "running":
        return status
    if runner.busy():
        return {"state": "busy", "message": _("Other documents are being made right now. "
                                              "Please try again in a minute.")}
    # Through the pipe, not the command line: a database password never shows in `ps`.
    runner.start(record_key(workshop), jobs.JobSpec(
        kind="pdf", database_url=current_app.config["DATABASE_URL"], workshop_id=workshop.id,
        out=str(_pdf_path(workshop)), uploads=_uploads(), names=include_names,
        status=str(_status_path(workshop))), job_log(), job_env(),
        socketio.start_background_task)
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
    path = _pdf_path(workshop)
    if not path.is_file():
        if _wants_json():
            abort(404)
        flash(_("The PDF has not been made yet."), "info")
        return redirect(url_for(".preview", workshop_id=workshop_id), 303)
    response = send_file(path, mimetype="application/pdf", as_attachment=True,
                         download_name=_download_name(workshop), conditional=True, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
