"""Questionnaires as data: validating ``trainer/instruments/*.toml``, scoring, licensed item text."""
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import bindparam, delete, func, select

from trainer.errors import NotFound
from trainer.extensions import db
from trainer.models import InstrumentItemText

INSTRUMENTS_DIR = Path(__file__).resolve().parents[2] / "instruments"
KEY_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TOP_KEYS = {"key", "title", "version", "citation", "licence", "instructions", "item_count",
            "reverse", "items", "options", "scales"}
SCALE_KEYS = {"key", "title", "items", "method", "max_missing", "higher_is", "bands", "reliability",
              "reliability_source"}
BAND_KEYS = {"label", "min", "max", "high_risk"}


class InstrumentError(Exception):
    """One or more instrument files are invalid; ``problems`` lists "file: field: what is wrong"."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Band:
    """A published score band; ``high_risk`` bands trigger the participant's safety net."""

    label: str
    low: float
    high: float
    high_risk: bool


@dataclass(frozen=True)
class Scale:
    """A total or subscale: which items, sum or mean, how many may be missing, its bands."""

    key: str
    title: str
    items: tuple[int, ...]
    method: str
    max_missing: int
    higher_is: str
    bands: tuple[Band, ...]
    # The published alpha or test-retest r that reliable change is computed from, with its
    # source; None where no value could be sourced (no reliable change is then shown).
    reliability: float | None = None
    reliability_source: str = ""


@dataclass(frozen=True)
class Instrument:
    """One questionnaire. ``items`` holds the shipped wording, or None for a licensed instrument."""

    key: str
    title: str
    version: str
    citation: str
    licence: str
    instructions: str
    item_count: int
    reverse: frozenset[int]
    items: tuple[str, ...] | None
    options: tuple[tuple[int, str], ...]
    scales: tuple[Scale, ...]
    source_file: str

    @property
    def low(self) -> int:
        return min(v for v, _ in self.options)

    @property
    def high(self) -> int:
        return max(v for v, _ in self.options)

    def scale(self, key: str) -> Scale:
        """The scale with this key; NotFound otherwise."""
        for s in self.scales:
            if s.key == key:
                return s
        raise NotFound("No such scale.")


@dataclass(frozen=True)
class ScaleScore:
    """One scale's score: None when too many items were missing; its band if published."""

    scale_key: str
    value: float | None
    answered: int
    band: str | None
    high_risk: bool


class _Checker:
    def __init__(self, filename: str):
        self.filename, self.problems = filename, []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{self.filename}: {path}: {message}")

    def text(self, data: dict, key: str, path: str = "") -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{path}{key}", "is missing" if value is None else "must be non-empty text")
            return ""
        return value.strip()

    def unknown(self, data: dict, allowed: set[str], path: str = "") -> None:
        for key in sorted(set(data) - allowed):
            self.fail(f"{path}{key}", "is not a known setting (check the spelling)")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _item_list(c: _Checker, value, path: str, count: int) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(isinstance(i, int) and not isinstance(i, bool)
                                              for i in value):
        c.fail(path, "must list item numbers")
        return ()
    if any(not 1 <= i <= count for i in value):
        c.fail(path, f"item numbers must be from 1 to item_count ({count})")
    if len(set(value)) != len(value):
        c.fail(path, "must not repeat an item")
    return tuple(value)


def _check_scale(c: _Checker, raw, path: str, count: int) -> Scale | None:
    if not isinstance(raw, dict):
        c.fail(path, "must be a table")
        return None
    c.unknown(raw, SCALE_KEYS, f"{path}.")
    key = c.text(raw, "key", f"{path}.")
    if key and not KEY_RE.match(key):
        c.fail(f"{path}.key", "must be lowercase letters, digits and hyphens")
    items = _item_list(c, raw.get("items"), f"{path}.items", count)
    if not items:
        c.fail(f"{path}.items", "must name at least one item")
    method = raw.get("method")
    if method not in ("sum", "mean"):
        c.fail(f"{path}.method", "must be sum or mean")
    max_missing = raw.get("max_missing")
    if not isinstance(max_missing, int) or isinstance(max_missing, bool) \
            or not 0 <= max_missing < max(len(items), 1):
        c.fail(f"{path}.max_missing", "must be a whole number from 0 to one less than the items")
        max_missing = 0
    higher_is = raw.get("higher_is")
    if higher_is not in ("better", "worse"):
        c.fail(f"{path}.higher_is", "must be better or worse")
    bands = []
    for j, band in enumerate(raw.get("bands", []), start=1):
        bpath = f"{path}.bands[{j}]"
        if not isinstance(band, dict):
            c.fail(bpath, "must be a table")
            continue
        c.unknown(band, BAND_KEYS, f"{bpath}.")
        label = c.text(band, "label", f"{bpath}.")
        low, high = band.get("min"), band.get("max")
        if not (_number(low) and _number(high)) or low > high:
            c.fail(f"{bpath}.min/max", "both are required numbers, min not above max")
            continue
        if not isinstance(band.get("high_risk", False), bool):
            c.fail(f"{bpath}.high_risk", "must be true or false")
        bands.append(Band(label, float(low), float(high), bool(band.get("high_risk", False))))
    ordered = sorted(bands, key=lambda b: b.low)
    if any(a.high >= b.low for a, b in zip(ordered, ordered[1:])):
        c.fail(f"{path}.bands", "bands must not overlap")
    reliability, source = raw.get("reliability"), raw.get("reliability_source", "")
    if reliability is not None and not (_number(reliability) and 0 < reliability < 1):
        c.fail(f"{path}.reliability", "must be a number between 0 and 1")
        reliability = None
    if reliability is not None and not (isinstance(source, str) and source.strip()):
        c.fail(f"{path}.reliability_source", "must cite where the reliability was published")
    return Scale(key, c.text(raw, "title", f"{path}."), items, method or "", max_missing,
                 higher_is or "", tuple(ordered),
                 None if reliability is None else float(reliability), source if reliability else "")


def validate_instrument_file(path: Path) -> tuple[Instrument | None, list[str]]:
    """Parse and check one instrument file; return (instrument, problems)."""
    c = _Checker(path.name)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        c.fail("(file)", f"is not valid TOML: {exc}")
        return None, c.problems
    c.unknown(data, TOP_KEYS)
    key = c.text(data, "key")
    if key and not KEY_RE.match(key):
        c.fail("key", "must be lowercase letters, digits and hyphens, like brs")
    count = data.get("item_count")
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 200:
        c.fail("item_count", "must be a whole number from 1 to 200")
        count = 0
    reverse = _item_list(c, data.get("reverse", []), "reverse", count)
    items = data.get("items")
    if items is not None and (not isinstance(items, list) or len(items) != count
                              or not all(isinstance(t, str) and t.strip() for t in items)):
        c.fail("items", f"must list the wording of all {count} items as text (or be left out)")
        items = None
    options = []
    for j, option in enumerate(data.get("options") or [], start=1):
        if not isinstance(option, dict) or not isinstance(option.get("value"), int) \
                or not isinstance(option.get("label"), str) or not option["label"].strip():
            c.fail(f"options[{j}]", "needs a whole-number value and a label")
            continue
        options.append((option["value"], option["label"].strip()))
    values = [v for v, _ in options]
    if len(options) < 2 or values != list(range(values[0], values[0] + len(values))):
        c.fail("options", "must list at least two options with consecutive values, in order")
    scales_raw = data.get("scales")
    if not isinstance(scales_raw, list) or not scales_raw:
        c.fail("scales", "at least one [[scales]] is required")
        scales_raw = []
    scales = [_check_scale(c, raw, f"scales[{j}]", count) for j, raw in enumerate(scales_raw, start=1)]
    keys = [s.key for s in scales if s]
    if len(keys) != len(set(keys)):
        c.fail("scales", "two scales have the same key")
    instrument = Instrument(
        key=key, title=c.text(data, "title"), version=c.text(data, "version"),
        citation=c.text(data, "citation"), licence=c.text(data, "licence"),
        instructions=c.text(data, "instructions"), item_count=count, reverse=frozenset(reverse),
        items=tuple(t.strip() for t in items) if items else None, options=tuple(options),
        scales=tuple(s for s in scales if s), source_file=path.name)
    return (instrument if not c.problems else None), c.problems


def load_directory(directory: Path) -> dict[str, Instrument]:
    """Validate every ``*.toml`` in ``directory``; return instruments by key or raise InstrumentError."""
    problems: list[str] = []
    found: dict[str, Instrument] = {}
    for path in sorted(directory.glob("*.toml")):
        instrument, file_problems = validate_instrument_file(path)
        problems.extend(file_problems)
        if instrument and instrument.key in found:
            problems.append(f"{path.name}: key: {instrument.key!r} is also used by "
                            f"{found[instrument.key].source_file}")
        elif instrument:
            found[instrument.key] = instrument
    if problems:
        raise InstrumentError(problems)
    return found


_SHIPPED: dict[str, Instrument] = {}


def catalogue() -> dict[str, Instrument]:
    """The instruments shipped with the app, validated once and kept."""
    if not _SHIPPED:
        _SHIPPED.update(load_directory(INSTRUMENTS_DIR))
    return _SHIPPED


def get(key: str) -> Instrument:
    """The shipped instrument with this key; NotFound otherwise."""
    try:
        return catalogue()[key]
    except KeyError:
        raise NotFound("No such questionnaire.") from None


def item_value(instrument: Instrument, number: int, value: int) -> int:
    """The scored value of an answer: reverse-keyed items count from the other end."""
    return instrument.low + instrument.high - value if number in instrument.reverse else value


def score_scale(instrument: Instrument, scale: Scale, answers: dict[int, int]) -> ScaleScore:
    """Score one scale from answers (item number -> chosen value; skipped items absent).

    Reverse keys applied; more than ``max_missing`` unanswered items gives no score. A sum with
    allowed missing items is prorated (mean of answered items times the number of items).
    """
    scored = [item_value(instrument, i, answers[i]) for i in scale.items if answers.get(i) is not None]
    if len(scale.items) - len(scored) > scale.max_missing or not scored:
        return ScaleScore(scale.key, None, len(scored), None, False)
    mean = sum(scored) / len(scored)
    value = mean if scale.method == "mean" else mean * len(scale.items)
    value = round(value, 6)
    band = next((b for b in scale.bands if _in_band(value, b)), None)
    return ScaleScore(scale.key, value, len(scored), band.label if band else None,
                      bool(band and band.high_risk))


def _in_band(value: float, band: Band) -> bool:
    # Published bands are given to two decimals (e.g. 2.99 / 3.00): a value between them
    # belongs to the band whose bound it rounds to.
    return band.low <= round(value, 2) <= band.high or math.isclose(value, band.high)


def score(instrument: Instrument, answers: dict[int, int]) -> list[ScaleScore]:
    """Score every scale of the instrument."""
    return [score_scale(instrument, s, answers) for s in instrument.scales]


def item_texts(instrument: Instrument) -> list[str] | None:
    """The wording to show: shipped text, else text a licence holder loaded, else None."""
    if instrument.items:
        return list(instrument.items)
    rows = db.session.scalars(select(InstrumentItemText).where(
        InstrumentItemText.instrument_key == instrument.key).order_by(InstrumentItemText.number))
    texts = [r.text for r in rows]
    return texts if len(texts) == instrument.item_count else None


# How many items of wording are loaded per licensed instrument (built once: every
# questionnaire page asks).
_LOADED_ITEMS = (select(InstrumentItemText.instrument_key, func.count(InstrumentItemText.id))
                 .where(InstrumentItemText.instrument_key.in_(bindparam("keys", expanding=True)))
                 .group_by(InstrumentItemText.instrument_key))


def without_wording(chosen: list[Instrument]) -> list[Instrument]:
    """Those of ``chosen`` whose wording is neither shipped nor loaded (one query for all)."""
    licensed = [i for i in chosen if not i.items]
    if not licensed:
        return []
    counts = dict(db.session.execute(_LOADED_ITEMS, {"keys": [i.key for i in licensed]}).all())
    return [i for i in licensed if counts.get(i.key, 0) != i.item_count]


def load_item_text(path: Path) -> Instrument:
    """Load a licence holder's item wording from a TOML file (``key``, ``items``); commits.

    The file must name a shipped instrument that has no shipped wording and list exactly its
    number of items. Replaces any wording loaded before. Raises InstrumentError naming the file.
    """
    c = _Checker(path.name)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise InstrumentError([f"{path.name}: (file): cannot be read as TOML: {exc}"]) from exc
    c.unknown(data, {"key", "items"})
    instrument = catalogue().get(data.get("key"))
    if instrument is None:
        c.fail("key", f"must be one of {', '.join(sorted(catalogue()))}")
        raise InstrumentError(c.problems)
    if instrument.items:
        c.fail("key", f"{instrument.key} ships its own wording; nothing to load")
    items = data.get("items")
    if not isinstance(items, list) or len(items) != instrument.item_count \
            or not all(isinstance(t, str) and t.strip() for t in items):
        c.fail("items", f"must list the wording of all {instrument.item_count} items as text")
    if c.problems:
        raise InstrumentError(c.problems)
    db.session.execute(delete(InstrumentItemText).where(
        InstrumentItemText.instrument_key == instrument.key))
    for number, text in enumerate(items, start=1):
        db.session.add(InstrumentItemText(instrument_key=instrument.key, number=number,
                                          text=text.strip()))
    db.session.commit()
    return instrument
