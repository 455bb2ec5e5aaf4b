"""Handing a module's activities to a programme's intervention arm, with due dates and reminders.

Due-date rule: an activity is due on the next training day after the first (non-cancelled) day
on which its module runs; if the module runs on the programme's last training day, it is due 14
days after that day. Trainers and leads may change any due date.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from trainer.clock import today_in
from trainer.errors import NotFound, RuleViolation
from trainer.extensions import db
from trainer.models import (Activity, ActivityLog, Assignment, Membership, Module, Programme,
                            TrainingDay, User)
from trainer.services.privacy import audit
from trainer.services.system import outbox

AFTER_LAST_DAY = timedelta(days=14)
DUE_SOON_DAYS = 2
OVERDUE_REMINDER_WINDOW = timedelta(days=7)


def _running_days(programme: Programme) -> list[TrainingDay]:
    return list(db.session.scalars(
        select(TrainingDay).where(TrainingDay.programme_id == programme.id,
                                  TrainingDay.cancelled.is_(False))
        .options(selectinload(TrainingDay.sessions)).order_by(TrainingDay.day)))


def _due_after(days: list[TrainingDay], module: Module) -> date | None:
    runs_on = next((d.day for d in days if any(s.module_id == module.id for s in d.sessions)), None)
    if runs_on is None:
        return None
    later = [d.day for d in days if d.day > runs_on]
    return later[0] if later else runs_on + AFTER_LAST_DAY


def default_due_on(programme: Programme, module: Module) -> date | None:
    """The default due date of ``module``'s activities in ``programme`` (see the module docstring).

    None if the module is not scheduled on any day of the programme.
    """
    return _due_after(_running_days(programme), module)


@dataclass
class ModulePlan:
    """One module on the assignments page: its default due date and each activity's assignment.

    ``logged`` holds the ids of its assignments someone has logged: those cannot be withdrawn.
    """

    module: Module
    default_due: date | None
    rows: list[tuple[Activity, Assignment | None]]
    logged: frozenset[int] = frozenset()


def plan_for(programme: Programme) -> list[ModulePlan]:
    """Every module with its current activities and their assignments in ``programme``."""
    assigned = {a.activity_id: a for a in db.session.scalars(
        select(Assignment).where(Assignment.programme_id == programme.id))}
    modules = db.session.scalars(select(Module).options(selectinload(Module.activities))
                                 .order_by(Module.position))
    days = _running_days(programme)
    logged = frozenset(db.session.scalars(
        select(ActivityLog.assignment_id).join(Assignment)
        .where(Assignment.programme_id == programme.id).distinct()))
    return [ModulePlan(m, _due_after(days, m),
                       [(a, assigned.get(a.id)) for a in m.activities if not a.retired], logged)
            for m in modules]


def assign_module(actor: User, programme: Programme, module_id: int, due_on: date | None) -> int:
    """Assign every current activity of a module not yet assigned; return how many were added.

    ``due_on`` defaults to the rule in the module docstring. Commits.
    """
    module = db.session.get(Module, module_id)
    if module is None:
        raise NotFound("No such module.")
    due_on = due_on or default_due_on(programme, module)
    if due_on is None:
        raise RuleViolation(f"{module.title} is not on any training day yet, so there is no "
                            "default due date. Enter a due date.", field="due_on")
    assigned = set(db.session.scalars(select(Assignment.activity_id)
                                      .where(Assignment.programme_id == programme.id)))
    added = 0
    for activity in module.activities:
        if activity.retired or activity.id in assigned:
            continue
        db.session.add(Assignment(programme_id=programme.id, activity_id=activity.id,
                                  due_on=due_on, created_by_id=actor.id))
        added += 1
    audit.record(actor.id, "assignments.assign_module", module, programme_id=programme.id,
                 added=added, due_on=due_on.isoformat())
    db.session.commit()
    return added


def get_assignment(programme: Programme, assignment_id: int) -> Assignment:
    """An assignment of ``programme``; NotFound otherwise."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.programme_id != programme.id:
        raise NotFound("No such assignment.")
    return assignment


def set_due_on(actor: User, assignment: Assignment, due_on: date) -> None:
    """Change an assignment's due date. Commits."""
    assignment.due_on = due_on
    audit.record(actor.id, "assignments.set_due_on", assignment,
                 programme_id=assignment.programme_id, due_on=due_on.isoformat())
    db.session.commit()


def unassign(actor: User, assignment: Assignment) -> None:
    """Withdraw an assignment nobody has logged against yet. Commits."""
    if db.session.scalar(select(ActivityLog.id).where(ActivityLog.assignment_id == assignment.id)
                         .limit(1)):
        raise RuleViolation("Participants have logged this activity, so it stays assigned. "
                            "Change its due date instead.")
    audit.record(actor.id, "assignments.unassign", assignment, programme_id=assignment.programme_id)
    db.session.delete(assignment)
    db.session.commit()


def _open_work(now: datetime):
    """(programme, today, assignment, membership) for every intervention participant's assignment
    that they have not logged as done, in programmes that are not closed."""
    done = select(ActivityLog.id).where(ActivityLog.assignment_id == Assignment.id,
                                        ActivityLog.membership_id == Membership.id,
                                        ActivityLog.status == "done").exists()
    rows = db.session.execute(
        select(Assignment, Membership)
        .join(Programme, Programme.id == Assignment.programme_id)
        .join(Membership, Membership.programme_id == Programme.id)
        .where(Programme.status != "closed", Membership.role == "participant",
               Membership.arm == "intervention", Membership.in_post.is_(True), ~done)
        .options(selectinload(Assignment.activity), selectinload(Assignment.programme),
                 selectinload(Membership.user)))
    for assignment, membership in rows:
        yield today_in(assignment.programme.timezone, now), assignment, membership


def send_due_reminders(now: datetime) -> int:
    """Queue one "due soon" reminder per participant and assignment due within two days and not
    done, and one "overdue" reminder once it is past due (up to a week late, so a late assignment
    does not send stale reminders). Idempotent; the caller commits. Returns messages queued."""
    queued = 0
    for today, assignment, membership in _open_work(now):
        days_left = (assignment.due_on - today).days
        title = assignment.activity.title
        if 0 <= days_left <= DUE_SOON_DAYS:
            when = "today" if days_left == 0 else f"on {assignment.due_on.strftime('%A %-d %B')}"
            queued += outbox.enqueue(
                dedupe_key=f"assignment-due:{assignment.id}:{membership.id}", kind="assignment_due",
                to=membership.user, subject=f"Due soon: {title}",
                body=f"Hello {membership.user.display_name},\n\nYour activity \"{title}\" for "
                     f"{assignment.programme.name} is due {when}. Sign in to log it when you "
                     "have done it.\n")
        elif days_left < 0 and today - assignment.due_on <= OVERDUE_REMINDER_WINDOW:
            queued += outbox.enqueue(
                dedupe_key=f"assignment-overdue:{assignment.id}:{membership.id}",
                kind="assignment_overdue", to=membership.user, subject=f"Overdue: {title}",
                body=f"Hello {membership.user.display_name},\n\nYour activity \"{title}\" for "
                     f"{assignment.programme.name} was due on "
                     f"{assignment.due_on.strftime('%A %-d %B')}. It is not too late: sign in "
                     "to log it when you have done it.\n")
    return queued

