"""The schema: migrations match the models, constraints hold, SQLite runs in WAL with write locks."""
import sqlite3
import threading
import time
from datetime import date

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from tests.factories import make_member, make_programme
from trainer import database
from trainer.extensions import db
from trainer.models import ModuleRating, RatingWave


def test_migrations_build_exactly_the_models_schema(app):
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert diff == []


def test_one_rating_per_participant_wave_and_module(app, modules):
    programme = make_programme()
    member = make_member(programme)
    wave = RatingWave(programme=programme, label="One week", offset_days=7, window_days=14)
    db.session.add(wave)
    module = modules["mindfulness"]
    db.session.add(ModuleRating(wave=wave, membership=member, module=module, usefulness=4))
    db.session.commit()
    db.session.add(ModuleRating(wave=wave, membership=member, module=module, usefulness=5))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_rating_is_either_a_score_or_did_not_attend(app, modules):
    programme = make_programme()
    member = make_member(programme)
    wave = RatingWave(programme=programme, label="One week", offset_days=7, window_days=14)
    db.session.add_all([wave, ModuleRating(wave=wave, membership=member,
                                           module=modules["mindfulness"], usefulness=9)])
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_programme_end_cannot_precede_start(app):
    with pytest.raises(IntegrityError):
        make_programme(start=date(2026, 9, 1), end=date(2026, 8, 1))
    db.session.rollback()


def _sqlite_engine(path):
    engine = create_engine(f"sqlite:///{path}")
    database.configure_engine(engine)
    return engine


def test_sqlite_connections_use_wal_busy_timeout_and_foreign_keys(tmp_path):
    engine = _sqlite_engine(tmp_path / "x.db")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == database.BUSY_TIMEOUT_MS
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_write_transactions_wait_for_the_lock_instead_of_failing(tmp_path):
    """A second writer blocks at BEGIN IMMEDIATE until the first commits, then succeeds."""
    engine = _sqlite_engine(tmp_path / "x.db")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    first = engine.connect()
    first.begin()
    first.execute(text("SELECT n FROM counter")).scalar()
    # The first transaction already holds the write lock, though it has only read so far.
    raw = sqlite3.connect(tmp_path / "x.db", timeout=0)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        raw.execute("BEGIN IMMEDIATE")
    raw.close()
    done = []

    def second_writer():
        with engine.begin() as conn:
            n = conn.execute(text("SELECT n FROM counter")).scalar()
            conn.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
        done.append(True)

    thread = threading.Thread(target=second_writer)
    thread.start()
    time.sleep(0.3)
    assert not done, "the second writer should be waiting for the lock"
    first.execute(text("UPDATE counter SET n = n + 10"))
    first.commit()
    first.close()
    thread.join(timeout=5)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar() == 11


def test_read_only_transactions_do_not_take_the_write_lock(tmp_path):
    engine = _sqlite_engine(tmp_path / "x.db")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    token = database.read_only.set(True)
    try:
        reader = engine.connect()
        reader.begin()
        reader.execute(text("SELECT count(*) FROM t")).scalar()
    finally:
        database.read_only.reset(token)
    with engine.begin() as writer:
        writer.execute(text("INSERT INTO t VALUES (1)"))
    reader.close()


def test_the_connection_that_ran_the_migrations_enforces_foreign_keys_afterwards(tmp_path):
    from flask_migrate import upgrade

    from trainer import create_app

    # One pooled connection: the one that ran the migrations serves what comes next.
    migrated = create_app({"TESTING": True, "SECRET_KEY": "x",
                           "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
                           "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 1, "max_overflow": 0}})
    with migrated.app_context():
        upgrade()
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.session.remove()
