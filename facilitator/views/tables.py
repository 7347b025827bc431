"""Help at the table and content in more languages.

The facilitator invites table hosts (a link per board) and translates the workshop's content;
a host's page works on one board only; a shared tablet only posts, one anonymous card at a time.
Plain forms that post and come back (PRG): they work without JavaScript on any old tablet.
"""
from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   session, url_for)
from flask_babel import get_locale
from flask_babel import gettext as _

from .. import LANGUAGE_NAMES, auth, broadcast, language_code, links
from ..card_sources import SOURCE_LABELS, source_label
from ..content_text import content_text
from ..domain import hosts, translations, voting, workshops
from ..domain.errors import DomainError
from ..domain.ideas import accepts_ideas
from ..domain.machine_translation import translator_for
from ..extensions import db
from ..messages import message_for
from ..models import IDEA_MAX_CHARS, Board, TableHost

bp = Blueprint("tables", __name__)
SESSION_KEY = "table_host"


@bp.app_context_processor
def table_helpers():
    return {"source_label": source_label,
            "source_labels": lambda: {key: str(label) for key, label in SOURCE_LABELS.items()},
            "content_text": content_text, "language_name": LANGUAGE_NAMES.get,
            "content_in": lambda workshop, lang, kind, key, field: translations.translated(
                translations.content_map(workshop), kind, key, field, lang)}



# --- The facilitator's side ---------------------------------------------------------------------

@bp.route("/console/<int:workshop_id>/translations", methods=["GET", "POST"])
@auth.facilitator_required
def translations_page(workshop_id: int):
    """One screen per workshop and language: every translatable field beside its original."""
    workshop = auth.runnable_workshop(workshop_id)
    request.workshop_language = workshop.language
    # A variant (easy German) has no content of its own: its readers see the German original.
    languages = [(code, name) for code, name in LANGUAGE_NAMES.items()
                 if code != workshop.language and "@" not in code]
    lang = request.values.get("lang") or (languages[0][0] if languages else "en")
    if request.method == "POST":
        fields = translations.fields_of(db.session, workshop)
        texts = {row.name: request.form.get(row.name, "") for row in fields}
        try:
            translations.save_content(db.session, workshop_id, lang, texts)
        except DomainError as error:
            flash(message_for(error), "error")
        else:
            flash(_("Translations saved."), "info")
        return redirect(url_for(".translations_page", workshop_id=workshop_id, lang=lang))
    mapping = translations.content_map(workshop)
    groups: dict[tuple, list] = {}
    for row in translations.fields_of(db.session, workshop):
        groups.setdefault(_group_of(row), []).append(
            (row, translations.translated(mapping, row.kind, row.key, row.field, lang) or ""))
    return render_template("facilitator/translations.html", workshop=workshop,
                           groups=[(_legend(key, rows), rows) for key, rows in groups.items()],
                           lang=lang, languages=languages, labels=_field_labels())


def _group_of(row) -> tuple:
    """Fields of one board (or one vote with its options) stay together under one legend."""
    if row.kind == "board":
        return ("board", row.key)
    if row.kind == "cardfield":  # a stock-taking board's fields, under the board's legend
        return ("board", row.key.split(":")[0])
    if row.kind in ("round", "option"):
        return ("round", row.key.split(":")[0])
    return (row.kind, "")


def _legend(key: tuple, rows: list) -> str:
    first = rows[0][0]
    if key[0] == "board":
        return _("Board: %(title)s", title=first.original)
    if key[0] == "round":
        if first.kind == "round":
            return _("Vote: %(question)s", question=first.original)
        return _("Options of a consent check")
    return _("Stakeholder groups") if key[0] == "group" else _("Workshop")


def _field_labels() -> dict:
    return {"workshop.title": _("Workshop title"), "workshop.purpose": _("Purpose"),
            "board.title": _("Board title"), "board.question": _("Guiding question"),
            "group.name": _("Stakeholder group"), "round.question": _("Vote question"),
            "option.text": _("Consent option"), "cardfield.label": _("Field of the cards")}


@bp.post("/console/<int:workshop_id>/projector-language")
@auth.facilitator_required
def projector_language(workshop_id: int):
    request.workshop_language = auth.runnable_workshop(workshop_id).language
    try:
        translations.set_projector_language(db.session, workshop_id,
                                            request.form.get("projector_language") or None)
    except DomainError as error:
        flash(message_for(error), "error")
    else:
        flash(_("Projector language saved."), "info")
    return redirect(url_for(".translations_page", workshop_id=workshop_id,
                            lang=request.form.get("lang")))


@bp.route("/console/<int:workshop_id>/hosts", methods=["GET", "POST"])
@auth.facilitator_required
def hosts_page(workshop_id: int):
    """Invite a host (or a shared tablet) per board; the link is shown once."""
    workshop = auth.runnable_workshop(workshop_id)
    request.workshop_language = workshop.language
    new_link = None
    if request.method == "POST":
        try:
            invitation = hosts.invite(db.session, workshop_id,
                                      request.form.get("board_id", type=int),
                                      request.form.get("role", "host"),
                                      request.form.get("name", ""))
        except DomainError as error:
            flash(message_for(error), "error")
        else:
            new_link = {"url": links.public_base() + url_for(".redeem",
                                                             secret=invitation.secret),
                        "host": invitation.host}
    return render_template("facilitator/hosts.html", workshop=workshop, new_link=new_link,
                           hosts=hosts.hosts_of(db.session, workshop_id))


@bp.post("/console/<int:workshop_id>/hosts/<int:host_id>/revoke")
@auth.facilitator_required
def revoke_host(workshop_id: int, host_id: int):
    request.workshop_language = auth.runnable_workshop(workshop_id).language
    try:
        hosts.revoke(db.session, workshop_id, host_id)
    except DomainError as error:
        flash(message_for(error), "error")
    else:
        flash(_("The link no longer works."), "info")
    return redirect(url_for(".hosts_page", workshop_id=workshop_id))


# --- The table's side ---------------------------------------------------------------------------

@bp.before_request
def workshop_language():
    """A table's pages speak the workshop's language unless this browser chose another; set
    before any text is translated (the locale is fixed at the first translated text)."""
    board_id = (request.view_args or {}).get("board_id")
    board = db.session.get(Board, board_id) if board_id is not None else None
    if board is not None:
        request.workshop_language = workshops.get_workshop(db.session,
                                                           board.workshop_id).language

@bp.get("/table/join/<secret>")
def redeem(secret: str):
    """Opening the invitation link makes this browser the board's host (or its tablet)."""
    try:
        host = hosts.redeem(db.session, secret)
    except DomainError:
        abort(404)
    session.permanent = True
    session[SESSION_KEY] = host.id
    return redirect(url_for(".table", board_id=host.board_id))


def _acting_host(board_id: int) -> TableHost:
    """The host this browser holds for this board, or, for a facilitator running the workshop,
    a host's powers on any of its boards (not stored: it only carries the board)."""
    board = db.session.get(Board, board_id)
    if board is None:
        abort(404)
    host = hosts.active(db.session, session.get(SESSION_KEY))
    if host is not None and host.board_id == board_id:
        return host
    if workshops.can_run(db.session, auth.facilitator_id(), board.workshop_id):
        return TableHost(id=None, workshop_id=board.workshop_id, board_id=board.id, role="host")
    abort(404)


def _back(board_id: int, **args):
    return redirect(url_for(".table", board_id=board_id, **args))


@bp.get("/table/<int:board_id>")
def table(board_id: int):
    host = _acting_host(board_id)
    board = db.session.get(Board, board_id)
    workshop = workshops.get_workshop(db.session, host.workshop_id)
    mapping = translations.content_map(workshop)
    lang = language_code(get_locale())
    shown = {"title": translations.translated(mapping, "board", board.id, "title", lang),
             "question": translations.translated(mapping, "board", board.id, "question", lang)}
    # A stock-taking board: its fields, labelled in the page's language when translated, and
    # what was typed into a row the last post refused (a plain form must not lose it).
    card_fields = [{**f, "shown": translations.translated(
        mapping, "cardfield", f"{board.id}:{f['key']}", "label", lang) or f["label"]}
        for f in board.card_fields or ()]
    draft = session.pop("table_card_draft", None) or {}
    if host.role == "tablet":
        return render_template("table/tablet.html", workshop=workshop, board=board,
                               shown=shown, max_chars=IDEA_MAX_CHARS,
                               collecting=accepts_ideas(board), card_fields=card_fields,
                               draft=draft)
    rounds = [(round_, {t["id"]: t for t in voting.targets(db.session, round_)},
               hosts.paper_dots(db.session, host, round_.id) if host.id else {})
              for round_ in hosts.running_rounds(db.session, host)]
    return render_template(
        "table/host.html", workshop=workshop, seq=workshop.seq, board=board, host=host, shown=shown,
        cards=hosts.board_cards(db.session, host), clusters=hosts.board_clusters(db.session, host),
        rounds=rounds, max_chars=IDEA_MAX_CHARS, card_fields=card_fields, draft=draft,
        languages=[(code, name) for code, name in LANGUAGE_NAMES.items() if "@" not in code],
        collecting=accepts_ideas(board),
        suggestion=session.pop("table_suggestion", None),
        machine_translation=translator_for(
            current_app.config.get("MACHINE_TRANSLATION_URL")).available)


@bp.get("/table/<int:board_id>/seq")
def table_seq(board_id: int):
    """The workshop's last sequence number: the host's page polls it to offer a refresh when
    something changed (the page is plain forms; a reload would lose what is being typed)."""
    host = _acting_host(board_id)
    return {"seq": workshops.get_workshop(db.session, host.workshop_id).seq}


def _act(board_id: int, action, done: str):
    host = _acting_host(board_id)
    try:
        action(host)
    except DomainError as error:
        flash(message_for(error), "error")
    else:
        flash(done, "info")
    return _back(board_id)


@bp.post("/table/<int:board_id>/cards")
def post_card(board_id: int):
    text = request.form.get("text")
    source = request.form.get("source")
    host = _acting_host(board_id)
    done = (_("Thank you! Your idea has arrived. The next person can write now.")
            if host.role == "tablet" else _("Card added."))
    fields = exists = None
    board = db.session.get(Board, board_id)
    if board.card_fields:
        # A stock-taking row (Bestandsaufnahme): one input per field, and "already exists".
        fields = {f["key"]: request.form.get(f"field-{f['key']}", "") for f in board.card_fields}
        exists = request.form.get("exists") == "1"
    try:
        hosts.post_card(db.session, host, text, source, fields, exists)
    except DomainError as error:
        flash(message_for(error), "error")
        draft = {key: str(value)[:200] for key, value in (fields or {}).items()}
        if fields is not None and sum(map(len, draft.values())) <= 1500:  # a cookie stays small
            session["table_card_draft"] = {"values": draft, "exists": exists, "source": source}
    else:
        flash(done, "info")
    return _back(board_id)


@bp.post("/table/<int:board_id>/cards/<int:idea_id>/hide")
def hide_card(board_id: int, idea_id: int):
    hidden = request.form.get("hidden") == "1"
    return _act(board_id, lambda host: hosts.hide_card(db.session, host, idea_id, hidden),
                _("Card hidden.") if hidden else _("Card shown again."))


@bp.post("/table/<int:board_id>/cards/<int:idea_id>/translation")
def translate_card(board_id: int, idea_id: int):
    text, lang = request.form.get("text", ""), request.form.get("lang", "")
    if request.form.get("action") == "suggest":
        return _suggest(board_id, idea_id, lang)
    return _act(board_id, lambda host: hosts.translate_card(db.session, host, idea_id, text,
                                                            lang), _("Translation saved."))


def _suggest(board_id: int, idea_id: int, lang: str):
    """Ask the configured machine translation service for a proposal the host then checks."""
    host = _acting_host(board_id)
    idea = next((card for card in hosts.board_cards(db.session, host) if card.id == idea_id),
                None)
    translator = translator_for(current_app.config.get("MACHINE_TRANSLATION_URL"))
    proposal = idea and translator.suggest(idea.text, "auto", lang)
    if proposal:
        session["table_suggestion"] = {"idea_id": idea_id, "lang": lang, "text": proposal}
    else:
        flash(_("No suggestion available. Please type the translation."), "error")
    return _back(board_id)


@bp.post("/table/<int:board_id>/clusters")
def cluster_cards(board_id: int):
    heading = request.form.get("heading", "")
    idea_ids = [int(value) for value in request.form.getlist("idea_ids") if value.isdigit()]
    return _act(board_id, lambda host: hosts.cluster_cards(db.session, host, heading, idea_ids),
                _("Cluster made."))


@bp.post("/table/<int:board_id>/cards/<int:idea_id>/cluster")
def move_card(board_id: int, idea_id: int):
    raw = request.form.get("cluster_id", "")
    cluster_id = int(raw) if raw.isdigit() else None
    return _act(board_id, lambda host: hosts.move_to_cluster(db.session, host, idea_id,
                                                             cluster_id), _("Card moved."))


@bp.post("/table/<int:board_id>/dots")
def paper_dots(board_id: int):
    round_id = request.form.get("round_id", type=int)
    target_id = request.form.get("target_id", type=int)
    count = request.form.get("count", type=int)

    def add(host):
        if host.id is None:
            # Paper dots are counted under a host's own stand-in; a facilitator invites one.
            abort(403)
        hosts.add_paper_dots(db.session, host, round_id, target_id, count)
        broadcast.announce_votes_soon(host.workshop_id, round_id)
    return _act(board_id, add, _("Paper dots added."))
