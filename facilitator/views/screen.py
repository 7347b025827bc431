"""The projector wall: read-only, opened by a link that carries its own secret key."""
import re

from flask import Blueprint, abort, render_template, request

from .. import links
from ..domain import workshops
from ..domain.errors import NotFound
from ..extensions import db

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


def url_parts(url: str) -> list[str]:
    """The address in pieces that end after a dot, colon or slash, where a line may break."""
    return [part for part in re.split(r"(?<=[./:])(?=[^/])", url) if part]
