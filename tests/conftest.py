"""Fixtures shared by the whole suite: real databases, real server processes, real clients.

Databases
    `database_url`  an empty database at the newest schema, once on a SQLite file and once on
                    PostgreSQL (skipped, with the reason, when PostgreSQL is not reachable;
                    failed instead when CI=true). The
                    schema comes from the Alembic migrations, run once per test run: SQLite
                    tests get a copy of the migrated file, PostgreSQL tests a schema of this
                    run's own, emptied before each test.
    `session`       a SQLAlchemy session on that database, as the app configures it; what the
                    domain announces after each commit lands in `announced`.
    `make`          a `Factory` on `session`: facilitators, workshops, phones and ideas made
                    through the domain API, never by raw inserts.

HTTP (Flask test client, SQLite file)
    `app`, `client`, `app_make`. CSRF protection is off unless the test is marked
    `@pytest.mark.csrf` (the tests about CSRF).

A real server (`run.py serve` in a subprocess, gevent, SQLite file)
    `live_server`   module-scoped `LiveServer`: `.url`, `.database_url`, `.restart()`, data in
                    the same database (`.factory()`, `.session()`), facilitator sign-in and
                    participant cookies for `requests` and Socket.IO clients (`.socket(...)`).
    `live_make`     a `Factory` on the live server's database, closed after the test.

PostgreSQL and Redis are found at 127.0.0.1:5432 (database `test`) and 127.0.0.1:6379; set
TEST_POSTGRES_URL or TEST_REDIS_URL to use others.
"""
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from urllib.parse import quote

import engineio
import pytest
import requests
from requests.adapters import HTTPAdapter
import socketio
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import create_engine, event, func, inspect, select
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session, selectinload

from facilitator.database import make_engine, migrate
from facilitator.domain import facilitators, ideas, participants, workshops
from facilitator.domain.workshops import BoardSpec, WorkshopSpec
from facilitator.models import Facilitator, Idea, Participant, Workshop

ROOT = Path(__file__).resolve().parent.parent
# The interpreter running the tests (`make test`: .venv/bin/python) also runs the servers.
PYTHON = sys.executable
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
SECRET_KEY = "facilitator-test-secret"
# Redis pub/sub channels are global (not per database number), and the app derives its channel
# from SECRET_KEY, the same in every test run: servers of two runs at once (pytest-xdist workers,
# or two developers' runs) would hear each other's broadcasts for workshops with the same ids.
# One channel per test process; a test that needs its own passes MESSAGE_QUEUE_CHANNEL.
MESSAGE_QUEUE_CHANNEL = f"facilitator-test-{uuid.uuid4().hex}"
# Short, so a broken server fails a test in seconds rather than hanging the suite; only a
# failing test ever waits this long.
TIMEOUT = 10

BOARD_TITLES = ("Wohnen und Nachbarschaft", "Arbeit und Ausbildung", "Sprache und Bildung")
STAKEHOLDER_GROUPS = ("Verwaltung", "Politik", "Zivilgesellschaft", "Neuzugewanderte")


def pytest_configure(config):
    config.addinivalue_line("markers", "csrf: the `app` fixture keeps CSRF protection on")
    config.addinivalue_line("markers", "ratelimit: the `app` fixture keeps rate limits on")


# Fixtures that start a browser or a server process: a test file using them takes seconds per
# test, a file of domain tests milliseconds.
SLOW_FIXTURES = {"browser", "live_server", "start_live_server", "start_module_server"}


def pytest_collection_modifyitems(items):
    """Files with browser or server tests first, the rest after them (each group in its usual
    order, a file's tests together). `make test` runs two pytest-xdist workers that each take the
    next whole file when done (--dist loadfile --no-loadscope-reorder): slow files at the end
    would leave one worker running them alone."""
    slow_files = {item.path for item in items if SLOW_FIXTURES.intersection(item.fixturenames)}
    items.sort(key=lambda item: item.path not in slow_files)


# --- Services that may be absent ----------------------------------------------------------------

# CI (.ci/run sets CI=true) must run every test: there a missing service fails the test.
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def service_absent(reason: str):
    """Skip the test on a developer's machine; fail it in CI, where nothing may be skipped."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: no test may be skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test fails the run, whichever test file skipped it."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if IN_CI and skipped and session.exitstatus == 0:
        reporter.write_line(f"CI=true: {len(skipped)} skipped test(s) fail the run "
                            "(see the skip reasons above).", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_reachability: dict[str, str | None] = {}


def postgres_missing() -> str | None:
    """None when PostgreSQL answers; otherwise why not (the reason a test is skipped)."""
    if "postgres" not in _reachability:
        try:
            engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 2})
            with engine.connect():
                pass
            engine.dispose()
            _reachability["postgres"] = None
        except Exception as error:  # noqa: BLE001 - any failure means "not here"
            _reachability["postgres"] = (
                f"PostgreSQL not reachable at {POSTGRES_URL}: {type(error).__name__}")
    return _reachability["postgres"]


def redis_missing() -> str | None:
    if "redis" not in _reachability:
        try:
            import redis
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
            _reachability["redis"] = None
        except Exception as error:  # noqa: BLE001
            _reachability["redis"] = f"Redis not reachable at {REDIS_URL}: {type(error).__name__}"
    return _reachability["redis"]


@contextmanager
def postgres_schema(migrated: bool = True):
    """A PostgreSQL schema of its own (so concurrent runs never meet), migrated unless told
    otherwise; yields its URL, drops the schema afterwards."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {name}")
    url = f"{POSTGRES_URL}?options={quote(f'-csearch_path={name}')}"
    try:
        if migrated:
            migrate(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        admin.dispose()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


# --- Databases and domain sessions ------------------------------------------------------------

@pytest.fixture(scope="session")
def _migrated_sqlite(tmp_path_factory) -> Path:
    """A SQLite file brought to the newest schema by the Alembic migrations, once per run."""
    path = tmp_path_factory.mktemp("migrated") / "template.db"
    migrate(sqlite_url(path))
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="session")
def _migrated_postgres():
    """A PostgreSQL schema migrated once per run; (url, its tables) or (None, why it is absent)."""
    reason = postgres_missing()
    if reason:
        yield None, reason
        return
    with postgres_schema() as url:
        engine = create_engine(url)
        with engine.connect() as connection:
            tables = [name for name in inspect(connection).get_table_names()
                      if name != "alembic_version"]
        yield url, (engine, tables)
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """An empty database at the newest schema (made by the Alembic migrations): a SQLite file of
    its own, then a PostgreSQL schema emptied before the test (skipped, or failed in CI, when
    PostgreSQL is not reachable)."""
    if request.param == "sqlite":
        path = tmp_path / "facilitator.db"
        shutil.copyfile(request.getfixturevalue("_migrated_sqlite"), path)
        return sqlite_url(path)
    url, detail = request.getfixturevalue("_migrated_postgres")
    if url is None:
        service_absent(detail)
    engine, tables = detail
    try:
        with engine.begin() as connection:
            # DELETE, not TRUNCATE: a tenth of the time for these few rows. Every table is
            # emptied, so foreign keys need no checking meanwhile (this needs a superuser).
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            for table in tables:
                connection.exec_driver_sql(f'DELETE FROM "{table}"')
    except ProgrammingError:
        with engine.begin() as connection:
            connection.exec_driver_sql(
                f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    return url


@pytest.fixture
def empty_postgres_url():
    """An empty PostgreSQL schema (no tables yet); skipped (failed in CI) when unreachable."""
    reason = postgres_missing()
    if reason:
        service_absent(reason)
    with postgres_schema(migrated=False) as url:
        yield url


@pytest.fixture
def redis_url():
    """A Redis URL for MESSAGE_QUEUE; skipped (failed in CI) when Redis is unreachable."""
    reason = redis_missing()
    if reason:
        service_absent(reason)
    return f"{REDIS_URL}/{uuid.uuid4().int % 16}"


@pytest.fixture
def announced():
    """Changes the domain announced after committing them, in order."""
    return []


@pytest.fixture
def session(database_url, announced, tmp_path):
    """A session configured like the app's (objects stay readable after commit; the upload
    folder passed in, as the app does)."""
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False, info={
            "announcer": announced.append, "upload_path": str(tmp_path / "uploads")}) as s:
        yield s
    engine.dispose()


def new_client_id() -> str:
    """What a phone makes for each idea before sending it."""
    return uuid.uuid4().hex


# Set while a Factory writes: on an engine made by `_engine_beside_a_server` its transactions
# then begin IMMEDIATE (wait for the write lock) instead of DEFERRED.
_writing: ContextVar[bool] = ContextVar("writing", default=False)


class Factory:
    """Builds data through the domain API on one session, and reads the database back fresh.

    Every method first commits whatever the session holds (as the next commit of any caller
    would, so a domain function that refused but left changes pending is caught by the test) and
    ends its own transaction, so a server process writing the same SQLite file is never blocked.
    Objects it returns have their columns and the relationships tests use loaded; they are never
    expired behind the test's back."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._serial = 0

    @contextmanager
    def _write(self):
        self.session.commit()
        token = _writing.set(True)
        try:
            yield
            self.session.commit()
        finally:
            _writing.reset(token)

    def run(self, function, *args, **kwargs):
        """Call a domain function (`function(session, *args)`) as one write of its own."""
        with self._write():
            return function(self.session, *args, **kwargs)

    def facilitator(self, name: str | None = None) -> Facilitator:
        return self.run(facilitators.create_facilitator,
                        name or f"Moderator {uuid.uuid4().hex[:8]}")

    def workshop(self, owner: Facilitator | None = None, boards=BOARD_TITLES, *,
                 title: str = "Integrationskonzept: Auftaktworkshop",
                 stakeholder_groups=STAKEHOLDER_GROUPS, **details) -> Workshop:
        """A workshop run by `owner` (a new facilitator if None); `boards` are titles or
        BoardSpecs. Its boards and stakeholder groups are loaded, ready to read."""
        owner = owner or self.facilitator()
        specs = tuple(board if isinstance(board, BoardSpec)
                      else BoardSpec(board, question=f"Was brauchen wir für „{board}“?")
                      for board in boards)
        with self._write():
            workshop = workshops.create_workshop(self.session, owner.id, WorkshopSpec(
                title=title, stakeholder_groups=tuple(stakeholder_groups), boards=specs,
                **details))
            workshop.boards, workshop.stakeholder_groups  # noqa: B018 - load them now
        return workshop

    def participant(self, workshop: Workshop, display_name: str | None = None,
                    stakeholder_group_id: int | None = None) -> tuple[Participant, str]:
        """A phone that joined: the participant and the secret token its cookie carries."""
        return self.run(participants.join, workshop, display_name, stakeholder_group_id)

    def idea(self, participant: Participant, board, text: str | None = None,
             client_id: str | None = None) -> Idea:
        self._serial += 1
        text = text or f"Idee {self._serial}: mehr Sprachkurse am Abend"
        board_id = board if isinstance(board, int) else board.id
        with self._write():
            posted = ideas.post_idea(self.session, participant, board_id,
                                     client_id or new_client_id(), text).idea
            # The domain answers a new card without the ORM (ideas.NewIdea); tests get the row.
            idea = self.session.get(Idea, posted.id)
            idea.board, idea.participant  # noqa: B018
        return idea

    def sign_in_secret(self, facilitator: Facilitator) -> str:
        return self.run(facilitators.new_sign_in_link, facilitator)

    def add_facilitator(self, workshop: Workshop, facilitator: Facilitator) -> None:
        self.run(workshops.add_facilitator, workshop.id, facilitator.id)

    def count(self, model, **where) -> int:
        """Rows of `model` matching column=value pairs, as committed now."""
        self.session.commit()
        query = select(func.count()).select_from(model).where(
            *(getattr(model, column) == value for column, value in where.items()))
        with Session(self.session.get_bind()) as reader:
            return reader.scalar(query)

    def fresh(self, model, ident):
        """The row as committed now, read by a session of its own (relationships loaded)."""
        self.session.commit()
        with Session(self.session.get_bind(), expire_on_commit=False) as reader:
            return reader.get(model, ident, options=[selectinload("*")])

    def seq(self, workshop_id: int) -> int:
        """The workshop's last sequence number, as committed now."""
        return self.fresh(Workshop, workshop_id).seq

    def close(self) -> None:
        self.session.close()


@pytest.fixture
def make(session):
    return Factory(session)


# --- The Flask app and its test client (HTTP) ---------------------------------------------------

@pytest.fixture
def app(request, tmp_path, monkeypatch):
    """The app on a migrated SQLite file of its own. CSRF protection is off unless the test is
    marked `csrf`; rate limits are off unless it is marked `ratelimit`."""
    from facilitator import create_app
    from facilitator.extensions import db

    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("SECRET_KEY", SECRET_KEY)
    for name in ("DATABASE_URL", "PUBLIC_URL", "MESSAGE_QUEUE", "HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "facilitator.db"
    shutil.copyfile(request.getfixturevalue("_migrated_sqlite"), path)
    url = sqlite_url(path)
    app = create_app({
        "TESTING": True,
        "DATABASE_URL": url,
        "PUBLIC_URL": "http://192.0.2.10:5000",
        # This process is not monkey-patched by gevent; nothing here listens for sockets.
        "ASYNC_MODE": "threading",
        "RATELIMIT_ENABLED": request.node.get_closest_marker("ratelimit") is not None,
        "WTF_CSRF_ENABLED": request.node.get_closest_marker("csrf") is not None,
    })
    yield app
    db.session.remove()
    db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def app_make(app):
    """A Factory on the app's database (its own session, not the one requests use)."""
    from facilitator.extensions import db
    # The domain reads no configuration: the upload folder is passed in, as the app does.
    factory = Factory(Session(db.engine, expire_on_commit=False, info={
        "announcer": None, "upload_path": app.config["UPLOAD_PATH"]}))
    yield factory
    factory.close()


@pytest.fixture
def socket_phone(app):
    """Makes a phone's Socket.IO test client at a board (the first by default), with the
    session cookie the join page gives it: socket_phone(workshop, token) -> (phone, http)."""
    from facilitator.extensions import socketio as app_socketio

    def connect(workshop, token: str, board_id: int | None = None):
        http = app.test_client()
        with http.session_transaction() as session:
            session["participants"] = {str(workshop.id): token}
        phone = app_socketio.test_client(app, flask_test_client=http, auth={
            "role": "participant", "code": workshop.join_code,
            "board_id": workshop.boards[0].id if board_id is None else board_id})
        return phone, http
    return connect


# --- A real server process ----------------------------------------------------------------------

class FromAddress(HTTPAdapter):
    """Requests that leave from another loopback address (127.0.0.x): each its own "venue"."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


@pytest.fixture
def venue():
    """venue("127.0.0.5"): a `requests` session whose requests come from that address."""
    def from_address(address: str) -> requests.Session:
        http = requests.Session()
        http.mount("http://", FromAddress(address))
        return http
    return from_address


@pytest.fixture
def faults_bench():
    """bench/faults.py, the harness the benchmark runs (one copy of the fault logic)."""
    import importlib.util
    if "faults_bench" not in sys.modules:
        spec = importlib.util.spec_from_file_location("faults_bench", ROOT / "bench" / "faults.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["faults_bench"] = module
        spec.loader.exec_module(module)
    return sys.modules["faults_bench"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cookie_header(http: requests.Session) -> str:
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in http.cookies)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


class _PromptlyClosingEngineIO(engineio.Client):
    def _connect_websocket(self, *args, **kwargs):
        connected = super()._connect_websocket(*args, **kwargs)
        ws = getattr(self, "ws", None)
        if connected and ws is not None:
            # websocket-client waits up to 3 s for the server's close frame, which this client's
            # own reader thread has usually consumed already. The server has its close packet by
            # then, so the wait only slows every disconnect (and refused connect) down.
            close = ws.close
            ws.close = lambda *args, **kwargs: close(timeout=0)
        return connected


class _Client(socketio.Client):
    def _engineio_client_class(self):
        return _PromptlyClosingEngineIO


class SocketClient:
    """A real python-socketio client that records every event it receives.

    `call(event, data)` returns the server's ack; `wait_for(event, where)` waits until a received
    event matches; `events(name)` lists the payloads received so far."""

    def __init__(self, url: str, auth: dict, cookie: str = "", language: str = "en",
                 transports=("websocket",), reconnection: bool = False) -> None:
        self.url, self.auth = url, auth
        self.headers = {"Accept-Language": language}
        if cookie:
            self.headers["Cookie"] = cookie
        self.transports = list(transports)
        self.sio = _Client(reconnection=reconnection, reconnection_delay=0.2,
                           reconnection_delay_max=0.5, randomization_factor=0)
        self.received: list[tuple[str, object]] = []
        self.connects = 0
        self._changed = threading.Condition()
        self.refusal = None
        self.sio.on("*", self._record)
        self.sio.on("connect", self._connected)
        self.sio.on("connect_error", self._refused)

    def _record(self, event, data=None):
        with self._changed:
            self.received.append((event, data))
            self._changed.notify_all()

    def _refused(self, data=None):
        self.refusal = data.get("message") if isinstance(data, dict) else data

    def _connected(self):
        with self._changed:
            self.connects += 1
            self._changed.notify_all()

    def connect(self) -> "SocketClient":
        self.sio.connect(self.url, headers=self.headers, auth=self.auth,
                         transports=self.transports, wait_timeout=TIMEOUT)
        return self

    def call(self, event: str, data=None, timeout: float = TIMEOUT):
        return self.sio.call(event, data, timeout=timeout)

    def events(self, name: str) -> list:
        with self._changed:
            return [data for event, data in self.received if event == name]

    def wait_for(self, name: str, where=lambda data: True, timeout: float = TIMEOUT):
        """The first payload of `name` received (or arriving within `timeout`) that matches."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for event, data in self.received:
                    if event == name and where(data):
                        return data
                left = deadline - time.monotonic()
                if left <= 0:
                    got = [event for event, _ in self.received]
                    raise AssertionError(f"no matching {name!r} within {timeout}s; got {got}")
                self._changed.wait(left)

    def wait_connected(self, connects: int, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.connects < connects:
                left = deadline - time.monotonic()
                assert left > 0, "the client did not reconnect"
                self._changed.wait(left)

    def clear(self) -> None:
        with self._changed:
            self.received.clear()

    def disconnect(self) -> None:
        """Leave the way a closing page does: tell the server, then close the socket."""
        if self.sio.connected:
            self.sio.disconnect()
        # A client that is still trying to reconnect stops here.
        self.sio.reconnection = False


class LiveServer:
    """`python run.py serve` on a free port, a database of its own and a log file."""

    def __init__(self, directory: Path, database_url: str | None = None,
                 env: dict | None = None) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url or sqlite_url(directory / "facilitator.db")
        self.log_path = directory / f"server-{self.port}.log"
        self.env = {key: value for key, value in os.environ.items()
                    if key not in ("DATABASE_URL", "MESSAGE_QUEUE", "PUBLIC_URL", "HOST", "PORT")}
        self.env.update({
            "DATABASE_URL": self.database_url,
            "INSTANCE_PATH": str(directory / "instance"),
            "SECRET_KEY": SECRET_KEY,
            "PUBLIC_URL": self.url,
            "RATELIMIT_ENABLED": "0",
            "PYTHONUNBUFFERED": "1",
            "MESSAGE_QUEUE_CHANNEL": MESSAGE_QUEUE_CHANNEL,
            **(env or {}),
        })
        self.process: subprocess.Popen | None = None
        self._engine = None
        self._clients: list[SocketClient] = []
        self._cookies = SecureCookieSessionInterface().get_signing_serializer(
            _signing_app(SECRET_KEY))

    # Process -------------------------------------------------------------------------------

    def start(self, wait: bool = True) -> "LiveServer":
        log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [str(PYTHON), "run.py", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 120) -> None:
        # Waits for the answer, not a time: the bound is only for a server that hangs. A cold
        # start took over 30 s with five test runs on two cores (the issue-13 loop, load 17).
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            # Not answering within the second yet (listening, still starting, a loaded machine):
            # ask again, as for a refused connection.
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server did not answer /healthz within {timeout}s:\n{self.log()}")

    def stop(self) -> None:
        """Stop the process at once (SIGTERM; the server keeps no state outside the database)."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def restart(self) -> None:
        """Stop, then start again on the same port and database."""
        self.stop()
        self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def close(self) -> None:
        for client in self._clients:
            try:
                client.disconnect()
            except Exception:  # noqa: BLE001 - the server may be gone already
                pass
        self.stop()
        if self._engine is not None:
            self._engine.dispose()

    # Data in the same database -------------------------------------------------------------

    def session(self) -> Session:
        """A new session on the server's database; use it in a `with` block."""
        if self._engine is None:
            self._engine = _engine_beside_a_server(self.database_url)
        return Session(self._engine, expire_on_commit=False, info={"announcer": None})

    def factory(self) -> Factory:
        """A Factory on the server's database. Its changes are stored but not broadcast: the
        server's clients hear of them on their next sync, not live."""
        return Factory(self.session())

    # Browsers and phones ----------------------------------------------------------------------

    def sign_in(self, facilitator: Facilitator) -> requests.Session:
        """A `requests` session signed in as `facilitator` through a one-time sign-in link."""
        factory = self.factory()
        secret = factory.sign_in_secret(facilitator)
        factory.close()
        http = requests.Session()
        # The link's page only shows a button (a chat app's preview must not use it up): the
        # button posts the form with its CSRF token.
        page = http.get(f"{self.url}/console/sign-in/{secret}", timeout=TIMEOUT)
        assert page.status_code == 200, page.text[:500]
        response = http.post(f"{self.url}/console/sign-in/{secret}", allow_redirects=False,
                             data={"csrf_token": csrf_token(page.text)}, timeout=TIMEOUT)
        assert response.status_code == 302 and "/console/login" not in response.headers["Location"]
        return http

    def phone_cookie(self, *tokens: tuple[Workshop, str]) -> str:
        """The session cookie a phone holds after joining these workshops (workshop, token)."""
        joined = {str(workshop.id): token for workshop, token in tokens}
        return "session=" + self._cookies.dumps({"participants": joined, "_permanent": True})

    def join(self, workshop: Workshop, board_id: int, display_name: str = "",
             stakeholder_group: str = "") -> requests.Session:
        """Join like a phone does: open the join page, submit its form with the CSRF token."""
        http = requests.Session()
        page = http.get(f"{self.url}/join/{workshop.join_code}", timeout=TIMEOUT)
        assert page.status_code == 200
        response = http.post(f"{self.url}/join/{workshop.join_code}", allow_redirects=False,
                             timeout=TIMEOUT, data={
                                 "csrf_token": csrf_token(page.text), "board": board_id,
                                 "display_name": display_name,
                                 "stakeholder_group": stakeholder_group})
        assert response.status_code == 302, response.text[:500]
        assert response.headers["Location"].endswith(
            f"/w/{workshop.join_code}/board/{board_id}")
        return http

    def socket(self, role: str, *, cookie: str | requests.Session = "", code: str | None = None,
               key: str | None = None, board_id: int | None = None, connect: bool = True,
               **options) -> SocketClient:
        """A Socket.IO client with the auth a page sends; closed when the module ends."""
        auth = {"role": role}
        for name, value in (("code", code), ("key", key), ("board_id", board_id)):
            if value is not None:
                auth[name] = value
        if isinstance(cookie, requests.Session):
            cookie = cookie_header(cookie)
        client = SocketClient(self.url, auth, cookie=cookie, **options)
        self._clients.append(client)
        return client.connect() if connect else client

    def phone(self, workshop: Workshop, token: str, board_id: int | None = None,
              **options) -> SocketClient:
        """A participant connection for the phone holding `token`."""
        return self.socket("participant", cookie=self.phone_cookie((workshop, token)),
                           code=workshop.join_code, board_id=board_id, **options)

    def screen(self, workshop: Workshop, **options) -> SocketClient:
        """The projector wall's connection (its secret key, no cookie)."""
        return self.socket("screen", key=workshop.screen_key, **options)

    def staff(self, workshop: Workshop, facilitator: Facilitator, **options) -> SocketClient:
        return self.socket("staff", cookie=self.sign_in(facilitator), code=workshop.join_code,
                           **options)


def _signing_app(secret_key: str) -> Flask:
    """Only for signing session cookies the way the server does."""
    signer = Flask("cookie-signer")
    signer.secret_key = secret_key
    return signer


def _engine_beside_a_server(url: str):
    """An engine for the test process on the database a server process also writes.

    On SQLite the app begins transactions DEFERRED, right inside one gevent process. A second
    process whose transaction reads and then writes fails at once (no busy wait) when the other
    wrote meanwhile, so Factory writes begin IMMEDIATE and wait for the lock instead. Reads stay
    deferred: an idle read transaction left open by a test must never hold the write lock."""
    if not url.startswith("sqlite"):
        return make_engine(url)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
        dbapi_connection.execute("PRAGMA busy_timeout=30000")

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writing.get() else "BEGIN")

    return engine


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """A real server for the module, on a SQLite file; stopped when the module is done."""
    server = LiveServer(tmp_path_factory.mktemp("live"))
    server.start()
    yield server
    server.close()


@pytest.fixture
def live_make(live_server):
    factory = live_server.factory()
    yield factory
    factory.close()


@pytest.fixture
def owner(live_make):
    """A facilitator on the live server. Modules with their own `owner` (HTTP tests, domain
    tests) override it; the socket test modules share this one."""
    return live_make.facilitator()


@pytest.fixture
def workshop(live_make, owner):
    """The owner's workshop on the live server (the default boards and groups)."""
    return live_make.workshop(owner)


@pytest.fixture
def start_live_server(tmp_path):
    """Extra servers for one test: `start_live_server(database_url=None, env=None, start=True,
    wait=True)`; each gets its own directory and port and is stopped after the test."""
    servers: list[LiveServer] = []

    def start(database_url: str | None = None, env: dict | None = None, start: bool = True,
              wait: bool = True) -> LiveServer:
        server = LiveServer(tmp_path / f"server{len(servers)}", database_url, env)
        servers.append(server)
        return server.start(wait=wait) if start else server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def cluster(empty_postgres_url, redis_url, start_live_server, tmp_path):
    """The README's scale-out recipe: two servers on one fresh PostgreSQL schema, joined by
    Redis; (a, b, factory)."""
    # The schema is made once, before the servers start: two processes starting on an empty
    # database would race each other creating it.
    migrated = subprocess.run(
        [sys.executable, "run.py", "migrate"], cwd=ROOT, timeout=60,
        capture_output=True, text=True,
        env={**os.environ, "DATABASE_URL": empty_postgres_url,
             "INSTANCE_PATH": str(tmp_path / "migrate"), "SECRET_KEY": "x"})
    assert migrated.returncode == 0, migrated.stderr
    assert "up to date" in migrated.stdout
    # Its own channel: other test runs may share this Redis with servers of the same secret key.
    env = {"MESSAGE_QUEUE": redis_url, "MESSAGE_QUEUE_CHANNEL": f"facilitator-test-{uuid.uuid4().hex}"}
    a = start_live_server(empty_postgres_url, env, start=False)
    b = start_live_server(empty_postgres_url, env, start=False)
    make = a.factory()
    # An account exists before the servers start, so neither creates the first one.
    make.facilitator("Moderation")
    for server in (a, b):
        server.start(wait=False)
    for server in (a, b):
        server.wait_ready()
    yield a, b, make
    make.close()


@pytest.fixture(scope="module")
def start_module_server(tmp_path_factory):
    """A test module's own server (for module-scoped fixtures: limits on, other settings):
    `start_module_server(name, env=None, database_url=None, configure=None)` starts it and
    returns it (`configure(server)` runs before the start); stopped after the module. Test
    modules use this instead of importing LiveServer from conftest, which would load conftest a
    second time as another module (its own classes and state)."""
    servers: list[LiveServer] = []

    def start(name: str, env: dict | None = None, database_url: str | None = None,
              configure=None) -> LiveServer:
        server = LiveServer(tmp_path_factory.mktemp(name), database_url, env)
        servers.append(server)
        if configure is not None:
            configure(server)
        return server.start()

    yield start
    for server in servers:
        server.close()


# --- A real browser (Debian's Chromium driven by Playwright) -------------------------------------

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# The network here is closed: without these flags Chromium keeps trying to reach Google.
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-quic", "--no-first-run"]


@pytest.fixture(scope="session")
def playwright_instance():
    # Never skipped: a suite that passes without its browser tests proves nothing.
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}. Install it with "
                    "`sudo apt-get install chromium` (or run `make test` as root, which installs "
                    "what .ci/debian-packages lists), or set CHROMIUM to its path.", pytrace=False)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
    yield browser
    browser.close()


BROWSER_EVENTS = pytest.StashKey[list]()
SLOW_REQUEST_MS = 2000


def _record_browser_events(context, events: list, name: str) -> None:
    """What a failed browser test's report shows of its pages: script errors, console errors
    and warnings, failed or refused requests, requests slower than 2 s, and every Socket.IO
    request and WebSocket (a page that never connects leaves no other trace)."""
    started = time.monotonic()

    def note(text: str) -> None:
        events.append(f"{time.monotonic() - started:7.2f} s {name}: {text}")

    def finished(request) -> None:
        timing = request.timing
        took = timing.get("responseEnd", -1)
        if "/socket.io/" in request.url or took > SLOW_REQUEST_MS:
            note(f"{request.method} {request.url[-90:]} in {took:.0f} ms")

    context.on("console", lambda message: message.type in ("error", "warning") and note(
        f"console.{message.type}: {message.text}"))
    context.on("weberror", lambda error: note(f"script error: {error.error}"))
    context.on("requestfailed", lambda request: note(
        f"failed {request.method} {request.url[-90:]}: {request.failure}"))
    context.on("response", lambda response: response.status >= 400 and note(
        f"{response.status} {response.url[-90:]}"))
    context.on("requestfinished", finished)
    context.on("page", lambda page: page.on("websocket", lambda socket: (
        note(f"websocket {socket.url[-60:]}"),
        socket.on("close", lambda _socket: note("websocket closed")))))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    events = item.stash.get(BROWSER_EVENTS, None)
    if report.failed and events:
        report.sections.append(("browser events", "\n".join(events[-200:])))
    return report


def _browser_events(request) -> list:
    return request.node.stash.setdefault(BROWSER_EVENTS, [])


@pytest.fixture
def phone(browser, playwright_instance, request):
    """A new phone-sized browser context (its own cookies and localStorage) per call."""
    contexts = []

    def open_phone(locale: str = "de-DE", **options):
        context = browser.new_context(**playwright_instance.devices["Pixel 5"], locale=locale,
                                      **options)
        contexts.append(context)
        _record_browser_events(context, _browser_events(request), f"phone {len(contexts)}")
        return context.new_page()
    yield open_phone
    for context in contexts:
        context.close()


@pytest.fixture
def desktop(browser, request):
    contexts = []

    def open_desktop(width: int = 1440, height: int = 900, **options):
        context = browser.new_context(viewport={"width": width, "height": height}, **options)
        contexts.append(context)
        _record_browser_events(context, _browser_events(request), f"desktop {len(contexts)}")
        return context.new_page()
    yield open_desktop
    for context in contexts:
        context.close()
