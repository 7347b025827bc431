"""In-process CPU and SQL statements of the hot paths, one operation at a time (SQLite):

    .venv/bin/python bench/hot_paths.py

A six-board workshop with 300 phones and a dots round on the first board's cards: 200 posts (each
with its announcement's staff and public payloads and the ack's payload), then 200 first syncs of
a phone at that board (by then 215 cards), built for each phone and shared at the board as the
server answers them (domain/snapshots.py), 150 dots, 200 tally broadcasts' payloads (consoles and
projectors). Prints CPU ms and statements per operation. No server, no sockets: what the domain
and the payloads cost, apart from the fan-out (bench/realtime.py measures that)."""
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from facilitator.database import make_engine, migrate  # noqa: E402
from facilitator.domain import (changes, facilitators, ideas, participants,  # noqa: E402
                                snapshots, voting, workshops)
from facilitator.domain.changes import PUBLIC, STAFF, change_payload, idea_payload  # noqa: E402
from facilitator.domain.workshops import BoardSpec, WorkshopSpec  # noqa: E402
from facilitator.models import Participant, VoteRound  # noqa: E402


class Author:
    """What a socket keeps of its participant (sockets.Author)."""
    def __init__(self, id_: int, workshop_id: int) -> None:
        self.id, self.workshop_id = id_, workshop_id


def main() -> None:
    url = f"sqlite:///{tempfile.mkdtemp()}/hot_paths.db"
    migrate(url)
    engine = make_engine(url)

    def announce(change) -> None:
        change_payload(change, STAFF), change_payload(change, PUBLIC)

    def new_session() -> Session:  # as the server's: a session per socket event
        return Session(engine, expire_on_commit=False, info={"announcer": announce})

    with new_session() as s:
        owner = facilitators.create_facilitator(s, "Moderation")
        s.commit()
        workshop = workshops.create_workshop(s, owner.id, WorkshopSpec(
            title="Werkstatt", boards=tuple(BoardSpec(f"Tisch {n}") for n in range(6))))
        s.commit()
        phones = [participants.join(s, workshop)[0] for _ in range(300)]
        board, workshop_id, ids = workshop.boards[0].id, workshop.id, [p.id for p in phones]
        for n in range(15):
            ideas.post_idea(s, phones[n], board, uuid.uuid4().hex, f"Idee {n}")
        round_ = voting.open_round(s, workshop_id, voting.RoundSpec(
            kind="dots", target_kind="idea", board_ids=[board], whole_room=True,
            dots_per_person=3, max_per_item=3, tallies_visible=True))
        round_id, targets = round_.id, [t["id"] for t in voting.targets(s, round_)]

    def post(n: int) -> None:
        with new_session() as s:
            posted = ideas.post_idea(s, Author(ids[n % 300], workshop_id), board,
                                     uuid.uuid4().hex, "Mehr Sprachkurse am Abend")
            idea_payload(posted.idea, posted.idea.board, PUBLIC, ids[n % 300])

    def first_sync(n: int) -> None:
        with new_session() as s:
            snapshot = changes.changes_since(s, workshop_id, 0, PUBLIC, ids[n % 300], board)
            participants.exists(s, ids[n % 300])
            voting.my_votes_in(s, [r["id"] for r in snapshot["rounds"]], ids[n % 300])

    def shared_sync(n: int) -> None:
        """As the server answers it (domain/snapshots.py): the board's part built once."""
        with new_session() as s:
            snapshot = snapshots.phone_sync(s, workshop_id, 0, ids[n % 300], board)
            voting.my_votes_in(s, [r["id"] for r in snapshot["rounds"]], ids[n % 300])

    def dot(n: int) -> None:
        with new_session() as s:
            voting.place_dot(s, s.get(Participant, ids[100 + n]), round_id,
                             targets[n % len(targets)], uuid.uuid4().hex)

    def tallies(_n: int) -> None:
        with new_session() as s:
            changes.round_payloads(s.get(VoteRound, round_id), (STAFF, PUBLIC))

    statements = [0]
    event.listen(engine, "before_cursor_execute",
                 lambda *_args: statements.__setitem__(0, statements[0] + 1))
    for name, operation, times in (("a post and its payloads", post, 200),
                                   ("a phone's first sync (215 cards, 1 round), built for it",
                                    first_sync, 200),
                                   ("the same, shared at the board (as the server answers)",
                                    shared_sync, 200),
                                   ("a dot", dot, 150),
                                   ("tallies for consoles and projectors", tallies, 200)):
        statements[0] = 0
        started = time.process_time()
        for n in range(times):
            operation(n)
        cpu = (time.process_time() - started) / times * 1000
        print(f"{name}: {cpu:.2f} ms CPU, {statements[0] / times:.1f} statements")


if __name__ == "__main__":
    main()
