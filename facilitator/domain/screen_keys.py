"""The projector's key: the secret in the wall's link that opens it without sign-in."""
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Connection, Workshop


def new_screen_key() -> str:
    return secrets.token_urlsafe(24)


def rotate_screen_key(session: Session, workshop_id: int) -> str:
    """Give the workshop a new projector key; the old link opens nothing from now on."""
    workshop = session.get(Workshop, workshop_id)
    workshop.screen_key = new_screen_key()
    session.commit()
    return workshop.screen_key


def screen_sockets(session: Session, workshop_id: int) -> list[str]:
    """The sockets the workshop's projector walls hold open (in any server process)."""
    return list(session.scalars(select(Connection.sid).where(
        Connection.workshop_id == workshop_id, Connection.role == "screen")))
