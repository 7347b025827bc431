"""Undoable facilitator changes. A change records the rows it touched before and after, so undo
and redo restore whole rows (and survive a page reload: the stack lives in the database)."""
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import Cluster, Idea, Measure, StaffAction
from .changes import WorkshopChange
from .errors import NotFound

# Which columns an action may change and undo restores, per kind of row.
TRACKED = {
    Idea: ("board_id", "cluster_id", "position", "text", "original_text", "state",
           "merged_into_id"),
    Cluster: ("board_id", "heading", "colour", "position", "state", "matrix_x", "matrix_y"),
    Measure: ("board_id", "title", "description", "thematic_field", "responsible", "partners", "horizon",
              "due_date", "status", "indicator", "cost", "source_idea_ids", "source_cluster_id", "position", "state"),
}
KINDS = {model.__tablename__: model for model in TRACKED}
# A row created by an action did not exist before it: undo puts it in this state.
ABSENT = {Cluster: {"state": "dissolved"}, Measure: {"state": "deleted"}}
KEEP_ACTIONS = 50


def _key(row) -> str:
    return f"{row.__tablename__}:{row.id}"


def _snapshot(row) -> dict:
    return {column: getattr(row, column) for column in TRACKED[type(row)]}


class StaffChange(WorkshopChange):
    """An undoable facilitator action: a `WorkshopChange` that also `track()`s every row before
    changing it and registers new rows with `created()`; on leaving, the rows' before and after
    go onto this facilitator's undo stack in the same transaction."""

    def __init__(self, session: Session, workshop_id: int, facilitator_id: int | None,
                 label: str, event: str, undoable: bool = True) -> None:
        super().__init__(session, workshop_id, event, by=facilitator_id)
        self.facilitator_id, self.label, self.undoable = facilitator_id, label, undoable
        self.before: dict[str, dict] = {}
        self.tracked: dict[str, object] = {}
        self.made: list[str] = []

    def track(self, *rows) -> None:
        for row in rows:
            if _key(row) not in self.before:
                self.before[_key(row)] = _snapshot(row)
                self.tracked[_key(row)] = row
                self.touch(row)

    def created(self, row) -> None:
        self.session.flush()
        self.before[_key(row)] = dict(ABSENT[type(row)])
        self.tracked[_key(row)] = row
        self.made.append(_key(row))
        self.touch(row)

    def before_commit(self) -> None:
        self.session.flush()
        after = {key: _snapshot(row) for key, row in self.tracked.items()}
        for key in self.made:
            # A new row "was" itself, only absent: undo and redo of its creation then touch
            # nothing but its state, never a heading a colleague gave it meanwhile.
            self.before[key] = {**after[key], **ABSENT[type(self.tracked[key])]}
        if self.undoable and any(self.before[key] != after[key] for key in after):
            self._remember(after)

    def _remember(self, after: dict) -> None:
        mine = (StaffAction.workshop_id == self.workshop_id,
                StaffAction.facilitator_id == self.facilitator_id)
        # A new action ends the redo stack.
        self.session.execute(delete(StaffAction).where(*mine, StaffAction.undone.is_(True)))
        self.session.add(StaffAction(workshop_id=self.workshop_id,
                                     facilitator_id=self.facilitator_id, label=self.label,
                                     before=self.before, after=after))
        self.session.flush()
        old = self.session.scalars(select(StaffAction.id).where(*mine).order_by(
            StaffAction.id.desc()).offset(KEEP_ACTIONS)).all()
        if old:
            self.session.execute(delete(StaffAction).where(StaffAction.id.in_(old)))


# Where a row sits: the list it belongs to (all but the last column) and its place in it.
PLACEMENT = {Idea: ("board_id", "cluster_id", "position"), Cluster: ("board_id", "position")}
OUT_OF_LISTS = ("withdrawn", "merged")
LAST = 2 ** 30  # sorts after every real position until the list is numbered again


def _list_of(row) -> tuple:
    if isinstance(row, Idea):
        return ("cards", row.board_id, row.cluster_id)
    return ("clusters", row.board_id, None)


def _restore(session: Session, change: StaffChange, snapshots: dict, left: dict) -> None:
    """Put back what the action changed (`left` is what it left behind), column by column and
    only where a row still holds what the action left: a later change by someone else (a
    colleague's move, the author's edit or withdrawal) wins over the undo. Every list a card or
    cluster leaves or joins is numbered 0..n-1 again, in the order it shows."""
    lists, gone, cards = set(), [], []
    for key, values in snapshots.items():
        table, row_id = key.split(":")
        row = session.get(KINDS[table], int(row_id))
        if row is None:
            continue  # deleted with its board since; nothing to restore
        then = left.get(key, {})
        changed = {c: v for c, v in values.items() if c not in then or then[c] != v}
        if not changed:
            continue
        change.track(row)
        placement = PLACEMENT.get(type(row), ())
        for column, value in changed.items():
            # Only a column still holding what the action left is put back: one that a
            # colleague changed since keeps the colleague's value, on undo and on redo alike.
            if column not in placement and column in then and getattr(row, column) == then[column]:
                setattr(row, column, value)
        if not placement:
            continue
        lists.add(_list_of(row))
        still_there = all(c not in then or getattr(row, c) == then[c] for c in placement[:-1])
        if still_there and any(c in changed for c in placement):
            for column in placement:
                if column in values:
                    setattr(row, column, values[column])
        lists.add(_list_of(row))
        if isinstance(row, Cluster) and row.state != "active":
            gone.append(row.id)
        elif isinstance(row, Idea):
            cards.append(row.id)
    # A card in a cluster that is gone (undone here, or dissolved by someone since) would vanish
    # from every screen: it goes back to the board's unsorted cards.
    for card in session.scalars(select(Idea).join(Cluster, Idea.cluster_id == Cluster.id).where(
            Cluster.state != "active", Idea.state.not_in(OUT_OF_LISTS),
            Idea.cluster_id.in_(gone) | Idea.id.in_(cards)).order_by(Idea.position, Idea.id)):
        change.track(card)
        card.cluster_id, card.position = None, LAST
        lists.add(_list_of(card))
    session.flush()
    for kind, board_id, cluster_id in lists:
        if kind == "cards":
            rows = session.scalars(select(Idea).where(
                Idea.board_id == board_id, Idea.state.not_in(OUT_OF_LISTS),
                Idea.cluster_id.is_(None) if cluster_id is None
                else Idea.cluster_id == cluster_id))
        else:
            rows = session.scalars(select(Cluster).where(Cluster.board_id == board_id,
                                                         Cluster.state == "active"))
        ordered = sorted(rows, key=lambda r: (r.position, r.id))
        for position, row in enumerate(ordered):
            if row.position != position:
                change.track(row)
                row.position = position


def undo(session: Session, workshop_id: int, facilitator_id: int | None) -> StaffAction:
    """Restore the rows of this facilitator's last action in this workshop."""
    return _step(session, workshop_id, facilitator_id, undone=False)


def redo(session: Session, workshop_id: int, facilitator_id: int | None) -> StaffAction:
    """Apply again the action this facilitator last undid."""
    return _step(session, workshop_id, facilitator_id, undone=True)


def _step(session: Session, workshop_id: int, facilitator_id: int | None,
          undone: bool) -> StaffAction:
    order = StaffAction.id.asc() if undone else StaffAction.id.desc()
    action = session.scalar(select(StaffAction).where(
        StaffAction.workshop_id == workshop_id, StaffAction.facilitator_id == facilitator_id,
        StaffAction.undone.is_(undone)).order_by(order).limit(1))
    if action is None:
        raise NotFound(field="history")
    with StaffChange(session, workshop_id, facilitator_id, action.label, "arrangement_changed",
                     undoable=False) as change:
        if undone:
            _restore(session, change, action.after, action.before)
        else:
            _restore(session, change, action.before, action.after)
        action.undone = not undone
    return action


def history_state(session: Session, workshop_id: int, facilitator_id: int | None) -> dict:
    """What the undo and redo buttons would do, for the console."""
    def latest(undone: bool):
        order = StaffAction.id.asc() if undone else StaffAction.id.desc()
        return session.scalar(select(StaffAction.label).where(
            StaffAction.workshop_id == workshop_id, StaffAction.facilitator_id == facilitator_id,
            StaffAction.undone.is_(undone)).order_by(order).limit(1))
    return {"undo": latest(False), "redo": latest(True)}


def erase_from_history(session: Session, idea: Idea) -> None:
    """Blank a card's words in every undo step that kept them (its text before and after a
    move, a correction, a merge): a withdrawn card's text must not outlive it there. Undo then
    restores nothing of its text (the row holds neither value any more)."""
    key = _key(idea)
    for action in session.scalars(select(StaffAction).where(
            StaffAction.workshop_id == idea.workshop_id)):
        for side in ("before", "after"):
            snapshot = getattr(action, side)
            if key in snapshot and ({"text", "original_text"} & set(snapshot[key])):
                # A new dict: the JSON column notices replacement, not changes inside.
                setattr(action, side, {**snapshot, key: {
                    **snapshot[key], **{c: ERASED[c] for c in ERASED if c in snapshot[key]}}})


ERASED = {"text": "", "original_text": None}
