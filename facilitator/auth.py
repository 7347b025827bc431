"""Who is asking: facilitator sign-in, participant tokens and the projector's key."""
from functools import wraps

from flask import abort, redirect, request, session, url_for

from .domain import participants, workshops
from .extensions import db


def facilitator_id() -> int | None:
    return session.get("facilitator_id")


def sign_in(facilitator_id_: int) -> None:
    session.clear()
    session.permanent = True
    session["facilitator_id"] = facilitator_id_


def sign_out() -> None:
    session.pop("facilitator_id", None)


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


def remember_participant(workshop_id: int, token: str) -> None:
    session.permanent = True
    session["participants"] = {**session.get("participants", {}), str(workshop_id): token}


def current_participant(workshop_id: int):
    return participants.find(db.session, workshop_id, participant_token(workshop_id))
