"""Running the workshop: board phases, the countdown timer, what the projector shows."""
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import PHASES, Board, Cluster, PhaseChange, VoteRound, Workshop, utcnow
from . import validate
from .changes import WorkshopChange, timer_state
from .errors import InvalidInput, NotFound

MAX_TIMER_SECONDS = 4 * 3600
PROJECTOR_VIEWS = ("boards", "board", "cluster", "round", "matrix", "measures")
# The views that show one thing, and where that thing is stored.
PROJECTOR_TARGETS = {"board": Board, "cluster": Cluster, "round": VoteRound, "matrix": Board}
PAGING_ACTIONS = ("pause", "resume", "next", "previous")
# Long enough to read a page of cards from the back of a hall, short enough to get round them.
PAGE_SECONDS_RANGE = (3, 120)


def set_phase(session: Session, workshop_id: int, board_ids, phase) -> list[Board]:
    """Move boards (`board_ids`, or all of the workshop's when empty) into a phase."""
    if phase not in PHASES:
        raise InvalidInput(field="phase")
    if not isinstance(board_ids, list):
        raise InvalidInput(field="board_ids")
    wanted = {validate.integer(board_id, "board_ids") for board_id in board_ids}
    with WorkshopChange(session, workshop_id, "board_updated") as change:
        boards = list(session.scalars(select(Board).where(Board.workshop_id == workshop_id)))
        chosen = [board for board in boards if not wanted or board.id in wanted]
        if wanted - {board.id for board in chosen}:
            raise NotFound(field="board_ids")
        for board in chosen:
            if board.phase != phase:
                board.phase = phase
                session.add(PhaseChange(workshop_id=workshop_id, board_id=board.id, phase=phase))
        change.touch(*chosen)
    return chosen


def set_timer(session: Session, workshop_id: int, action, seconds=None) -> Workshop:
    """start (with `seconds`, or go on), pause, extend by `seconds`, or stop."""
    if action not in ("start", "pause", "extend", "stop"):
        raise InvalidInput(field="action")
    if action in ("extend",) or (action == "start" and seconds is not None):
        seconds = validate.integer(seconds, "seconds", 1, MAX_TIMER_SECONDS)
    with WorkshopChange(session, workshop_id, "workshop_updated") as change:
        workshop = session.get(Workshop, workshop_id)
        left = timer_state(workshop)["remaining"]
        now = utcnow()
        if action == "start":
            total = seconds if seconds is not None else left
            workshop.timer_seconds, workshop.timer_ends_at = total, now + timedelta(seconds=total)
        elif action == "pause":
            workshop.timer_seconds, workshop.timer_ends_at = left, None
        elif action == "extend":
            if workshop.timer_ends_at is not None:
                workshop.timer_ends_at += timedelta(seconds=seconds)
            workshop.timer_seconds = min(left + seconds, MAX_TIMER_SECONDS)
        else:
            workshop.timer_seconds, workshop.timer_ends_at = 0, None
        change.touch(workshop)
    return workshop


def set_projector(session: Session, workshop_id: int, view, target_id=None,
                  board_ids=None) -> Workshop:
    """Show boards (which, in order), one board or one cluster full screen, a voting round's
    result, a board's matrix or the measures."""
    if view not in PROJECTOR_VIEWS:
        raise InvalidInput(field="view")
    with WorkshopChange(session, workshop_id, "workshop_updated") as change:
        workshop = session.get(Workshop, workshop_id)
        if view == "boards" and board_ids is not None:
            if not isinstance(board_ids, list) or len(board_ids) > 50:
                raise InvalidInput(field="board_ids")
            chosen = [validate.integer(b, "board_ids") for b in board_ids]
            if not set(chosen) <= {board.id for board in workshop.boards}:
                raise NotFound(field="board_ids")
            workshop.projector_board_ids = list(dict.fromkeys(chosen))
        target = None
        if view in PROJECTOR_TARGETS:
            target = session.get(PROJECTOR_TARGETS[view], validate.integer(target_id, "target_id"))
            if target is None or target.workshop_id != workshop_id or (
                    view == "cluster" and target.state != "active"):
                raise NotFound(field="target_id")
        workshop.projector_view = view
        workshop.projector_target_id = target.id if target is not None else None
        change.touch(workshop)
    return workshop


def set_projector_paging(session: Session, workshop_id: int, action, seconds=None) -> Workshop:
    """Pause or resume the projector's paging, turn one page on or back, and/or set how many
    `seconds` a page stays."""
    if action is None and seconds is None:
        raise InvalidInput(field="action")
    if action is not None and action not in PAGING_ACTIONS:
        raise InvalidInput(field="action")
    if seconds is not None:
        seconds = validate.integer(seconds, "seconds", *PAGE_SECONDS_RANGE)
    with WorkshopChange(session, workshop_id, "workshop_updated") as change:
        workshop = session.get(Workshop, workshop_id)
        if action in ("pause", "resume"):
            workshop.projector_paging_paused = action == "pause"
        elif action in ("next", "previous"):
            workshop.projector_page_step += 1 if action == "next" else -1
        if seconds is not None:
            workshop.projector_page_seconds = seconds
        change.touch(workshop)
    return workshop


def agenda(session: Session, workshop_id: int) -> list[PhaseChange]:
    """Every phase change of every board, in time order (the agenda as it actually ran)."""
    return list(session.scalars(select(PhaseChange).where(
        PhaseChange.workshop_id == workshop_id).order_by(PhaseChange.at, PhaseChange.id)))


