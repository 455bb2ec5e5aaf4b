"""Participants' logs of self-directed activities: values checked against the activity's fields."""
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import contains_eager

from trainer.errors import NotForComparisonArm, NotFound, PermissionDenied, RuleViolation
from trainer.extensions import db
from trainer.models import Activity, ActivityLog, ActivitySummary, Assignment, Goal, Membership, Module, User
from trainer.services.accounts import access
from trainer.services.participation.goals import goals_to_review
from trainer.wording import lower_first

STATUSES = ("started", "done")
MAX_MINUTES = 1440
NOTE_MAX = 4000
DUE_SOON = 7


class InvalidValues(RuleViolation):
    """Some activity fields broke their specification; ``errors`` maps field name to message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors.values())), field=next(iter(errors)))
        self.errors = errors


def require_intervention_participant(user: User, programme_id: int) -> Membership:
    """The user's participant membership in the intervention arm of the programme.

    NotFound for no such programme; PermissionDenied for anyone else (comparison arm included).
    """
    membership = access.require_membership(user, programme_id, ("participant",)).participant
    if membership is not None and membership.arm == "comparison":
        raise NotForComparisonArm(access.COMPARISON_ONLY)
    if membership is None:
        raise PermissionDenied("Self-directed activities are for the intervention group.")
    return membership


def _number(text: str) -> float | int | None:
    try:
        value = float(text)
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return int(value) if value.is_integer() else value


def _missing(label: str, kind: str) -> str:
    """The message for a required field left empty: "Enter the situation", or the label quoted
    when it is a question or an unfinished sentence ("When I notice my early signs, I will...")."""
    if kind not in ("text", "long_text", "number"):
        return f"Choose an answer for \"{label}\""
    if label.rstrip().endswith(("?", "...", "\u2026")):
        return f"Enter your answer to \"{label}\""
    return f"Enter {lower_first(label)}"


def check_value(spec: dict, raw: Any, *, partial: bool = False) -> tuple[Any, str | None]:
    """Check one raw form value against a field spec (modules/SCHEMA.md).

    Returns (clean value, None) or (None, message). An empty optional value is None; with
    ``partial`` (an entry only started), required fields may be empty too.
    """
    text = "" if raw is None else str(raw).strip()
    label, kind = spec["label"], spec["kind"]
    if not text:
        return None, _missing(label, kind) if spec.get("required") and not partial else None
    if kind in ("text", "long_text"):
        limit = spec.get("max_length", 200 if kind == "text" else 4000)
        if len(text) > limit:
            return None, f"{label} must be {limit} characters or fewer"
        return text, None
    if kind in ("number", "scale"):
        value = _number(text)
        low, high = spec["min"], spec["max"]
        if kind == "scale" and not isinstance(value, int):
            return None, f"Choose a whole number from {low} to {high} for \"{label}\""
        if value is None:
            return None, f"{label} must be a number, like {low}"
        if not low <= value <= high:
            return None, f"{label} must be between {low} and {high}"
        return value, None
    if kind == "choice":
        if text not in spec["choices"]:
            return None, f"Choose one of the options for \"{label}\""
        return text, None
    if kind == "date":
        try:
            return date.fromisoformat(text).isoformat(), None
        except ValueError:
            return None, f"{label} must be a real date, like 2026-03-27"
    return None, f"{label} has an unknown kind"


def clean_values(fields: list[dict], raw: dict, *, partial: bool = False) -> dict:
    """Check every field of an activity; return clean values or raise InvalidValues.

    ``partial``: the entry is only started, so required fields may still be empty.
    """
    values, errors = {}, {}
    for spec in fields:
        value, error = check_value(spec, raw.get(spec["name"]), partial=partial)
        if error:
            errors[spec["name"]] = error
        elif value is not None:
            values[spec["name"]] = value
    if errors:
        raise InvalidValues(errors)
    return values


@dataclass
class LogEntry:
    """What a participant enters when logging an activity (values raw, as typed)."""

    status: str
    done_on: date
    minutes: int | None
    values: dict
    private_note: str = ""


def _check_entry(entry: LogEntry, activity: Activity, today: date) -> dict:
    if entry.status not in STATUSES:
        raise RuleViolation("Choose started or done", field="status")
    if entry.done_on > today:
        raise RuleViolation("The date must be today or in the past", field="done_on")
    if entry.minutes is not None and not 0 <= entry.minutes <= MAX_MINUTES:
        raise RuleViolation(f"Minutes must be between 0 and {MAX_MINUTES}", field="minutes")
    if len(entry.private_note or "") > NOTE_MAX:
        raise RuleViolation(f"The note must be {NOTE_MAX} characters or fewer", field="private_note")
    return clean_values(activity.fields, entry.values, partial=entry.status == "started")


def minutes_spent(entry: LogEntry, activity: Activity, values: dict) -> int | None:
    """The minutes a log counts: those entered, or else the activity's own minutes fields.

    Some activities ask for minutes in their own fields (e.g. "How long did you practise
    for?"); a participant who fills that in and leaves "Minutes spent" blank has still told us.
    """
    if entry.minutes is not None:
        return entry.minutes
    own = [values[f["name"]] for f in activity.fields
           if f["kind"] == "number" and f.get("unit") == "minutes" and values.get(f["name"]) is not None]
    return min(int(round(sum(own))), MAX_MINUTES) if own else None


def get_assignment_for(membership: Membership, assignment_id: int) -> Assignment:
    """An assignment of the participant's programme; NotFound otherwise."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.programme_id != membership.programme_id:
        raise NotFound("No such activity in your programme.")
    return assignment


def log_activity(membership: Membership, assignment: Assignment, entry: LogEntry, *,
                 today: date) -> ActivityLog:
    """Add a log of ``assignment`` by the participant. Commits."""
    if assignment.programme_id != membership.programme_id:
        raise NotFound("No such activity in your programme.")
    values = _check_entry(entry, assignment.activity, today)
    log = ActivityLog(assignment=assignment, membership=membership, status=entry.status,
                      done_on=entry.done_on, minutes=minutes_spent(entry, assignment.activity, values),
                      values=values,
                      private_note=(entry.private_note or "").strip())
    db.session.add(log)
    db.session.commit()
    return log


def get_own_log(membership: Membership, log_id: int) -> ActivityLog:
    """The participant's own log; NotFound for anyone else's (its existence is not revealed)."""
    return access.require_own(membership, ActivityLog, log_id, noun="entry")


def update_log(membership: Membership, log: ActivityLog, entry: LogEntry, *, today: date) -> None:
    """Change the participant's own log. Commits."""
    if log.membership_id != membership.id:
        raise NotFound("No such entry.")
    log.values = _check_entry(entry, log.assignment.activity, today)
    log.status, log.done_on = entry.status, entry.done_on
    log.minutes = minutes_spent(entry, log.assignment.activity, log.values)
    log.private_note = (entry.private_note or "").strip()
    db.session.commit()


def delete_log(membership: Membership, log: ActivityLog) -> None:
    """Delete the participant's own log. Commits."""
    if log.membership_id != membership.id:
        raise NotFound("No such entry.")
    db.session.delete(log)
    db.session.commit()


@dataclass
class AssignmentState:
    """An assignment as one participant sees it: how many entries they logged, and its state.

    ``logs`` holds the entries themselves only where a page shows them (one module's history).
    """

    assignment: Assignment
    entries: int
    state: str  # "done", "started" or "not started"
    overdue: bool
    due_soon: bool
    logs: list[ActivityLog] = field(default_factory=list)


@dataclass
class ModuleWork:
    """A participant's assignments in one module."""

    module: Module
    items: list[AssignmentState] = field(default_factory=list)

    @property
    def done(self) -> int:
        return sum(1 for i in self.items if i.state == "done")


# The programme's assignments with their activity and module, and the participant's entries and
# entries marked done from the activity summaries: one statement, built once (see access._ACCESS).
_WORK = (select(Assignment, ActivitySummary.entries, ActivitySummary.done)
         .join(Assignment.activity).join(Activity.module)
         .outerjoin(ActivitySummary, (ActivitySummary.assignment_id == Assignment.id)
                    & (ActivitySummary.membership_id == bindparam("membership_id")))
         .where(Assignment.programme_id == bindparam("programme_id"))
         .options(contains_eager(Assignment.activity).contains_eager(Activity.module))
         .order_by(Assignment.due_on, Assignment.id))
# The same for the lists of every module (the home page and "my activities"), which show each
# activity's title and each module's title: without the activities' instructions and fields and
# the modules' texts (a module's are sent once per assignment of it).
_WORK_LISTED = _WORK.options(
    contains_eager(Assignment.activity).load_only(Activity.id, Activity.module_id, Activity.key, Activity.position,
                                                  Activity.title, Activity.suggested_minutes, Activity.retired),
    contains_eager(Assignment.activity).contains_eager(Activity.module).load_only(Module.id, Module.key,
                                                                                  Module.position, Module.title))


def work_for(membership: Membership, today: date, *, module_key: str | None = None) -> list[ModuleWork]:
    """The participant's assignments by module (curriculum order), each with its state.

    Entries come from the activity summaries, so the cost does not grow with the participant's
    history; with ``module_key``, only that module's assignments, each with its entries, newest first.
    """
    query = _WORK_LISTED
    if module_key is not None:
        query = _WORK.where(Module.key == module_key)
    rows = db.session.execute(query, {"programme_id": membership.programme_id,
                                      "membership_id": membership.id}).all()
    assignments = [row[0] for row in rows]
    counts = {row[0].id: (row.entries, row.done) for row in rows if row.entries is not None}
    logs: dict[int, list[ActivityLog]] = {}
    if module_key is not None and assignments:
        for log in db.session.scalars(
                select(ActivityLog).where(ActivityLog.membership_id == membership.id,
                                          ActivityLog.assignment_id.in_([a.id for a in assignments]))
                .order_by(ActivityLog.done_on.desc(), ActivityLog.id.desc())):
            logs.setdefault(log.assignment_id, []).append(log)
    by_module: dict[int, ModuleWork] = {}
    for a in assignments:
        entries, done = counts.get(a.id, (0, 0))
        state = "done" if done else "started" if entries else "not started"
        item = AssignmentState(a, entries, state, overdue=state != "done" and a.due_on < today,
                               due_soon=state != "done" and 0 <= (a.due_on - today).days <= DUE_SOON,
                               logs=logs.get(a.id, []))
        by_module.setdefault(a.activity.module_id, ModuleWork(a.activity.module)).items.append(item)
    return sorted(by_module.values(), key=lambda w: w.module.position)


def module_history(membership: Membership, module_key: str, today: date) -> ModuleWork:
    """The participant's assignments and logs in one module; NotFound if none are assigned."""
    for work in work_for(membership, today, module_key=module_key):
        return work
    raise NotFound("Nothing from this module has been assigned in your programme.")


def history(membership: Membership, assignment: Assignment) -> list[ActivityLog]:
    """The participant's logs of one assignment, newest first."""
    return list(db.session.scalars(
        select(ActivityLog).where(ActivityLog.membership_id == membership.id,
                                  ActivityLog.assignment_id == assignment.id)
        .order_by(ActivityLog.done_on.desc(), ActivityLog.id.desc())))


@dataclass
class ParticipantSummary:
    """What a participant's home shows: work due soon and overdue, progress per module, goals."""

    due_soon: list[AssignmentState]
    overdue: list[AssignmentState]
    modules: list[ModuleWork]
    goals_to_review: list[Goal]


def summary_for(membership: Membership, today: date) -> ParticipantSummary:
    """The participant's home summary on ``today``."""
    work = work_for(membership, today)
    items = [i for w in work for i in w.items]
    return ParticipantSummary([i for i in items if i.due_soon], [i for i in items if i.overdue],
                              work, goals_to_review(membership, today))
