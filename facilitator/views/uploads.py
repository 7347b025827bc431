"""Photos and the logo (upload, caption, delete, serve) and the workshop's data files (CSV, JSON,
DOCX downloads and the JSON import). Facilitators only; the projector wall may show photos.

Who may upload: facilitators who may run the workshop. Table hosts get the same right by being
added to the workshop as facilitators (Facilitators page); participants' phones cannot upload.
"""
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import quote

from flask import (Blueprint, Response, abort, current_app, flash, jsonify, redirect,
                   render_template, request, send_file, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from .. import auth, jobs
from ..domain import photos, workshops
from ..domain.errors import DomainError, NotFound
from ..extensions import db
from ..messages import message_for
from ..models import Photo

bp = Blueprint("uploads", __name__)

IMPORT_MAX_BYTES = 128 * 1024 * 1024
# Names this app gives files (photos.write_file); anything else is not looked up at all.
FILENAME = re.compile(r"^[A-Za-z0-9_-]{24}\.(jpg|png)$")
MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png"}
MESSAGES = {
    "image_refused": _l("“%(name)s” is not a photo that can be used. Please choose a JPEG, PNG "
                        "or WebP image. Nothing was uploaded."),
    "image_too_large": _l("“%(name)s” is too large: at most %(max_mb)s MB per photo. Nothing "
                          "was uploaded."),
    "too_many_photos": _l("This workshop already has %(max)s photos."),
    "archive_invalid": _l("This file is not a Facilitator workshop export, or it is damaged "
                          "(at “%(where)s”). Nothing was imported."),
    "no_file": _l("Please choose a file first."),
}


@bp.record_once
def _configure(state) -> None:
    """Where uploads go (UPLOAD_PATH, default instance/uploads) and how large they may be; the
    domain reads the directory from the session's info, as it reads the announcer."""
    app = state.app
    root = (app.config.get("UPLOAD_PATH") or os.environ.get("UPLOAD_PATH")
            or os.path.join(app.instance_path, "uploads"))
    app.config["UPLOAD_PATH"] = root
    app.config.setdefault("UPLOAD_MAX_BYTES",
                          int(os.environ.get("UPLOAD_MAX_BYTES", photos.MAX_BYTES)))
    app.config.setdefault("IMPORT_MAX_BYTES", IMPORT_MAX_BYTES)
    factory = db.session.session_factory
    db.session.configure(info={**(factory.kw.get("info") or {}), "upload_path": root})


@bp.url_value_preprocessor
def _request_size(endpoint, _values) -> None:
    """Archives with photos are larger than a form: raise the request limit for the import (and
    for several photos at once). This runs before the app's CSRF check reads the body."""
    if endpoint == "uploads.import_archive":
        request.max_content_length = current_app.config["IMPORT_MAX_BYTES"]
    elif endpoint == "uploads.upload":
        request.max_content_length = max(current_app.config.get("MAX_CONTENT_LENGTH") or 0,
                                         4 * current_app.config["UPLOAD_MAX_BYTES"])


def _megabytes(size: int) -> int:
    return max(1, round(size / (1024 * 1024)))


def _message(error: DomainError, **extra) -> str:
    template = MESSAGES.get(error.code)
    if template is None:
        return message_for(error)
    return str(template) % {**error.params, **extra}


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == \
        "application/json"


def _back(workshop_id: int | None = None):
    target = request.form.get("next") if request.method == "POST" else None
    if target and target.startswith("/") and not target.startswith("//"):
        return redirect(target, 303)
    if workshop_id is None:
        return redirect(url_for("console.index"), 303)
    return redirect(url_for(".photos_page", workshop_id=workshop_id), 303)


def _job_failed(failure: jobs.JobFailed, message: str, back_url: str, back_label: str):
    """A job that failed in its child process: a clear answer and 503 (try again), never a 500.
    The details stay in the job log (instance/reports/jobs.log)."""
    current_app.logger.warning("%s", failure)
    if _wants_json():
        return jsonify(ok=False, error=message), 503
    return render_template("error.html", title=_("That did not work"), message=message,
                           back_url=back_url, back_label=back_label), 503


def _refuse(message: str, workshop_id: int | None, status: int = 422):
    if _wants_json():
        return jsonify(ok=False, error=message), status
    flash(message, "error")
    return _back(workshop_id)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    workshop_id = (request.view_args or {}).get("workshop_id")
    if request.endpoint == "uploads.import_archive":
        limit = current_app.config["IMPORT_MAX_BYTES"]
        message = _("The file is too large: at most %(max_mb)s MB.", max_mb=_megabytes(limit))
    else:
        message = _("Too much at once: at most %(max_mb)s MB per photo. Please upload fewer "
                    "photos at a time.",
                    max_mb=_megabytes(current_app.config["UPLOAD_MAX_BYTES"]))
    return _refuse(message, workshop_id, 413)


def photo_payload(photo: Photo) -> dict:
    return {"id": photo.id, "kind": photo.kind, "board_id": photo.board_id,
            "caption": photo.caption, "width": photo.width, "height": photo.height,
            "url": url_for("uploads.photo_file", workshop_id=photo.workshop_id,
                           filename=photo.filename)}


@bp.app_template_global()
def workshop_photos(workshop_id: int) -> dict:
    """For the _photos.html partial on any console page: the logo and photos with their URLs."""
    logo = photos.logo_of(db.session, workshop_id)
    return {"logo": photo_payload(logo) if logo else None,
            "photos": [photo_payload(p) for p in photos.photos_of(db.session, workshop_id)],
            "max_mb": _megabytes(current_app.config["UPLOAD_MAX_BYTES"])}


def _off_loop(function, *args):
    """Decode and encode images on a real thread under gevent (Pillow releases the GIL), so
    phones' messages keep flowing while a 12-megapixel photo is scaled."""
    try:
        from gevent import get_hub, monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return function(*args)
    if not monkey.is_module_patched("socket"):
        return function(*args)
    return get_hub().threadpool.apply(function, args)


# --- Pages ------------------------------------------------------------------------------------

@bp.get("/console/<int:workshop_id>/photos")
@auth.facilitator_required
def photos_page(workshop_id: int):
    """Photos, logo and data exports of one workshop (the partials, also for the live console)."""
    workshop = auth.runnable_workshop(workshop_id)
    request.workshop_language = workshop.language
    return render_template("facilitator/photos.html", workshop=workshop)


# --- Photos -----------------------------------------------------------------------------------

@bp.post("/console/<int:workshop_id>/photos")
@auth.facilitator_required
def upload(workshop_id: int):
    """One or several photos (or the logo) from the camera or the disk. All are checked first;
    if one is refused, none is stored."""
    auth.runnable_workshop(workshop_id)
    kind = request.form.get("kind", "photo")
    max_bytes = current_app.config["UPLOAD_MAX_BYTES"]
    files = [f for name in ("photo", "camera") for f in request.files.getlist(name) if f]
    received = []
    for upload_file in files:
        data = upload_file.stream.read(max_bytes + 1)
        if data:
            received.append((upload_file.filename or _("photo"), data))
    if not received:
        return _refuse(str(MESSAGES["no_file"]), workshop_id)
    max_side = photos.LOGO_MAX_SIDE if kind == "logo" else photos.MAX_SIDE
    cleaned = []
    for name, data in received[:1] if kind == "logo" else received:
        try:
            cleaned.append(_off_loop(photos.clean_image, data, max_bytes, max_side))
        except DomainError as error:
            return _refuse(_message(error, name=name), workshop_id)
    stored = []
    try:
        for image in cleaned:
            stored.append(photos.add_photo(
                db.session, workshop_id, b"", kind=kind, image=image,
                board_id=request.form.get("board_id", type=int),
                caption=request.form.get("caption", ""), max_bytes=max_bytes))
    except DomainError as error:
        return _refuse(_message(error), workshop_id)
    if _wants_json():
        return jsonify(ok=True, photos=[photo_payload(p) for p in stored])
    flash(_("The logo was saved.") if kind == "logo" else
          _("%(count)s photo(s) added.", count=len(stored)), "info")
    return _back(workshop_id)


@bp.post("/console/<int:workshop_id>/photos/<int:photo_id>")
@auth.facilitator_required
def update(workshop_id: int, photo_id: int):
    """Change a photo's caption (and the board it belongs to)."""
    auth.runnable_workshop(workshop_id)
    board = request.form.get("board_id")
    try:
        photo = photos.update_photo(
            db.session, workshop_id, photo_id, caption=request.form.get("caption"),
            board_id=... if board is None else (int(board) if board.isdigit() else None))
    except NotFound:
        abort(404)
    except DomainError as error:
        return _refuse(_message(error), workshop_id)
    if _wants_json():
        return jsonify(ok=True, photo=photo_payload(photo))
    flash(_("Caption saved."), "info")
    return _back(workshop_id)


@bp.post("/console/<int:workshop_id>/photos/<int:photo_id>/delete")
@auth.facilitator_required
def delete(workshop_id: int, photo_id: int):
    auth.runnable_workshop(workshop_id)
    try:
        photos.delete_photo(db.session, workshop_id, photo_id)
    except NotFound:
        abort(404)
    if _wants_json():
        return jsonify(ok=True)
    flash(_("The photo was deleted."), "info")
    return _back(workshop_id)


def _send(photo: Photo):
    path = photos.path_of(db.session, photo)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=MEDIA_TYPES[photo.filename.rsplit(".", 1)[1]],
                         conditional=True, max_age=3600)
    # Never in a shared cache: the URL is the only secret between the photo and the world.
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


def _photo_by_filename(workshop_id: int, filename: str) -> Photo:
    if not FILENAME.match(filename):
        abort(404)
    try:
        return photos.find_by_filename(db.session, workshop_id, filename)
    except NotFound:
        abort(404)


@bp.get("/console/<int:workshop_id>/photos/file/<filename>")
@auth.facilitator_required
def photo_file(workshop_id: int, filename: str):
    auth.runnable_workshop(workshop_id)
    return _send(_photo_by_filename(workshop_id, filename))


@bp.get("/screen/<key>/photos/<filename>")
def screen_photo(key: str, filename: str):
    """For the projector wall, which holds the workshop's secret screen key."""
    try:
        workshop = workshops.find_by_screen_key(db.session, key)
    except NotFound:
        abort(404)
    return _send(_photo_by_filename(workshop.id, filename))


# --- Data files -------------------------------------------------------------------------------

def download_name(workshop, suffix: str) -> str:
    """A file name from the workshop's title: letters (any script), digits, dashes."""
    stem = re.sub(r"[^\w-]+", "-", workshop.title, flags=re.UNICODE).strip("-_")[:60]
    return f"{stem or 'workshop'}{suffix}"


def _attachment(data: bytes, mimetype: str, filename: str) -> Response:
    response = Response(data, mimetype=mimetype)
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}")
    response.headers["Cache-Control"] = "no-store"
    return response


EXPORTS = {"csv": ("text/csv; charset=utf-8", ".csv"), "json": ("application/json", ".json"),
           "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    ".docx")}


def _under_gevent() -> bool:
    try:
        from gevent import monkey
    except ImportError:  # pragma: no cover - gevent is a dependency
        return False
    return monkey.is_module_patched("subprocess")


def _job(spec: jobs.JobSpec) -> dict:
    """Run a download or import job in a child process (facilitator.jobs) and wait for it
    cooperatively: the server keeps serving phones meanwhile."""
    from .reports import job_env, job_log
    spec.database_url = current_app.config["DATABASE_URL"]
    spec.uploads = current_app.config["UPLOAD_PATH"]
    return jobs.run_and_wait(spec, job_log(), job_env())


def _export(workshop_id: int, fmt: str) -> Response:
    workshop = auth.runnable_workshop(workshop_id)
    if _under_gevent():
        with tempfile.TemporaryDirectory(prefix="facilitator-export-") as folder:
            out = Path(folder) / f"export.{fmt}"
            try:
                _job(jobs.JobSpec(kind=fmt, database_url="", status="", workshop_id=workshop_id,
                                  out=str(out)))
            except jobs.JobFailed as failure:
                return _job_failed(failure, _(
                    "The download could not be made. Please try again; if it fails again, the "
                    "server log names the reason."),
                    url_for("console.live", workshop_id=workshop_id), _("Back to the workshop"))
            data = out.read_bytes()
    else:  # tests and the command line: right here
        from ..reports.export_job import render
        data = render(db.session, fmt, workshop_id)
    mimetype, suffix = EXPORTS[fmt]
    return _attachment(data, mimetype, download_name(workshop, suffix))


def _import(data: bytes) -> int:
    """The new workshop's id, or the ArchiveInvalid the import raised."""
    from ..domain import archive
    if not _under_gevent():
        return archive.import_workshop(db.session, auth.facilitator_id(), data).id
    with tempfile.TemporaryDirectory(prefix="facilitator-import-") as folder:
        source = Path(folder) / "archive.json"
        source.write_bytes(data)
        try:
            status = _job(jobs.JobSpec(kind="import", database_url="", status="",
                                       facilitator_id=auth.facilitator_id(), source=str(source)))
        except jobs.JobFailed as failure:
            # A child that died half-way leaves a workshop that belongs to nobody: gone too.
            unfinished = failure.status.get("started_workshop_id")
            db.session.commit()  # end this request's read transaction (see below)
            if isinstance(unfinished, int):
                archive.discard_unfinished(db.session, unfinished)
            raise
    refused = status.get("refused")
    if refused:
        raise archive.ArchiveInvalid(refused["detail"], **refused["params"])
    # End this request's read transaction: the child committed the workshop on a connection of
    # its own, and a SQLite read transaction still sees the database as it was when it began.
    db.session.commit()
    return status["workshop_id"]


@bp.get("/console/<int:workshop_id>/export.csv")
@auth.facilitator_required
def export_csv(workshop_id: int):
    """One row per visible card, for Excel (UTF-8 with BOM, `;`)."""
    return _export(workshop_id, "csv")


@bp.get("/console/<int:workshop_id>/boards/<int:board_id>/stocktaking.csv")
@auth.facilitator_required
def export_stocktaking_csv(workshop_id: int, board_id: int):
    """A stock-taking board's rows, one table per municipality, for Excel."""
    from ..domain.errors import NotFound
    from ..reports.csv_export import export_stocktaking_csv as stock_csv
    workshop = auth.runnable_workshop(workshop_id)
    board = next((b for b in workshop.boards if b.id == board_id), None)
    if board is None:
        abort(404)
    try:
        data = stock_csv(db.session, workshop_id, board_id)
    except NotFound:
        abort(404)
    return _attachment(data, "text/csv; charset=utf-8",
                       download_name(workshop, f"-{download_name(board, '')}.csv"))


@bp.get("/console/<int:workshop_id>/export.json")
@auth.facilitator_required
def export_json(workshop_id: int):
    """The whole workshop as an archive that `import` restores."""
    return _export(workshop_id, "json")


@bp.get("/console/<int:workshop_id>/export.docx")
@auth.facilitator_required
def export_docx(workshop_id: int):
    """The documentation for Word."""
    return _export(workshop_id, "docx")


@bp.post("/console/import")
@auth.facilitator_required
def import_archive():
    """A workshop exported as JSON (here or on another server) becomes a new workshop of the
    signed-in facilitator."""
    upload_file = request.files.get("archive")
    data = upload_file.stream.read() if upload_file else b""
    if not data:
        return _refuse(str(MESSAGES["no_file"]), None)
    try:
        workshop_id = _import(data)
    except DomainError as error:
        return _refuse(_message(error), None)
    except jobs.JobFailed as failure:
        return _job_failed(failure, _(
            "The import failed. Nothing was imported. Please try again; if it fails again, the "
            "server log names the reason."), url_for("console.index"), _("Back to your workshops"))
    workshop = workshops.get_workshop(db.session, workshop_id)
    flash(_("The workshop “%(title)s” was imported. Its join code is new.",
            title=workshop.title), "info")
    return redirect(url_for("console.live", workshop_id=workshop.id), 303)
