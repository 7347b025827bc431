"""Measures (Maßnahmen): what, who, with whom, by when — made from cards or clusters."""
import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import TITLE_MAX_CHARS, Board, Cluster, Idea, Measure
from . import validate
from .errors import InvalidInput, NotFound
from .history import StaffChange

HORIZONS = ("", "short", "medium", "long")
# Where a measure stands in the action plan ("" = not said).
STATUSES = ("", "planned", "in_progress", "done", "on_hold", "dropped")
EVENT = "measure_updated"


@dataclass
class MeasureSpec:
    title: str
    description: str = ""
    thematic_field: str = ""
    responsible: str = ""
    partners: str = ""
    horizon: str = ""
    due_date: str = ""  # ISO date "2027-06-30" or ""
    status: str = ""
    indicator: str = ""
    cost: str = ""
    board_id: int | None = None
    source_idea_ids: list = field(default_factory=list)
    source_cluster_id: int | None = None


def _clean(session: Session, workshop_id: int, spec: MeasureSpec) -> dict:
    if spec.horizon not in HORIZONS:
        raise InvalidInput(field="horizon")
    if spec.status not in STATUSES:
        raise InvalidInput(field="status")
    if not isinstance(spec.source_idea_ids, list):
        raise InvalidInput(field="source_idea_ids")
    board = None
    if spec.board_id is not None:
        board = session.get(Board, validate.integer(spec.board_id, "board_id"))
        if board is None or board.workshop_id != workshop_id:
            raise NotFound(field="board_id")
    idea_ids = [validate.integer(i, "source_idea_ids") for i in spec.source_idea_ids]
    if idea_ids and session.scalar(select(func.count(Idea.id)).where(
            Idea.id.in_(idea_ids), Idea.workshop_id == workshop_id)) != len(set(idea_ids)):
        raise NotFound(field="source_idea_ids")
    if spec.source_cluster_id is not None:
        cluster = session.get(Cluster, validate.integer(spec.source_cluster_id, "cluster_id"))
        if cluster is None or cluster.workshop_id != workshop_id:
            raise NotFound(field="cluster_id")
    return {
        "title": validate.text(spec.title, TITLE_MAX_CHARS, "title"),
        "description": validate.text(spec.description, 4000, "description", required=False),
        "thematic_field": validate.text(spec.thematic_field, TITLE_MAX_CHARS, "thematic_field",
                                        required=False) or (board.title if board else ""),
        "responsible": validate.text(spec.responsible, TITLE_MAX_CHARS, "responsible",
                                     required=False),
        "partners": validate.text(spec.partners, 1000, "partners", required=False),
        "horizon": spec.horizon,
        "due_date": _due_date(spec.due_date),
        "status": spec.status,
        "indicator": validate.text(spec.indicator, 1000, "indicator", required=False),
        "cost": validate.text(spec.cost, TITLE_MAX_CHARS, "cost", required=False),
        "board_id": board.id if board else None,
        "source_idea_ids": list(dict.fromkeys(idea_ids)),
        "source_cluster_id": spec.source_cluster_id,
    }


def _due_date(value) -> str:
    """"" or a real calendar date as ISO text."""
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise InvalidInput(field="due_date")
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise InvalidInput(field="due_date") from None


def save_measure(session: Session, workshop_id: int, facilitator_id: int | None,
                 spec: MeasureSpec, measure_id=None) -> Measure:
    """Create a measure (at the end of the list) or change one; undoable."""
    values = _clean(session, workshop_id, spec)
    with StaffChange(session, workshop_id, facilitator_id, "save_measure", EVENT) as change:
        if measure_id is None:
            position = session.scalar(select(func.count(Measure.id)).where(
                Measure.workshop_id == workshop_id, Measure.state == "active"))
            measure = Measure(workshop_id=workshop_id, position=position, **values)
            session.add(measure)
            change.created(measure)
        else:
            measure = _measure(session, workshop_id, measure_id)
            change.track(measure)
            for name, value in values.items():
                setattr(measure, name, value)
    return measure


def delete_measure(session: Session, workshop_id: int, facilitator_id: int | None,
                   measure_id) -> Measure:
    with StaffChange(session, workshop_id, facilitator_id, "delete_measure", EVENT) as change:
        measure = _measure(session, workshop_id, measure_id)
        change.track(measure)
        measure.state = "deleted"
    return measure


def _measure(session: Session, workshop_id: int, measure_id) -> Measure:
    measure = session.get(Measure, validate.integer(measure_id, "measure_id"))
    if measure is None or measure.workshop_id != workshop_id or measure.state != "active":
        raise NotFound(field="measure_id")
    return measure
