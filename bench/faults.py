"""Faults: nothing acknowledged is ever lost or stored twice, and votes never break a budget.

    .venv/bin/python bench/faults.py kill                 # 20 phones x 50 ideas, 5 kills, both
    .venv/bin/python bench/faults.py kill --database sqlite --ideas 200 --kills 10
    .venv/bin/python bench/faults.py votes --trials 100   # 50 parallel dots, budget 5, cap 3
    .venv/bin/python bench/faults.py close --trials 20    # closing a round while dots arrive

`kill`: a real server (`run.py serve`) on a SQLite file or a PostgreSQL schema of its own; 20
phones (real Socket.IO clients, one thread each) post ideas, each resending the same idea (same
client id) until the server acknowledges it, as the phone's outbox does; meanwhile the server is
killed with SIGKILL at random moments and started again. A projector screen keeps its list and
its last sequence number across the restarts and catches up with `sync` after each reconnect.
Printed: posted, acknowledged, stored, lost (acknowledged but not stored), stored twice, and
whether the screen ended with every stored idea.

`votes`: 50 dots of one phone sent at once over 10 connections against a budget of 5 (cap 3 per
item): exactly 5 must be stored, every trial. `close`: dots sent while the facilitator closes
the round: every dot is either counted before the close or refused, none stored after it.

Servers listen on --port (default 5200; the range given to this benchmark is 5200-5299).
PostgreSQL: TEST_POSTGRES_URL or postgresql+psycopg://postgres@127.0.0.1:5432/test; each run
uses a schema of its own and drops it afterwards.
"""
import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import engineio
import requests
import socketio
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from facilitator.database import make_engine, migrate  # noqa: E402
from facilitator.domain import clusters, facilitators, participants, voting, workshops  # noqa: E402
from facilitator.domain.workshops import BoardSpec, WorkshopSpec  # noqa: E402
from facilitator.models import Facilitator, Idea, Vote, Workshop  # noqa: E402

POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SECRET_KEY = "faults-bench-secret"
ACK_TIMEOUT = 3.0


# --- Databases and the server ---------------------------------------------------------------

@contextmanager
def database(kind: str, directory: Path):
    """A migrated, empty database: a SQLite file in `directory` or a PostgreSQL schema."""
    if kind == "sqlite":
        url = f"sqlite:///{directory / 'facilitator.db'}"
        migrate(url)
        yield url
        return
    name = f"faults_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {name}")
    url = f"{POSTGRES_URL}?options={quote(f'-csearch_path={name}')}"
    try:
        migrate(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        admin.dispose()


class Server:
    """`run.py serve` on one port and database, killed and started again at will."""

    def __init__(self, database_url: str, port: int, directory: Path) -> None:
        self.url = f"http://127.0.0.1:{port}"
        self.port, self.directory = port, directory
        self.env = {key: value for key, value in os.environ.items()
                    if key not in ("DATABASE_URL", "MESSAGE_QUEUE", "PUBLIC_URL", "HOST", "PORT")}
        self.env.update(DATABASE_URL=database_url, INSTANCE_PATH=str(directory / "instance"),
                        SECRET_KEY=SECRET_KEY, PUBLIC_URL=self.url, RATELIMIT_ENABLED="0",
                        PYTHONUNBUFFERED="1")
        self.process: subprocess.Popen | None = None
        self.kills = 0

    def start(self) -> None:
        with open(self.directory / "server.log", "a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "run.py", "serve", "--host", "127.0.0.1", "--port",
                 str(self.port)], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {(self.directory / 'server.log').read_text()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed, connections drop mid-write."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
            self.kills += 1

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def cookie_for(workshop_id: int, token: str, secret_key: str = SECRET_KEY) -> str:
    """The session cookie a phone holds after joining (signed like the server signs it)."""
    signer = Flask("faults-cookie")
    signer.secret_key = secret_key
    serializer = SecureCookieSessionInterface().get_signing_serializer(signer)
    return "session=" + serializer.dumps({"participants": {str(workshop_id): token},
                                          "_permanent": True})


@dataclass
class Room:
    workshop_id: int
    join_code: str
    screen_key: str
    board_ids: list[int]
    cookies: list[str]
    owner_id: int
    participant_ids: list[int] = field(default_factory=list)


def prepare(database_url: str, phones: int, boards: int = 3,
            secret_key: str = SECRET_KEY) -> Room:
    """A workshop with `boards` boards and `phones` joined phones, made through the domain."""
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        owner = facilitators.create_facilitator(session, f"Moderation {uuid.uuid4().hex[:6]}")
        workshop = workshops.create_workshop(session, owner.id, WorkshopSpec(
            title="Faults", boards=tuple(BoardSpec(f"Tisch {n + 1}") for n in range(boards))))
        joined = [participants.join(session, workshop, f"Phone {n}") for n in range(phones)]
        room = Room(workshop.id, workshop.join_code, workshop.screen_key,
                    [board.id for board in workshop.boards],
                    [cookie_for(workshop.id, token, secret_key) for _, token in joined],
                    owner.id,
                    [participant.id for participant, _ in joined])
    engine.dispose()
    return room


class _PromptlyClosingEngineIO(engineio.Client):
    def _connect_websocket(self, *args, **kwargs):
        connected = super()._connect_websocket(*args, **kwargs)
        ws = getattr(self, "ws", None)
        if connected and ws is not None:
            # websocket-client waits up to 3 s for a close frame its reader already consumed.
            close = ws.close
            ws.close = lambda *args, **kwargs: close(timeout=0)
        return connected


class _Client(socketio.Client):
    def _engineio_client_class(self):
        return _PromptlyClosingEngineIO


def connect(url: str, auth: dict, cookie: str = "") -> socketio.Client | None:
    """A connected client, or None while the server is down (the caller tries again)."""
    client = _Client(reconnection=False)
    try:
        client.connect(url, auth=auth, headers={"Cookie": cookie} if cookie else {},
                       transports=["websocket"], wait_timeout=5)
        return client
    except Exception:  # noqa: BLE001 - server down or restarting
        return None


def call(client: socketio.Client, event: str, data: dict, timeout: float = ACK_TIMEOUT):
    """The ack, or None when none came (timeout, connection lost): the phone then retries."""
    try:
        return client.call(event, data, timeout=timeout)
    except Exception:  # noqa: BLE001 - socketio.exceptions.TimeoutError, BadNamespaceError...
        return None


def close_quietly(client) -> None:
    try:
        client.disconnect()
    except Exception:  # noqa: BLE001
        pass


# --- Kill: phones post until acknowledged, the server dies at random moments ----------------

class Phone(threading.Thread):
    """Posts its ideas one after the other; each is sent again (same client id) until an ack
    `ok` comes, as the outbox does. Any other answer is recorded as a refusal."""

    def __init__(self, server: Server, room: Room, number: int, ideas: int,
                 pause: float = 0.0) -> None:
        super().__init__(daemon=True)
        self.pause = pause
        self.server, self.room, self.number = server, room, number
        self.ideas = [(uuid.uuid4().hex, room.board_ids[n % len(room.board_ids)],
                       f"Phone {number} idea {n}") for n in range(ideas)]
        self.acked: dict[str, int] = {}
        self.sends = 0
        self.errors: dict[str, int] = {}
        self.ack_times: list[float] = []

    def run(self) -> None:
        client = None
        auth = {"role": "participant", "code": self.room.join_code}
        for client_id, board_id, text in self.ideas:
            while client_id not in self.acked:
                if client is None or not client.connected:
                    client = connect(self.server.url, auth, self.room.cookies[self.number])
                    if client is None:
                        time.sleep(0.2)
                        continue
                self.sends += 1
                started = time.monotonic()
                ack = call(client, "post_idea", {"board_id": board_id, "client_id": client_id,
                                                 "text": text})
                if ack is None:
                    close_quietly(client)
                    client = None
                elif ack.get("ok"):
                    self.acked[client_id] = ack["idea"]["id"]
                    self.ack_times.append(time.monotonic() - started)
                    time.sleep(self.pause)
                else:
                    # "not saved, retrying": a busy or failing server is asked again later.
                    self.errors[ack.get("error", "?")] = self.errors.get(ack.get("error"), 0) + 1
                    time.sleep(0.2)
        if client is not None:
            close_quietly(client)


class Screen(threading.Thread):
    """A projector that keeps its ideas and last sequence number across reconnects and asks
    only for what changed since (`sync {since}`), as the screen page does."""

    def __init__(self, server: Server, room: Room) -> None:
        super().__init__(daemon=True)
        self.server, self.room = server, room
        self.ideas: dict[int, str] = {}
        self.seq = 0
        self.reconnects = 0
        self.done = threading.Event()
        self.lock = threading.Lock()

    def catch_up(self, client) -> bool:
        answer = call(client, "sync", {"since": self.seq}, timeout=10)
        if not answer or not answer.get("ok"):
            return False
        with self.lock:
            for idea in answer["ideas"]:
                if idea["state"] == "visible":
                    self.ideas[idea["id"]] = idea["text"]
            self.seq = answer["seq"]
        return True

    def run(self) -> None:
        client = None
        while True:
            if client is None or not client.connected:
                client = connect(self.server.url, {"role": "screen", "key": self.room.screen_key})
                if client is None:
                    time.sleep(0.2)
                    continue
                self.reconnects += 1
                client.on("idea_posted", self._heard)
                if not self.catch_up(client):
                    close_quietly(client)
                    client = None
                    continue
            if self.done.is_set():
                # The last word: everything committed since the last number it saw.
                if self.catch_up(client):
                    break
                close_quietly(client)
                client = None
                continue
            time.sleep(0.2)
        close_quietly(client)

    def _heard(self, payload) -> None:
        with self.lock:
            for idea in payload.get("ideas", []):
                if idea["state"] == "visible":
                    self.ideas[idea["id"]] = idea["text"]


def kill_run(url: str, folder: Path, port: int, phones: int = 20, ideas: int = 50,
             kills: int = 5, seed: int | None = None, gap: tuple = (0.3, 2.5),
             pause: float = 0.0) -> dict:
    """One run of the kill test on a migrated database (its server in `folder`); the figures.
    A kill comes `gap` seconds (random in the range) after the start or the last restart;
    phones wait `pause` seconds between ideas (people type)."""
    rng = random.Random(seed)
    room = prepare(url, phones)
    server = Server(url, port, Path(folder))
    server.start()
    screen = Screen(server, room)
    screen.start()
    crowd = [Phone(server, room, n, ideas, pause) for n in range(phones)]
    started = time.monotonic()
    for phone in crowd:
        phone.start()
    # Kill at random moments while the phones post: spread over the expected run.
    for _ in range(kills):
        time.sleep(rng.uniform(*gap))
        if not any(phone.is_alive() for phone in crowd):
            break
        server.kill()
        time.sleep(rng.uniform(0.0, 0.5))
        server.start()
    for phone in crowd:
        phone.join(600)
    took = time.monotonic() - started
    screen.done.set()
    screen.join(120)
    engine = make_engine(url)
    with Session(engine) as session:
        stored = session.execute(select(Idea.id, Idea.client_id, Idea.text).where(
            Idea.workshop_id == room.workshop_id)).all()
        seq = session.scalar(select(Workshop.seq).where(Workshop.id == room.workshop_id))
    engine.dispose()
    server.stop()
    log = (Path(folder) / "server.log").read_text(errors="replace")
    acked = {client_id: idea_id for phone in crowd for client_id, idea_id in phone.acked.items()}
    stored_by_client = {row.client_id: row.id for row in stored}
    texts = [row.text for row in stored]
    ack_times = sorted(t for phone in crowd for t in phone.ack_times)
    figures = {
        "database": url.split(":")[0].split("+")[0], "phones": phones, "posted": phones * ideas,
        "sends": sum(phone.sends for phone in crowd), "acked": len(acked),
        "stored": len(stored), "kills": server.kills,
        "lost": sum(1 for client_id in acked if client_id not in stored_by_client),
        "acked_with_another_id": sum(1 for client_id, idea_id in acked.items()
                                     if stored_by_client.get(client_id, idea_id) != idea_id),
        "stored_twice": len(texts) - len(set(texts)),
        "refusals": {code: sum(p.errors.get(code, 0) for p in crowd)
                     for code in {c for p in crowd for c in p.errors}},
        "screen_has_all": screen.ideas.keys() == {row.id for row in stored},
        "screen_missing": len({row.id for row in stored} - screen.ideas.keys()),
        "screen_seq_current": screen.seq == seq, "screen_reconnects": screen.reconnects,
        "ack_p50_s": round(ack_times[len(ack_times) // 2], 3) if ack_times else None,
        "ack_max_s": round(ack_times[-1], 3) if ack_times else None,
        "seconds": round(took, 1),
        "tracebacks": log.count("Traceback"),
    }
    return figures


# --- Votes: 50 parallel dots against a budget; dots racing the close -------------------------

def _dots_round(url: str, room: Room, budget: int, cap: int) -> tuple[int, list[int]]:
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        themes = [clusters.create_cluster(session, room.workshop_id, room.owner_id,
                                          room.board_ids[0], f"Thema {n}").id for n in range(4)]
        round_ = voting.open_round(session, room.workshop_id, voting.RoundSpec(
            kind="dots", target_kind="cluster", board_ids=[room.board_ids[0]],
            dots_per_person=budget, max_per_item=cap))
        round_id = round_.id
    engine.dispose()
    return round_id, themes


def _stored_votes(url: str, round_id: int) -> list:
    engine = make_engine(url)
    with Session(engine) as session:
        rows = session.execute(select(Vote.participant_id, Vote.target_id, Vote.created_at)
                               .where(Vote.round_id == round_id)).all()
    engine.dispose()
    return rows


def vote_race(server: Server, url: str, room: Room, dots: int = 50, connections: int = 10,
              budget: int = 5, cap: int = 3) -> dict:
    """One phone sends `dots` dots at once over `connections` sockets; counts what was stored."""
    round_id, themes = _dots_round(url, room, budget, cap)
    auth = {"role": "participant", "code": room.join_code}
    sockets = [connect(server.url, auth, room.cookies[0]) for _ in range(connections)]
    assert all(sockets), "could not connect"
    barrier = threading.Barrier(dots)
    answers: list = []

    def send(n: int) -> None:
        barrier.wait()
        answers.append(call(sockets[n % connections], "place_dot", {
            "round_id": round_id, "target_id": themes[n % len(themes)],
            "client_id": uuid.uuid4().hex}, timeout=30))

    threads = [threading.Thread(target=send, args=(n,)) for n in range(dots)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for client in sockets:
        close_quietly(client)
    stored = _stored_votes(url, round_id)
    per_item = {}
    for row in stored:
        per_item[row.target_id] = per_item.get(row.target_id, 0) + 1
    return {"stored": len(stored), "counted": sum(1 for a in answers if a and a.get("ok")),
            "unanswered": sum(1 for a in answers if not a), "max_per_item": max(
                per_item.values(), default=0)}


def close_race(server: Server, url: str, room: Room, staff_cookie: str, phones: int = 10,
               console_server=None, late=lambda round_id: 0) -> dict:
    """Phones send dots while the facilitator closes the round (through `console_server`, a
    second process on the same PostgreSQL database, if given): every dot counted was stored
    before the close answered, no dot is stored after it, and every refusal says closed."""
    round_id, themes = _dots_round(url, room, 50, 50)
    sockets = [connect(server.url, {"role": "participant", "code": room.join_code},
                       room.cookies[n]) for n in range(phones)]
    console = connect((console_server or server).url, {"role": "staff", "code": room.join_code},
                      staff_cookie)
    assert all(sockets) and console, "could not connect"
    stop = threading.Event()
    answers: list = []

    def keep_voting(n: int) -> None:
        while not stop.is_set():
            answer = call(sockets[n], "place_dot", {
                "round_id": round_id, "target_id": themes[n % len(themes)],
                "client_id": uuid.uuid4().hex}, timeout=30)
            answers.append(answer)
            if answer and not answer.get("ok"):
                return

    threads = [threading.Thread(target=keep_voting, args=(n,)) for n in range(phones)]
    for thread in threads:
        thread.start()
    time.sleep(random.uniform(0.05, 0.3))
    closed = call(console, "update_round", {"round_id": round_id,
                                            "settings": {"state": "closed"}}, timeout=30)
    after_close = len(_stored_votes(url, round_id))
    stop.set()
    for thread in threads:
        thread.join(60)
    for client in (*sockets, console):
        close_quietly(client)
    stored = len(_stored_votes(url, round_id))
    counted = sum(1 for a in answers if a and a.get("ok"))
    refusals = {a.get("error") for a in answers if a and not a.get("ok")}
    return {"closed": bool(closed and closed.get("ok")), "stored_at_close": after_close,
            "stored_later": stored - after_close + late(round_id), "counted": counted, "stored": stored,
            "refusals": sorted(refusals), "unanswered": sum(1 for a in answers if not a)}


LATE_VOTE_PROBE = """
CREATE TABLE IF NOT EXISTS late_votes (vote_id integer, round_id integer);
CREATE OR REPLACE FUNCTION note_late_vote() RETURNS trigger AS $$
BEGIN
    IF (SELECT state FROM vote_rounds WHERE id = NEW.round_id) <> 'open' THEN
        INSERT INTO late_votes VALUES (NEW.id, NEW.round_id);
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS late_vote_probe ON votes;
CREATE CONSTRAINT TRIGGER late_vote_probe AFTER INSERT ON votes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION note_late_vote();
"""


@contextmanager
def late_vote_probe(url: str):
    """PostgreSQL: note every dot whose transaction commits while its round is already closed
    (a deferred trigger runs at commit and sees the close once that committed). Counting rows
    after the close's answer misses dots that commit a few milliseconds after the close."""
    if not url.startswith("postgresql"):
        yield lambda round_id: 0
        return
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(LATE_VOTE_PROBE)

    def late(round_id: int) -> int:
        with engine.connect() as connection:
            return connection.exec_driver_sql(
                f"SELECT count(*) FROM late_votes WHERE round_id = {int(round_id)}").scalar()
    try:
        yield late
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS late_vote_probe ON votes; "
                                       "DROP TABLE IF EXISTS late_votes")
        engine.dispose()


def staff_cookie(server: Server, url: str, room: Room) -> str:
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        owner = session.get(Facilitator, room.owner_id)
        secret = facilitators.new_sign_in_link(session, owner)
    engine.dispose()
    http = requests.Session()
    # The link's page shows a button; its form posts the CSRF token (links are not used up by
    # a GET, so chat apps' previews cannot spend them).
    page = http.get(f"{server.url}/console/sign-in/{secret}", timeout=10)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    http.post(f"{server.url}/console/sign-in/{secret}", data={"csrf_token": token},
              allow_redirects=False, timeout=10)
    return "; ".join(f"{name}={value}" for name, value in http.cookies.items())


def votes_run(server, url: str, trials: int, mode: str = "votes",
              secret_key: str = SECRET_KEY, console_server=None) -> dict:
    """`trials` vote races (`votes`) or close races (`close`) on a running server; figures."""
    room = prepare(url, 10, boards=1, secret_key=secret_key)
    cookie = staff_cookie(console_server or server, url, room) if mode == "close" else ""
    with late_vote_probe(url) as late:
        results = [vote_race(server, url, room) if mode == "votes"
                   else close_race(server, url, room, cookie, console_server=console_server,
                                   late=late)
                   for _ in range(trials)]
    kind = url.split(":")[0].split("+")[0]
    if mode == "votes":
        figures = {"database": kind, "trials": trials, "dots_per_trial": 50, "budget": 5,
                   "cap": 3, "held": sum(1 for r in results if r["stored"] == 5
                                         and r["counted"] == 5 and r["max_per_item"] <= 3),
                   "stored": sorted({r["stored"] for r in results}),
                   "unanswered": sum(r["unanswered"] for r in results)}
    else:
        figures = {"database": kind, "trials": trials,
                   "held": sum(1 for r in results if r["closed"] and r["stored_later"] == 0
                               and r["counted"] == r["stored"]),
                   "dots_counted": sum(r["counted"] for r in results),
                   "stored_after_close": sum(r["stored_later"] for r in results),
                   "refusals": sorted({e for r in results for e in r["refusals"]}),
                   "unanswered": sum(r["unanswered"] for r in results)}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=("kill", "votes", "close"))
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--phones", type=int, default=20)
    parser.add_argument("--ideas", type=int, default=50, help="per phone")
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--port", type=int, default=5200)
    parser.add_argument("--seed", type=int)
    args = parser.parse_args()
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix="faults-") as folder, \
                database(kind, Path(folder)) as url:
            if args.mode == "kill":
                figures = kill_run(url, Path(folder), args.port, args.phones, args.ideas,
                                   args.kills, args.seed)
            else:
                server = Server(url, args.port, Path(folder))
                server.start()
                # On PostgreSQL the facilitator closes through a second server process, as
                # with several processes behind a proxy: there the close and votes really race.
                second = None
                if args.mode == "close" and kind == "postgresql":
                    (Path(folder) / "second").mkdir()
                    second = Server(url, args.port + 1, Path(folder) / "second")
                    second.start()
                try:
                    figures = votes_run(server, url, args.trials, args.mode,
                                        console_server=second)
                finally:
                    server.stop()
                    if second:
                        second.stop()
        print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main()
