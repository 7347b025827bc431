"""In-process CPU and SQL statements of the hot paths, one operation at a time:

    .venv/bin/python bench/hot_paths.py
    .venv/bin/python bench/hot_paths.py --db postgresql+psycopg://postgres@127.0.0.1:5432/test

A six-board workshop with 300 phones and a dots round on the first board's cards: 200 posts (each
with its announcement's staff and public payloads and the ack's payload), then 200 first syncs of
a phone at that board (by then 215 cards), built for each phone and shared at the board as the
server answers them (domain/snapshots.py), 150 dots, 200 tally broadcasts' payloads (consoles and
projectors). Prints CPU ms and statements per operation. No server, no sockets: what the domain
and the payloads cost, apart from the fan-out (bench/realtime.py measures that). With `--db` on
PostgreSQL (a schema of the run's own, dropped afterwards) it also prints the round trips to the
database per operation and the database server's CPU per operation."""
import argparse
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # realtime.make_schema

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
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="postgresql+psycopg://... (default: a SQLite file)")
    parser.add_argument("--trace", help="PostgreSQL: keep libpq's protocol trace in this file")
    args = parser.parse_args()
    if args.db:
        from realtime import drop_schema, make_schema
        schema, url = make_schema(args.db)
        try:
            measure(url, args.trace)
        finally:
            drop_schema(args.db, schema)
    else:
        measure(f"sqlite:///{tempfile.mkdtemp()}/hot_paths.db")


def measure(url: str, trace: str | None = None) -> None:
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
    trips = RoundTrips(engine, trace)
    for name, operation, times in (("a post and its payloads", post, 200),
                                   ("a phone's first sync (215 cards, 1 round), built for it",
                                    first_sync, 200),
                                   ("the same, shared at the board (as the server answers)",
                                    shared_sync, 200),
                                   ("a dot", dot, 150),
                                   ("tallies for consoles and projectors", tallies, 200)):
        statements[0] = 0
        trips.reset()
        started = time.process_time()
        for n in range(times):
            operation(n)
        cpu = (time.process_time() - started) / times * 1000
        line = f"{name}: {cpu:.2f} ms CPU, {statements[0] / times:.1f} statements"
        if trips.enabled:
            line += (f", {trips.count / times:.1f} round trips, database server "
                     f"{trips.backend_cpu() / times * 1000:.2f} ms CPU")
        print(line)


class RoundTrips:
    """PostgreSQL: round trips to the server (libpq's protocol trace: the client's messages,
    then the server's answers) and the CPU of the backends serving this benchmark (from /proc:
    the database server runs on this machine). `--trace FILE` keeps the protocol trace."""

    def __init__(self, engine, trace: str | None = None) -> None:
        self.enabled = engine.dialect.name == "postgresql"
        self.backends, self.cpu0, self.offset = set(), 0.0, 0
        if not self.enabled:
            return
        from psycopg import pq
        self.path = trace or tempfile.mkstemp(suffix=".trace")[1]
        self.file = open(self.path, "w")

        @event.listens_for(engine, "checkout")
        def _traced(dbapi_connection, _record, _proxy):
            self.backends.add(dbapi_connection.info.backend_pid)
            dbapi_connection.pgconn.trace(self.file.fileno())
            dbapi_connection.pgconn.set_trace_flags(
                pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)

        @event.listens_for(engine, "checkin")
        def _untraced(dbapi_connection, _record):
            dbapi_connection.pgconn.untrace()

    def reset(self) -> None:
        if self.enabled:
            self.cpu0, self.offset = self._cpu(), os.path.getsize(self.path)

    @property
    def count(self) -> int:
        """Round trips since `reset`: each time the server answered what the client sent."""
        with open(self.path) as f:
            f.seek(self.offset)
            directions = [line[:1] for line in f if line[:1] in ("F", "B")]
        return sum(1 for sent, answered in zip(directions, directions[1:])
                   if sent == "F" and answered == "B")

    def _cpu(self) -> float:
        total = 0.0
        for pid in self.backends:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            except OSError:
                pass
        return total

    def backend_cpu(self) -> float:
        return self._cpu() - self.cpu0


if __name__ == "__main__":
    main()
