"""The curriculum as data: validating and loading ``modules/*.toml``, and reading it back."""
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from trainer.errors import NotFound
from trainer.extensions import db
from trainer.models import Activity, Module, TrainingSession

KEY_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
FIELD_KINDS = ("text", "long_text", "number", "scale", "choice", "date")
MODULE_KEYS = {"key", "position", "title", "summary", "aims", "evidence_note", "default_minutes",
               "activities"}
ACTIVITY_KEYS = {"key", "title", "instructions", "suggested_minutes", "fields"}
FIELD_KEYS = {
    "text": {"max_length"}, "long_text": {"max_length"}, "number": {"min", "max", "unit"},
    "scale": {"min", "max", "min_label", "max_label"}, "choice": {"choices"}, "date": set(),
}
DEFAULT_MAX_LENGTH = {"text": 200, "long_text": 4000}


class CurriculumError(Exception):
    """One or more module files are invalid; ``problems`` lists "file: field: what is wrong"."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class _Checker:
    """Collects problems for one file, each naming the field path."""

    filename: str
    problems: list[str]

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{self.filename}: {path}: {message}")

    def text(self, data: dict, key: str, path: str, *, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"{path}{key}", "is missing")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{path}{key}", "must be non-empty text")
            return None
        return value.strip()

    def integer(self, data: dict, key: str, path: str, low: int, high: int,
                *, required: bool = True) -> int | None:
        value = data.get(key)
        if value is None:
            if required:
                self.fail(f"{path}{key}", "is missing")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(f"{path}{key}", f"must be a whole number from {low} to {high}")
            return None
        return value

    def unknown(self, data: dict, allowed: set[str], path: str) -> None:
        for key in sorted(set(data) - allowed):
            self.fail(f"{path}{key}", "is not a known setting (check the spelling)")


def _check_field(c: _Checker, field: dict, path: str) -> dict | None:
    if not isinstance(field, dict):
        c.fail(path, "must be a table")
        return None
    name = c.text(field, "name", f"{path}.")
    if name and not NAME_RE.match(name):
        c.fail(f"{path}.name", "must be snake_case: lowercase letters, digits and underscores")
    label = c.text(field, "label", f"{path}.")
    kind = field.get("kind")
    if kind not in FIELD_KINDS:
        c.fail(f"{path}.kind", f"must be one of {', '.join(FIELD_KINDS)}")
        return None
    c.unknown(field, {"name", "label", "kind", "required", "help"} | FIELD_KEYS[kind], f"{path}.")
    spec = {"name": name, "label": label, "kind": kind,
            "required": bool(field.get("required", False)), "help": field.get("help", "")}
    if "required" in field and not isinstance(field["required"], bool):
        c.fail(f"{path}.required", "must be true or false")
    if kind in ("text", "long_text"):
        spec["max_length"] = c.integer(field, "max_length", f"{path}.", 1, 20000, required=False) \
            or DEFAULT_MAX_LENGTH[kind]
    elif kind in ("number", "scale"):
        low, high = field.get("min"), field.get("max")
        numeric = (int, float) if kind == "number" else (int,)
        if not all(isinstance(v, numeric) and not isinstance(v, bool) for v in (low, high)):
            c.fail(f"{path}.min/max", "both are required and must be "
                   + ("numbers" if kind == "number" else "whole numbers"))
        elif low >= high:
            c.fail(f"{path}.min/max", "min must be less than max")
        elif kind == "scale" and high - low + 1 > 11:
            c.fail(f"{path}.min/max", "a scale has at most 11 points")
        spec.update(min=low, max=high)
        if kind == "scale":
            spec["min_label"] = c.text(field, "min_label", f"{path}.")
            spec["max_label"] = c.text(field, "max_label", f"{path}.")
        elif "unit" in field:
            spec["unit"] = c.text(field, "unit", f"{path}.")
    elif kind == "choice":
        choices = field.get("choices")
        if (not isinstance(choices, list) or len(choices) < 2
                or not all(isinstance(x, str) and x.strip() for x in choices)):
            c.fail(f"{path}.choices", "must list at least two choices as text")
        elif len(set(choices)) != len(choices):
            c.fail(f"{path}.choices", "must not repeat a choice")
        spec["choices"] = choices
    return spec


def validate_module_file(path: Path) -> tuple[dict | None, list[str]]:
    """Parse and check one module file; return (clean data, problems)."""
    c = _Checker(path.name, [])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        c.fail("(file)", f"is not valid TOML: {exc}")
        return None, c.problems
    c.unknown(data, MODULE_KEYS, "")
    key = c.text(data, "key", "")
    if key and not KEY_RE.match(key):
        c.fail("key", "must be lowercase letters, digits and hyphens, like peer-support")
    module = {
        "key": key, "title": c.text(data, "title", ""), "summary": c.text(data, "summary", ""),
        "evidence_note": c.text(data, "evidence_note", ""),
        "position": c.integer(data, "position", "", 1, 100),
        "default_minutes": c.integer(data, "default_minutes", "", 15, 480),
        "source_file": path.name,
    }
    aims = data.get("aims")
    if not isinstance(aims, list) or not aims or not all(isinstance(a, str) and a.strip() for a in aims):
        c.fail("aims", "must list at least one aim as text")
        aims = []
    module["aims"] = [a.strip() for a in aims]
    activities = data.get("activities")
    if not isinstance(activities, list) or len(activities) < 2:
        c.fail("activities", "at least two [[activities]] are required")
        activities = []
    module["activities"] = []
    seen_keys: set[str] = set()
    for i, raw in enumerate(activities, start=1):
        apath = f"activities[{i}]"
        if not isinstance(raw, dict):
            c.fail(apath, "must be a table")
            continue
        c.unknown(raw, ACTIVITY_KEYS, f"{apath}.")
        akey = c.text(raw, "key", f"{apath}.")
        if akey and not KEY_RE.match(akey):
            c.fail(f"{apath}.key", "must be lowercase letters, digits and hyphens")
        if akey in seen_keys:
            c.fail(f"{apath}.key", f"repeats the activity key {akey!r}")
        seen_keys.add(akey)
        fields_raw = raw.get("fields")
        if not isinstance(fields_raw, list) or not fields_raw:
            c.fail(f"{apath}.fields", "at least one [[activities.fields]] is required")
            fields_raw = []
        fields = [_check_field(c, f, f"{apath}.fields[{j}]") for j, f in enumerate(fields_raw, start=1)]
        names = [f["name"] for f in fields if f and f["name"]]
        if len(names) != len(set(names)):
            c.fail(f"{apath}.fields", "two fields have the same name")
        module["activities"].append({
            "key": akey, "position": i, "title": c.text(raw, "title", f"{apath}."),
            "instructions": c.text(raw, "instructions", f"{apath}."),
            "suggested_minutes": c.integer(raw, "suggested_minutes", f"{apath}.", 1, 480),
            "fields": [f for f in fields if f],
        })
    return (module if not c.problems else None), c.problems


def validate_directory(directory: Path) -> list[dict]:
    """Validate every ``*.toml`` in ``directory``; return clean modules or raise CurriculumError."""
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise CurriculumError([f"{directory}: no module files (*.toml) found"])
    problems: list[str] = []
    modules: list[dict] = []
    for path in files:
        module, file_problems = validate_module_file(path)
        problems.extend(file_problems)
        if module:
            modules.append(module)
    for attr in ("key", "position"):
        seen: dict = {}
        for m in modules:
            if m[attr] in seen:
                problems.append(f"{m['source_file']}: {attr}: {m[attr]!r} is also used by {seen[m[attr]]}")
            seen[m[attr]] = m["source_file"]
    if problems:
        raise CurriculumError(problems)
    return modules


def load_modules(directory: Path) -> dict[str, int]:
    """Validate all module files, then upsert them in one transaction (idempotent).

    Modules and activities are matched on their keys; an activity no longer in its file is
    marked retired rather than deleted, so logs against it survive. Returns counts.
    """
    modules = validate_directory(directory)
    counts = {"modules_created": 0, "modules_updated": 0, "activities": 0}
    existing = {m.key: m for m in db.session.scalars(select(Module).options(selectinload(Module.activities)))}
    # Positions are unique only by convention, so park moved modules out of the way first.
    for data in modules:
        module = existing.get(data["key"])
        if module is None:
            module = Module(key=data["key"])
            db.session.add(module)
            counts["modules_created"] += 1
        else:
            counts["modules_updated"] += 1
            if module.title != data["title"]:
                _bump_sessions_of(module)  # calendar feeds show module titles
        for attr in ("position", "title", "summary", "aims", "evidence_note", "default_minutes",
                     "source_file"):
            setattr(module, attr, data[attr])
        by_key = {a.key: a for a in module.activities}
        for adata in data["activities"]:
            activity = by_key.pop(adata["key"], None)
            if activity is None:
                activity = Activity(key=adata["key"])
                module.activities.append(activity)
            for attr in ("position", "title", "instructions", "suggested_minutes", "fields"):
                setattr(activity, attr, adata[attr])
            activity.retired = False
            counts["activities"] += 1
        for leftover in by_key.values():
            leftover.retired = True
    db.session.commit()
    return counts


def _bump_sessions_of(module: Module) -> None:
    for session in db.session.scalars(select(TrainingSession).where(TrainingSession.module_id == module.id)):
        session.sequence += 1
        session.day.sequence += 1


def list_modules() -> list[Module]:
    """All modules in curriculum order, with their activities."""
    return list(db.session.scalars(
        select(Module).options(selectinload(Module.activities)).order_by(Module.position)))


def get_module(key: str) -> Module:
    """The module with this key; NotFound otherwise."""
    module = db.session.scalar(select(Module).where(Module.key == key))
    if module is None:
        raise NotFound("No such module.")
    return module
