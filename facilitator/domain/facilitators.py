"""Facilitator accounts: no default password; sign-in by one-time link, optionally a password."""
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import NAME_MAX_CHARS, Facilitator, SignInLink, utcnow
from . import validate
from .errors import InvalidInput, SignInLinkInvalid
from .tokens import digest, new_secret

LINK_LIFETIME = timedelta(hours=24)
MIN_PASSWORD_CHARS = 10


def create_facilitator(session: Session, name, admin: bool = False) -> Facilitator:
    """A new account; the installation's first account is always its admin."""
    facilitator = Facilitator(name=validate.text(name, NAME_MAX_CHARS, "name"),
                              is_admin=admin or not has_any(session))
    session.add(facilitator)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise InvalidInput(field="name_taken") from None
    return facilitator


def find_by_name(session: Session, name: str) -> Facilitator | None:
    return session.scalar(select(Facilitator).where(Facilitator.name == str(name).strip()))


def has_any(session: Session) -> bool:
    return session.scalar(select(Facilitator.id).limit(1)) is not None


def is_admin(session: Session, facilitator_id: int | None) -> bool:
    return bool(facilitator_id) and bool(session.scalar(
        select(Facilitator.is_admin).where(Facilitator.id == facilitator_id)))


def session_version(session: Session, facilitator_id) -> int | None:
    """The number a session cookie must carry to count; None when the account is gone."""
    if not isinstance(facilitator_id, int):
        return None
    return session.scalar(select(Facilitator.session_version)
                          .where(Facilitator.id == facilitator_id))


def end_sessions(session: Session, facilitator_id: int) -> None:
    """Sign out everywhere: every cookie holding the old session version stops working."""
    session.execute(update(Facilitator).where(Facilitator.id == facilitator_id)
                    .values(session_version=Facilitator.session_version + 1))
    session.commit()


def all_facilitators(session: Session) -> list[Facilitator]:
    return list(session.scalars(select(Facilitator).order_by(Facilitator.name)))


def new_sign_in_link(session: Session, facilitator: Facilitator) -> str:
    """Make a one-time sign-in secret valid for a day; only its hash is stored."""
    secret = new_secret()
    session.add(SignInLink(facilitator_id=facilitator.id, secret_hash=digest(secret),
                           expires_at=utcnow() + LINK_LIFETIME))
    session.commit()
    return secret


def redeem_sign_in_link(session: Session, secret: str) -> Facilitator:
    """Use a one-time link. One conditional UPDATE, so two requests at once cannot both win."""
    now = utcnow()
    facilitator_id = session.scalar(
        update(SignInLink).where(SignInLink.secret_hash == digest(secret),
                                 SignInLink.used_at.is_(None), SignInLink.expires_at >= now)
        .values(used_at=now).returning(SignInLink.facilitator_id))
    session.commit()
    if facilitator_id is None:
        raise SignInLinkInvalid()
    return session.get(Facilitator, facilitator_id)


def set_password(session: Session, facilitator: Facilitator, password) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        raise InvalidInput(field="password", min=MIN_PASSWORD_CHARS)
    facilitator.password_hash = generate_password_hash(password)
    session.commit()


def check_password(session: Session, name: str, password: str) -> Facilitator | None:
    facilitator = find_by_name(session, name)
    if facilitator and facilitator.password_hash and check_password_hash(
            facilitator.password_hash, password or ""):
        return facilitator
    return None
