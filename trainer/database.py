"""Connection settings: SQLite in WAL mode with a busy timeout and BEGIN IMMEDIATE for writes."""
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

# GET requests never change state, so they open plain (deferred) transactions and can read while
# another connection writes. Everything else (POST requests, CLI commands, jobs) begins with
# BEGIN IMMEDIATE: it takes the write lock at the start and waits for it (busy timeout), instead
# of reading first and then failing with "database is locked" when it tries to write.
read_only: ContextVar[bool] = ContextVar("read_only", default=False)

BUSY_TIMEOUT_MS = 5000


def configure_engine(engine: Engine) -> None:
    """Install the SQLite connection pragmas and transaction mode on ``engine``."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy emit BEGIN itself; pysqlite's own transaction handling would defer it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN" if read_only.get() else "BEGIN IMMEDIATE")
