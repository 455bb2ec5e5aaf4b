"""Words spelled right: counted nouns ("1 activity", "2 activities") and mid-sentence capitals."""
from flask import Flask


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the noun that agrees with it: ``plural(1, "activity", "activities")`` is "1 activity".

    ``many`` defaults to ``one`` + "s". Thousands are separated by commas: "10,001 accounts".
    """
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def init_app(app: Flask) -> None:
    """Register the template filters ``plural`` (``{{ n|plural("activity", "activities") }}``)
    and ``lower_first``."""
    app.add_template_filter(plural)
    app.add_template_filter(lower_first)


def lower_first(text: str) -> str:
    """``text`` to follow other words: "Not at all" -> "not at all"; "I", "SMART" stay as written."""
    first = text.split(" ", 1)[0]
    if first == "I" or first.startswith("I'") or (len(first) > 1 and first.isupper()):
        return text
    return text[:1].lower() + text[1:]
