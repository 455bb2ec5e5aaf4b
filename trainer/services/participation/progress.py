"""Trainers' view of a cohort's progress on activities and goals.

It counts and dates; it never reads a private note, and a goal's text only when its author
has shared that goal with their trainers.
"""
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from sqlalchemy import (Date, Integer, Row, bindparam, case, exists, func, literal, null, select, true, type_coerce,
                        union_all)

from trainer.extensions import db
from trainer.models import (Activity, ActivityModuleSummary, Assignment, Goal, GoalReview, Membership, Module,
                            Programme, User)
from trainer.services.system import listing

SORTS = ("name", "done", "last_logged", "minutes", "goals")


@dataclass(frozen=True)
class Member:
    """Who a row is about: the membership's id and team and its user's display name (read with
    the row, so the page loads no membership or user objects)."""

    id: int
    name: str
    team: str | None


@dataclass
class ParticipantProgress:
    """One row of the cohort table."""

    membership: Member
    done_by_module: dict[int, int] = field(default_factory=dict)
    done: int = 0
    assigned: int = 0
    last_logged: date | None = None
    minutes: int = 0
    goals_set: int = 0
    goals_reviewed: int = 0
    module_cells: list[str] = field(default_factory=list)  # "done/assigned" per module, in column order


@dataclass
class SharedGoal:
    """A goal its author chose to show their trainers."""

    membership: Member
    what: str
    status: str
    target_on: date | None
    latest_progress: int | None


@dataclass
class CohortProgress:
    """The cohort table, its module columns (id and title), the teams to filter by, and shared goals."""

    modules: list[Row]
    assigned_by_module: dict[int, int]
    rows: list[ParticipantProgress]
    teams: list[str]
    shared_goals: list[SharedGoal]
    page: listing.ListPage


# The statements below are built once, with bound parameters, so a page pays only to run them.
_INTERVENTION = (Membership.programme_id == bindparam("programme_id"), Membership.role == "participant",
                 Membership.arm == "intervention")

# The programme's modules in curriculum order, each with how many of its activities are assigned.
_MODULES = (select(Module.id, Module.title, func.count(Assignment.id).label("assigned"))
            .select_from(Assignment).join(Activity).join(Module)
            .where(Assignment.programme_id == bindparam("programme_id"))
            .group_by(Module.id, Module.title, Module.position).order_by(Module.position, Module.id))


def cohort(programme: Programme, *, sort: str = "name", descending: bool = False,
           team: str | None = None, behind_only: bool = False, page: int = 1) -> CohortProgress:
    """One page of the programme's intervention participants' progress, sorted and filtered.

    ``behind_only`` keeps participants who have done fewer than half their assigned activities.
    Totals come from the activity summaries by module; sorting, filtering and paging happen in SQL: the
    page's rows come with their names, goal counts, how many match and their activity totals
    by module in one statement, so a page costs the same statements however large the cohort.
    ``rows`` is the page's rows and ``page`` says where the page is; ``shared_goals`` are those
    of the page's people.
    """
    # Rows are unpacked, not read by attribute: a Row's attribute costs far more than its place.
    modules = db.session.execute(_MODULES, {"programme_id": programme.id}).all()
    assigned = {module_id: count for module_id, _, count in modules}
    total = sum(assigned.values())
    per_page = listing.PER_PAGE
    first = (max(1, page) - 1) * per_page
    found = db.session.execute(
        _page_statement(sort if sort in SORTS else "name", descending, bool(team), behind_only),
        {"programme_id": programme.id, "team": team, "assigned": total, "first": first,
         "per_page": per_page}).all()
    # The page's people, in the page's order, their totals by module, their shared goals and
    # the teams (wherever they come).
    rows, by_module, shared, teams, start, matches = {}, [], [], [], 0, 0
    for member_id, kind, name, team_name, start_, matches_, goals_set, goals_reviewed, *totals in found:
        if kind == PERSON:
            rows[member_id] = ParticipantProgress(Member(member_id, name, team_name), assigned=total,
                                                  goals_set=goals_set, goals_reviewed=goals_reviewed)
            start, matches = start_, matches_
        elif kind == TOTALS:
            by_module.append((member_id, *totals))
        elif kind == SHARED:  # what, status, latest progress, goal id, target date
            shared.append((goals_reviewed, member_id, name, team_name, goals_set, totals[-1]))
        else:
            teams.append(name)
    for member_id, module_id, done, minutes, last in by_module:
        row = rows[member_id]
        if done:
            row.done_by_module[module_id] = done
        row.done += done
        row.minutes += minutes
        row.last_logged = last if row.last_logged is None else max(row.last_logged, last)
    columns = list(assigned.items())
    for row in rows.values():
        done_by_module = row.done_by_module
        row.module_cells = [f"{done_by_module.get(module_id, 0)}/{count}" for module_id, count in columns]
    page_rows = list(rows.values())
    number = start // per_page + 1 if rows else 1
    goals = [SharedGoal(rows[member_id].membership, what, status, target_on, latest)
             for _, member_id, what, status, latest, target_on in sorted(shared)]
    return CohortProgress(modules, assigned, page_rows, sorted(teams), goals,
                          listing.ListPage(page_rows, matches, number, per_page))


def _done_totals():
    """Each participant's activities done, last date logged and minutes, from their activity
    summaries by module (those of the programme's memberships)."""
    return (select(ActivityModuleSummary.membership_id,
                   func.sum(ActivityModuleSummary.done).label("done"),
                   func.max(ActivityModuleSummary.last_done_on).label("last"),
                   func.sum(ActivityModuleSummary.minutes).label("minutes"))
            .join(Membership, Membership.id == ActivityModuleSummary.membership_id)
            .where(Membership.programme_id == bindparam("programme_id"))
            .group_by(ActivityModuleSummary.membership_id))


# What each row of the page's statement is (its second column).
TOTALS, PERSON, SHARED, TEAM = range(4)


@lru_cache(maxsize=None)
def _page_statement(sort: str, descending: bool, by_team: bool, behind_only: bool):
    """The statement for one page of the table in this order with these filters, built once.

    The matching participants are counted, and the page is taken in order with LIMIT and
    OFFSET (the database keeps only the page's rows while it sorts, rather than numbering every
    match); its start is the requested page's, or the last page's when the requested one is
    past the end, as ``listing.paginate`` does. The per-participant totals are joined only when
    the order or the ``behind`` filter needs them (and counted only for the filter), so the
    usual page (by name) never totals the whole cohort. Only the page's rows' goals are counted.

    The page's people (``person`` 1), each with the page's start and the count, come in order
    (as the page's rows did before: the join with ``bounds`` keeps the page's order, and a
    UNION ALL returns its parts in turn); with them (``person`` 0), the page's people's activity
    totals by module: activities done, minutes and the last date logged, as the activity
    summaries by module hold them (a row per module, read by the membership's index; a row's
    totals are the sums over its modules). The totals come
    with the page rather than in a statement of their own, which had to send the page's ids
    back (a round trip, and on PostgreSQL 50 parameters).
    """
    need_done = behind_only or sort in ("done", "last_logged", "minutes")
    name = func.lower(User.display_name)
    keys = {"name": [name]}
    inner = (select(Membership.id, User.display_name.label("name"), Membership.team)
             .join(User, User.id == Membership.user_id).where(*_INTERVENTION))
    matching = select(Membership.id).where(*_INTERVENTION)  # what the count reads: the filters only
    if by_team:
        inner = inner.where(Membership.team == bindparam("team"))
        matching = matching.where(Membership.team == bindparam("team"))
    if need_done:
        done = _done_totals().subquery()
        inner = inner.outerjoin(done, done.c.membership_id == Membership.id)
        done_count = func.coalesce(done.c.done, 0)
        never = case((done.c.last.is_(None), 0), else_=1)  # "never" sorts before any date
        keys |= {"done": [done_count], "minutes": [func.coalesce(done.c.minutes, 0)],
                 "last_logged": [never, done.c.last]}
        if behind_only:
            behind = done_count * 2 < bindparam("assigned", type_=Integer)
            inner = inner.where(behind)
            matching = matching.outerjoin(done, done.c.membership_id == Membership.id).where(behind)
    if sort == "goals":
        goals = (select(Goal.membership_id, func.count(func.distinct(Goal.id)).label("set"),
                        func.count(func.distinct(GoalReview.goal_id)).label("reviewed"))
                 .join(Membership, Membership.id == Goal.membership_id)
                 .outerjoin(GoalReview, GoalReview.goal_id == Goal.id)
                 .where(Membership.programme_id == bindparam("programme_id"))
                 .group_by(Goal.membership_id).subquery())
        inner = inner.outerjoin(goals, goals.c.membership_id == Membership.id)
        keys["goals"] = [func.coalesce(goals.c.set, 0), func.coalesce(goals.c.reviewed, 0)]
    ties = [Membership.id] if sort == "name" else [name, Membership.id]  # then by name, then as added
    order = [k.desc() if descending else k.asc() for k in keys[sort]] + ties

    first, per_page = bindparam("first", type_=Integer), bindparam("per_page", type_=Integer)
    counted = select(func.count().label("matches")).select_from(matching.subquery()).subquery()
    bounds = select(counted.c.matches, listing.page_start_sql(counted.c.matches, first, per_page)
                    .label("start")).cte("bounds")
    page = inner.order_by(*order).limit(per_page).offset(select(bounds.c.start).scalar_subquery()).cte("page")
    goals_set = select(func.count(Goal.id)).where(Goal.membership_id == page.c.id)
    reviewed = goals_set.where(exists().where(GoalReview.goal_id == Goal.id))
    people = (select(page.c.id, literal(PERSON).label("kind"), page.c.name, page.c.team, bounds.c.start,
                     bounds.c.matches, goals_set.scalar_subquery().label("goals_set"),
                     reviewed.scalar_subquery().label("goals_reviewed"),
                     # A union's columns take their types from its first SELECT's: the dates' is Date.
                     *[type_coerce(null(), Integer)] * 3, type_coerce(null(), Date))
              .select_from(page).join(bounds, true()))
    totals = (select(ActivityModuleSummary.membership_id, literal(TOTALS), *[null()] * 6,
                     ActivityModuleSummary.module_id, ActivityModuleSummary.done, ActivityModuleSummary.minutes,
                     ActivityModuleSummary.last_done_on)
              .where(ActivityModuleSummary.membership_id.in_(select(page.c.id))))
    # The goals the page's people shared with their trainers (what, status, latest progress,
    # the goal's id for their order, target date), and the teams to filter by.
    shared = (select(Goal.membership_id, literal(SHARED), Goal.what, Goal.status, null(), null(),
                     _LATEST_PROGRESS, Goal.id, null(), null(), null(), Goal.target_on)
              .where(Goal.membership_id.in_(select(page.c.id)), Goal.shared_with_trainer.is_(True)))
    named = (select(Membership.team).distinct()
             .where(*_INTERVENTION, Membership.team.is_not(None), Membership.team != "").subquery())
    teams = select(null(), literal(TEAM), named.c.team, *[null()] * 9)
    return union_all(people, totals, shared, teams)


# Shared goals with their author's name and team and the progress of their latest review.
_LATEST_PROGRESS = (select(GoalReview.progress).where(GoalReview.goal_id == Goal.id)
                    .order_by(GoalReview.reviewed_on.desc(), GoalReview.id.desc()).limit(1).scalar_subquery())
_SHARED = (select(Goal.membership_id, User.display_name, Membership.team, Goal.what, Goal.status,
                  Goal.target_on, _LATEST_PROGRESS.label("latest"))
           .join(Membership, Membership.id == Goal.membership_id).join(User, User.id == Membership.user_id)
           .where(Membership.programme_id == bindparam("programme_id"), Goal.shared_with_trainer.is_(True))
           .order_by(Goal.id))
_SHARED_BY = _SHARED.where(listing.ids_in(Goal.membership_id))


def shared_goals(programme: Programme, membership_ids: list[int] | None = None) -> list[SharedGoal]:
    """The goals participants have shared with their trainers, with their latest progress
    (only those of ``membership_ids`` when given)."""
    query, params = _SHARED, {"programme_id": programme.id}
    if membership_ids is not None:
        query, params["ids"] = _SHARED_BY, membership_ids
    return [SharedGoal(Member(member_id, name, team), what, status, target_on, latest)
            for member_id, name, team, what, status, target_on, latest in db.session.execute(query, params)]
