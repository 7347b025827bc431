"""Phone pages: enter a code, join (optionally named, optionally a group), post to a board."""
from flask import (Blueprint, abort, current_app, flash, make_response, redirect, render_template,
                   request, session, url_for)
from flask_babel import gettext as _

from .. import PARTICIPANT_LANGUAGES, auth, code_gate, links
from ..content_text import content_text
from ..domain import participants, workshops
from ..domain.errors import DomainError
from ..extensions import db
from ..forms import CodeForm, JoinForm
from ..messages import message_for
from ..models import IDEA_MAX_CHARS, Board

bp = Blueprint("participant", __name__)


@bp.app_errorhandler(code_gate.UnknownCode)
@bp.app_errorhandler(code_gate.TooManyWrongCodes)
def code_refused(error):
    """One friendly page, in the phone's language, for a wrong code on any path."""
    response = make_response(render_template(
        "participant/code_refused.html", too_many=isinstance(error, code_gate.TooManyWrongCodes),
        form=CodeForm()), error.code)
    if error.code == 429:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _workshop(code: str):
    return code_gate.workshop_for_code(code)


@bp.route("/", methods=["GET", "POST"])
def start():
    form = CodeForm()
    if form.validate_on_submit():
        try:
            workshop = workshops.find_by_join_code(db.session, form.code.data)
        except DomainError as error:
            # Counted like a wrong code anywhere else; over the limit the page says to wait.
            wait = code_gate.miss_and_wait()
            if wait is not None:
                raise code_gate.TooManyWrongCodes(retry_after=wait)
            form.code.errors.append(message_for(error))
        else:
            return redirect(url_for(".join", code=workshop.join_code))
    return render_template("participant/start.html", form=form), 200 if not form.errors else 422


@bp.route("/join/<code>", methods=["GET", "POST"])
def join(code: str):
    workshop = _workshop(code)
    participant = auth.current_participant(workshop.id)
    wanted_board = request.args.get("board", type=int)
    board_ids = [board.id for board in workshop.boards]
    if participant and request.method == "GET" and wanted_board in board_ids:
        return redirect(url_for(".board", code=workshop.join_code, board_id=wanted_board))
    form = JoinForm()
    if workshop.stakeholder_groups:
        form.stakeholder_group.choices = [("", _("No answer"))] + [
            (str(g.id), content_text(workshop, "group", g.id, "name", g.name))
            for g in workshop.stakeholder_groups]
    else:
        # The page asks nothing then, so the form must not expect an answer.
        del form.stakeholder_group
    form.board.choices = [(board.id, content_text(workshop, "board", board.id, "title", board.title))
                          for board in workshop.boards]
    if request.method == "GET":
        form.board.data = wanted_board if wanted_board in board_ids else None
        if participant:
            form.display_name.data = participant.display_name
            if "stakeholder_group" in form:
                form.stakeholder_group.data = str(participant.stakeholder_group_id or "")
    if form.validate_on_submit():
        chosen = form.stakeholder_group.data if "stakeholder_group" in form else ""
        group_id = int(chosen) if chosen else None
        try:
            if participant:
                participants.update_profile(db.session, participant, form.display_name.data,
                                            group_id)
            else:
                participant, token = participants.join(
                    db.session, workshop, form.display_name.data, group_id)
                auth.remember_participant(workshop.id, token)
        except DomainError as error:
            _show_error(form, error)
        else:
            return redirect(url_for(".board", code=workshop.join_code, board_id=form.board.data))
    status = 422 if request.method == "POST" else 200
    return render_template("participant/join.html", workshop=workshop, form=form,
                           returning=participant is not None), status


def _show_error(form, error: DomainError) -> None:
    """Next to the field it concerns when there is one, else above the form."""
    field = form._fields.get(error.params.get("field"))
    if field is not None:
        field.errors = [*field.errors, message_for(error)]
    else:
        flash(message_for(error), "error")


@bp.get("/w/<code>/board/<int:board_id>")
def board(code: str, board_id: int):
    workshop = _workshop(code)
    board = next((b for b in workshop.boards if b.id == board_id), None)
    if board is None:
        if db.session.get(Board, board_id) is not None:
            abort(404)  # another workshop's table
        # The facilitator removed this table (or the link is mistyped): choose another.
        flash(_("This table no longer exists. Please choose another one."), "error")
        return redirect(url_for(".join", code=workshop.join_code))
    if auth.current_participant(workshop.id) is None:
        return redirect(url_for(".join", code=workshop.join_code, board=board_id))
    return render_template("participant/board.html", workshop=workshop, board=board,
                           max_chars=IDEA_MAX_CHARS)


@bp.get("/privacy")
def privacy():
    return render_template("participant/privacy.html")


@bp.get("/accessibility")
def accessibility():
    """The accessibility statement of this installation, with a way to report a barrier."""
    settings = {name[len("ACCESSIBILITY_"):].lower(): value
                for name, value in current_app.config.items()
                if name.startswith("ACCESSIBILITY_")}
    return render_template("accessibility.html", statement=settings)


@bp.post("/language")
def language():
    """Switch the interface language on this device (kept in the session cookie)."""
    chosen = request.form.get("lang")
    if chosen in PARTICIPANT_LANGUAGES:
        session["lang"] = chosen
    return redirect(links.local_path(request.form.get("next")) or "/")
