"""Trainers' view of a cohort's progress on activities and goals.

It counts and dates; it never reads a private note, and a goal's text only when its author
has shared that goal with their trainers.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from trainer.extensions import db
from trainer.models import (Activity, ActivitySummary, Assignment, Goal, GoalReview, Membership, Module,
                            Programme)
from trainer.services import listing

SORTS = ("name", "done", "last_logged", "minutes", "goals")


@dataclass
class ParticipantProgress:
    """One row of the cohort table."""

    membership: Membership
    done_by_module: dict[int, int] = field(default_factory=dict)
    done: int = 0
    assigned: int = 0
    last_logged: date | None = None
    minutes: int = 0
    goals_set: int = 0
    goals_reviewed: int = 0


@dataclass
class SharedGoal:
    """A goal its author chose to show their trainers."""

    membership: Membership
    what: str
    status: str
    target_on: date | None
    latest_progress: int | None


@dataclass
class CohortProgress:
    """The cohort table, its module columns, the teams to filter by, and shared goals."""

    modules: list[Module]
    assigned_by_module: dict[int, int]
    rows: list[ParticipantProgress]
    teams: list[str]
    shared_goals: list[SharedGoal]
    page: listing.ListPage


def cohort(programme: Programme, *, sort: str = "name", descending: bool = False,
           team: str | None = None, behind_only: bool = False, page: int = 1) -> CohortProgress:
    """Progress of the programme's intervention participants, sorted and filtered.

    ``behind_only`` keeps participants who have done fewer than half their assigned activities.
    ``rows`` holds every participant that matches, ``page`` the page of them to show.
    """
    members = list(db.session.scalars(
        select(Membership).where(Membership.programme_id == programme.id,
                                 Membership.role == "participant", Membership.arm == "intervention")
        .options(selectinload(Membership.user))))
    teams = sorted({m.team for m in members if m.team})
    if team:
        members = [m for m in members if m.team == team]
    assigned = dict(db.session.execute(
        select(Activity.module_id, func.count(Assignment.id)).join(Activity)
        .where(Assignment.programme_id == programme.id).group_by(Activity.module_id)).all())
    rows = {m.id: ParticipantProgress(m, assigned=sum(assigned.values())) for m in members}
    # One pass over the programme's activity summaries (one row per participant and assignment,
    # kept in step with the logs): assignments done, the latest entry and the minutes.
    logged = db.session.execute(
        select(ActivitySummary.membership_id, Activity.module_id,
               func.count(ActivitySummary.assignment_id).filter(ActivitySummary.done > 0),
               func.max(ActivitySummary.last_done_on), func.coalesce(func.sum(ActivitySummary.minutes), 0))
        .join(Assignment, Assignment.id == ActivitySummary.assignment_id).join(Activity)
        .where(Assignment.programme_id == programme.id)
        .group_by(ActivitySummary.membership_id, Activity.module_id))
    for membership_id, module_id, count, last, minutes in logged:
        row = rows.get(membership_id)
        if row is None:
            continue
        if count:
            row.done_by_module[module_id] = count
            row.done += count
        if row.last_logged is None or last > row.last_logged:
            row.last_logged = last
        row.minutes += int(minutes)
    goal_counts = db.session.execute(
        select(Goal.membership_id, func.count(func.distinct(Goal.id)),
               func.count(func.distinct(GoalReview.goal_id)))
        .outerjoin(GoalReview, GoalReview.goal_id == Goal.id)
        .where(Goal.membership_id.in_(list(rows))).group_by(Goal.membership_id))
    for membership_id, set_, reviewed in goal_counts:
        rows[membership_id].goals_set, rows[membership_id].goals_reviewed = set_, reviewed
    result = list(rows.values())
    if behind_only:
        result = [r for r in result if r.done * 2 < r.assigned]
    result.sort(key=_sort_key(sort if sort in SORTS else "name"), reverse=descending)
    modules = list(db.session.scalars(select(Module).where(Module.id.in_(assigned))
                                      .order_by(Module.position)))
    return CohortProgress(modules, assigned, result, teams, shared_goals(programme),
                          listing.paginate(result, page=page))


def _sort_key(sort: str):
    if sort == "name":
        return lambda r: r.membership.user.display_name.lower()
    if sort == "last_logged":
        return lambda r: r.last_logged or date.min
    if sort == "goals":
        return lambda r: (r.goals_set, r.goals_reviewed)
    return lambda r: getattr(r, sort)


def shared_goals(programme: Programme) -> list[SharedGoal]:
    """The goals participants have shared with their trainers, with their latest progress."""
    goals = db.session.scalars(
        select(Goal).join(Membership)
        .where(Membership.programme_id == programme.id, Goal.shared_with_trainer.is_(True))
        .options(selectinload(Goal.reviews), selectinload(Goal.membership).selectinload(Membership.user))
        .order_by(Goal.id))
    return [SharedGoal(g.membership, g.what, g.status, g.target_on,
                       g.reviews[-1].progress if g.reviews else None) for g in goals]
