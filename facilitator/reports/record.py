"""The workshop record: everything the documentation shows, read once into plain dataclasses.

`build_record(session, workshop_id)` is the one way every output (PDF, HTML preview, DOCX, CSV,
JSON) learns what happened. It knows no Flask and renders nothing. It applies the documentation
conventions (DOMAIN.md §3) in one place, so no output can break them by accident:

- anonymous: author names only when the organiser asks (`include_names`) *and* the participant
  chose to show one; participants are otherwise only counted;
- small stakeholder groups (1–4 people) are shown as "< 5"; when that would leave exactly one
  suppressed cell (derivable from the total) the next smallest cell is hidden too, marked "*"
  (it is not small: it is hidden to protect the small one, and the record says so);
- one numbering of the cards (`Card.number`) for every output: the appendix order, board by
  board, each duplicate right after the card it was merged into;
- hidden and withdrawn cards are never in the record, only their number per board;
- vote results only of rounds that were closed or revealed (an open, unrevealed round is
  provisional and not yet public).

Times are timezone-aware UTC; renderers convert them to local time.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain import documentation, voting
from ..domain.errors import NotFound
from ..models import (Board, Cluster, Idea, Measure, Participant, PhaseChange, StakeholderGroup,
                      Vote, VoteRound, Workshop)
from ..models import Photo as PhotoRow

# Groups smaller than this are shown as "< 5" (DOMAIN.md §3.2, item 5).
SMALL_GROUP = 5
SUPPRESSED = f"< {SMALL_GROUP}"
# A group of five or more hidden only so that the total does not give a small one away.
PROTECTING = "*"


# --- The record -------------------------------------------------------------------------------

@dataclass
class PhaseSpan:
    """One phase of one board as it actually ran; `end` is None while it still runs.
    The first "collect" phase has no recorded start: it starts at the board's first card."""
    phase: str
    start: datetime | None
    end: datetime | None


@dataclass
class AgendaBoard:
    board_id: int
    title: str
    phases: list[PhaseSpan]


@dataclass
class GroupCount:
    """Participants of one stakeholder group: `count` is None when suppressed (`shown` "< 5"
    for a small group, "*" for a larger one hidden to protect a small one)."""
    name: str
    count: int | None
    shown: str


@dataclass
class BoardCount:
    board_id: int
    title: str
    participants: int  # participants who posted at least one card there (any state)
    cards: int  # visible cards (merged duplicates count with their card)


@dataclass
class Participation:
    total: int  # phones that joined
    active: int  # of those, who posted a card or voted
    by_group: list[GroupCount]  # in the workshop's group order, then "no group given"
    by_board: list[BoardCount]
    voters: int


@dataclass
class Card:
    id: int
    text: str
    # The author's wording when a facilitator corrected the text; None if never corrected.
    original_text: str | None
    author: str  # "" unless include_names and the participant chose a name
    created_at: datetime
    cluster_id: int | None
    # Texts of cards merged into this one as duplicates (each with its original wording).
    duplicates: list["Card"] = field(default_factory=list)
    # Dots from the latest closed/revealed idea round touching the board; None if none.
    votes: int | None = None
    rank: int | None = None
    tie: bool = False
    # The card's number in every output (appendix, CSV, DOCX); set once the boards are built.
    number: int | None = None
    # How it reached the board (phone | on_behalf | paper | tablet) and a translation a host or
    # the facilitation added, always shown as a translation beside the original.
    source: str = "phone"
    translation: str | None = None
    translation_lang: str | None = None


@dataclass
class ClusterRecord:
    id: int
    heading: str
    colour: str
    cards: list[Card]
    matrix_x: float | None  # effort 0..1
    matrix_y: float | None  # impact 0..1
    votes: int | None = None  # from the latest closed/revealed cluster round touching the board
    rank: int | None = None
    tie: bool = False


@dataclass
class ResultRow:
    """One target of a round, ranked. Consent rows also carry the answer distribution."""
    target_id: int
    label: str
    score: int
    rank: int
    tie: bool
    board_id: int | None = None
    answers: int | None = None  # consent: how many rated this option
    distribution: list[int] | None = None  # consent: how many answered 0, 1, … 10
    passive: bool = False  # consent: the "leave things as they are" option
    # Rank across every board the round covered (`rank` is among the board's items only).
    overall_rank: int | None = None


@dataclass
class RoundRecord:
    id: int
    kind: str  # dots | consent
    target_kind: str  # idea | cluster | measure | option
    question: str
    state: str  # open | closed
    revealed: bool
    board_ids: list[int]  # empty: the whole workshop
    dots_per_person: int
    voters: int
    rows: list[ResultRow]  # ranked; for a board, only that board's targets
    final_order: list[str]  # labels, in the facilitator's final order
    created_at: datetime
    # Why the final order differs from the vote, as the facilitation entered it ("" if not).
    final_order_reason: str = ""


@dataclass
class MatrixPlacement:
    cluster_id: int
    heading: str
    effort: float  # x, 0..1
    impact: float  # y, 0..1


@dataclass
class Photo:
    id: int
    board_id: int | None
    kind: str  # photo | logo
    filename: str  # relative to the upload folder (see pdf.photo_path)
    caption: str
    width: int | None
    height: int | None
    created_at: datetime | None
    credit: str = ""
    taken_on: date | None = None
    consent: str = ""  # documentation.PHOTO_CONSENTS


@dataclass
class BoardRecord:
    id: int
    title: str
    question: str
    colour: str
    phase: str
    clusters: list[ClusterRecord]
    unclustered: list[Card]
    rounds: list[RoundRecord]  # dot rounds on its cards/clusters, consent checks scoped to it
    matrix: list[MatrixPlacement]
    final_order: list[str]  # labels: the latest non-empty final order among its rounds
    photos: list[Photo]
    hidden_count: int
    withdrawn_count: int
    # The questions of the rounds the cards' and the clusters' dots come from (None: no dots).
    card_votes_from: str | None = None
    cluster_votes_from: str | None = None
    # Written by the facilitation in the console (domain/documentation.py); "" / [] if not.
    summary: str = ""
    quotes: list[Card] = field(default_factory=list)  # chosen visible cards, in chosen order
    dissent: str = ""
    open_questions: str = ""
    # The final order's vote (its question) and why it differs from the vote.
    final_order_from: str | None = None
    final_order_reason: str = ""

    @property
    def cards(self) -> list[Card]:
        """Every visible card of the board, clusters first (in order), then unclustered."""
        return [card for cluster in self.clusters for card in cluster.cards] + self.unclustered

    @property
    def card_count(self) -> int:
        return sum(1 + len(card.duplicates) for card in self.cards)


@dataclass
class MeasureRecord:
    id: int
    title: str
    description: str
    thematic_field: str
    responsible: str
    partners: str
    horizon: str  # "" | short | medium | long
    board_id: int | None
    board_title: str
    source_cards: list[str]  # texts of its visible source cards
    source_cluster: str  # heading of its source cluster, "" if none
    score: int | None
    rank: int | None
    tie: bool
    # The action plan (domain/measures.py): "" where nothing was entered.
    due_date: date | None = None
    status: str = ""
    indicator: str = ""
    cost: str = ""
    # The measure's number in the action plan, the same in every output.
    number: int | None = None


@dataclass
class ProgrammeRow:
    """One row of the programme as planned (entered by the facilitation)."""
    time: str
    title: str
    method: str
    speakers: str


@dataclass
class Documentation:
    """The parts the facilitation wrote in the console; "" / [] when left empty, and then the
    record leaves the section out (never a placeholder)."""
    contact: str = ""
    facilitation: str = ""
    editing: str = ""
    photo_credits: str = ""
    foreword: str = ""
    programme: list[ProgrammeRow] = field(default_factory=list)
    next_steps: str = ""
    use_of_results: str = ""
    plain_summary: str = ""
    feedback: str = ""

    @property
    def has_imprint(self) -> bool:
        return any((self.contact, self.facilitation, self.editing, self.photo_credits))


@dataclass
class AppendixBoard:
    board_id: int
    title: str
    cards: list[Card]  # every visible card, verbatim (duplicates inside their card)
    hidden_count: int
    withdrawn_count: int


@dataclass
class StockRow:
    """One offer of a stock-taking board (Bestandsaufnahme): its values in field order."""
    number: int | None  # the card's number, as in the appendix
    values: list[str]
    exists: bool  # "bereits vorhanden"
    source: str


@dataclass
class StockTable:
    """A stock-taking board's rows, one group per value of its grouping field (municipality);
    `name` "" is the group of rows without one."""
    board_id: int
    title: str
    labels: list[str]
    group_label: str | None
    groups: list[tuple[str, list[StockRow]]]


@dataclass
class WorkshopRecord:
    id: int
    title: str
    event_date: date | None
    place: str
    organiser: str
    purpose: str
    process_title: str
    language: str
    join_code: str
    include_names: bool
    generated_at: datetime
    logo: Photo | None
    agenda: list[AgendaBoard]
    participation: Participation
    boards: list[BoardRecord]
    measures: list[MeasureRecord]
    measures_round: RoundRecord | None  # the round that ranked the measures, if any
    workshop_rounds: list[RoundRecord]  # consent checks for the whole workshop
    photos: list[Photo]  # photos not tied to a board
    appendix: list[AppendixBoard]
    # The workshop's sequence number when read: a later change makes a saved PDF outdated.
    seq: int = 0
    documentation: Documentation = field(default_factory=Documentation)
    # Stock-taking boards as tables per municipality (domain/stocktaking.py); [] if none.
    stocktaking: list[StockTable] = field(default_factory=list)

    @property
    def action_plan(self) -> list[MeasureRecord]:
        """Measures with at least one action-plan fact, for the steering group's table."""
        return [m for m in self.measures if m.responsible or m.partners or m.horizon
                or m.due_date or m.status or m.indicator or m.cost]

    @property
    def card_count(self) -> int:
        return sum(board.card_count for board in self.boards)

    @property
    def hidden_count(self) -> int:
        return sum(board.hidden_count for board in self.boards)

    @property
    def all_photos(self) -> list[Photo]:
        return self.photos + [photo for board in self.boards for photo in board.photos]


# --- Building it ------------------------------------------------------------------------------

def _utc(moment: datetime | None) -> datetime | None:
    """Stored times are naive UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=timezone.utc)


def suppress_small(counts: list[tuple[str, int]]) -> list[GroupCount]:
    """Counts with small cells (1–4) suppressed; if exactly one cell would be suppressed, the
    next smallest non-zero cell is suppressed too, so the total cannot give it away."""
    hidden = {index for index, (_, n) in enumerate(counts) if 0 < n < SMALL_GROUP}
    protecting = set()
    if len(hidden) == 1:
        others = [(n, index) for index, (_, n) in enumerate(counts)
                  if index not in hidden and n > 0]
        if others:
            protecting.add(min(others)[1])

    def cell(index: int, name: str, n: int) -> GroupCount:
        if index in hidden:
            return GroupCount(name, None, SUPPRESSED)
        if index in protecting:
            return GroupCount(name, None, PROTECTING)
        return GroupCount(name, n, str(n))
    return [cell(index, name, n) for index, (name, n) in enumerate(counts)]


def _photos(session: Session, workshop_id: int) -> list[Photo]:
    """Board photos and the logo, oldest first."""
    rows = session.scalars(select(PhotoRow).where(PhotoRow.workshop_id == workshop_id).order_by(
        PhotoRow.created_at, PhotoRow.id))
    return [Photo(id=row.id, board_id=row.board_id, kind=row.kind or "photo",
                  filename=row.filename, caption=row.caption or "", width=row.width,
                  height=row.height, created_at=_utc(row.created_at),
                  credit=getattr(row, "credit", "") or "", taken_on=getattr(row, "taken_on", None),
                  consent=getattr(row, "consent", "") or "") for row in rows]


def _agenda(session: Session, boards: list[Board], first_card: dict[int, datetime]
            ) -> list[AgendaBoard]:
    changes: dict[int, list[PhaseChange]] = defaultdict(list)
    if boards:
        for change in session.scalars(select(PhaseChange).where(
                PhaseChange.workshop_id == boards[0].workshop_id).order_by(
                PhaseChange.at, PhaseChange.id)):
            changes[change.board_id].append(change)
    agenda = []
    for board in boards:
        spans: list[PhaseSpan] = []
        board_changes = changes.get(board.id, [])
        # Every board begins collecting; that start is not recorded, the first card marks it.
        if not board_changes or board_changes[0].phase != "collect":
            end = board_changes[0].at if board_changes else None
            spans.append(PhaseSpan("collect", _utc(first_card.get(board.id)), _utc(end)))
        for index, change in enumerate(board_changes):
            end = board_changes[index + 1].at if index + 1 < len(board_changes) else None
            spans.append(PhaseSpan(change.phase, _utc(change.at), _utc(end)))
        agenda.append(AgendaBoard(board.id, board.title, spans))
    return agenda


def _rerank(rows: list[dict], descending: bool) -> list[dict]:
    """Ranks among `rows` only (ties share the rank of the first), as voting.results() does."""
    ranked = []
    for row in rows:
        better = sum(1 for other in rows if (other["score"] > row["score"] if descending
                                             else other["score"] < row["score"]))
        same = sum(1 for other in rows if other["score"] == row["score"])
        ranked.append({**row, "overall_rank": row["rank"], "rank": better + 1, "tie": same > 1})
    return ranked


def _round_record(session: Session, round_: VoteRound, rows: list[dict],
                  board_id: int | None = None) -> RoundRecord:
    """A round as documented; for a board, only that board's items, ranked among themselves
    (`overall_rank` keeps the rank across every board the round covered)."""
    if board_id is not None and round_.kind == "dots":
        rows = [row for row in rows if row["board_id"] == board_id]
        if len(round_.board_ids or []) != 1:
            rows = _rerank(rows, descending=True)
    labels = {row["id"]: row["label"] for row in rows}
    return RoundRecord(
        id=round_.id, kind=round_.kind, target_kind=round_.target_kind,
        question=round_.question or "", state=round_.state, revealed=round_.revealed,
        board_ids=list(round_.board_ids or []), dots_per_person=round_.dots_per_person,
        voters=voting.voter_count(session, round_),
        rows=[ResultRow(target_id=row["id"], label=row["label"] or "", score=row["score"],
                        rank=row["rank"], tie=row["tie"], board_id=row.get("board_id"),
                        overall_rank=row.get("overall_rank", row["rank"]),
                        answers=row.get("answers"), distribution=row.get("distribution"),
                        passive=row.get("passive", False)) for row in rows],
        final_order=[labels[target] for target in (round_.final_order or []) if target in labels],
        created_at=_utc(round_.created_at),
        final_order_reason=getattr(round_, "final_order_reason", "") or "")


def _public(round_: VoteRound) -> bool:
    return round_.state == "closed" or round_.revealed


@dataclass
class CardIndex:
    """The workshop's cards read once: visible cards by id (duplicates inside their keeper),
    and per board what the record only counts."""
    cards: dict[int, Card]
    board_of: dict[int, int]  # card id -> board id, for every card row
    hidden: Counter
    withdrawn: Counter
    posters: dict[int, set]  # board id -> participants who posted there (any state)
    first_card: dict[int, datetime]  # board id -> when its first card came
    authors: set  # participants who posted anywhere

    def visible_on(self, board_id: int) -> list[Card]:
        return [card for card in self.cards.values() if self.board_of[card.id] == board_id]


@dataclass
class Source:
    """What one workshop's record is built from, read from the database once."""
    workshop: Workshop
    boards: list[Board]
    groups: list[StakeholderGroup]
    participants: list  # rows (id, display_name, stakeholder_group_id)
    index: CardIndex
    clusters: list[Cluster]
    rounds: list[VoteRound]  # public rounds only
    results: dict[int, list[dict]]  # round id -> voting.results()
    photos: list[Photo]
    include_names: bool

    @property
    def board_ids(self) -> list[int]:
        return [board.id for board in self.boards]


def _follow_merges(row, by_id: dict):
    """The card a merged duplicate ended up in (through chains of merges), or None."""
    keeper, seen = by_id.get(row.merged_into_id), {row.id}
    while keeper is not None and keeper.state == "merged" and keeper.id not in seen:
        seen.add(keeper.id)
        keeper = by_id.get(keeper.merged_into_id)
    return keeper


def read_cards(session: Session, workshop_id: int, names: dict[int, str]) -> CardIndex:
    """Every card of the workshop in one query (plain rows, not ORM objects: a 5,000-card
    workshop is read at once). `names` holds the authors' names to show ({} for none)."""
    idea_rows = session.execute(select(
        Idea.id, Idea.board_id, Idea.participant_id, Idea.text, Idea.state, Idea.original_text,
        Idea.cluster_id, Idea.position, Idea.merged_into_id, Idea.created_at, Idea.source,
        Idea.translation, Idea.translation_lang).where(
        Idea.workshop_id == workshop_id).order_by(Idea.position, Idea.id)).all()

    def card(row) -> Card:
        original = row.original_text if row.original_text not in (None, row.text) else None
        return Card(id=row.id, text=row.text, original_text=original,
                    author=names.get(row.participant_id, ""),
                    created_at=_utc(row.created_at), cluster_id=row.cluster_id,
                    source=row.source, translation=row.translation,
                    translation_lang=row.translation_lang)

    by_id = {row.id: row for row in idea_rows}
    index = CardIndex({}, {row.id: row.board_id for row in idea_rows}, Counter(), Counter(),
                      defaultdict(set), {}, set())
    for row in idea_rows:
        if row.participant_id is not None:
            index.posters[row.board_id].add(row.participant_id)
            index.authors.add(row.participant_id)
        first = index.first_card.get(row.board_id)
        if first is None or row.created_at < first:
            index.first_card[row.board_id] = row.created_at
        if row.state == "visible":
            index.cards[row.id] = card(row)
        elif row.state == "hidden":
            index.hidden[row.board_id] += 1
        elif row.state == "withdrawn":
            index.withdrawn[row.board_id] += 1
    for row in (row for row in idea_rows if row.state == "merged"):
        keeper = _follow_merges(row, by_id)
        if keeper is not None and keeper.id in index.cards:
            index.cards[keeper.id].duplicates.append(card(row))
        elif keeper is None or keeper.state != "withdrawn":
            # A duplicate of a hidden card stays hidden.
            index.hidden[row.board_id] += 1
    return index


def load_source(session: Session, workshop_id: int, include_names: bool = False) -> Source:
    """Read everything the record needs (NotFound for an unknown workshop)."""
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise NotFound(field="workshop_id")
    boards = list(session.scalars(select(Board).where(Board.workshop_id == workshop_id).order_by(
        Board.position, Board.id)))
    groups = list(session.scalars(select(StakeholderGroup).where(
        StakeholderGroup.workshop_id == workshop_id).order_by(
        StakeholderGroup.position, StakeholderGroup.id)))
    participants = session.execute(select(
        Participant.id, Participant.display_name, Participant.stakeholder_group_id).where(
        Participant.workshop_id == workshop_id)).all()
    names = {pid: (name or "") for pid, name, _ in participants} if include_names else {}
    clusters = list(session.scalars(select(Cluster).where(
        Cluster.workshop_id == workshop_id, Cluster.state == "active").order_by(
        Cluster.position, Cluster.id)))
    rounds = [r for r in voting.rounds_of(session, workshop_id) if _public(r)]
    return Source(
        workshop=workshop, boards=boards, groups=groups, participants=participants,
        index=read_cards(session, workshop_id, names), clusters=clusters, rounds=rounds,
        results={r.id: voting.results(session, r) for r in rounds},
        photos=_photos(session, workshop_id), include_names=include_names)


def _touches(round_: VoteRound, board_id: int) -> bool:
    return not round_.board_ids or board_id in round_.board_ids


def board_rounds(session: Session, source: Source, board_id: int) -> list[RoundRecord]:
    """The public rounds documented with a board: dot rounds on its cards or clusters and
    consent checks scoped to it (measure rounds and whole-workshop checks are elsewhere)."""
    documented = []
    for round_ in source.rounds:
        if round_.target_kind == "measure" or not _touches(round_, board_id):
            continue
        if round_.kind == "consent" and not round_.board_ids:
            continue  # whole-workshop consent checks: WorkshopRecord.workshop_rounds
        record = _round_record(session, round_, source.results[round_.id], board_id)
        if record.rows:
            documented.append(record)
    return documented


def _latest_dots(rounds: list[RoundRecord], target_kind: str) -> dict[int, ResultRow]:
    """Each target's row from the latest public dot round of that kind (later rounds win)."""
    return {row.target_id: row for r in rounds
            if r.kind == "dots" and r.target_kind == target_kind for row in r.rows}


def _votes_from(rounds: list[RoundRecord], target_kind: str) -> str | None:
    """The question of the latest dot round on `target_kind` ("" if it had none), or None."""
    latest = next((r for r in reversed(rounds)
                   if r.kind == "dots" and r.target_kind == target_kind), None)
    return latest.question if latest else None


def build_clusters(source: Source, board_id: int, visible: list[Card],
                   rounds: list[RoundRecord]) -> list[ClusterRecord]:
    """The board's active clusters in order, with their cards and their latest dots."""
    votes_of = _latest_dots(rounds, "cluster")
    clusters = []
    for cluster in (c for c in source.clusters if c.board_id == board_id):
        votes = votes_of.get(cluster.id)
        clusters.append(ClusterRecord(
            id=cluster.id, heading=cluster.heading or "", colour=cluster.colour,
            cards=[c for c in visible if c.cluster_id == cluster.id],
            matrix_x=cluster.matrix_x, matrix_y=cluster.matrix_y,
            votes=votes.score if votes else None, rank=votes.rank if votes else None,
            tie=votes.tie if votes else False))
    return clusters


def build_board(session: Session, source: Source, board: Board) -> BoardRecord:
    """One board's results: clusters with cards, rounds, matrix, final order and photos.
    Cards get the dots of the latest public card round on the board, ranked among its cards."""
    index = source.index
    visible = index.visible_on(board.id)
    rounds = board_rounds(session, source, board.id)
    for target_id, row in _latest_dots(rounds, "idea").items():
        if target_id in index.cards:
            card = index.cards[target_id]
            card.votes, card.rank, card.tie = row.score, row.rank, row.tie
    clusters = build_clusters(source, board.id, visible, rounds)
    clustered = {c.id for c in clusters}
    return BoardRecord(
        id=board.id, title=board.title, question=board.question or "", colour=board.colour,
        phase=board.phase, clusters=clusters,
        unclustered=[c for c in visible if c.cluster_id not in clustered],
        rounds=rounds,
        matrix=[MatrixPlacement(c.id, c.heading, c.matrix_x, c.matrix_y) for c in clusters
                if c.matrix_x is not None and c.matrix_y is not None],
        final_order=next((r.final_order for r in reversed(rounds) if r.final_order), []),
        photos=[p for p in source.photos if p.kind != "logo" and p.board_id == board.id],
        hidden_count=index.hidden[board.id], withdrawn_count=index.withdrawn[board.id],
        card_votes_from=_votes_from(rounds, "idea"),
        cluster_votes_from=_votes_from(rounds, "cluster"))


def build_participation(session: Session, source: Source, boards: list[BoardRecord]
                        ) -> Participation:
    """Joined phones, by group (small groups suppressed) and by board (who posted there)."""
    workshop_id = source.workshop.id
    voters = set(session.scalars(select(Vote.participant_id).join(
        VoteRound, VoteRound.id == Vote.round_id).where(
        VoteRound.workshop_id == workshop_id).distinct()))
    per_group = Counter(group_id for _, _, group_id in source.participants)
    counts = [(group.name, per_group.get(group.id, 0)) for group in source.groups]
    known = {group.id for group in source.groups}
    unstated = sum(n for group_id, n in per_group.items() if group_id not in known)
    if unstated or source.groups:
        counts.append(("", unstated))  # "" = no group given; renderers label it
    posters = source.index.posters
    return Participation(
        total=len(source.participants), active=len(voters | source.index.authors),
        by_group=suppress_small(counts),
        by_board=[BoardCount(b.id, b.title, len(posters.get(b.id, ())), b.card_count)
                  for b in boards],
        voters=len(voters))


def build_workshop_rounds(session: Session, source: Source) -> list[RoundRecord]:
    """Consent checks for the whole workshop (not scoped to a board)."""
    return [_round_record(session, r, source.results[r.id]) for r in source.rounds
            if r.kind == "consent" and not r.board_ids]


def number_cards(boards: list[BoardRecord]) -> None:
    """Give every visible card and duplicate its one number, in appendix order."""
    number = 0
    for board in boards:
        for card in board.cards:
            for each in (card, *card.duplicates):
                number += 1
                each.number = number


def build_appendix(boards: list[BoardRecord]) -> list[AppendixBoard]:
    return [AppendixBoard(b.id, b.title, b.cards, b.hidden_count, b.withdrawn_count)
            for b in boards]


_LONG_WORD = re.compile(r"\S{30,}")


def _breakable(value: str) -> str:
    """A word of 30 characters or more (a pasted URL, a hostile run of letters) gets a break
    opportunity every 20 characters (U+200B, invisible): table columns stay as wide as their
    ordinary words (a stock-taking table breaks only between words), and such a word still
    fits its column."""
    return _LONG_WORD.sub(lambda m: "\u200b".join(
        m.group(0)[i:i + 20] for i in range(0, len(m.group(0)), 20)), value)


def build_stocktaking(session: Session, workshop, boards: list[BoardRecord]) -> list[StockTable]:
    from ..domain import stocktaking
    numbers = {card.id: card.number for board in boards for card in board.cards}
    return [StockTable(
        board_id=table.board.id, title=table.board.title, labels=table.labels,
        group_label=table.group_label,
        groups=[(name, [StockRow(numbers.get(idea.id), [_breakable(v) for v in values], exists,
                                 idea.source)
                        for idea, values, exists in rows]) for name, rows in table.groups])
        for table in stocktaking.tables_of(session, workshop)]


def build_record(session: Session, workshop_id: int, include_names: bool = False
                 ) -> WorkshopRecord:
    """Everything the documentation of one workshop shows (see the module docstring)."""
    source = load_source(session, workshop_id, include_names)
    workshop = source.workshop
    boards = [build_board(session, source, board) for board in source.boards]
    number_cards(boards)
    measures, measures_round = build_measures(session, source)
    pictures = [p for p in source.photos if p.kind != "logo"]
    return WorkshopRecord(
        id=workshop.id, title=workshop.title, event_date=workshop.event_date,
        place=workshop.place or "", organiser=getattr(workshop, "organiser", "") or "",
        purpose=workshop.purpose or "",
        process_title=workshop.process.title if workshop.process else "",
        language=workshop.language or "de", join_code=workshop.join_code,
        include_names=include_names, generated_at=datetime.now(timezone.utc),
        logo=next((p for p in reversed(source.photos) if p.kind == "logo"), None),
        agenda=_agenda(session, source.boards, source.index.first_card),
        participation=build_participation(session, source, boards),
        boards=boards, measures=measures, measures_round=measures_round,
        workshop_rounds=build_workshop_rounds(session, source),
        photos=[p for p in pictures if p.board_id not in source.board_ids],
        appendix=build_appendix(boards), seq=workshop.seq,
        documentation=build_documentation(session, source, boards),
        stocktaking=build_stocktaking(session, workshop, boards))


def build_measures(session: Session, source: Source
                   ) -> tuple[list[MeasureRecord], RoundRecord | None]:
    """Measures in the facilitator's final order of the latest public measure round, else ranked
    by its votes; measures it did not cover follow by position."""
    rows = list(session.scalars(select(Measure).where(
        Measure.workshop_id == source.workshop.id, Measure.state == "active").order_by(
        Measure.position, Measure.id)))
    titles = {board.id: board.title for board in source.boards}
    headings = {cluster.id: cluster.heading for cluster in source.clusters}
    cards = source.index.cards
    latest = next((r for r in reversed(source.rounds) if r.target_kind == "measure"), None)
    ranked = {row["id"]: row for row in source.results[latest.id]} if latest else {}
    sequence = list(latest.final_order or []) + list(ranked) if latest else []
    order = {target: index for index, target in enumerate(dict.fromkeys(sequence))}
    rows.sort(key=lambda m: (order.get(m.id, len(order)), m.position, m.id))
    measures = []
    for measure in rows:
        result = ranked.get(measure.id, {})
        measures.append(MeasureRecord(
            id=measure.id, title=measure.title, description=measure.description or "",
            thematic_field=measure.thematic_field or "", responsible=measure.responsible or "",
            partners=measure.partners or "", horizon=measure.horizon or "",
            board_id=measure.board_id, board_title=titles.get(measure.board_id, ""),
            source_cards=[cards[i].text for i in (measure.source_idea_ids or []) if i in cards],
            source_cluster=headings.get(measure.source_cluster_id, ""),
            score=result.get("score"), rank=result.get("rank"), tie=result.get("tie", False),
            due_date=_iso_date(getattr(measure, "due_date", "")),
            status=getattr(measure, "status", "") or "",
            indicator=getattr(measure, "indicator", "") or "",
            cost=getattr(measure, "cost", "") or "", number=len(measures) + 1))
    round_record = (_round_record(session, latest, source.results[latest.id]) if latest
                    else None)
    return measures, round_record


def _iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def build_board_texts(board: BoardRecord, texts: documentation.BoardTexts,
                      cards: dict[int, Card]) -> None:
    """The facilitation's summary, quotes, dissent and open questions of one board, and which
    vote its final order comes from. A quoted card that was hidden since is left out."""
    board.summary, board.dissent = texts.summary, texts.dissent
    board.open_questions = texts.open_questions
    on_board = {card.id for card in board.cards}
    board.quotes = [cards[i] for i in texts.quote_ids if i in cards and i in on_board]
    ordered = next((r for r in reversed(board.rounds) if r.final_order), None)
    if ordered is not None:
        board.final_order_from = ordered.question
        board.final_order_reason = ordered.final_order_reason


def build_documentation(session: Session, source: Source, boards: list[BoardRecord]
                        ) -> Documentation:
    """The sections the facilitation wrote in the console ("Dokumentation"), and each board's
    own texts put on its BoardRecord."""
    docs = documentation.documentation_of(session, source.workshop.id)
    for board in boards:
        build_board_texts(board, docs.board(board.id), source.index.cards)
    texts = docs.texts
    return Documentation(
        contact=texts["contact"], facilitation=texts["facilitation"], editing=texts["editing"],
        photo_credits=texts["photo_credits"], foreword=texts["foreword"],
        programme=[ProgrammeRow(item.time, item.title, item.method, item.speakers)
                   for item in docs.programme],
        next_steps=texts["next_steps"], use_of_results=texts["use_of_results"],
        plain_summary=texts["plain_summary"], feedback=texts["feedback"])
