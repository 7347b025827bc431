"""SQLAlchemy 2.0 typed models: the tables every screen and the record are built from.

Every row a screen shows carries `updated_seq`, the workshop's sequence number at its last change,
so a reconnecting screen asks for "everything changed after the number I last saw".
"""
from datetime import date, datetime, timezone
from typing import Annotated

from sqlalchemy import JSON, ForeignKey, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
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
# A process title names the whole process ("Integrationskonzept 2026, Landkreis …"): longer.
PROCESS_TITLE_MAX_CHARS = 200
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
    # Installation admins manage accounts; other facilitators only their workshops' teams.
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Signing out raises it: every session cookie signed in with an older number stops working.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
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
    """A participation process (kick-off, thematic workshops, closing event) that workshops belong to.

    A workshop without a process stays alone (process_id NULL): nothing about it changes. See
    docs/process.md and facilitator/domain/processes.py."""
    __tablename__ = "processes"
    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(PROCESS_TITLE_MAX_CHARS))
    organiser: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS), default="", server_default="")
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    language: Mapped[str] = mapped_column(String(8), default="de", server_default="de")
    # Fortschreibung: the round this one continues (last year's process).
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("processes.id", ondelete="SET NULL"))
    created_at: Mapped[created]

    fields: Mapped[list["ProcessField"]] = relationship(
        order_by="ProcessField.position", cascade="all, delete-orphan", passive_deletes=True)
    groups: Mapped[list["ProcessGroup"]] = relationship(
        order_by="ProcessGroup.position", cascade="all, delete-orphan", passive_deletes=True)


def process_fk(**kw):
    return mapped_column(ForeignKey("processes.id", ondelete="CASCADE"), index=True, **kw)


class ProcessField(Base):
    """A thematic field (Handlungsfeld), defined once for the whole process."""
    __tablename__ = "process_fields"
    id: Mapped[intpk]
    process_id: Mapped[int] = process_fk()
    title: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS))
    question: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str] = mapped_column(String(16), default="yellow")
    position: Mapped[int] = mapped_column(default=0)


class ProcessGroup(Base):
    """A stakeholder group of the process; every event of the process offers it on joining."""
    __tablename__ = "process_groups"
    id: Mapped[intpk]
    process_id: Mapped[int] = process_fk()
    name: Mapped[str] = mapped_column(String(NAME_MAX_CHARS * 2))
    position: Mapped[int] = mapped_column(default=0)


class ProcessFacilitator(Base):
    """The process team: each may run every event of the process."""
    __tablename__ = "process_facilitators"
    process_id: Mapped[int] = mapped_column(
        ForeignKey("processes.id", ondelete="CASCADE"), primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitators.id", ondelete="CASCADE"), primary_key=True)


class SteeringMember(Base):
    """A named member of the steering group (Lenkungsgruppe), reached by a personal link; only
    a hash of the link's secret is stored."""
    __tablename__ = "steering_members"
    id: Mapped[intpk]
    process_id: Mapped[int] = process_fk()
    name: Mapped[str] = mapped_column(String(NAME_MAX_CHARS * 2))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created]


class ProcessGuideline(Base):
    """One version of a thematic field's guideline (Leitlinie). Each save is a new row with the
    next version number; older versions are kept. `round_id` is the consent check (a consent
    vote round of an event) held on this version, if any."""
    __tablename__ = "process_guidelines"
    __table_args__ = (UniqueConstraint("field_id", "version"),)
    id: Mapped[intpk]
    process_id: Mapped[int] = process_fk()
    field_id: Mapped[int] = mapped_column(
        ForeignKey("process_fields.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("vote_rounds.id", ondelete="SET NULL"))
    created_at: Mapped[created]


class SteeringDecision(Base):
    """A vote round of an event put before the steering group too. The steering group's votes
    are kept apart (SteeringVote), so they never mix with the participants' tallies."""
    __tablename__ = "steering_decisions"
    id: Mapped[intpk]
    process_id: Mapped[int] = process_fk()
    round_id: Mapped[int] = mapped_column(
        ForeignKey("vote_rounds.id", ondelete="CASCADE"), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    created_at: Mapped[created]


class SteeringVote(Base):
    """A steering-group member's dots (value) on one target of a decision."""
    __tablename__ = "steering_votes"
    __table_args__ = (UniqueConstraint("decision_id", "member_id", "target_id"),)
    id: Mapped[intpk]
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("steering_decisions.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("steering_members.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int]
    value: Mapped[int] = mapped_column(default=1)


class SteeringFieldRating(Base):
    """A steering-group member's answer on one thematic field's priority: 1 high, 2 medium,
    3 low (facilitator/domain/steering.py)."""
    __tablename__ = "steering_field_ratings"
    __table_args__ = (UniqueConstraint("member_id", "field_id"),)
    id: Mapped[intpk]
    member_id: Mapped[int] = mapped_column(
        ForeignKey("steering_members.id", ondelete="CASCADE"), index=True)
    field_id: Mapped[int] = mapped_column(
        ForeignKey("process_fields.id", ondelete="CASCADE"), index=True)
    value: Mapped[int]


class FieldPriority(Base):
    """The steering group's decision on a field's priority (1 high, 2 medium, 3 low), recorded
    by a facilitator with the date it was decided."""
    __tablename__ = "steering_field_priorities"
    id: Mapped[intpk]
    process_id: Mapped[int] = process_fk()
    field_id: Mapped[int] = mapped_column(
        ForeignKey("process_fields.id", ondelete="CASCADE"), unique=True)
    priority: Mapped[int]
    decided_on: Mapped[date | None]


class ScheduleEntry(Base):
    """The steering group's schedule for one measure of the process's catalogue: when it
    starts, which organisation is responsible, when this was decided. The measure is named by
    its identity across the process (`processes.identity`: kind "measure" or "cluster", id)."""
    __tablename__ = "steering_schedule"
    __table_args__ = (UniqueConstraint("process_id", "item_kind", "item_id"),)
    id: Mapped[intpk]
    process_id: Mapped[int] = process_fk()
    item_kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int]
    start_period: Mapped[str] = mapped_column(String(32), default="")
    responsible: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS), default="")
    decided_on: Mapped[date | None]


class ScheduleResponse(Base):
    """A steering-group member agrees with a schedule entry or objects, with a comment."""
    __tablename__ = "steering_schedule_responses"
    __table_args__ = (UniqueConstraint("entry_id", "member_id"),)
    id: Mapped[intpk]
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("steering_schedule.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("steering_members.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(16))  # agree | object
    comment: Mapped[str] = mapped_column(Text, default="")


class Workshop(Base):
    __tablename__ = "workshops"
    id: Mapped[intpk]
    process_id: Mapped[int | None] = mapped_column(ForeignKey("processes.id", ondelete="SET NULL"))
    # As an event of its process: kickoff | workshop | steering | closing, and its place in order.
    event_kind: Mapped[str | None] = mapped_column(String(16))
    event_position: Mapped[int | None]
    title: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS))
    event_date: Mapped[date | None]
    place: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS), default="")
    # Who invites (Landkreis, office): the record's cover and imprint name it.
    organiser: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="de")
    join_code: Mapped[str] = mapped_column(String(16), unique=True)
    screen_key: Mapped[str] = mapped_column(String(64), unique=True)
    # The last sequence number handed out; bumped in the same transaction as every change.
    seq: Mapped[seq_column]
    updated_seq: Mapped[seq_column]
    projector_board_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # What the projector shows: boards | board | cluster | round | matrix (with
    # projector_target_id) | measures.
    projector_view: Mapped[str] = mapped_column(String(16), default="boards")
    projector_target_id: Mapped[int | None]
    # Paging through cards and rows longer than a screen: every projector turns a page each
    # projector_page_seconds unless paused; `projector_page_step` counts the facilitator's
    # next/previous presses, so each projector (and a reloaded one) follows the same presses.
    projector_paging_paused: Mapped[bool] = mapped_column(default=False)
    projector_page_step: Mapped[int] = mapped_column(default=0)
    projector_page_seconds: Mapped[int] = mapped_column(default=12)
    # Countdown: running while timer_ends_at is set; otherwise timer_seconds are left.
    timer_seconds: Mapped[int] = mapped_column(default=0)
    timer_ends_at: Mapped[datetime | None]
    # The facilitator published the results: phones get a read-only results page
    # (views/results.py) and the projector's results views show its QR code.
    results_published: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Days after the workshop until its raw participation data is deleted (domain/retention.py);
    # None follows the installation's RETENTION_DAYS.
    retention_days: Mapped[int | None]
    participation_deleted_at: Mapped[datetime | None]
    # A second language the projector shows under board titles and questions (None: only the
    # original).
    projector_language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[created]

    process: Mapped[Process | None] = relationship()
    boards: Mapped[list["Board"]] = relationship(
        order_by="Board.position", cascade="all, delete-orphan", passive_deletes=True)
    stakeholder_groups: Mapped[list["StakeholderGroup"]] = relationship(
        order_by="StakeholderGroup.position", cascade="all, delete-orphan", passive_deletes=True)
    # Loaded with the workshop: every workshop payload carries them to the screens.
    content_translations: Mapped[list["ContentTranslation"]] = relationship(
        order_by="ContentTranslation.id", cascade="all, delete-orphan", passive_deletes=True,
        lazy="selectin")


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
    # collect → cluster → prioritise → results; phones follow (posting only while collecting).
    phase: Mapped[str] = mapped_column(String(16), default="collect")
    updated_seq: Mapped[seq_column]
    # The process's thematic field this board works on (None: a board of its own).
    field_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_fields.id", ondelete="SET NULL"))
    # A stock-taking board (Bestandsaufnahme, domain/stocktaking.py): the fields every card has,
    # [{key, label, required, group}]. None (or empty): an ordinary board of free-text cards.
    card_fields: Mapped[list[dict] | None] = mapped_column(JSON)


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
    # Muted by the facilitation (a flood, abuse): further posts are refused until unmuted.
    muted: Mapped[bool] = mapped_column(default=False, server_default=sa_false())


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
    # The text as its author wrote it, kept when the facilitator corrects it.
    original_text: Mapped[str | None] = mapped_column(Text)
    cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("clusters.id", ondelete="SET NULL"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    # A duplicate points to the card it was merged into; that card shows both texts.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id", ondelete="SET NULL"))
    created_at: Mapped[created]
    updated_seq: Mapped[seq_column]
    # How the card reached the board: phone (its author) | on_behalf (a table host typed what a
    # person at the table said) | paper (a table host typed a paper card) | tablet (a shared
    # device at the table). Every export and the record name it.
    source: Mapped[str] = mapped_column(String(16), default="phone", server_default="phone")
    # A translation added by the facilitation or a table host, shown beside the original and
    # always marked as a translation; `translation_lang` is the language it is written in.
    translation: Mapped[str | None] = mapped_column(Text)
    translation_lang: Mapped[str | None] = mapped_column(String(8))
    # On a stock-taking board: the card's structured row {"values": {field key: text},
    # "exists": bool ("bereits vorhanden")}; `text` is its short form. None on other boards.
    entry: Mapped[dict | None] = mapped_column(JSON)

    board: Mapped[Board] = relationship()
    participant: Mapped[Participant | None] = relationship()
    duplicates: Mapped[list["Idea"]] = relationship(viewonly=True, lazy="selectin",
                                                    order_by="Idea.id")


class Connection(Base):
    """A live socket, kept in the database so every server process counts everyone online."""
    __tablename__ = "connections"
    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    workshop_id: Mapped[int] = workshop_fk()
    role: Mapped[str] = mapped_column(String(16))
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id", ondelete="SET NULL"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"))
    # A console's facilitator: colleagues on the same workshop see who else is running it.
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitators.id", ondelete="CASCADE"))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


PHASES = ("collect", "cluster", "prioritise", "results")


class Cluster(Base):
    """A group of cards on a board under a heading (the theme the room gave it)."""
    __tablename__ = "clusters"
    id: Mapped[intpk]
    workshop_id: Mapped[int] = workshop_fk()
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    heading: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS), default="")
    colour: Mapped[str] = mapped_column(String(16), default="grey")
    position: Mapped[int] = mapped_column(default=0)
    # active | dissolved: a dissolved cluster stays as a row so reconnecting screens learn of it.
    state: Mapped[str] = mapped_column(String(16), default="active")
    # Place on the impact/effort matrix, 0..1 each (x: effort, y: impact); None = not placed.
    matrix_x: Mapped[float | None]
    matrix_y: Mapped[float | None]
    updated_seq: Mapped[seq_column]


class PhaseChange(Base):
    """When a board entered a phase: the agenda as it actually ran, for the record."""
    __tablename__ = "phase_changes"
    id: Mapped[intpk]
    workshop_id: Mapped[int] = workshop_fk()
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    phase: Mapped[str] = mapped_column(String(16))
    at: Mapped[created]


class StaffAction(Base):
    """One undoable facilitator action: the rows it touched, before and after."""
    __tablename__ = "staff_actions"
    id: Mapped[intpk]
    workshop_id: Mapped[int] = workshop_fk()
    facilitator_id: Mapped[int | None] = mapped_column(
        ForeignKey("facilitators.id", ondelete="SET NULL"), index=True)
    label: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict] = mapped_column(JSON)
    after: Mapped[dict] = mapped_column(JSON)
    undone: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created]


class Measure(Base):
    """A concrete measure (Maßnahme): what, who, with whom, by when — linked to its cards."""
    __tablename__ = "measures"
    id: Mapped[intpk]
    workshop_id: Mapped[int] = workshop_fk()
    board_id: Mapped[int | None] = mapped_column(ForeignKey("boards.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS))
    description: Mapped[str] = mapped_column(Text, default="")
    thematic_field: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS), default="")
    responsible: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS), default="")
    partners: Mapped[str] = mapped_column(Text, default="")
    horizon: Mapped[str] = mapped_column(String(16), default="")
    # The action plan for the steering group (domain/measures.py STATUSES). The due date is
    # ISO text ("2027-06-30" or ""): undo snapshots and the JSON archive carry it as it is.
    due_date: Mapped[str] = mapped_column(String(10), default="", server_default="")
    status: Mapped[str] = mapped_column(String(16), default="", server_default="")
    indicator: Mapped[str] = mapped_column(Text, default="", server_default="")
    cost: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS), default="", server_default="")
    source_idea_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    source_cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("clusters.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(default=0)
    # active | deleted (kept as a row for screens catching up)
    state: Mapped[str] = mapped_column(String(16), default="active")
    updated_seq: Mapped[seq_column]
    # Carried forward from an earlier event of the process: the original measure (always the
    # first one, however often it was carried) or the cluster it stands for. Its sources are the
    # original's; no card is copied.
    carried_measure_id: Mapped[int | None] = mapped_column(
        ForeignKey("measures.id", ondelete="SET NULL"), index=True)
    carried_cluster_id: Mapped[int | None] = mapped_column(
        ForeignKey("clusters.id", ondelete="SET NULL"), index=True)


class VoteRound(Base):
    """A prioritisation round: dot voting or a consent check, on one board, several or all."""
    __tablename__ = "vote_rounds"
    id: Mapped[intpk]
    workshop_id: Mapped[int] = workshop_fk()
    kind: Mapped[str] = mapped_column(String(16))  # dots | consent
    question: Mapped[str] = mapped_column(Text, default="")
    # What is voted on: idea | cluster | measure (dots) or option (consent).
    target_kind: Mapped[str] = mapped_column(String(16))
    # Boards in scope; empty means the whole workshop.
    board_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Every phone in the room votes, wherever it sits, even when only some boards are in scope
    # (a plenary vote on one table's clusters).
    whole_room: Mapped[bool] = mapped_column(default=False)
    # Consent options [{id, text}]; the first is always "leave things as they are".
    options: Mapped[list[dict]] = mapped_column(JSON, default=list)
    dots_per_person: Mapped[int] = mapped_column(default=3)
    max_per_item: Mapped[int] = mapped_column(default=3)
    allow_own: Mapped[bool] = mapped_column(default=True)
    tallies_visible: Mapped[bool] = mapped_column(default=False)
    # open | closed; results are public once closed and revealed.
    state: Mapped[str] = mapped_column(String(16), default="open")
    revealed: Mapped[bool] = mapped_column(default=False)
    # The facilitator's final priority order (target ids), kept beside the votes.
    final_order: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Why the final order differs from the vote (printed beside it in the record).
    final_order_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[created]
    updated_seq: Mapped[seq_column]


class Vote(Base):
    """One dot (value 1, made with an id on the phone so a replay is refused) or one consent
    rating (value 0–10 per option)."""
    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("round_id", "client_id"),)
    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("vote_rounds.id", ondelete="CASCADE"),
                                          index=True)
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int]
    value: Mapped[int] = mapped_column(default=1)
    client_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[created]


class SpentDot(Base):
    """The id of a dot taken back: it stays spent, so a phone replaying the dot (its outbox
    never heard the first answer) is told "already counted" instead of placing it again."""
    __tablename__ = "spent_dots"
    __table_args__ = (UniqueConstraint("round_id", "client_id"),)
    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("vote_rounds.id", ondelete="CASCADE"),
                                          index=True)
    client_id: Mapped[str] = mapped_column(String(64))


PHOTO_KINDS = ("photo", "logo")


class Photo(Base):
    """A photo of a flipchart or pin board (on a board or the whole workshop), or the organiser's
    logo for the record's cover. The file has a random name under the upload directory; the
    uploaded file's name is never kept, and its metadata (EXIF, GPS) was stripped on upload."""
    __tablename__ = "photos"
    id: Mapped[intpk]
    workshop_id: Mapped[int] = workshop_fk()
    board_id: Mapped[int | None] = mapped_column(
        ForeignKey("boards.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="photo")  # photo | logo
    # Random, unguessable, relative to the workshop's upload folder (e.g. "Xq3…k.jpg").
    filename: Mapped[str] = mapped_column(String(64), unique=True)
    caption: Mapped[str] = mapped_column(String(300), default="")
    width: Mapped[int]
    height: Mapped[int]
    # For the record: who took it, when, and on what basis people may appear in it
    # (domain/documentation.py PHOTO_CONSENTS).
    credit: Mapped[str] = mapped_column(String(TITLE_MAX_CHARS), default="", server_default="")
    taken_on: Mapped[date | None]
    consent: Mapped[str] = mapped_column(String(16), default="", server_default="")
    created_at: Mapped[created]


class RecordSection(Base):
    """A part of the documentation the facilitation writes in the console (imprint, foreword,
    programme, a board's summary, quotes, dissent, next steps …; domain/documentation.py).
    `board_id` is None for the workshop's own sections. `items` holds the structured parts:
    the programme's rows, or the ids of the cards chosen as quotes."""
    __tablename__ = "record_sections"
    id: Mapped[intpk]
    workshop_id: Mapped[int] = workshop_fk()
    board_id: Mapped[int | None] = mapped_column(
        ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text, default="")
    items: Mapped[list] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


IDEA_SOURCES = ("phone", "on_behalf", "paper", "tablet")


class ContentTranslation(Base):
    """The facilitator's translation of one field of the workshop's content (a board's title,
    a group's name, a consent option...) into one language. `object_key` is the row's id as
    text ("12"); a consent option, which has no row of its own, is "round id:option id"."""
    __tablename__ = "content_translations"
    __table_args__ = (UniqueConstraint("workshop_id", "kind", "object_key", "field", "lang"),)
    id: Mapped[intpk]
    workshop_id: Mapped[int] = workshop_fk()
    kind: Mapped[str] = mapped_column(String(16))
    object_key: Mapped[str] = mapped_column(String(32))
    field: Mapped[str] = mapped_column(String(16))
    lang: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)


class TableHost(Base):
    """An invitation to help at one table without a facilitator account: a host (cards on
    behalf of people, paper cards, paper dots, translations, hiding and clustering on this board
    only) or a shared tablet (anonymous posting only). Only a hash of the link's secret is
    stored."""
    __tablename__ = "table_hosts"
    id: Mapped[intpk]
    workshop_id: Mapped[int] = workshop_fk()
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default="host")  # host | tablet
    name: Mapped[str] = mapped_column(String(NAME_MAX_CHARS), default="")
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Paper dots are counted as this stand-in's votes, so tallies need no second table.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"))
    revoked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[created]

    board: Mapped[Board] = relationship()


# --- working groups (Arbeitsgruppen) of a process: facilitator/domain/working_groups.py ---------

CONTACT_MAX_CHARS = 120


class WorkingGroup(Base):
    """The working group of one thematic field of a process; participants of any event of the
    process may sign up while `open`."""
    __tablename__ = "working_groups"
    id: Mapped[intpk]
    process_id: Mapped[int] = process_fk()
    field_id: Mapped[int] = mapped_column(
        ForeignKey("process_fields.id", ondelete="CASCADE"), unique=True)
    description: Mapped[str] = mapped_column(Text, default="", server_default="")
    # When and where it meets, in the facilitator's words ("every 2nd Tuesday, town hall").
    meeting_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[created]


class WorkingGroupSignup(Base):
    """One phone's sign-up for a working group, made in one event (`workshop_id`: deleting that
    workshop deletes the sign-up). Name and contact only with consent; without it the row holds
    nothing personal and only counts as "interested". `participant_id` lets the same phone
    withdraw; it is emptied when retention deletes the phone's participation data."""
    __tablename__ = "working_group_signups"
    __table_args__ = (UniqueConstraint("group_id", "participant_id"),)
    id: Mapped[intpk]
    group_id: Mapped[int] = mapped_column(
        ForeignKey("working_groups.id", ondelete="CASCADE"), index=True)
    workshop_id: Mapped[int] = workshop_fk()
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="SET NULL"), index=True)
    consent: Mapped[bool] = mapped_column(default=False)
    name: Mapped[str | None] = mapped_column(String(NAME_MAX_CHARS * 2))
    contact: Mapped[str | None] = mapped_column(String(CONTACT_MAX_CHARS))
    created_at: Mapped[created]


class WorkingGroupMeeting(Base):
    """A meeting of a working group: an event (workshop) of the process."""
    __tablename__ = "working_group_meetings"
    id: Mapped[intpk]
    group_id: Mapped[int] = mapped_column(
        ForeignKey("working_groups.id", ondelete="CASCADE"), index=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshops.id", ondelete="CASCADE"), unique=True)
