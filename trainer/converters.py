"""URL converters: an ``<int:...>`` part beyond what an id column can hold is a 404, not a 500."""
from flask import Flask
from werkzeug.routing import IntegerConverter

# The largest value of an INTEGER id column on PostgreSQL (SQLite's are wider): a larger number
# in a URL names nothing, and handing it to the database would be a numeric-overflow error.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """Werkzeug's ``int`` converter, with ``max`` defaulting to ``MAX_ID``."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    """Make ``int`` mean ``IdConverter`` for every route (call before blueprints register)."""
    app.url_map.converters["int"] = IdConverter
