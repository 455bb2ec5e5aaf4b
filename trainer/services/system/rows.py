"""Plain rows: statements of plain columns run on the session's connection."""
from trainer.extensions import db


def plain_rows(statement, params: dict) -> list:
    """The rows of a statement of plain columns, as Core rows: run on the session's connection,
    not through the ORM's row loading, which costs five times as much for thousands of rows and
    a good part of a millisecond even for a few (the ORM's set-up per statement). Pending changes
    are flushed first, as ``Session.execute`` would."""
    db.session.flush()
    return db.session.connection().execute(statement, params).all()
