"""Backups of a SQLite database with SQLite's online backup API (never a file copy)."""
import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from trainer.errors import RuleViolation


def backup_sqlite(database_uri: str, destination: Path, *, now: datetime) -> Path:
    """Copy the SQLite database at ``database_uri`` into ``destination`` while the app runs.

    ``destination`` may be a folder (a timestamped file is made in it) or a file path that does
    not exist yet. The online backup API copies a consistent snapshot even while other
    connections write, which a file copy of a WAL database does not. Returns the file written.
    """
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise RuleViolation("Online backup is for SQLite databases; back up PostgreSQL with pg_dump.")
    if destination.is_dir():
        destination = destination / f"trainer-{now.strftime('%Y%m%dT%H%M%SZ')}.sqlite3"
    if destination.exists():
        raise RuleViolation(f"{destination} already exists; choose a new file name.")
    source = sqlite3.connect(url.database)
    target = sqlite3.connect(destination)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()
    return destination
