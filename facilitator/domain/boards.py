"""Per-board posting rules the facilitator changes live: open/closed, concealed, revealed, cap."""
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import Board, Idea
from . import validate
from .changes import WorkshopChange
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
    with WorkshopChange(session, workshop_id, "board_updated") as change:
        board = session.get(Board, validate.integer(board_id, "board_id"))
        if board is None or board.workshop_id != workshop_id:
            raise NotFound(field="board_id")
        visibility_before = (board.concealed, board.revealed)
        for name, value in cleaned.items():
            setattr(board, name, value)
        change.touch(board)
        if (board.concealed, board.revealed) != visibility_before:
            # What the public may read of every idea on the board changed: resend them all (a
            # screen catching up gets even the withdrawn ones again, as they now show).
            session.execute(update(Idea).where(Idea.board_id == board.id).values(
                updated_seq=change.seq))
            change.touch(*session.scalars(select(Idea).where(
                Idea.board_id == board.id, Idea.state != "withdrawn").order_by(Idea.id)))
    return board
