"""Trainers' view of a cohort's progress on activities and goals.

It counts and dates; it never reads a private note, and a goal's text only when its author
has shared that goal with their trainers.
"""
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from sqlalchemy import Integer, String, bindparam, case, cast, exists, func, literal, null, select, true, union_all

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


class ModuleColumn(NamedTuple):
    """A module column of the table: the module, its title and how many of its activities are
    assigned."""

    id: int
    title: str
    assigned: int


@dataclass
class CohortProgress:
    """The cohort table, its module columns (id and title), the teams to filter by, and shared goals."""

    modules: list[ModuleColumn]
    assigned_by_module: dict[int, int]
    rows: list[ParticipantProgress]
    teams: list[str]
    shared_goals: list[SharedGoal]
    page: listing.ListPage


# The statements below are built once, with bound parameters, so a page pays only to run them.
_INTERVENTION = (Membership.programme_id == bindparam("programme_id"), Membership.role == "participant",
                 Membership.arm == "intervention")


def cohort(programme: Programme, *, sort: str = "name", descending: bool = False,
           team: str | None = None, behind_only: bool = False, page: int = 1) -> CohortProgress:
    """One page of the programme's intervention participants' progress, sorted and filtered.

    ``behind_only`` keeps participants who have done fewer than half their assigned activities.
    Totals come from the activity summaries by module; sorting, filtering and paging happen in
    SQL: the page's rows come with their names, goal counts, how many match and their activity
    totals by module, with the module columns, in one statement, so a page costs the same
    statement however large the cohort.
    ``rows`` is the page's rows and ``page`` says where the page is; ``shared_goals`` are those
    of the page's people.
    """
    # Rows are unpacked, not read by attribute: a Row's attribute costs far more than its place.
    per_page = listing.PER_PAGE
    first = (max(1, page) - 1) * per_page
    found = db.session.execute(
        _page_statement(sort if sort in SORTS else "name", descending, bool(team), behind_only),
        {"programme_id": programme.id, "team": team, "first": first, "per_page": per_page}).all()
    # The page's people in the page's order with their totals, their shared goals, the teams and
    # the module columns (wherever they come).
    people, shared, teams, modules, start, matches = [], [], [], [], 0, 0
    for member_id, kind, name, team_name, start_, matches_, goals_set, goals_reviewed, cells, last in found:
        if kind == PERSON:
            people.append((member_id, name, team_name, goals_set, goals_reviewed, cells, last))
            start, matches = start_, matches_
        elif kind == SHARED:  # what, status, latest progress, goal id, target date
            shared.append((goals_reviewed, member_id, name, team_name, goals_set, last))
        elif kind == MODULE:  # title, assigned, position
            modules.append((goals_reviewed, member_id, name, goals_set))
        else:
            teams.append(name)
    columns = [ModuleColumn(module_id, title, count) for _, module_id, title, count in sorted(modules)]
    total = sum(count for *_, count in columns)
    rows = {}
    for member_id, name, team_name, goals_set, goals_reviewed, cells, last in people:
        done_by_module, done, minutes = {}, 0, 0
        if cells:  # "<module id>:<done>:<minutes>" per module with any entry
            for cell in cells.split(","):
                module_id, count, spent = map(int, cell.split(":"))
                if count:
                    done_by_module[module_id] = count
                done += count
                minutes += spent
        rows[member_id] = ParticipantProgress(
            Member(member_id, name, team_name), done_by_module, done, total, last, minutes, goals_set,
            goals_reviewed, [f"{done_by_module.get(column.id, 0)}/{column.assigned}" for column in columns])
    page_rows = list(rows.values())
    number = start // per_page + 1 if rows else 1
    goals = [SharedGoal(rows[member_id].membership, what, status, target_on, latest)
             for _, member_id, what, status, latest, target_on in sorted(shared)]
    return CohortProgress(columns, {column.id: column.assigned for column in columns}, page_rows,
                          sorted(teams), goals, listing.ListPage(page_rows, matches, number, per_page))


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


# How many activities the programme has assigned.
_ASSIGNED = (select(func.count(Assignment.id)).where(Assignment.programme_id == bindparam("programme_id"))
             .scalar_subquery())

# What each row of the page's statement is (its second column).
PERSON, SHARED, TEAM, MODULE = range(4)


@lru_cache(maxsize=None)
def _page_statement(sort: str, descending: bool, by_team: bool, behind_only: bool):
    """The statement for one page of the table in this order with these filters, built once.

    The matching participants are counted, and the page is taken in order with LIMIT and
    OFFSET (the database keeps only the page's rows while it sorts, rather than numbering every
    match); its start is the requested page's, or the last page's when the requested one is
    past the end, as ``listing.paginate`` does. The per-participant totals are joined only when
    the order or the ``behind`` filter needs them (and counted only for the filter), so the
    usual page (by name) never totals the whole cohort. Only the page's rows' goals are counted.

    The page's people (kind ``PERSON``), each with the page's start and the count, come in order
    (the join with ``bounds`` keeps the page's order, and a UNION ALL returns its parts in turn),
    each with their activity summaries by module as one text and their latest day logged (two
    look-ups by the membership's key; the row's totals are the sums over its modules). Then the
    shared goals of the page's people, the teams to filter by and the module columns (kinds
    ``SHARED``, ``TEAM`` and ``MODULE``). Everything the page shows comes in this one statement:
    no round trip sends the page's ids back.
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
            behind = done_count * 2 < _ASSIGNED
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
    # Each person's summaries by module as one text, "<module id>:<done>:<minutes>" per module,
    # and their latest day: two look-ups by the person's key in the summaries by module, rather
    # than a row per module (a join here could reorder the page).
    summaries = ActivityModuleSummary
    cell = (cast(summaries.module_id, String) + ":" + cast(summaries.done, String) + ":"
            + cast(summaries.minutes, String))
    cells = select(func.aggregate_strings(cell, ",")).where(summaries.membership_id == page.c.id)
    last = select(func.max(summaries.last_done_on)).where(summaries.membership_id == page.c.id)
    people = (select(page.c.id, literal(PERSON).label("kind"), page.c.name, page.c.team, bounds.c.start,
                     bounds.c.matches, goals_set.scalar_subquery().label("goals_set"),
                     reviewed.scalar_subquery().label("goals_reviewed"), cells.scalar_subquery().label("cells"),
                     # A union's columns take their types from its first SELECT's: the dates' is Date.
                     last.scalar_subquery().label("last"))
              .select_from(page).join(bounds, true()))
    # The goals the page's people shared with their trainers (what, status, latest progress,
    # the goal's id for their order, target date), the teams to filter by, and the module
    # columns (title, how many of the module's activities are assigned, position).
    shared = (select(Goal.membership_id, literal(SHARED), Goal.what, Goal.status, null(), null(),
                     _LATEST_PROGRESS, Goal.id, null(), Goal.target_on)
              .where(Goal.membership_id.in_(select(page.c.id)), Goal.shared_with_trainer.is_(True)))
    named = (select(Membership.team).distinct()
             .where(*_INTERVENTION, Membership.team.is_not(None), Membership.team != "").subquery())
    teams = select(null(), literal(TEAM), named.c.team, *[null()] * 7)
    modules = (select(Module.id, literal(MODULE), Module.title, null(), null(), null(), func.count(Assignment.id),
                      Module.position, null(), null())
               .select_from(Assignment).join(Activity).join(Module)
               .where(Assignment.programme_id == bindparam("programme_id"))
               .group_by(Module.id, Module.title, Module.position))
    return union_all(people, shared, teams, modules)


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
