"""Trainers' view of a cohort's progress on activities and goals.

It counts and dates; it never reads a private note, and a goal's text only when its author
has shared that goal with their trainers.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from trainer.extensions import db
from trainer.models import (Activity, ActivitySummary, Assignment, Goal, GoalReview, Membership, Module,
                            Programme, User)
from trainer.services.system import listing

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
    """One page of the programme's intervention participants' progress, sorted and filtered.

    ``behind_only`` keeps participants who have done fewer than half their assigned activities.
    Totals come from the activity summaries; sorting, filtering and paging happen in SQL, so a
    page costs the same statements and time however large the cohort. ``rows`` is the page's
    rows and ``page`` says where the page is; ``shared_goals`` are those of the page's people.
    """
    assigned = dict(db.session.execute(
        select(Activity.module_id, func.count(Assignment.id)).join(Activity)
        .where(Assignment.programme_id == programme.id).group_by(Activity.module_id)).all())
    total = sum(assigned.values())
    query, keys = _table_query(programme, total)
    if team:
        query = query.where(Membership.team == team)
    if behind_only:
        query = query.where(keys["done"][0] * 2 < total)
    order = [k.desc() if descending else k.asc() for k in keys[sort if sort in SORTS else "name"]]
    result = listing.paginate(query.order_by(*order, func.lower(User.display_name), Membership.id),
                              page=page, rows=True)
    ids = [r.id for r in result.items]
    members = {m.id: m for m in db.session.scalars(
        select(Membership).where(Membership.id.in_(ids)).options(selectinload(Membership.user)))}
    rows = {r.id: ParticipantProgress(members[r.id], done=r.done, assigned=total, last_logged=r.last,
                                      minutes=int(r.minutes), goals_set=r.goals_set,
                                      goals_reviewed=r.goals_reviewed) for r in result.items}
    for membership_id, module_id, count in db.session.execute(
            select(ActivitySummary.membership_id, Activity.module_id, func.count())
            .join(Assignment, Assignment.id == ActivitySummary.assignment_id).join(Activity)
            .where(ActivitySummary.membership_id.in_(ids), ActivitySummary.done > 0)
            .group_by(ActivitySummary.membership_id, Activity.module_id)):
        rows[membership_id].done_by_module[module_id] = count
    teams = list(db.session.scalars(
        select(Membership.team).distinct().where(*_intervention(programme), Membership.team.is_not(None),
                                                 Membership.team != "").order_by(Membership.team)))
    modules = list(db.session.scalars(select(Module).where(Module.id.in_(assigned))
                                      .order_by(Module.position)))
    page_rows = list(rows.values())
    return CohortProgress(modules, assigned, page_rows, teams, shared_goals(programme, ids),
                          listing.ListPage(page_rows, result.total, result.page, result.per_page))


def _intervention(programme: Programme) -> tuple:
    return (Membership.programme_id == programme.id, Membership.role == "participant",
            Membership.arm == "intervention")


def _table_query(programme: Programme, assigned: int):
    """Every participant's totals as one query, and the sort keys by name."""
    done = (select(ActivitySummary.membership_id,
                   func.count().filter(ActivitySummary.done > 0).label("done"),
                   func.max(ActivitySummary.last_done_on).label("last"),
                   func.sum(ActivitySummary.minutes).label("minutes"))
            .join(Assignment, Assignment.id == ActivitySummary.assignment_id)
            .where(Assignment.programme_id == programme.id)
            .group_by(ActivitySummary.membership_id).subquery())
    goals = (select(Goal.membership_id, func.count(func.distinct(Goal.id)).label("set"),
                    func.count(func.distinct(GoalReview.goal_id)).label("reviewed"))
             .join(Membership, Membership.id == Goal.membership_id)
             .outerjoin(GoalReview, GoalReview.goal_id == Goal.id)
             .where(Membership.programme_id == programme.id).group_by(Goal.membership_id).subquery())
    done_count, minutes = func.coalesce(done.c.done, 0), func.coalesce(done.c.minutes, 0)
    goals_set, reviewed = func.coalesce(goals.c.set, 0), func.coalesce(goals.c.reviewed, 0)
    query = (select(Membership.id, done_count.label("done"), done.c.last, minutes.label("minutes"),
                    goals_set.label("goals_set"), reviewed.label("goals_reviewed"))
             .join(User, User.id == Membership.user_id)
             .outerjoin(done, done.c.membership_id == Membership.id)
             .outerjoin(goals, goals.c.membership_id == Membership.id)
             .where(*_intervention(programme)))
    never = case((done.c.last.is_(None), 0), else_=1)  # "never" sorts before any date
    keys = {"name": [func.lower(User.display_name)], "done": [done_count], "minutes": [minutes],
            "last_logged": [never, done.c.last], "goals": [goals_set, reviewed]}
    return query, keys


def shared_goals(programme: Programme, membership_ids: list[int] | None = None) -> list[SharedGoal]:
    """The goals participants have shared with their trainers, with their latest progress
    (only those of ``membership_ids`` when given)."""
    query = (select(Goal).join(Membership)
             .where(Membership.programme_id == programme.id, Goal.shared_with_trainer.is_(True)))
    if membership_ids is not None:
        query = query.where(Goal.membership_id.in_(membership_ids))
    goals = db.session.scalars(
        query
        .options(selectinload(Goal.reviews), selectinload(Goal.membership).selectinload(Membership.user))
        .order_by(Goal.id))
    return [SharedGoal(g.membership, g.what, g.status, g.target_on,
                       g.reviews[-1].progress if g.reviews else None) for g in goals]
