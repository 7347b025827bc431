"""Table hosts: help at one table for people without a phone, without a facilitator account.

A host (invited by link) types cards on behalf of a person at the table or from paper, outside
the per-person cap, adds paper dots to a running vote, translates cards, and hides and clusters
cards of their own board only. A shared tablet (its own link) only posts, each card anonymous.
"""
import secrets as random_secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (NAME_MAX_CHARS, Board, Cluster, Idea, Participant,
                      TableHost, Vote, VoteRound)
from . import clusters, stocktaking, translations, validate
from .changes import Change, commit_and_announce, next_seq
from .errors import BoardClosed, Forbidden, InvalidInput, NotFound, RoundClosed
from .ideas import accepts_ideas
from .tokens import digest, new_secret

ROLES = ("host", "tablet")
HOST_SOURCES = ("on_behalf", "paper")
# Paper dots are counted in one go per target; a hall rarely puts more than this on one card.
PAPER_DOTS_MAX = 500


@dataclass
class Invitation:
    host: TableHost
    secret: str  # shown once, in the link; only its hash is stored


def invite(session: Session, workshop_id: int, board_id, role: str = "host",
           name: str = "") -> Invitation:
    """A link for one board's host (or its shared tablet)."""
    if role not in ROLES:
        raise InvalidInput(field="role")
    name = validate.text(name, NAME_MAX_CHARS, "name", required=False)
    board = session.get(Board, validate.integer(board_id, "board_id"))
    if board is None or board.workshop_id != workshop_id:
        raise NotFound(field="board_id")
    secret = new_secret()
    host = TableHost(workshop_id=workshop_id, board_id=board.id, role=role, name=name,
                     secret_hash=digest(secret))
    session.add(host)
    session.commit()
    return Invitation(host, secret)


def revoke(session: Session, workshop_id: int, host_id) -> None:
    """The link stops working at once."""
    host = session.get(TableHost, validate.integer(host_id, "host_id"))
    if host is None or host.workshop_id != workshop_id:
        raise NotFound(field="host_id")
    host.revoked = True
    session.commit()


def hosts_of(session: Session, workshop_id: int) -> list[TableHost]:
    return list(session.scalars(select(TableHost).where(
        TableHost.workshop_id == workshop_id, TableHost.revoked.is_(False)).order_by(
        TableHost.board_id, TableHost.id)))


def redeem(session: Session, secret: str) -> TableHost:
    """The host an invitation link belongs to; a revoked or unknown link finds nobody."""
    host = session.scalar(select(TableHost).where(TableHost.secret_hash == digest(secret)))
    if host is None or host.revoked:
        raise NotFound(field="host")
    return host


def active(session: Session, host_id) -> TableHost | None:
    """The host remembered in a browser, as long as the link was not revoked."""
    host = session.get(TableHost, host_id) if isinstance(host_id, int) else None
    return None if host is None or host.revoked else host


def _require_host(host: TableHost) -> None:
    if host.role != "host":
        raise Forbidden(field="role")


def _own_card(session: Session, host: TableHost, idea_id) -> Idea:
    """A card of the host's own board; any other board's card is refused."""
    idea = session.get(Idea, validate.integer(idea_id, "idea_id"))
    if idea is None or idea.workshop_id != host.workshop_id:
        raise NotFound(field="idea_id")
    if idea.board_id != host.board_id:
        raise Forbidden(field="idea_id")
    return idea


def post_card(session: Session, host: TableHost, text, source: str | None = None,
              fields=None, exists=None) -> Idea:
    """A card typed at the table: on behalf of a person, from paper (host) or by someone at the
    shared tablet. Outside the per-person cap: many people's cards come through one device. On
    a stock-taking board with its fields (domain/stocktaking.py)."""
    if host.role == "tablet":
        source = "tablet"
    elif source not in HOST_SOURCES:
        raise InvalidInput(field="source")
    board = session.get(Board, host.board_id)
    entry, text = stocktaking.entry_for(board, text, fields, exists)
    seq = next_seq(session, host.workshop_id)
    if not accepts_ideas(board):
        session.rollback()  # give back the sequence number: a refused card changes nothing
        raise BoardClosed()
    last = session.scalar(select(func.max(Idea.position)).where(
        Idea.board_id == board.id, Idea.cluster_id.is_(None)))
    idea = Idea(workshop_id=host.workshop_id, board=board, participant=None,
                client_id=f"{source}-{random_secrets.token_urlsafe(12)}", text=text, entry=entry,
                source=source, updated_seq=seq, position=0 if last is None else last + 1)
    session.add(idea)
    commit_and_announce(session, Change("idea_posted", host.workshop_id, seq, ideas=[idea]))
    return idea


def hide_card(session: Session, host: TableHost, idea_id, hidden) -> Idea:
    _require_host(host)
    _own_card(session, host, idea_id)
    return clusters.set_hidden(session, host.workshop_id, None, idea_id, hidden)


def cluster_cards(session: Session, host: TableHost, heading, idea_ids) -> Cluster:
    """A new cluster on the host's board holding the chosen cards (all of that board)."""
    _require_host(host)
    if not isinstance(idea_ids, (list, tuple)) or not idea_ids:
        raise InvalidInput(field="idea_ids")
    for idea_id in idea_ids:
        _own_card(session, host, idea_id)
    return clusters.create_cluster(session, host.workshop_id, None, host.board_id, heading,
                                   "grey", list(idea_ids))


def move_to_cluster(session: Session, host: TableHost, idea_id, cluster_id) -> Idea:
    """Put a card of this board into one of this board's clusters (None: unsorted)."""
    _require_host(host)
    _own_card(session, host, idea_id)
    if cluster_id is not None:
        cluster = session.get(Cluster, validate.integer(cluster_id, "cluster_id"))
        if cluster is None or cluster.workshop_id != host.workshop_id:
            raise NotFound(field="cluster_id")
        if cluster.board_id != host.board_id:
            raise Forbidden(field="cluster_id")
    return clusters.move_idea(session, host.workshop_id, None, idea_id, cluster_id, None,
                              host.board_id)


def translate_card(session: Session, host: TableHost, idea_id, text, lang) -> Idea:
    _require_host(host)
    _own_card(session, host, idea_id)
    return translations.translate_idea(session, host.workshop_id, idea_id, text, lang)


def running_rounds(session: Session, host: TableHost) -> list[VoteRound]:
    """Open dot rounds that include the host's table (or the whole workshop)."""
    rounds = session.scalars(select(VoteRound).where(
        VoteRound.workshop_id == host.workshop_id, VoteRound.kind == "dots",
        VoteRound.state == "open").order_by(VoteRound.id))
    return [r for r in rounds if not r.board_ids or host.board_id in r.board_ids]


def _stand_in(session: Session, host: TableHost) -> Participant:
    """The participant row paper dots are counted under: one per host, made when first needed
    (a host who never adds dots adds nobody to the participant counts)."""
    if host.participant_id is not None:
        participant = session.get(Participant, host.participant_id)
        if participant is not None:
            return participant
    participant = Participant(workshop_id=host.workshop_id, token_hash=digest(new_secret()))
    session.add(participant)
    session.flush()
    host.participant_id = participant.id
    return participant


def add_paper_dots(session: Session, host: TableHost, round_id, target_id, count) -> int:
    """Add the dots counted on the paper at the table to a running dot vote; returns the
    paper dots now on that target from this host."""
    from .voting import targets  # voting imports this package's siblings; keep the cycle out
    _require_host(host)
    count = validate.integer(count, "count", 1, PAPER_DOTS_MAX)
    round_ = session.get(VoteRound, validate.integer(round_id, "round_id"))
    if round_ is None or round_.workshop_id != host.workshop_id:
        raise NotFound(field="round_id")
    if round_ not in running_rounds(session, host):
        raise RoundClosed()
    target_id = validate.integer(target_id, "target_id")
    if not any(t["id"] == target_id for t in targets(session, round_)):
        raise NotFound(field="target_id")
    participant = _stand_in(session, host)
    session.add(Vote(round_id=round_.id, participant_id=participant.id, target_id=target_id,
                     value=count, client_id=f"paper-{random_secrets.token_urlsafe(12)}"))
    session.commit()
    return paper_dots(session, host, round_.id).get(target_id, 0)


def paper_dots(session: Session, host: TableHost, round_id: int) -> dict[int, int]:
    """The paper dots this host added in a round, per target."""
    if host.participant_id is None:
        return {}
    rows = session.execute(select(Vote.target_id, func.sum(Vote.value)).where(
        Vote.round_id == round_id, Vote.participant_id == host.participant_id).group_by(
        Vote.target_id))
    return {target: int(total) for target, total in rows.all()}


def board_cards(session: Session, host: TableHost) -> list[Idea]:
    """The host's board: every card that is not withdrawn or merged, in board order."""
    return list(session.scalars(select(Idea).where(
        Idea.board_id == host.board_id, Idea.state.in_(("visible", "hidden"))).order_by(
        Idea.cluster_id.is_not(None), Idea.cluster_id, Idea.position, Idea.id)))


def board_clusters(session: Session, host: TableHost) -> list[Cluster]:
    return list(session.scalars(select(Cluster).where(
        Cluster.board_id == host.board_id, Cluster.state == "active").order_by(
        Cluster.position)))
