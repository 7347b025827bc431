"""Who is asking: facilitator sign-in, participant tokens and the projector's key."""
from functools import wraps

from flask import abort, redirect, request, session, url_for

from .domain import facilitators, participants, workshops
from .extensions import db


def facilitator_id() -> int | None:
    """The signed-in facilitator, asked of the database each time: a session that signed out
    (anywhere: the version went up) or whose account is gone counts as signed out at once."""
    claimed = session.get("facilitator_id")
    if claimed is None:
        return None
    # Cookies from before session versions carry none: they count as version 0.
    if facilitators.session_version(db.session, claimed) != session.get("facilitator_version", 0):
        return None
    return claimed


def sign_in(facilitator) -> None:
    session.clear()
    session.permanent = True
    session["facilitator_id"] = facilitator.id
    session["facilitator_version"] = facilitator.session_version


def sign_out() -> None:
    """End this account's sessions on the server too: a copied cookie is worth nothing after."""
    signed_in = facilitator_id()
    if signed_in is not None:
        facilitators.end_sessions(db.session, signed_in)
    session.pop("facilitator_id", None)
    session.pop("facilitator_version", None)


def admin_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if facilitator_id() is None:
            return redirect(url_for("console.login", next=request.path))
        if not facilitators.is_admin(db.session, facilitator_id()):
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def facilitator_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if facilitator_id() is None:
            return redirect(url_for("console.login", next=request.path))
        return view(*args, **kwargs)
    return wrapped


def runnable_workshop(workshop_id: int):
    """The workshop if the signed-in facilitator may run it; 404 otherwise (no hint it exists)."""
    if not workshops.can_run(db.session, facilitator_id(), workshop_id):
        abort(404)
    return workshops.get_workshop(db.session, workshop_id)


def participant_token(workshop_id: int) -> str | None:
    return session.get("participants", {}).get(str(workshop_id))


def participant_tokens() -> list[str]:
    """Every participant token the session carries (one per workshop joined)."""
    tokens = session.get("participants", {})
    return list(tokens.values()) if isinstance(tokens, dict) else []


def remember_participant(workshop_id: int, token: str) -> None:
    session.permanent = True
    session["participants"] = {**session.get("participants", {}), str(workshop_id): token}


def current_participant(workshop_id: int):
    return participants.find(db.session, workshop_id, participant_token(workshop_id))
