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


class WriteInReadOnlyRequest(RuntimeError):
    """A GET (or HEAD, OPTIONS) request tried to change the database: a programming error."""


def configure_engine(engine: Engine) -> None:
    """Refuse writes in read-only requests; on PostgreSQL, run read-only requests without a
    transaction; on SQLite, install the connection pragmas and transaction mode."""

    @event.listens_for(engine, "before_cursor_execute")
    def _refuse_writes(_connection, _cursor, statement, _parameters, context, _executemany):
        # GETs never change state (security._transaction_mode decides which requests are
        # read-only): the rule is enforced here, so nothing below can rely on a rollback.
        if read_only.get() and context is not None and (context.isinsert or context.isupdate
                                                         or context.isdelete):
            raise WriteInReadOnlyRequest(f"A read-only request tried to write: {statement[:80]}")

    if engine.dialect.name == "postgresql":
        _read_only_without_transaction(engine)
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


def _read_only_without_transaction(engine: Engine) -> None:
    """A read-only request's connection runs in autocommit: no BEGIN and ROLLBACK round trips,
    and psycopg keeps its prepared statements (a ROLLBACK discards them). Under READ COMMITTED
    each statement sees its own snapshot either way, so what a page reads is unchanged; and as
    such a request cannot write (``_refuse_writes``), there is nothing to roll back. The
    connection goes back to the pool in transaction mode."""

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, record, _proxy):
        if read_only.get():
            dbapi_connection.autocommit = True
            record.info["autocommit"] = True

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection, record):
        if record.info.pop("autocommit", False) and dbapi_connection is not None:
            dbapi_connection.autocommit = False
