"""A process after it was made: its settings page (title, organiser, description, thematic
fields, stakeholder groups, team), the whole process as JSON (download and import), and the
small JSON the process page refreshes its events from.

Plain forms (post, then back to the settings page); only the process's team gets anything but
a 404. The rules live in facilitator/domain/process_settings.py."""
import tempfile
from pathlib import Path

from flask import (Blueprint, Response, abort, current_app, flash, jsonify, redirect,
                   render_template, request, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from .. import auth, jobs
from ..domain import process_settings, processes, workshops
from ..domain.errors import DomainError
from ..extensions import db
from ..messages import message_for

bp = Blueprint("process_settings", __name__)

MESSAGES = {
    "field_in_use": _l("The thematic field “%(title)s” cannot be removed: %(reason)s. Its results "
                       "would lose their chapter. Rename it instead."),
    "process_name_taken": _l("“%(name)s” is already in this process."),
    "last_of_team": _l("The last facilitator of a process cannot leave its team. Add a "
                       "colleague first."),
    "no_such_account": _l("There is no account with the name “%(name)s”."),
    "archive_invalid": _l("This file is not a Facilitator process export, or it is damaged "
                          "(at “%(where)s”). Nothing was imported."),
}


def _message(error: DomainError) -> str:
    if error.code == "field_in_use":
        reason = (_("events work on it (%(events)s)", events=error.params["events"])
                  if error.params.get("events") else
                  _("it has a guideline") if error.params.get("guideline") else
                  _("boards work on it"))
        return str(MESSAGES["field_in_use"]) % {"title": error.params["title"], "reason": reason}
    template = MESSAGES.get(error.code)
    return str(template) % error.params if template else message_for(error)


def _process(process_id: int):
    """The process if the signed-in facilitator is on its team; 404 otherwise."""
    if not processes.can_run(db.session, auth.facilitator_id(), process_id):
        abort(404)
    return processes.get_process(db.session, process_id)


def _settings(process_id: int, anchor: str | None = None):
    return redirect(url_for(".page", process_id=process_id, _anchor=anchor), 303)


def _apply(process_id: int, change, done: str, anchor: str):
    """Run one change of the domain: its refusal is shown and nothing is kept."""
    try:
        change()
    except DomainError as error:
        db.session.rollback()
        flash(_message(error), "error")
    else:
        flash(done, "success")
    return _settings(process_id, anchor)


def _offset() -> int:
    return {"up": -1, "down": 1}.get(request.form.get("direction", ""), 0)


@bp.get("/console/process/<int:process_id>/settings")
@auth.facilitator_required
def page(process_id: int):
    process = _process(process_id)
    return render_template(
        "facilitator/process_settings.html", process=process,
        users={f.id: process_settings.field_users(db.session, process.id, f.id)
               for f in process.fields},
        team=process_settings.team_members(db.session, process.id),
        colours=workshops.COLOURS, me=auth.facilitator_id())


@bp.post("/console/process/<int:process_id>/settings/details")
@auth.facilitator_required
def details(process_id: int):
    process = _process(process_id)
    form = request.form
    return _apply(process.id, lambda: process_settings.update_details(
        db.session, process.id, form.get("title", ""), form.get("organiser", ""),
        form.get("description", "")), _("Saved."), "details")


@bp.post("/console/process/<int:process_id>/settings/fields")
@auth.facilitator_required
def add_field(process_id: int):
    process = _process(process_id)
    form = request.form
    return _apply(process.id, lambda: process_settings.add_field(
        db.session, process.id, form.get("title", ""), form.get("question", ""),
        form.get("colour", "yellow")), _("The thematic field was added."), "fields")


@bp.post("/console/process/<int:process_id>/settings/fields/<int:field_id>")
@auth.facilitator_required
def edit_field(process_id: int, field_id: int):
    process = _process(process_id)
    form = request.form
    if form.get("direction"):
        return _apply(process.id, lambda: process_settings.move_field(
            db.session, process.id, field_id, _offset()), _("The order was saved."), "fields")
    if form.get("remove"):
        return _apply(process.id, lambda: process_settings.remove_field(
            db.session, process.id, field_id), _("The thematic field was removed."), "fields")
    # A question or colour the form does not send stays as it is.
    return _apply(process.id, lambda: process_settings.edit_field(
        db.session, process.id, field_id, form.get("title", ""), form.get("question"),
        form.get("colour")), _("The thematic field was saved."), "fields")


@bp.post("/console/process/<int:process_id>/settings/groups")
@auth.facilitator_required
def add_group(process_id: int):
    process = _process(process_id)
    return _apply(process.id, lambda: process_settings.add_group(
        db.session, process.id, request.form.get("name", "")),
        _("The stakeholder group was added; every event of the process offers it."), "groups")


@bp.post("/console/process/<int:process_id>/settings/groups/<int:group_id>")
@auth.facilitator_required
def edit_group(process_id: int, group_id: int):
    process = _process(process_id)
    if request.form.get("remove"):
        return _apply(process.id, lambda: process_settings.remove_group(
            db.session, process.id, group_id),
            _("The stakeholder group was removed; events already made keep it."), "groups")
    return _apply(process.id, lambda: process_settings.rename_group(
        db.session, process.id, group_id, request.form.get("name", "")),
        _("The stakeholder group was renamed."), "groups")


@bp.post("/console/process/<int:process_id>/settings/team")
@auth.facilitator_required
def add_member(process_id: int):
    process = _process(process_id)
    return _apply(process.id, lambda: process_settings.add_to_team(
        db.session, process.id, request.form.get("name", "")),
        _("%(name)s can now run every event of this process.",
          name=request.form.get("name", "").strip()), "team")


@bp.post("/console/process/<int:process_id>/settings/team/<int:facilitator_id>/remove")
@auth.facilitator_required
def remove_member(process_id: int, facilitator_id: int):
    process = _process(process_id)
    response = _apply(process.id, lambda: process_settings.remove_from_team(
        db.session, process.id, facilitator_id), _("Removed from the team."), "team")
    if facilitator_id == auth.facilitator_id() and \
            not processes.can_run(db.session, facilitator_id, process.id):
        return redirect(url_for("console.index"), 303)
    return response


# --- the whole process as JSON ------------------------------------------------------------------

def _under_gevent() -> bool:
    from .uploads import _under_gevent as under
    return under()


def _job(spec: jobs.JobSpec) -> dict:
    """In a child process (facilitator/jobs.py), waited for cooperatively: the live server
    keeps serving the phones meanwhile."""
    from .reports import job_env, job_log
    spec.database_url = current_app.config["DATABASE_URL"]
    spec.uploads = current_app.config["UPLOAD_PATH"]
    return jobs.run_and_wait(spec, job_log(), job_env())


@bp.get("/console/process/<int:process_id>/process.json")
@auth.facilitator_required
def export_json(process_id: int):
    """Everything `import` needs to make the process again (no names, links or join codes)."""
    from ..domain import process_archive
    process = _process(process_id)
    if _under_gevent():
        with tempfile.TemporaryDirectory(prefix="facilitator-process-") as folder:
            out = Path(folder) / "process.json"
            try:
                _job(jobs.JobSpec(kind="process_json", database_url="", status="",
                                  workshop_id=process.id, out=str(out)))
            except jobs.JobFailed:
                flash(_("The file could not be made. Please try again; if it fails again, "
                        "the server log names the reason."), "error")
                return redirect(url_for("process.page", process_id=process.id), 303)
            data = out.read_bytes()
    else:  # tests and the command line: right here
        data = process_archive.dumps(process_archive.export_process(db.session, process.id))
    response = Response(data, mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="process-{process.id}.json"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.url_value_preprocessor
def _request_size(endpoint, _values) -> None:
    """A process file with photos is larger than a form (before the CSRF check reads it)."""
    if endpoint == "process_settings.import_json":
        request.max_content_length = current_app.config.get(
            "IMPORT_MAX_BYTES", 128 * 1024 * 1024)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    size = max(1, round(current_app.config.get("IMPORT_MAX_BYTES", 0) / (1024 * 1024)))
    flash(_("The file is too large: at most %(max_mb)s MB.", max_mb=size), "error")
    return redirect(url_for("console.index", _anchor="import-process"), 303)


def _import(data: bytes) -> int:
    """The new process's id, or the DomainError the import raised."""
    from ..domain import process_archive
    if not _under_gevent():
        return process_archive.import_process(db.session, auth.facilitator_id(), data).id
    with tempfile.TemporaryDirectory(prefix="facilitator-import-") as folder:
        source = Path(folder) / "process.json"
        source.write_bytes(data)
        status = _job(jobs.JobSpec(kind="process_import", database_url="", status="",
                                   facilitator_id=auth.facilitator_id(), source=str(source)))
    refused = status.get("refused")
    if refused:
        error = DomainError(refused["detail"], **refused["params"])
        error.code = refused["code"]
        raise error
    # The child committed on a connection of its own: see its rows from here on.
    db.session.commit()
    return status["process_id"]


@bp.post("/console/process/import")
@auth.facilitator_required
def import_json():
    """A process exported as JSON (here or on another server) becomes a new process of the
    signed-in facilitator, with new join codes; a file that does not fit changes nothing."""
    upload = request.files.get("process")
    data = upload.stream.read() if upload else b""
    back = redirect(url_for("console.index", _anchor="import-process"), 303)
    if not data:
        flash(_("Please choose a file first."), "error")
        return back
    try:
        process_id = _import(data)
    except DomainError as error:
        db.session.rollback()
        flash(_message(error), "error")
        return back
    except jobs.JobFailed:
        flash(_("The file could not be imported. Please try again; if it fails again, the "
                "server log names the reason."), "error")
        return back
    process = processes.get_process(db.session, process_id)
    flash(_("The process “%(title)s” was imported. Its events have new join codes; "
            "steering-group members need new personal links.", title=process.title), "success")
    return redirect(url_for("process.page", process_id=process.id), 303)


# --- the process page's live part ---------------------------------------------------------------

@bp.app_template_global("process_live_rows")
def live_rows(process_id: int) -> dict:
    """For the process page's first render: the same figures the live part refreshes."""
    return {row["id"]: row for row in process_settings.live_figures(db.session, process_id)}


@bp.get("/console/process/<int:process_id>/live.json")
@auth.facilitator_required
def live(process_id: int):
    """The events' states and counts; the process page asks every few seconds while visible."""
    process = _process(process_id)
    labels = {"planned": _("planned"), "running": _("running"), "done": _("results")}
    rows = [{**row, "state_label": labels[row["state"]]}
            for row in process_settings.live_figures(db.session, process.id)]
    response = jsonify(events=rows)
    response.headers["Cache-Control"] = "private, no-store"
    return response
