"""Clustering and card moderation by facilitators: every action here can be undone."""
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import IDEA_MAX_CHARS, TITLE_MAX_CHARS, Board, Cluster, Idea
from . import validate
from .errors import HeadingConflict, InvalidInput, NotFound
from .history import StaffChange
from .workshops import COLOURS

EVENT = "arrangement_changed"


def _board(session: Session, workshop_id: int, board_id) -> Board:
    board = session.get(Board, validate.integer(board_id, "board_id"))
    if board is None or board.workshop_id != workshop_id:
        raise NotFound(field="board_id")
    return board


def _cluster(session: Session, workshop_id: int, cluster_id) -> Cluster:
    cluster = session.get(Cluster, validate.integer(cluster_id, "cluster_id"))
    if cluster is None or cluster.workshop_id != workshop_id or cluster.state != "active":
        raise NotFound(field="cluster_id")
    return cluster


def _idea(session: Session, workshop_id: int, idea_id) -> Idea:
    idea = session.get(Idea, validate.integer(idea_id, "idea_id"))
    if idea is None or idea.workshop_id != workshop_id or idea.state in ("withdrawn", "merged"):
        raise NotFound(field="idea_id")
    return idea


def _colour(value) -> str:
    if value not in COLOURS:
        raise InvalidInput(field="colour")
    return value


def _cards_in(session: Session, board_id: int, cluster_id: int | None) -> list[Idea]:
    return list(session.scalars(select(Idea).where(
        Idea.board_id == board_id, Idea.cluster_id.is_(None) if cluster_id is None
        else Idea.cluster_id == cluster_id,
        Idea.state.not_in(("withdrawn", "merged"))).order_by(Idea.position, Idea.id)))


def _clusters_on(session: Session, board_id: int) -> list[Cluster]:
    return list(session.scalars(select(Cluster).where(
        Cluster.board_id == board_id, Cluster.state == "active").order_by(
        Cluster.position, Cluster.id)))


def _renumber(change: StaffChange, rows: list) -> None:
    for position, row in enumerate(rows):
        if row.position != position:
            change.track(row)
            row.position = position


def create_cluster(session: Session, workshop_id: int, facilitator_id: int | None, board_id,
                   heading="", colour="grey", idea_ids=()) -> Cluster:
    """A new cluster at the end of the board, optionally holding the given cards at once."""
    heading = validate.text(heading, TITLE_MAX_CHARS, "heading", required=False)
    colour = _colour(colour)
    if not isinstance(idea_ids, (list, tuple)):
        raise InvalidInput(field="idea_ids")
    wanted = [validate.integer(idea_id, "idea_id") for idea_id in idea_ids]
    with StaffChange(session, workshop_id, facilitator_id, "create_cluster", EVENT) as change:
        board = _board(session, workshop_id, board_id)
        position = session.scalar(select(func.count(Cluster.id)).where(
            Cluster.board_id == board.id, Cluster.state == "active"))
        cluster = Cluster(workshop_id=workshop_id, board_id=board.id, heading=heading,
                          colour=colour, position=position)
        session.add(cluster)
        change.created(cluster)
        _gather(session, change, workshop_id, wanted, board, cluster.id)
    return cluster


IN_CHUNK = 500  # ids per `IN (...)`: well below SQLite's limit of bound parameters


def _gather(session: Session, change: StaffChange, workshop_id: int, idea_ids: list[int],
            board: Board, cluster_id: int) -> None:
    """Put the cards, in this order, into the new (empty) cluster: what moving them one by one
    does (a card named twice ends where it was named last), in one pass. The cards are read in
    one query, each list they leave once, and renumbered once: linear in the number of cards,
    where one `_move` per card read and renumbered every list again each time."""
    order = list(dict.fromkeys(reversed(idea_ids)))[::-1]
    found: dict[int, Idea] = {}
    for start in range(0, len(order), IN_CHUNK):
        found.update((idea.id, idea) for idea in session.scalars(
            select(Idea).where(Idea.id.in_(order[start:start + IN_CHUNK]))))
    cards = []
    for idea_id in order:
        idea = found.get(idea_id)
        if idea is None or idea.workshop_id != workshop_id or idea.state in ("withdrawn",
                                                                            "merged"):
            raise NotFound(field="idea_id")
        cards.append(idea)
    moving = {idea.id for idea in cards}
    # The lists the cards leave, read before anything changes; each keeps its order.
    sources = {(idea.board_id, idea.cluster_id) for idea in cards}
    left = [[card for card in _cards_in(session, source_board, source_cluster)
             if card.id not in moving] for source_board, source_cluster in sorted(
                 sources, key=lambda key: (key[0], -1 if key[1] is None else key[1]))]
    other_board = [idea.id for idea in cards if idea.board_id != board.id]
    for position, idea in enumerate(cards):
        change.track(idea)
        idea.board_id, idea.cluster_id, idea.position = board.id, cluster_id, position
    for rest in left:
        _renumber(change, rest)
    # Duplicates merged into a card follow it to its new board (as `_move` does).
    for start in range(0, len(other_board), IN_CHUNK):
        for duplicate in session.scalars(select(Idea).where(
                Idea.merged_into_id.in_(other_board[start:start + IN_CHUNK]))):
            change.track(duplicate)
            duplicate.board_id = board.id


def update_cluster(session: Session, workshop_id: int, facilitator_id: int | None, cluster_id,
                   heading=None, colour=None, base_heading=None) -> Cluster:
    """Rename (the heading is the theme) or recolour a cluster. `base_heading` is the heading
    the facilitator saw when starting to type: if a colleague renamed the cluster since, the
    rename is refused naming their heading, so neither name is lost without a word."""
    if heading is None and colour is None:
        raise InvalidInput(field="cluster")
    if heading is not None:
        heading = validate.text(heading, TITLE_MAX_CHARS, "heading", required=False)
    if base_heading is not None and not isinstance(base_heading, str):
        raise InvalidInput(field="base_heading")
    with StaffChange(session, workshop_id, facilitator_id, "update_cluster", EVENT) as change:
        cluster = _cluster(session, workshop_id, cluster_id)
        if heading not in (None, cluster.heading) and base_heading not in (None, cluster.heading):
            raise HeadingConflict(current=cluster.heading, heading=heading)
        change.track(cluster)
        if heading is not None:
            cluster.heading = heading
        if colour is not None:
            cluster.colour = _colour(colour)
    return cluster


def move_cluster(session: Session, workshop_id: int, facilitator_id: int | None, cluster_id,
                 position) -> Cluster:
    with StaffChange(session, workshop_id, facilitator_id, "move_cluster", EVENT) as change:
        cluster = _cluster(session, workshop_id, cluster_id)
        others = [c for c in _clusters_on(session, cluster.board_id) if c.id != cluster.id]
        index = validate.integer(position, "position", 0, len(others))
        _renumber(change, others[:index] + [cluster] + others[index:])
    return cluster


def dissolve_cluster(session: Session, workshop_id: int, facilitator_id: int | None,
                     cluster_id) -> Cluster:
    """Remove a cluster; its cards go back to the unsorted cards of the board."""
    with StaffChange(session, workshop_id, facilitator_id, "dissolve_cluster", EVENT) as change:
        cluster = _cluster(session, workshop_id, cluster_id)
        unsorted = _cards_in(session, cluster.board_id, None)
        cards = _cards_in(session, cluster.board_id, cluster.id)
        for card in cards:
            change.track(card)
            card.cluster_id = None
        _renumber(change, unsorted + cards)
        change.track(cluster)
        cluster.state = "dissolved"
        _renumber(change, _clusters_on(session, cluster.board_id))
    return cluster


def merge_clusters(session: Session, workshop_id: int, facilitator_id: int | None, source_id,
                   target_id) -> Cluster:
    """Put all cards of one cluster into another; the emptied cluster goes."""
    with StaffChange(session, workshop_id, facilitator_id, "merge_clusters", EVENT) as change:
        source = _cluster(session, workshop_id, source_id)
        target = _cluster(session, workshop_id, target_id)
        if source.id == target.id or source.board_id != target.board_id:
            raise InvalidInput(field="cluster_id")
        staying = _cards_in(session, target.board_id, target.id)
        moving = _cards_in(session, source.board_id, source.id)
        for card in moving:
            change.track(card)
            card.cluster_id = target.id
        _renumber(change, staying + moving)
        change.track(source)
        source.state = "dissolved"
        _renumber(change, _clusters_on(session, source.board_id))
    return target


def _move(session: Session, change: StaffChange, idea: Idea, board: Board,
          cluster_id: int | None, position: int | None) -> None:
    """Take the card out of its list and put it at `position` (end if None) of another."""
    source = [card for card in _cards_in(session, idea.board_id, idea.cluster_id)
              if card.id != idea.id]
    change.track(idea)
    moving_board = idea.board_id != board.id
    idea.board_id, idea.cluster_id = board.id, cluster_id
    target = [card for card in _cards_in(session, board.id, cluster_id) if card.id != idea.id]
    index = len(target) if position is None else validate.integer(position, "position", 0,
                                                                   len(target))
    _renumber(change, source)
    _renumber(change, target[:index] + [idea] + target[index:])
    if moving_board:
        for duplicate in session.scalars(select(Idea).where(Idea.merged_into_id == idea.id)):
            change.track(duplicate)
            duplicate.board_id = board.id


def move_idea(session: Session, workshop_id: int, facilitator_id: int | None, idea_id,
              cluster_id=None, position=None, board_id=None) -> Idea:
    """Move a card into a cluster (or out of all, `cluster_id` None), at a position, or to
    another board (when it was posted at the wrong table)."""
    with StaffChange(session, workshop_id, facilitator_id, "move_idea", EVENT) as change:
        idea = _idea(session, workshop_id, idea_id)
        board = _board(session, workshop_id, idea.board_id if board_id is None else board_id)
        if cluster_id is not None:
            cluster = _cluster(session, workshop_id, cluster_id)
            if cluster.board_id != board.id:
                raise InvalidInput(field="cluster_id")
        _move(session, change, idea, board, cluster_id, position)
    return idea


def correct_text(session: Session, workshop_id: int, facilitator_id: int | None, idea_id,
                 text) -> Idea:
    """Fix a typo; the author's original wording stays in the record."""
    text = validate.text(text, IDEA_MAX_CHARS)
    with StaffChange(session, workshop_id, facilitator_id, "correct_text", EVENT) as change:
        idea = _idea(session, workshop_id, idea_id)
        change.track(idea)
        if idea.original_text is None and text != idea.text:
            idea.original_text = idea.text
        idea.text = text
    return idea


def set_hidden(session: Session, workshop_id: int, facilitator_id: int | None, idea_id,
               hidden) -> Idea:
    """Moderation: hide an inappropriate idea from phones and projector, or show it again."""
    hidden = validate.flag(hidden, "hidden")
    with StaffChange(session, workshop_id, facilitator_id, "hide" if hidden else "unhide",
                     "idea_updated") as change:
        idea = session.get(Idea, validate.integer(idea_id, "idea_id"))
        if idea is None or idea.workshop_id != workshop_id or idea.state not in (
                "visible", "hidden"):
            raise NotFound(field="idea_id")
        change.track(idea)
        idea.state = "hidden" if hidden else "visible"
    return idea


def merge_duplicates(session: Session, workshop_id: int, facilitator_id: int | None, idea_id,
                     into_id) -> Idea:
    """Two cards say the same: one card remains, showing both texts and counting both authors."""
    with StaffChange(session, workshop_id, facilitator_id, "merge_duplicates", EVENT) as change:
        duplicate = _idea(session, workshop_id, idea_id)
        keeper = _idea(session, workshop_id, into_id)
        if duplicate.id == keeper.id or duplicate.board_id != keeper.board_id:
            raise InvalidInput(field="idea_id")
        if "hidden" in (duplicate.state, keeper.state):
            # A merged card shows its text on the kept card: a hidden text would reach everyone.
            raise InvalidInput(field="idea_id")
        change.track(keeper)
        for earlier in session.scalars(select(Idea).where(Idea.merged_into_id == duplicate.id)):
            change.track(earlier)
            earlier.merged_into_id = keeper.id
        change.track(duplicate)
        duplicate.state, duplicate.merged_into_id = "merged", keeper.id
        _renumber(change, _cards_in(session, duplicate.board_id, duplicate.cluster_id))
    return keeper


def place_on_matrix(session: Session, workshop_id: int, facilitator_id: int | None, cluster_id,
                    x=None, y=None) -> Cluster:
    """Put a cluster on the impact/effort matrix (x effort, y impact, each 0..1), or take it off
    (both None)."""
    if (x is None) != (y is None):
        raise InvalidInput(field="matrix")
    for value in (x, y):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not 0 <= value <= 1):
            raise InvalidInput(field="matrix")
    with StaffChange(session, workshop_id, facilitator_id, "place_on_matrix", EVENT) as change:
        cluster = _cluster(session, workshop_id, cluster_id)
        change.track(cluster)
        cluster.matrix_x = None if x is None else float(x)
        cluster.matrix_y = None if y is None else float(y)
    return cluster
