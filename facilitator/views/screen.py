"""The projector wall: read-only, opened by a link that carries its own secret key; and the
console's button that replaces that key when the link got out."""
import re

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import auth, broadcast, links
from ..domain import screen_keys, workshops
from ..domain.errors import NotFound
from ..extensions import db, socketio

bp = Blueprint("screen", __name__)


@bp.get("/screen/<key>")
def wall(key: str):
    try:
        workshop = workshops.find_by_screen_key(db.session, key)
    except NotFound:
        abort(404)
    request.workshop_language = workshop.language
    join_url = links.join_url(workshop)
    return render_template("screen/wall.html", workshop=workshop, join_url=join_url,
                           join_url_parts=url_parts(join_url))


@bp.post("/console/<int:workshop_id>/projector-key")
@auth.facilitator_required
def new_key(workshop_id: int):
    """A new projector link; every wall still open on the old one is disconnected at once (the
    socket's role was granted at connect, so only closing it takes the room away)."""
    workshop = auth.runnable_workshop(workshop_id)
    request.workshop_language = workshop.language  # the message in the console's language
    files_before = _workshop_files(workshop)
    screen_keys.rotate_screen_key(db.session, workshop_id)
    # Files named after the key (the record) move along, so they are still found and deleted.
    for before, after in zip(files_before, _workshop_files(workshop)):
        if before != after and before.exists():
            before.replace(after)
    # Walls in this process by room (also those whose presence row could not be written), walls
    # in other processes by their presence rows: a disconnect goes through the message queue.
    room = broadcast.screen_room(workshop_id)
    local = [sid for sid, _eio in socketio.server.manager.get_participants("/", room)]
    for sid in set(local) | set(screen_keys.screen_sockets(db.session, workshop_id)):
        socketio.server.disconnect(sid, namespace="/")
    flash(_("The projector has a new link. Screens on the old link were disconnected: open the "
            "new link on the projector."), "info")
    return redirect(url_for("console.live", workshop_id=workshop_id))


def _workshop_files(workshop) -> list:
    return [path for hook in db.session.info.get("workshop_files", ()) for path in hook(workshop)]


def url_parts(url: str) -> list[str]:
    """The address in pieces that end after a dot, colon or slash, where a line may break."""
    return [part for part in re.split(r"(?<=[./:])(?=[^/])", url) if part]
