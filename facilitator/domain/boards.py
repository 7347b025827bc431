"""Per-board posting rules the facilitator changes live: open/closed, concealed, revealed, cap."""
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import Board, Idea
from . import validate
from .changes import Change, commit_and_announce, next_seq
from .errors import InvalidInput, NotFound

MAX_CAP = 100
SETTINGS = {
    "is_open": lambda v: validate.flag(v, "is_open"),
    "concealed": lambda v: validate.flag(v, "concealed"),
    "revealed": lambda v: validate.flag(v, "revealed"),
    "max_ideas_per_person":
        lambda v: None if v is None else validate.integer(v, "max_ideas_per_person", 1, MAX_CAP),
}


def update_settings(session: Session, workshop_id: int, board_id, settings) -> Board:
    """Change a board's live settings; all are checked before any is applied."""
    if not isinstance(settings, dict) or not settings or set(settings) - set(SETTINGS):
        raise InvalidInput(field="settings")
    cleaned = {name: SETTINGS[name](value) for name, value in settings.items()}
    board = session.get(Board, validate.integer(board_id, "board_id"))
    if board is None or board.workshop_id != workshop_id:
        raise NotFound(field="board_id")
    visibility_before = (board.concealed, board.revealed)
    for name, value in cleaned.items():
        setattr(board, name, value)
    seq = board.updated_seq = next_seq(session, workshop_id)
    ideas = []
    if (board.concealed, board.revealed) != visibility_before:
        # What the public may read of every idea on the board changed: resend them all.
        session.execute(update(Idea).where(Idea.board_id == board.id).values(updated_seq=seq))
        ideas = list(session.scalars(select(Idea).where(
            Idea.board_id == board.id, Idea.state != "withdrawn").order_by(Idea.id)))
    commit_and_announce(session, Change("board_updated", workshop_id, seq,
                                        boards=[board], ideas=ideas))
    return board
