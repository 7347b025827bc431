"""SQLAlchemy 2.0 typed models: the tables every screen and the record are built from.

Every row a screen shows carries `updated_seq`, the workshop's sequence number at its last change,
so a reconnecting screen asks for "everything changed after the number I last saw".
"""
from datetime import date, datetime, timezone
from typing import Annotated

from sqlalchemy import JSON, ForeignKey, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

IDEA_MAX_CHARS = 280
TITLE_MAX_CHARS = 120
NAME_MAX_CHARS = 40


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
created = Annotated[datetime, mapped_column(default=utcnow)]
seq_column = Annotated[int, mapped_column(default=0)]


def workshop_fk(**kw):
    return mapped_column(ForeignKey("workshops.id", ondelete="CASCADE"), index=True, **kw)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Facilitator(Base):
    __tablename__ = "facilitators"
    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(NAME_MAX_CHARS), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[created]


class SignInLink(Base):
    """A one-time sign-in link; only a hash of its secret is stored."""
    __tablename__ = "sign_in_links"
    id: Mapped[intpk]
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitators.id", ondelete="CASCADE"))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class Process(Base):
    """A participation process (kick-off, thematic workshops, closing event) that workshops belong to."""
    __tablename__ = "processes"
    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS))
    created_at: Mapped[created]


class Workshop(Base):
    __tablename__ = "workshops"
    id: Mapped[intpk]
    process_id: Mapped[int | None] = mapped_column(ForeignKey("processes.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS))
    event_date: Mapped[date | None]
    place: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="de")
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    screen_key: Mapped[str] = mapped_column(String(64), unique=True)
    # The last sequence number handed out; bumped in the same transaction as every change.
    seq: Mapped[seq_column]
    updated_seq: Mapped[seq_column]
    projector_board_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[created]

    process: Mapped[Process | None] = relationship()
    boards: Mapped[list["Board"]] = relationship(
        order_by="Board.position", cascade="all, delete-orphan", passive_deletes=True)
    stakeholder_groups: Mapped[list["StakeholderGroup"]] = relationship(
        order_by="StakeholderGroup.position", cascade="all, delete-orphan", passive_deletes=True)


class WorkshopFacilitator(Base):
    """Who may see and run a workshop."""
    __tablename__ = "workshop_facilitators"
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitators.id", ondelete="CASCADE"), primary_key=True)


class StakeholderGroup(Base):
    __tablename__ = "stakeholder_groups"
    id: Mapped[intpk]
    workshop_id: Mapped[int] = workshop_fk()
    name: Mapped[str] = mapped_column(String(NAME_MAX_CHARS * 2))
    position: Mapped[int] = mapped_column(default=0)


class Board(Base):
    """A thematic table: one guiding question, its cards, its own posting rules."""
    __tablename__ = "boards"
    id: Mapped[intpk]
    workshop_id: Mapped[int] = workshop_fk()
    title: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS))
    question: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(16), default="yellow")
    position: Mapped[int] = mapped_column(default=0)
    is_open: Mapped[bool] = mapped_column(default=True)
    # "Verdeckt" collection: only facilitators (and each author) see cards until revealed.
    concealed: Mapped[bool] = mapped_column(default=False)
    revealed: Mapped[bool] = mapped_column(default=False)
    max_ideas_per_person: Mapped[int | None]
    updated_seq: Mapped[seq_column]


class Participant(Base):
    """An anonymous phone: a random token, and a name or group only if the person chose them."""
    __tablename__ = "participants"
    id: Mapped[intpk]
    workshop_id: Mapped[int] = workshop_fk()
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(NAME_MAX_CHARS))
    stakeholder_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("stakeholder_groups.id", ondelete="SET NULL"))
    created_at: Mapped[created]


class Idea(Base):
    """A card. `client_id` is made on the phone, so a resent idea is recognised as the same one."""
    __tablename__ = "ideas"
    __table_args__ = (UniqueConstraint("workshop_id", "client_id"),)
    id: Mapped[intpk]
    workshop_id: Mapped[int] = workshop_fk()
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True)
    client_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    # visible | hidden (by moderation) | withdrawn (by its author)
    state: Mapped[str] = mapped_column(String(16), default="visible")
    created_at: Mapped[created]
    updated_seq: Mapped[seq_column]

    board: Mapped[Board] = relationship()
    participant: Mapped[Participant | None] = relationship()


class Connection(Base):
    """A live socket, kept in the database so every server process counts everyone online."""
    __tablename__ = "connections"
    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    workshop_id: Mapped[int] = workshop_fk()
    role: Mapped[str] = mapped_column(String(16))
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id", ondelete="SET NULL"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
