"""Counted nouns spelled right: "1 activity", "2 activities"; one helper for Python and Jinja."""
from flask import Flask


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the noun that agrees with it: ``plural(1, "activity", "activities")`` is "1 activity".

    ``many`` defaults to ``one`` + "s". Thousands are separated by commas: "10,001 accounts".
    """
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def init_app(app: Flask) -> None:
    """Register the ``plural`` template filter: ``{{ n|plural("activity", "activities") }}``."""
    app.add_template_filter(plural)
