"""Read-only requests (GET, HEAD, OPTIONS) cannot write; on PostgreSQL they run without a transaction."""
import contextvars

import pytest
from sqlalchemy import func, select

from tests.factories import make_user
from trainer import database
from trainer.extensions import db
from trainer.models import User


def _read_only(function):
    """Run ``function`` as a read-only request runs: in a copy of the current context, marked read-only."""
    def run():
        database.read_only.set(True)
        return function()
    return contextvars.copy_context().run(run)


def test_a_read_only_request_that_tries_to_write_is_refused_and_nothing_is_written(app):
    make_user("kept@example.org")
    db.session.commit()
    db.session.close()

    def write():
        db.session.add(User(email="sneaked@example.org", display_name="Sneaked"))
        with pytest.raises(database.WriteInReadOnlyRequest):
            db.session.flush()
        db.session.rollback()
        # Reading still works.
        return db.session.scalar(select(func.count(User.id)))

    assert _read_only(write) == 1
    db.session.close()
    assert db.session.scalars(select(User.email)).all() == ["kept@example.org"]
    # Outside a read-only request the same write goes through.
    db.session.add(User(email="written@example.org", display_name="Written"))
    db.session.commit()
    assert db.session.scalar(select(func.count(User.id))) == 2


def test_on_postgresql_a_read_only_request_s_connection_is_in_autocommit_and_goes_back_in_transaction_mode(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite opens a deferred transaction for a read-only request instead (database.configure_engine)")
    db.session.close()

    def read():
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1").all()
            raw = connection.connection.dbapi_connection
            # No BEGIN was sent: the server holds no transaction open for the request.
            return raw.autocommit, raw.info.transaction_status.name

    assert _read_only(read) == (True, "IDLE")
    # The same pooled connection, taken by a request that writes, runs in a transaction again.
    with db.engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1").all()
        raw = connection.connection.dbapi_connection
        assert raw.autocommit is False and raw.info.transaction_status.name == "INTRANS"
