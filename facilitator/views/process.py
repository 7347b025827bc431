"""Participation processes: the facilitators' process page and the steering group's page.

Plain forms (post, then back): a facilitator of the process's team sees and runs everything; a
steering-group member's personal link shows only what the steering group decides on."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import auth
from ..domain import guidelines, processes, voting
from ..domain import steering as steering_group
from ..domain.errors import DomainError
from ..domain.processes import EventSpec, ProcessSpec
from ..extensions import db, limiter
from ..messages import message_for
from ..reports import compendium as compendium_report
from ..reports.sections import status_name
from ..models import Measure, VoteRound, Workshop
from . import steering as steering_views

bp = Blueprint("process", __name__)


def _process(process_id: int):
    """The process if the signed-in facilitator is on its team; 404 otherwise."""
    if not processes.can_run(db.session, auth.facilitator_id(), process_id):
        abort(404)
    return processes.get_process(db.session, process_id)


def _ids(name: str) -> list[int]:
    return [int(value) for value in request.form.getlist(name) if value.isdigit()]


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in (text or "").splitlines() if line.strip())


@bp.route("/console/process/new", methods=["GET", "POST"])
@auth.facilitator_required
def new():
    if request.method == "POST":
        try:
            process = processes.create_process(db.session, auth.facilitator_id(), ProcessSpec(
                request.form.get("title", ""), organiser=request.form.get("organiser", ""),
                language=request.form.get("language", "de"),
                fields=_lines(request.form.get("fields", "")),
                stakeholder_groups=_lines(request.form.get("groups", ""))))
        except DomainError as error:
            db.session.rollback()
            flash(message_for(error), "error")
        else:
            return redirect(url_for(".page", process_id=process.id))
    return render_template("facilitator/process_new.html", form=request.form,
                           processes=processes.processes_of(db.session, auth.facilitator_id()))


@bp.get("/console/process/<int:process_id>")
@auth.facilitator_required
def page(process_id: int):
    process = _process(process_id)
    events = processes.events(db.session, process.id)
    decisions = processes.decisions(db.session, process.id)
    rounds = [r for e in events for r in voting.rounds_of(db.session, e.id)]
    # Earlier rounds' events first (Fortschreibung), then this round's.
    source_events = [e for pid in reversed(processes.lineage_of_rounds(db.session, process.id))
                     for e in processes.events(db.session, pid)]
    carried_rows = {e.id: [m for m in db.session.query(Measure).filter_by(
        workshop_id=e.id, state="active").order_by(Measure.position, Measure.id)]
        for e in source_events}
    return render_template(
        "facilitator/process.html", process=process, events=events,
        states={e.id: processes.event_state(db.session, e) for e in events},
        figures={e.id: processes.participation(db.session, e.id) for e in events},
        chapters=processes.results_by_field(db.session, process.id),
        measures=carried_rows, source_events=source_events, members=processes.members(db.session, process.id),
        decisions=[(d, db.session.get(VoteRound, d.round_id)) for d in decisions],
        side_by_side=lambda round_: processes.side_by_side(db.session, round_),
        rounds=rounds, decided={d.round_id for d in decisions},
        event_titles={e.id: e.title for e in events},
        diff=processes.update_diff(db.session, process.id) if process.previous_id else None,
        previous=processes.get_process(db.session, process.previous_id)
        if process.previous_id else None,
        new_link=request.args.get("link"), kinds=processes.EVENT_KINDS,
        templates=processes.TEMPLATES,
        guidelines=guidelines.by_field(db.session, process.id),
        guideline_row=lambda g: compendium_report.guideline_row(db.session, g),
        consent_line=compendium_report.consent_line, status_name=status_name,
        statuses=processes.MARKABLE_STATUSES,
        round_measures=processes.round_measures(db.session, process.id)
        if process.previous_id else [],
        **steering_views.page_context(process))


def _back(process_id: int, **args):
    return redirect(url_for(".page", process_id=process_id, **args))


@bp.post("/console/process/<int:process_id>/fields/<int:field_id>/guideline")
@auth.facilitator_required
def save_guideline(process_id: int, field_id: int):
    """Each save is a new version of the field's guideline; older versions are kept."""
    process = _process(process_id)
    try:
        guidelines.save(db.session, process.id, field_id, request.form.get("text", ""))
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
    return redirect(url_for(".page", process_id=process.id, _anchor=f"guideline-{field_id}"))


@bp.post("/console/process/<int:process_id>/guidelines/<int:guideline_id>/consent")
@auth.facilitator_required
def guideline_consent(process_id: int, guideline_id: int):
    """A consent check on one version, held as a consent round in an event of the process.
    Its texts are in the process's language: the phones in the room show them as they are."""
    from flask_babel import force_locale

    from ..models import ProcessField, ProcessGuideline

    process = _process(process_id)
    guideline = db.session.get(ProcessGuideline, guideline_id)
    if guideline is None or guideline.process_id != process.id:
        abort(404)
    field = db.session.get(ProcessField, guideline.field_id)
    with force_locale(process.language):
        question = _("Guideline “%(field)s”, version %(version)s", field=field.title,
                     version=guideline.version)
        adopt, keep = _("Adopt this guideline"), _("Keep drafting")
    try:
        round_ = guidelines.start_consent_check(db.session, process.id, guideline.id,
                                                request.form.get("workshop_id", type=int),
                                                question, adopt, keep)
        if request.form.get("steering"):  # before the steering group too
            steering_group.put_to_steering_group(db.session, round_.id)
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
    else:
        flash(_("The consent check is open on the phones in “%(event)s”.",
                event=db.session.get(Workshop, request.form.get("workshop_id", type=int)).title),
              "success")
    return redirect(url_for(".page", process_id=process.id, _anchor=f"guideline-{field.id}"))


@bp.post("/console/process/<int:process_id>/measures/<int:measure_id>/status")
@auth.facilitator_required
def measure_status(process_id: int, measure_id: int):
    """Fortschreibung: mark a measure of this round done, dropped, or still going."""
    process = _process(process_id)
    try:
        processes.mark_status(db.session, process.id, auth.facilitator_id(), measure_id,
                              request.form.get("status", ""))
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
    return redirect(url_for(".page", process_id=process.id, _anchor="round-measures"))


@bp.post("/console/process/<int:process_id>/events")
@auth.facilitator_required
def create_event(process_id: int):
    process = _process(process_id)
    form = request.form
    try:
        event_date = date.fromisoformat(form["event_date"]) if form.get("event_date") else None
    except ValueError:
        event_date = None
    try:
        if form.get("copy_from"):
            source = int(form["copy_from"])
            if db.session.get(Workshop, source) is None or \
                    db.session.get(Workshop, source).process_id != process.id:
                abort(404)
            processes.copy_event(db.session, source, auth.facilitator_id(),
                                 form.get("title", ""), event_date, form.get("kind") or None)
        else:
            processes.create_event(db.session, process.id, auth.facilitator_id(), EventSpec(
                form.get("title", ""), kind=form.get("kind", "workshop"), event_date=event_date,
                field_ids=_ids("field_ids"), template=form.get("template", "dots")))
    except (DomainError, ValueError) as error:
        db.session.rollback()
        flash(message_for(error) if isinstance(error, DomainError) else str(error), "error")
    return _back(process.id)


@bp.post("/console/process/<int:process_id>/carry")
@auth.facilitator_required
def carry(process_id: int):
    process = _process(process_id)
    target = db.session.get(Workshop, request.form.get("target_id", type=int) or 0)
    if target is None or target.process_id != process.id:
        abort(404)
    try:
        made = processes.carry_forward(
            db.session, target.id, auth.facilitator_id(),
            measure_ids=_ids("measure_ids"), cluster_ids=_ids("cluster_ids"))
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
    else:
        flash(_("%(count)s results carried into “%(event)s”.", count=len(made),
                event=target.title), "success")
    return _back(process.id)


@bp.post("/console/process/<int:process_id>/update")
@auth.facilitator_required
def start_update(process_id: int):
    """Fortschreibung: next round of the process, from this round's state."""
    process = _process(process_id)
    try:
        update = processes.start_update(db.session, process.id, auth.facilitator_id(),
                                        request.form.get("title", ""))
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return _back(process.id)
    return _back(update.id)


@bp.post("/console/process/<int:process_id>/members")
@auth.facilitator_required
def add_member(process_id: int):
    process = _process(process_id)
    try:
        member, secret = processes.add_member(db.session, process.id, request.form.get("name", ""))
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
        return _back(process.id)
    # The personal link is shown once (only its hash is stored).
    return render_template("facilitator/process_link.html", process=process, member=member,
                           url=url_for(".steering", secret=secret, _external=True))


@bp.post("/console/process/<int:process_id>/decisions")
@auth.facilitator_required
def decide(process_id: int):
    process = _process(process_id)
    round_ = db.session.get(VoteRound, request.form.get("round_id", type=int) or 0)
    workshop = db.session.get(Workshop, round_.workshop_id) if round_ else None
    if workshop is None or workshop.process_id != process.id:
        abort(404)
    try:
        if request.form.get("close"):
            decision = processes.put_to_steering_group(db.session, round_.id)
            processes.close_decision(db.session, decision.id, request.form["close"] == "1")
        else:
            processes.put_to_steering_group(db.session, round_.id)
    except DomainError as error:
        db.session.rollback()
        flash(message_for(error), "error")
    return _back(process.id)


@bp.route("/steering/<secret>", methods=["GET", "POST"])
@limiter.limit("60 per minute", methods=["POST"])
def steering(secret: str):
    """A steering-group member's page: the decisions put before the steering group, nothing
    else of the process (no cards, no participants)."""
    try:
        member = processes.member_by_secret(db.session, secret)
    except DomainError:
        abort(404)
    if request.method == "POST":
        try:
            if request.form.get("value") is not None:
                processes.steering_rate(db.session, member,
                                        request.form.get("decision_id", type=int),
                                        request.form.get("target_id", type=int),
                                        request.form.get("value", type=int))
            else:
                processes.steering_dot(db.session, member,
                                       request.form.get("decision_id", type=int),
                                       request.form.get("target_id", type=int),
                                       -1 if request.form.get("delta") == "-1" else 1)
        except DomainError as error:
            db.session.rollback()
            flash(message_for(error), "error")
        return redirect(url_for(".steering", secret=secret))
    process = processes.get_process(db.session, member.process_id)
    ballots = []
    for decision in processes.decisions(db.session, process.id):
        round_ = db.session.get(VoteRound, decision.round_id)
        ballots.append({"decision": decision, "round": round_,
                        "event": db.session.get(Workshop, round_.workshop_id),
                        "targets": voting.targets(db.session, round_),
                        "mine": processes.member_votes(db.session, decision, member)})
    return render_template("facilitator/steering.html", process=process, member=member,
                           ballots=ballots, secret=secret,
                           **steering_views.member_context(member))


MEDIA_TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8",
               "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@bp.get("/console/process/<int:process_id>/compendium.<fmt>")
@auth.facilitator_required
def compendium(process_id: int, fmt: str):
    """Made by the record's job runner in a child process (the live server never renders);
    this request waits for it cooperatively."""
    import tempfile
    from pathlib import Path

    from flask import Response, current_app

    from .. import jobs
    from .reports import job_env, job_log

    process = _process(process_id)
    if fmt not in MEDIA_TYPES:
        abort(404)
    with tempfile.TemporaryDirectory(prefix="facilitator-compendium-") as folder:
        out = Path(folder) / f"compendium.{fmt}"
        try:
            jobs.run_and_wait(jobs.JobSpec(
                kind=f"compendium_{fmt}", database_url=current_app.config["DATABASE_URL"],
                workshop_id=process.id, out=str(out), status=""), job_log(), job_env())
        except jobs.JobFailed:
            flash(_("The document could not be made. Please try again; if it fails again, "
                    "the server log names the reason."), "error")
            return _back(process.id)
        data = out.read_bytes()
    response = Response(data, mimetype=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="compendium-{process.id}.{fmt}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
