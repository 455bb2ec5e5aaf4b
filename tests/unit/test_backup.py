"""Online backups of the SQLite database."""
import sqlite3
from datetime import datetime, timezone

import pytest

from trainer.errors import RuleViolation
from trainer.services.system import backup

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=timezone.utc)


def _database(path):
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (n INTEGER)")
    conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(100)])
    conn.commit()
    return conn


def test_backup_copies_committed_rows_even_those_still_in_the_wal(tmp_path):
    source = tmp_path / "live.sqlite3"
    writer = _database(source)  # left open: its rows may sit in the -wal file, not the main file
    written = backup.backup_sqlite(f"sqlite:///{source}", tmp_path, now=NOW)
    assert written.name == "trainer-20261122T093000Z.sqlite3"
    copy = sqlite3.connect(written)
    assert copy.execute("SELECT count(*), sum(n) FROM t").fetchone() == (100, 4950)
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()
    writer.close()


def test_backup_never_overwrites_and_refuses_postgresql(tmp_path):
    source = tmp_path / "live.sqlite3"
    _database(source).close()
    target = tmp_path / "copy.sqlite3"
    backup.backup_sqlite(f"sqlite:///{source}", target, now=NOW)
    with pytest.raises(RuleViolation, match="already exists"):
        backup.backup_sqlite(f"sqlite:///{source}", target, now=NOW)
    with pytest.raises(RuleViolation, match="pg_dump"):
        backup.backup_sqlite("postgresql+psycopg://postgres@127.0.0.1/x", tmp_path, now=NOW)


def test_backup_command_writes_a_copy_of_the_apps_database(app, runner, tmp_path, monkeypatch):
    source = tmp_path / "live.sqlite3"
    _database(source).close()
    monkeypatch.setitem(app.config, "SQLALCHEMY_DATABASE_URI", f"sqlite:///{source}")
    result = runner.invoke(args=["backup", str(tmp_path / "nightly.sqlite3")])
    assert result.exit_code == 0, result.output
    assert "Backed up to" in result.output and (tmp_path / "nightly.sqlite3").exists()
