"""Participation processes: several events over one set of thematic fields, results carried
forward, and a steering group whose vote stands beside the participants' vote.

A process has its organiser, its thematic fields (Handlungsfelder) and stakeholder groups,
defined once, its team of facilitators and its events (workshops) in order, each with a kind.
A workshop without a process stays alone (`process_id` NULL) and works exactly as before.

Carrying forward makes a measure row in the later event that points to the original measure
(`carried_measure_id`, always the first one, however often it was carried) or to the cluster it
stands for (`carried_cluster_id`). No card is copied: the sources are read through the
original, so the line measure ← cluster ← cards ← event stays one line (`lineage()`).

The steering group (its votes kept apart from the participants', the priority of the fields and
the schedule of measures) lives in `steering.py`.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import Session

from ..models import (NAME_MAX_CHARS, TITLE_MAX_CHARS, Board, Cluster, Idea, Measure, Participant,
                      Process, ProcessFacilitator, ProcessField, ProcessGroup, ProcessGuideline,
                      Workshop, WorkshopFacilitator)
from ..models import PROCESS_TITLE_MAX_CHARS
from . import measures, validate, workshops
from .errors import InvalidInput, NotFound
from .history import StaffChange
from .workshops import BoardSpec, WorkshopSpec

# "working_group": a meeting of a field's working group (domain/working_groups.py).
EVENT_KINDS = ("kickoff", "workshop", "steering", "closing", "working_group")
TEMPLATES = ("dots", "themeninseln", "world_cafe", "zukunftswerkstatt", "stocktaking")


@dataclass
class FieldSpec:
    title: str
    question: str = ""
    colour: str = "yellow"


@dataclass
class ProcessSpec:
    title: str
    organiser: str = ""
    language: str = "de"
    fields: tuple = ()  # FieldSpec or plain titles
    stakeholder_groups: tuple = ()


@dataclass
class EventSpec:
    title: str
    kind: str = "workshop"
    event_date: date | None = None
    place: str = ""
    purpose: str = ""
    # Which of the process's fields become boards (in the process's order); empty: none.
    field_ids: list = field(default_factory=list)
    template: str = "dots"


# --- the process -------------------------------------------------------------------------------

def create_process(session: Session, facilitator_id: int, spec: ProcessSpec) -> Process:
    """A new process; its creator is the first member of its team."""
    if spec.language not in workshops.LANGUAGES:
        raise InvalidInput(field="language")
    process = Process(
        title=validate.text(spec.title, PROCESS_TITLE_MAX_CHARS, "title"),
        organiser=validate.text(spec.organiser, TITLE_MAX_CHARS, "organiser", required=False),
        language=spec.language)
    for position, raw in enumerate(spec.fields):
        item = raw if isinstance(raw, FieldSpec) else FieldSpec(str(raw))
        if item.colour not in workshops.COLOURS:
            raise InvalidInput(field="colour")
        process.fields.append(ProcessField(
            title=validate.text(item.title, TITLE_MAX_CHARS, "field"),
            question=validate.text(item.question, workshops.QUESTION_MAX_CHARS, "question",
                                   required=False),
            colour=item.colour, position=position))
    names = dict.fromkeys(validate.text(g, NAME_MAX_CHARS * 2, "stakeholder_groups")
                          for g in spec.stakeholder_groups if str(g).strip())
    process.groups = [ProcessGroup(name=name, position=i) for i, name in enumerate(names)]
    session.add(process)
    session.flush()
    session.add(ProcessFacilitator(process_id=process.id, facilitator_id=facilitator_id))
    session.commit()
    return process


def get_process(session: Session, process_id) -> Process:
    process = session.get(Process, validate.integer(process_id, "process_id"))
    if process is None:
        raise NotFound(field="process_id")
    return process


def team(session: Session, process_id: int) -> list[int]:
    return list(session.scalars(select(ProcessFacilitator.facilitator_id).where(
        ProcessFacilitator.process_id == process_id).order_by(ProcessFacilitator.facilitator_id)))


def can_run(session: Session, facilitator_id: int | None, process_id: int) -> bool:
    """On the team. A process made before teams existed (the workshop form's free-text process
    label) has none: whoever runs one of its events may open it, and joins its team."""
    if facilitator_id is None:
        return False
    members = team(session, process_id)
    if members:
        return facilitator_id in members
    runs_an_event = session.scalar(select(func.count()).select_from(WorkshopFacilitator).join(
        Workshop, Workshop.id == WorkshopFacilitator.workshop_id).where(
        Workshop.process_id == process_id, WorkshopFacilitator.facilitator_id == facilitator_id))
    if runs_an_event:
        session.add(ProcessFacilitator(process_id=process_id, facilitator_id=facilitator_id))
        session.commit()
        return True
    return False


def processes_of(session: Session, facilitator_id: int) -> list[Process]:
    return list(session.scalars(select(Process).join(
        ProcessFacilitator, ProcessFacilitator.process_id == Process.id).where(
        ProcessFacilitator.facilitator_id == facilitator_id).order_by(Process.id.desc())))


def add_facilitator(session: Session, process_id: int, facilitator_id: int) -> None:
    """Join the team: the colleague may run every event of the process, present and future."""
    if not can_run(session, facilitator_id, process_id):
        session.add(ProcessFacilitator(process_id=process_id, facilitator_id=facilitator_id))
    for event in events(session, process_id):
        if not workshops.can_run(session, facilitator_id, event.id):
            session.add(WorkshopFacilitator(workshop_id=event.id, facilitator_id=facilitator_id))
    session.commit()


def events(session: Session, process_id: int) -> list[Workshop]:
    """The process's events in order."""
    return list(session.scalars(select(Workshop).where(Workshop.process_id == process_id)
                                .order_by(Workshop.event_position, Workshop.id)))


def _next_position(session: Session, process_id: int) -> int:
    return (session.scalar(select(func.max(Workshop.event_position)).where(
        Workshop.process_id == process_id)) or 0) + 1


def _join_team_to(session: Session, process_id: int, workshop: Workshop) -> None:
    for facilitator_id in team(session, process_id):
        if not workshops.can_run(session, facilitator_id, workshop.id):
            session.add(WorkshopFacilitator(workshop_id=workshop.id,
                                            facilitator_id=facilitator_id))


def attach_workshop(session: Session, process_id: int, workshop_id: int,
                    kind: str = "workshop") -> Workshop:
    """Put an existing workshop into the process as its next event (its cards stay as they
    are; boards whose title is a field's title are linked to that field)."""
    if kind not in EVENT_KINDS:
        raise InvalidInput(field="kind")
    process = get_process(session, process_id)
    workshop = workshops.get_workshop(session, workshop_id)
    workshop.process_id, workshop.event_kind = process.id, kind
    workshop.event_position = _next_position(session, process.id)
    by_title = {f.title: f.id for f in process.fields}
    for board in workshop.boards:
        board.field_id = board.field_id or by_title.get(board.title)
    _join_team_to(session, process.id, workshop)
    session.commit()
    return workshop


# --- creating the next event ---------------------------------------------------------------------

def template_boards(template: str, fields: list[ProcessField]) -> list[tuple[BoardSpec, int | None]]:
    """The boards of a workshop format over the chosen fields: (board, field id)."""
    if template not in TEMPLATES:
        raise InvalidInput(field="template")
    if template == "zukunftswerkstatt":
        # Critique → vision → realisation: three boards for the whole room, over all the fields.
        topics = ", ".join(f.title for f in fields)
        suffix = f" ({topics})" if topics else ""
        return [(BoardSpec("Kritik", f"Was stört uns heute?{suffix}"[:300], "pink"), None),
                (BoardSpec("Vision", f"Wie sähe es ideal aus?{suffix}"[:300], "blue"), None),
                (BoardSpec("Verwirklichung", "Was tun wir als Erstes, wer macht mit?", "green"),
                 None)]
    if template == "stocktaking":
        # Bestandsaufnahme mit den Kommunen (Offenbach): what already exists, per field, as rows
        # (Angebot, Träger, Kommune, seit wann, Zielgruppe; domain/stocktaking.py).
        question = "Welche Angebote gibt es in Ihrer Kommune schon?"
        return [(BoardSpec(f.title, question, f.colour, kind="stocktaking"), f.id)
                for f in fields] or [(BoardSpec("Bestandsaufnahme", question, kind="stocktaking"),
                                      None)]
    boards = []
    for index, item in enumerate(fields):
        title = item.title
        if template == "world_cafe":
            # Each table keeps its cards; people change tables between rounds.
            title = f"Tisch {index + 1}: {item.title}"[:TITLE_MAX_CHARS]
        boards.append((BoardSpec(title, item.question, item.colour), item.id))
    return boards


def _fields(session: Session, process: Process, field_ids) -> list[ProcessField]:
    if not isinstance(field_ids, (list, tuple)):
        raise InvalidInput(field="field_ids")
    wanted = {validate.integer(i, "field_ids") for i in field_ids}
    chosen = [f for f in process.fields if f.id in wanted]
    if len(chosen) != len(wanted):
        raise NotFound(field="field_ids")
    return chosen


def _new_event(session: Session, process: Process, facilitator_id: int, spec: EventSpec,
               boards: list[tuple[BoardSpec, int | None]]) -> Workshop:
    if spec.kind not in EVENT_KINDS:
        raise InvalidInput(field="kind")
    workshop = workshops.create_workshop(session, facilitator_id, WorkshopSpec(
        title=spec.title, event_date=spec.event_date, place=spec.place, purpose=spec.purpose,
        language=process.language, organiser=process.organiser,
        stakeholder_groups=tuple(g.name for g in process.groups),
        boards=tuple(board for board, _ in boards)))
    for board, (_, field_id) in zip(workshop.boards, boards):
        board.field_id = field_id
    workshop.process_id, workshop.event_kind = process.id, spec.kind
    workshop.event_position = _next_position(session, process.id)
    _join_team_to(session, process.id, workshop)
    session.commit()
    return workshop


def create_event(session: Session, process_id, facilitator_id: int, spec: EventSpec) -> Workshop:
    """The next event of the process: the chosen fields become boards in the template's format."""
    process = get_process(session, process_id)
    return _new_event(session, process, facilitator_id, spec,
                      template_boards(spec.template, _fields(session, process, spec.field_ids)))


def copy_event(session: Session, source_workshop_id: int, facilitator_id: int, title: str,
               event_date: date | None = None, kind: str | None = None) -> Workshop:
    """A workshop series: the same boards (titles, questions, colours, fields) as an earlier
    event of the process, without any of its cards."""
    source = workshops.get_workshop(session, source_workshop_id)
    if source.process_id is None:
        raise InvalidInput(field="workshop")
    process = get_process(session, source.process_id)
    boards = [(BoardSpec(b.title, b.question, b.colour), b.field_id) for b in source.boards]
    workshop = _new_event(session, process, facilitator_id, EventSpec(
        title=title, kind=kind or source.event_kind or "workshop", event_date=event_date,
        place=source.place, purpose=source.purpose), boards)
    # A stock-taking board keeps its fields (their definitions, not the cards' rows).
    for board, original in zip(workshop.boards, source.boards):
        board.card_fields = [dict(f) for f in original.card_fields] if original.card_fields else None
    session.commit()
    return workshop


# --- carrying results forward --------------------------------------------------------------------

def lineage_of_rounds(session: Session, process_id: int) -> list[int]:
    """The process and the rounds it continues (Fortschreibung), newest first."""
    chain, current = [], session.get(Process, process_id)
    while current is not None and current.id not in chain:
        chain.append(current.id)
        current = session.get(Process, current.previous_id) if current.previous_id else None
    return chain


def _earlier_event(session: Session, target: Workshop, workshop_id: int) -> Workshop:
    """An event of the same process, or of a round it continues."""
    source = session.get(Workshop, workshop_id)
    if (source is None or source.id == target.id or source.process_id is None
            or source.process_id not in lineage_of_rounds(session, target.process_id)):
        raise NotFound(field="source")
    return source


def _board_for_field(target: Workshop, field_id: int | None) -> int | None:
    if field_id is None:
        return None
    return next((b.id for b in target.boards if b.field_id == field_id), None)


def carry_forward(session: Session, target_workshop_id: int, facilitator_id: int | None,
                  measure_ids=(), cluster_ids=()) -> list[Measure]:
    """Bring measures and clusters of other events of the process into this event as measures
    to prioritise. Each keeps one identity: a measure carried again points to the original, and
    carrying the same thing twice into one event returns the row already there."""
    target = workshops.get_workshop(session, target_workshop_id)
    if target.process_id is None:
        raise InvalidInput(field="workshop")
    present = {(m.carried_measure_id, m.carried_cluster_id): m for m in session.scalars(
        select(Measure).where(Measure.workshop_id == target.id, Measure.state == "active"))}
    wanted: list[tuple[str, object]] = []
    for measure_id in measure_ids:
        measure = session.get(Measure, validate.integer(measure_id, "measure_ids"))
        if measure is None or measure.state != "active":
            raise NotFound(field="measure_ids")
        root = session.get(Measure, measure.carried_measure_id) if measure.carried_measure_id \
            else measure
        _earlier_event(session, target, root.workshop_id)
        wanted.append(("measure", root))
    for cluster_id in cluster_ids:
        cluster = session.get(Cluster, validate.integer(cluster_id, "cluster_ids"))
        if cluster is None or cluster.state != "active":
            raise NotFound(field="cluster_ids")
        _earlier_event(session, target, cluster.workshop_id)
        wanted.append(("cluster", cluster))
    result: list[Measure] = []
    fresh = [(kind, row) for kind, row in wanted
             if (row.id if kind == "measure" else None, row.id if kind == "cluster" else None)
             not in present]
    if fresh:
        with StaffChange(session, target.id, facilitator_id, "carry_forward",
                         "measure_updated") as change:
            position = session.scalar(select(func.count(Measure.id)).where(
                Measure.workshop_id == target.id, Measure.state == "active"))
            for kind, row in fresh:
                source_board = session.get(Board, row.board_id) if row.board_id else None
                field_id = source_board.field_id if source_board else None
                measure = Measure(
                    workshop_id=target.id, position=position,
                    board_id=_board_for_field(target, field_id),
                    title=row.title if kind == "measure" else (row.heading or "–"),
                    description=row.description if kind == "measure" else "",
                    thematic_field=(row.thematic_field if kind == "measure" else "")
                    or (source_board.title if source_board else ""),
                    responsible=row.responsible if kind == "measure" else "",
                    partners=row.partners if kind == "measure" else "",
                    horizon=row.horizon if kind == "measure" else "",
                    carried_measure_id=row.id if kind == "measure" else None,
                    carried_cluster_id=row.id if kind == "cluster" else None)
                session.add(measure)
                change.created(measure)
                present[(measure.carried_measure_id, measure.carried_cluster_id)] = measure
                position += 1
    for kind, row in wanted:
        result.append(present[(row.id if kind == "measure" else None,
                               row.id if kind == "cluster" else None)])
    return result


def identity(measure: Measure) -> tuple[str, int]:
    """What a measure is across the process: ("measure", original id) or ("cluster", id)."""
    if measure.carried_measure_id:
        return ("measure", measure.carried_measure_id)
    if measure.carried_cluster_id:
        return ("cluster", measure.carried_cluster_id)
    return ("measure", measure.id)


def lineage(session: Session, measure: Measure) -> dict:
    """Where a measure came from: the original measure, its cluster, its cards and their event
    (read through the original; carried rows hold no cards of their own)."""
    kind, ident = identity(measure)
    original = session.get(Measure, ident) if kind == "measure" else None
    cluster_id = ident if kind == "cluster" else (original.source_cluster_id if original else None)
    cluster = session.get(Cluster, cluster_id) if cluster_id else None
    card_ids = list(original.source_idea_ids or []) if original else []
    if cluster is not None:
        card_ids += [i for i in session.scalars(select(Idea.id).where(
            Idea.cluster_id == cluster.id, Idea.state == "visible").order_by(
            Idea.position, Idea.id)) if i not in card_ids]
    cards = [session.get(Idea, i) for i in card_ids]
    event_id = (original.workshop_id if original else cluster.workshop_id if cluster
                else measure.workshop_id)
    return {"identity": (kind, ident), "measure": original, "cluster": cluster,
            "cards": [c for c in cards if c is not None],
            "event": session.get(Workshop, event_id)}


def carried_into(session: Session, kind: str, ident: int) -> list[Measure]:
    """Every later event's row of one measure or cluster, in event order."""
    column = Measure.carried_measure_id if kind == "measure" else Measure.carried_cluster_id
    return list(session.scalars(select(Measure).join(Workshop).where(
        column == ident, Measure.state == "active").order_by(Workshop.event_position)))


# --- results per field ---------------------------------------------------------------------------

@dataclass
class FieldResults:
    field: ProcessField | None
    # [(event, clusters, measures)] for every event with a board on this field
    events: list = field(default_factory=list)


def results_by_field(session: Session, process_id: int) -> list[FieldResults]:
    process = get_process(session, process_id)
    chapters = [FieldResults(f) for f in process.fields]
    by_field = {c.field.id: c for c in chapters}
    for event in events(session, process_id):
        for chapter in chapters:
            board_ids = [b.id for b in event.boards if b.field_id == chapter.field.id]
            measures = list(session.scalars(select(Measure).where(
                Measure.workshop_id == event.id, Measure.state == "active",
                or_(Measure.board_id.in_(board_ids) if board_ids else false(),
                    Measure.thematic_field == chapter.field.title)).order_by(
                Measure.position, Measure.id)))
            if not board_ids and not measures:
                continue
            clusters = list(session.scalars(select(Cluster).where(
                Cluster.board_id.in_(board_ids), Cluster.state == "active").order_by(
                Cluster.board_id, Cluster.position, Cluster.id))) if board_ids else []
            by_field[chapter.field.id].events.append((event, clusters, measures))
    return chapters


def participation(session: Session, workshop_id: int) -> dict:
    """Participation figures of one event: phones joined, cards posted."""
    return {"participants": session.scalar(select(func.count(Participant.id)).where(
                Participant.workshop_id == workshop_id)) or 0,
            "cards": session.scalar(select(func.count(Idea.id)).where(
                Idea.workshop_id == workshop_id, Idea.state == "visible")) or 0}


def event_state(session: Session, workshop: Workshop) -> str:
    """planned (nothing yet) | running (cards, no results) | done (measures or a closed round)."""
    counts = participation(session, workshop.id)
    has_results = session.scalar(select(func.count(Measure.id)).where(
        Measure.workshop_id == workshop.id, Measure.state == "active")) or \
        any(b.phase == "results" for b in workshop.boards)
    if has_results:
        return "done"
    return "running" if counts["cards"] or counts["participants"] else "planned"


# --- Fortschreibung: next year's round ------------------------------------------------------------

def start_update(session: Session, process_id, facilitator_id: int, title: str) -> Process:
    """Next round of the process: the same organiser, fields, groups and team, no events yet;
    each field's current guideline becomes the new round's version 1.
    Its events may carry forward the earlier round's measures (one identity across rounds)."""
    previous = get_process(session, process_id)
    update = create_process(session, facilitator_id, ProcessSpec(
        title, organiser=previous.organiser, language=previous.language,
        fields=tuple(FieldSpec(f.title, f.question, f.colour) for f in previous.fields),
        stakeholder_groups=tuple(g.name for g in previous.groups)))
    update.previous_id = previous.id
    # Each field's current guideline is the new round's first draft (version 1, not yet checked).
    for before, after in zip(previous.fields, update.fields):
        current = session.scalar(select(ProcessGuideline).where(
            ProcessGuideline.field_id == before.id).order_by(ProcessGuideline.version.desc()))
        if current is not None:
            session.add(ProcessGuideline(process_id=update.id, field_id=after.id, version=1,
                                         text=current.text))
    session.commit()
    for member in team(session, previous.id):
        if member != facilitator_id:
            add_facilitator(session, update.id, member)
    return update


# A measure's status (domain/measures.py STATUSES) that ends it, and its heading in the diff.
FINAL_STATUSES = {"done": "done", "dropped": "given_up"}
MARKABLE_STATUSES = measures.STATUSES


def mark_status(session: Session, process_id: int, facilitator_id: int | None, measure_id,
                status: str) -> Measure:
    """Fortschreibung: mark a measure of this round done, dropped, or back in progress."""
    measure = session.get(Measure, validate.integer(measure_id, "measure_id"))
    event = session.get(Workshop, measure.workshop_id) if measure is not None else None
    if event is None or event.process_id != process_id or measure.state != "active":
        raise NotFound(field="measure_id")
    if status not in MARKABLE_STATUSES:
        raise InvalidInput(field="status")
    with StaffChange(session, event.id, facilitator_id, "save_measure", "measure_updated") as change:
        change.track(measure)
        measure.status = status
    return measure


def round_measures(session: Session, process_id: int) -> list[Measure]:
    """Each measure of the round once (its latest row), in event order."""
    return list(_catalogue(session, process_id).values())


CHANGED_FIELDS = ("title", "description", "responsible", "partners", "horizon")


def _catalogue(session: Session, process_id: int) -> dict[tuple, Measure]:
    """Each measure identity of one round with its latest row (later events win)."""
    latest: dict[tuple, Measure] = {}
    for event in events(session, process_id):
        for measure in session.scalars(select(Measure).where(
                Measure.workshop_id == event.id, Measure.state == "active").order_by(
                Measure.position, Measure.id)):
            latest[identity(measure)] = measure
    return latest


def update_diff(session: Session, process_id) -> dict:
    """What the Fortschreibung changed against the round it continues: new measures, changed
    ones (with the fields that changed), kept ones unchanged, dropped ones (not carried), and
    those marked in this round as done or given up (status "dropped")."""
    process = get_process(session, process_id)
    if process.previous_id is None:
        raise InvalidInput(field="process_id")
    before = _catalogue(session, process.previous_id)
    now = _catalogue(session, process.id)
    diff = {"new": [], "changed": [], "kept": [], "dropped": [], "done": [], "given_up": []}
    for key, measure in now.items():
        # Marked in this round: done, or given up (status "dropped"), whatever else changed.
        if measure.status in FINAL_STATUSES:
            diff[FINAL_STATUSES[measure.status]].append(measure)
            continue
        if key not in before:
            diff["new"].append(measure)
            continue
        changed = [name for name in CHANGED_FIELDS
                   if getattr(measure, name) != getattr(before[key], name)]
        diff["changed" if changed else "kept"].append(
            (before[key], measure, changed) if changed else measure)
    diff["dropped"] = [m for key, m in before.items() if key not in now]
    return diff


# --- the steering group: facilitator/domain/steering.py --------------------------------------------
# Its functions were here; they are still reachable as processes.<name> for older callers.
_STEERING_NAMES = frozenset((
    "add_member", "members", "member_by_secret", "put_to_steering_group", "decisions",
    "member_votes", "steering_dot", "steering_rate", "close_decision", "steering_scores",
    "steering_voters", "side_by_side"))


def __getattr__(name: str):
    if name in _STEERING_NAMES:
        from . import steering
        return getattr(steering, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
