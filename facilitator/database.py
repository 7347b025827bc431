"""Engine, sessions and migrations: the same code for the embedded SQLite file and PostgreSQL."""
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# An execution option (PostgreSQL): SQL to send in the same flush as the statement, before and
# after it, as ([(sql, params)], [(sql, params)]). See `_send_in_one_flush`.
IN_ONE_FLUSH = "facilitator_in_one_flush"


def make_engine(url: str, foreign_keys: bool = True) -> Engine:
    # Many greenlets share the pool; a burst of posts should queue briefly, not time out. Past
    # a few seconds the wait is answered "busy" (sockets.py) and the phone sends again later,
    # instead of piling up behind the pool until its own 10 s timeout.
    pool = {"pool_size": 10, "max_overflow": 30, "pool_timeout": 5}
    if not url.startswith("sqlite"):
        engine = create_engine(url, pool_pre_ping=True, **pool)
        event.listen(engine, "do_execute", _send_in_one_flush)
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


def _send_in_one_flush(cursor, statement, parameters, context):
    """Send a statement with the SQL around it (`IN_ONE_FLUSH`) in one flush, psycopg's
    pipeline mode, and wait once for all their answers. A workshop's change sends its row lock,
    its write and COMMIT this way: the lock is held for the database's own work, not for round
    trips to a server process that, busy, answers each of them late while every other write of
    the workshop waits (bench/realtime.py --db: the queue on the lock was PostgreSQL's p99).
    An error in any of them aborts the rest (the transaction then rolls back) and is raised
    here. Other statements go as usual (returns None)."""
    around = context.execution_options.get(IN_ONE_FLUSH)
    if around is None:
        return None
    before, after = around
    connection = cursor.connection
    with connection.pipeline():
        for sql, params in before:
            connection.execute(sql, params)
        cursor.execute(statement, parameters)
        for sql, params in after:
            connection.execute(sql, params)
    return True


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
