"""The facilitator's pages: sign-in, workshop list, preparation, live console, accounts."""
import time

from flask import (Blueprint, abort, current_app, flash, make_response, redirect,
                   render_template, request, url_for)
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded

from .. import auth, database, links
from ..domain import facilitators, retention, stocktaking, workshops
from ..domain.errors import DomainError
from ..extensions import db, limiter
from ..forms import FacilitatorForm, PasswordForm, SignInForm, WorkshopForm
from ..messages import message_for
from ..models import IDEA_MAX_CHARS, Facilitator

bp = Blueprint("console", __name__, url_prefix="/console")


def _safe_next(target: str | None) -> str:
    return links.local_path(target) or url_for(".index")


SIGN_IN_LIMIT = "10 per minute"


@bp.app_errorhandler(RateLimitExceeded)
def too_many_requests(error: RateLimitExceeded):
    """Over a rate limit (the password sign-in, a steering-group page): the app's error page in
    the UI language, 429 and Retry-After, instead of the limiter's bare answer."""
    current = limiter.current_limit
    wait = max(1, int(current.reset_at - time.time()) + 1) if current else 60
    if request.endpoint == "console.login":
        title = _("Too many sign-in attempts")
        message = _("Names and passwords were tried too often from this network in a short "
                    "time, so signing in is paused for %(seconds)s seconds. Please try again "
                    "then; a one-time sign-in link still works.", seconds=wait)
        back_url, back_label = url_for("console.login"), _("Back to sign-in")
    else:
        title = _("Please wait a moment")
        message = _("There were too many requests from this network in a short time. Please "
                    "try again in %(seconds)s seconds.", seconds=wait)
        back_url, back_label = None, None
    response = make_response(render_template(
        "error.html", title=title, message=message, back_url=back_url, back_label=back_label), 429)
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(SIGN_IN_LIMIT, methods=["POST"])
def login():
    form = SignInForm()
    if form.validate_on_submit():
        facilitator = facilitators.check_password(db.session, form.name.data, form.password.data)
        if facilitator:
            auth.sign_in(facilitator)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Name or password is wrong."), "error")
    return render_template("facilitator/login.html", form=form)


@bp.route("/sign-in/<secret>", methods=["GET", "POST"])
def sign_in_link(secret: str):
    """GET only shows a button: link previews in chat apps fetch the link and would otherwise
    use it up before the person taps it. The POST (CSRF-protected) spends it."""
    if request.method == "GET":
        return render_template("facilitator/sign_in_link.html",
                               next_path=links.local_path(request.args.get("next")))
    try:
        facilitator = facilitators.redeem_sign_in_link(db.session, secret)
    except DomainError as error:
        flash(message_for(error), "error")
        return redirect(url_for(".login"))
    auth.sign_in(facilitator)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
def logout():
    auth.sign_out()
    return redirect(url_for(".login"))


@bp.get("/")
@auth.facilitator_required
def index():
    return render_template("facilitator/index.html",
                           workshops=workshops.workshops_of(db.session, auth.facilitator_id()))


def _prepare(form: WorkshopForm, save, workshop=None):
    """Shared by new and edit: validate, save through the domain, or show the form again."""
    if form.validate_on_submit():
        try:
            saved = save(form.spec())
        except DomainError as error:
            flash(message_for(error), "error")
        else:
            return redirect(url_for(".live", workshop_id=saved.id))
    return render_template("facilitator/edit.html", form=form, workshop=workshop), (
        422 if form.is_submitted() else 200)


@bp.route("/new", methods=["GET", "POST"])
@auth.facilitator_required
def new():
    form = WorkshopForm()
    form.fill_boards()
    return _prepare(form, lambda spec: workshops.create_workshop(
        db.session, auth.facilitator_id(), spec))


@bp.route("/<int:workshop_id>/edit", methods=["GET", "POST"])
@auth.facilitator_required
def edit(workshop_id: int):
    workshop = auth.runnable_workshop(workshop_id)
    form = WorkshopForm(obj=workshop if request.method == "GET" else None)
    form.fill_boards(workshop)
    return _prepare(form, lambda spec: workshops.update_workshop(db.session, workshop_id, spec),
                    workshop)


NEW_FIELD_ROWS = 3


@bp.route("/<int:workshop_id>/boards/<int:board_id>/fields", methods=["GET", "POST"])
@auth.facilitator_required
def card_fields(workshop_id: int, board_id: int):
    """A stock-taking board's fields (Bestandsaufnahme): add, rename, remove, mark required,
    choose the field the export groups by (domain/stocktaking.py)."""
    workshop = auth.runnable_workshop(workshop_id)
    request.workshop_language = workshop.language
    board = next((b for b in workshop.boards if b.id == board_id), None)
    if board is None:
        abort(404)
    rows = [dict(f) for f in board.card_fields or ()]
    if request.method == "POST":
        count = min(int(request.form.get("rows", "0") or 0) if
                    (request.form.get("rows") or "").isdigit() else 0, stocktaking.MAX_FIELDS * 2)
        group = request.form.get("group", "")
        rows = [{"key": request.form.get(f"key-{n}") or None,
                 "label": request.form.get(f"label-{n}", ""),
                 "required": request.form.get(f"required-{n}") == "1",
                 "group": group == str(n)} for n in range(count)]
        try:
            stocktaking.set_fields(db.session, workshop_id, board_id, rows)
        except DomainError as error:
            flash(message_for(error), "error")
            return render_template("facilitator/card_fields.html", workshop=workshop,
                                   board=board, rows=rows), 422
        flash(_("The fields are saved."), "info")
        return redirect(url_for(".card_fields", workshop_id=workshop_id, board_id=board_id))
    rows += [{"key": None, "label": "", "required": False, "group": False}
             for _ in range(NEW_FIELD_ROWS)]
    return render_template("facilitator/card_fields.html", workshop=workshop, board=board,
                           rows=rows)


@bp.get("/<int:workshop_id>")
@auth.facilitator_required
def live(workshop_id: int):
    workshop = auth.runnable_workshop(workshop_id)
    request.workshop_language = workshop.language
    installation_days = current_app.config["RETENTION_DAYS"]
    return render_template("facilitator/live.html", workshop=workshop,
                           join_url=links.join_url(workshop), screen_url=links.screen_url(workshop),
                           max_chars=IDEA_MAX_CHARS, installation_retention_days=installation_days,
                           retention_due=retention.due_at(workshop, installation_days))


@bp.post("/<int:workshop_id>/retention")
@auth.facilitator_required
def set_retention(workshop_id: int):
    """The workshop's own retention period (empty: the installation's)."""
    request.workshop_language = auth.runnable_workshop(workshop_id).language
    raw = request.form.get("retention_days", "").strip()
    try:
        retention.set_period(db.session, workshop_id, int(raw) if raw else None)
    except (ValueError, DomainError):
        flash(_("Please enter a number of days from 0 to %(max)s.", max=retention.MAX_DAYS),
              "error")
    else:
        flash(_("Retention period saved."), "info")
    return redirect(url_for(".live", workshop_id=workshop_id))


@bp.post("/<int:workshop_id>/delete")
@auth.facilitator_required
def delete(workshop_id: int):
    workshop = auth.runnable_workshop(workshop_id)
    if workshops.normalise_join_code(request.form.get("confirm_code", "")) != workshop.join_code:
        flash(_("Type the join code to confirm deleting the workshop."), "error")
        return redirect(url_for(".edit", workshop_id=workshop_id))
    workshops.delete_workshop(db.session, workshop_id)
    database.forget_deleted(db.session)
    flash(_("The workshop and all its data were deleted."), "info")
    return redirect(url_for(".index"))


@bp.route("/facilitators", methods=["GET", "POST"])
@auth.facilitator_required
def team():
    """Admins add facilitator accounts (each gets a one-time sign-in link to hand over);
    every facilitator lets colleagues run their own workshops."""
    admin = facilitators.is_admin(db.session, auth.facilitator_id())
    form = FacilitatorForm()
    new_link = None
    if request.method == "POST" and not admin:
        abort(403)
    if form.validate_on_submit():
        try:
            facilitator = facilitators.create_facilitator(db.session, form.name.data)
        except DomainError as error:
            form.name.errors.append(message_for(error))
        else:
            secret = facilitators.new_sign_in_link(db.session, facilitator)
            new_link = links.public_base() + url_for(".sign_in_link", secret=secret)
    mine = workshops.workshops_of(db.session, auth.facilitator_id())
    # Only an admin sees every account's name; the others name a colleague they know.
    accounts = facilitators.all_facilitators(db.session) if admin else []
    return render_template("facilitator/team.html", form=form, new_link=new_link, admin=admin,
                           facilitators=accounts, workshops=mine)


@bp.post("/<int:workshop_id>/team")
@auth.facilitator_required
def add_to_workshop(workshop_id: int):
    auth.runnable_workshop(workshop_id)
    facilitator = facilitators.find_by_name(db.session, request.form.get("name", ""))
    if facilitator is None:
        flash(_("There is no account with this name."), "error")
        return redirect(url_for(".team"))
    workshops.add_facilitator(db.session, workshop_id, facilitator.id)
    flash(_("%(name)s can now run this workshop.", name=facilitator.name), "info")
    return redirect(url_for(".team"))


@bp.route("/password", methods=["GET", "POST"])
@auth.facilitator_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        facilitator = db.session.get(Facilitator, auth.facilitator_id())
        try:
            facilitators.set_password(db.session, facilitator, form.password.data)
        except DomainError as error:
            form.password.errors.append(message_for(error))
        else:
            flash(_("Password saved."), "info")
            return redirect(url_for(".index"))
    return render_template("facilitator/password.html", form=form)
