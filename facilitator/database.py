"""Engine, sessions and migrations: the same code for the embedded SQLite file and PostgreSQL."""
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# An execution option (PostgreSQL): SQL to send in the same flush as the statement, before and
# after it, as ([(sql, params)], [(sql, params)]). See `_fewer_round_trips`.
IN_ONE_FLUSH = "facilitator_in_one_flush"
# PostgreSQL: a pooled connection unused this long is checked before it is handed out (the
# database restarted, a firewall dropped it); one used a moment ago is not: on a busy server
# checking every time was one more round trip for every socket event. A connection lost
# anyway fails its statement once, and SQLAlchemy then replaces every connection of the pool.
PING_AFTER_IDLE_SECONDS = 5.0


def make_engine(url: str, foreign_keys: bool = True) -> Engine:
    # Many greenlets share the pool; a burst of posts should queue briefly, not time out. Past
    # a few seconds the wait is answered "busy" (sockets.py) and the phone sends again later,
    # instead of piling up behind the pool until its own 10 s timeout.
    # The pool keeps 30 (opened as needed): with 10 kept and 30 more on overflow, a burst
    # opened and closed PostgreSQL connections over and over, and 500 phones' p99 swung
    # between 2x and 15x the bare server's; with 30 kept, 1.6-2.3x (bench/realtime.py --db,
    # docs/performance.md). Two processes hold at most 80 of PostgreSQL's default 100.
    # Last in, first out: the connection just handed back is handed out next, so a burst keeps
    # a few busy backends instead of cycling through all 30 (500 phones within 5 s on
    # PostgreSQL, three runs each: p99 65, 60, 51 ms instead of 69, 99, 83).
    pool = {"pool_size": 30, "max_overflow": 10, "pool_timeout": 5, "pool_use_lifo": True}
    if not url.startswith("sqlite"):
        engine = create_engine(url, **pool)
        _fewer_round_trips(engine)
        _send_without_yielding(engine)
        return engine
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **pool)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        # Take over transaction control from pysqlite, which would otherwise begin lazily and
        # commit behind SQLAlchemy's back around some statements.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # Off only while migrating: rebuilding a table must not cascade deletes into its children.
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted rows (a workshop, a withdrawn card) are overwritten, not left in free pages.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        # Deferred, not IMMEDIATE: under gevent a transaction that reads after a commit (lazy
        # loads while announcing) may span a yield; holding the write lock there would stall
        # every other greenlet in SQLite's busy wait. Writes never span a yield (no I/O inside
        # domain functions), so within one process they cannot conflict.
        connection.exec_driver_sql("BEGIN")

    return engine


def _send_without_yielding(engine: Engine) -> None:
    """Under gevent (the server), psycopg connections that send without switching greenlets
    and switch only to wait for PostgreSQL's answer (`pg_waits`): a post's flush reaches the
    database whole, so the workshop's row lock is not held while this greenlet waits its turn."""
    import sys
    monkey = sys.modules.get("gevent.monkey")
    if monkey is None or not monkey.is_module_patched("select"):
        return  # psycopg's own waiting (tests, commands) is right there

    from .pg_waits import PromptConnection

    @event.listens_for(engine, "do_connect")
    def _connect(_dialect, _record, cargs, cparams):
        return PromptConnection.connect(*cargs, **cparams)


def _fewer_round_trips(engine: Engine) -> None:
    """PostgreSQL under gevent: every round trip to the database waits for this greenlet's
    next turn, behind every other ready greenlet of a busy server; fewer of them is less CPU
    and less waiting (bench/realtime.py --db). So:

    - BEGIN goes with a transaction's first statement, not in a round trip of its own (psycopg
      sends it alone): psycopg's connections are in autocommit mode, and SQLAlchemy's begin
      only notes that the next statement must begin one.
    - A statement's `IN_ONE_FLUSH` SQL goes with it (a workshop's row lock before its one
      write and COMMIT after it: the lock every other write waits for is held for none).
    - A connection is checked before use only after sitting idle (PING_AFTER_IDLE_SECONDS).

    Statements go out together in psycopg's pipeline mode, all answers are awaited once; an
    error in one aborts the rest (the transaction is then rolled back) and is raised."""
    from psycopg.pq import TransactionStatus

    @event.listens_for(engine, "connect")
    def _connected(dbapi_connection, record):
        dbapi_connection.autocommit = True
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _handed_out(dbapi_connection, record, _proxy):
        if time.monotonic() - record.info.get("idle_since", 0) > PING_AFTER_IDLE_SECONDS:
            try:
                engine.dialect.do_ping(dbapi_connection)
            except Exception as error:  # noqa: BLE001 - any failure: a new connection
                raise exc.DisconnectionError() from error

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.info["begin"] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _ended(connection):
        connection.info["begin"] = False

    def execute(send, cursor, context) -> bool:
        """Send the statement (`send(cursor)`) with what must go with it; False: nothing to
        add, SQLAlchemy sends it as usual."""
        try:
            info = context.root_connection.info
        except NotImplementedError:  # SQLAlchemy's first look at a new database, no transaction
            return False
        before, after = context.execution_options.get(IN_ONE_FLUSH, ((), ()))
        if info.get("begin"):
            before = [("BEGIN", None), *before]
        elif not (before or after):
            return False
        connection = cursor.connection
        try:
            with connection.pipeline():
                for sql, params in before:
                    connection.execute(sql, params)
                send(cursor)
                for sql, params in after:
                    connection.execute(sql, params)
        finally:
            # Still in SQLAlchemy's transaction after a COMMIT sent along: a next statement
            # begins again (after an error the transaction waits for its rollback).
            info["begin"] = connection.info.transaction_status == TransactionStatus.IDLE
        return True

    @event.listens_for(engine, "do_execute")
    def _execute(cursor, statement, parameters, context):
        return execute(lambda c: c.execute(statement, parameters), cursor, context)

    @event.listens_for(engine, "do_execute_no_params")
    def _execute_no_params(cursor, statement, context):
        return execute(lambda c: c.execute(statement), cursor, context)

    @event.listens_for(engine, "do_executemany")
    def _executemany(cursor, statement, parameters, context):
        return execute(lambda c: c.executemany(statement, parameters), cursor, context)


def forget_deleted(session: Session, wait: bool = True) -> None:
    """After deleting personal data: SQLite's write-ahead log still holds the old pages until a
    checkpoint copies it into the file (where secure_delete has zeroed them) and truncates it.
    `wait=False` gives up at once when a reader holds the log (a later checkpoint copies it):
    waiting would stall every greenlet of the process on a busy live event."""
    engine = session.get_bind()
    if engine.dialect.name != "sqlite":
        return
    # Outside any transaction (the driver is in autocommit mode): one in progress would keep
    # the checkpoint from finishing.
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        if not wait:
            cursor.execute("PRAGMA busy_timeout=0")
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            if not wait:
                cursor.execute("PRAGMA busy_timeout=30000")
    finally:
        connection.close()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str) -> None:
    """Bring the schema up to date; run once before starting servers (not per process)."""
    command.upgrade(alembic_config(url), "head")


class Database:
    """One engine and a session per request, socket event or command."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session: scoped_session[Session] | None = None

    def init_app(self, app) -> None:
        self.engine = make_engine(app.config["DATABASE_URL"])
        self.session = scoped_session(sessionmaker(self.engine, expire_on_commit=False))
        app.teardown_appcontext(lambda _exc: self.session.remove())
