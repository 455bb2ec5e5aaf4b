"""Module ratings compared across the programmes a lead leads: per programme and pooled over
the programmes whose group is shown (trainer.services.disclosure)."""
import functools
import operator
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, bindparam, case, func, select

from trainer import stats
from trainer.clock import today_in
from trainer.errors import PermissionDenied
from trainer.extensions import db
from trainer.models import Membership, Module, Programme, RatingSummary, RatingWave, User
from trainer.services.accounts import access
from trainer.services.privacy import disclosure
from trainer.services.ratings.ratings import SCALE
from trainer.services.system import listing

PER_PAGE = 20  # programmes (table columns) a page


@dataclass(frozen=True)
class ProgrammeCell:
    """One programme's ratings of one module in one wave position. Without a ``summary``,
    ``reason`` says why (no ratings, fewer than 5, or the wave still open)."""

    programme: Programme
    wave: RatingWave | None
    n: int | None
    summary: stats.Description | None
    reason: str


@dataclass(frozen=True)
class ComparisonRow:
    """A module in one wave position, per programme and pooled over the shown programmes."""

    module: Module
    position: int
    cells: list[ProgrammeCell]
    pooled: stats.Description | None
    pooled_n: int


def compare_page(user: User, *, now: datetime, page: int = 1,
                 per_page: int = PER_PAGE) -> tuple[listing.ListPage, list[ComparisonRow]]:
    """``compare_programmes`` a page of programmes (table columns) at a time: the page of
    programmes, and each row with the cells of those programmes and the pooled figure over
    every programme (whatever the page)."""
    places = _places(user)
    # Newest first as on the lead's home; the id settles ties, so pages never overlap.
    ordered = sorted(places, key=lambda p: (-p.start_date.toordinal(), p.id))
    shown = listing.paginate(ordered, page=page, per_page=per_page)
    # Entities for the page's columns only: the other programmes are read as plain rows.
    loaded = {p.id: p for p in db.session.scalars(
        select(Programme).where(Programme.id.in_([p.id for p in shown.items])))}
    columns = [loaded[p.id] for p in shown.items]
    return (listing.ListPage(columns, shown.total, shown.page, shown.per_page),
            _rows(places, columns, now))


def compare_programmes(user: User, *, now: datetime) -> tuple[list[Programme], list[ComparisonRow]]:
    """Leads and evaluators: each module's ratings in the first and second wave of every programme
    they lead or evaluate. A programme's figure shows for 5 or more raters in a closed
    wave; the pooled figure pools only the programmes shown, so no hidden group can be
    worked out by subtracting the shown ones from it."""
    places = _places(user)
    programmes = access.programmes_for(user, "lead", "evaluator")
    return programmes, _rows(places, programmes, now)


def _places(user: User) -> list:
    """(id, start_date, timezone) of each programme ``user`` leads or evaluates, as plain rows."""
    places = list(db.session.execute(
        select(Programme.id, Programme.start_date, Programme.timezone).join(Membership)
        .where(Membership.user_id == user.id, Membership.role.in_(("lead", "evaluator"))).distinct()))
    if not places:
        raise PermissionDenied("Only programme leads and evaluators can compare programmes.")
    return places


# Statements built once: each request only binds its programmes and waves.
_WAVES = (select(RatingWave.id, RatingWave.programme_id, RatingWave.opens_on, RatingWave.closes_on,
                 RatingWave.closed_at)
          .where(RatingWave.programme_id.in_(bindparam("programmes", expanding=True)))
          .order_by(RatingWave.offset_days, RatingWave.id))
_SCORES = tuple(getattr(RatingSummary, f"score_{level}") for level in SCALE)
_RATERS = functools.reduce(operator.add, _SCORES)
# Per module and wave position (0 first, 1 second): the counts per score of every shown
# programme added up in SQL, and a row for every module and position with any ratings. Whether
# a summary is shown is worked out once a row, in the inner query.
_summary = (select(RatingSummary.module_id,
                   case((RatingSummary.wave_id.in_(bindparam("seconds", expanding=True)), 1),
                        else_=0).label("position"),
                   case((and_(RatingSummary.wave_id.in_(bindparam("visible", expanding=True)),
                              disclosure.group_shown_sql(_RATERS)), 1), else_=0).label("shown"),
                   *_SCORES)
            .where(RatingSummary.wave_id.in_(bindparam("waves", expanding=True))).subquery())
_POOLED = (select(_summary.c.module_id, _summary.c.position,
                  *(func.sum(_summary.c[score.key] * _summary.c.shown) for score in _SCORES))
           .group_by(_summary.c.module_id, _summary.c.position))
# The counts per score of the page's programmes, one row per wave and module.
_CELLS = (select(RatingSummary.wave_id, RatingSummary.module_id, *_SCORES)
          .where(RatingSummary.wave_id.in_(bindparam("waves", expanding=True))))


def _rows(places: list, columns: list[Programme], now: datetime) -> list[ComparisonRow]:
    """The rows over the programmes ``places`` (pooled over every shown one), with a cell for
    each of ``columns`` (some of those programmes, in their order)."""
    today = {p.id: today_in(p.timezone, now) for p in places}
    # The first two waves of each programme, as plain rows: wave id -> (programme id, position),
    # and whether its results show yet (wave_state reads only these columns).
    place, visible, taken = {}, [], defaultdict(int)
    connection = db.session.connection()
    for wave in connection.execute(_WAVES, {"programmes": list(today)}).all():
        if taken[wave.programme_id] < 2:
            place[wave.id] = (wave.programme_id, taken[wave.programme_id])
            taken[wave.programme_id] += 1
            if disclosure.rating_results_visible(wave, today[wave.programme_id], False):
                visible.append(wave.id)
    column_at = {p.id: i for i, p in enumerate(columns)}
    mine = [wid for wid, (pid, _) in place.items() if pid in column_at]
    column_waves = {place[w.id]: w for w in db.session.scalars(
        select(RatingWave).where(RatingWave.id.in_(mine)))}
    # Counts per score of each wave and module from the rating summaries (kept in step with the
    # ratings), never the ratings themselves: sufficient statistics, never expanded into lists.
    # The pool is added up in SQL over every programme; only the page's cells are decided here.
    pooled = {(module_id, pos): list(per_level) for module_id, pos, *per_level in connection.execute(
        _POOLED, {"waves": list(place), "visible": visible,
                  "seconds": [wid for wid, (_, pos) in place.items() if pos == 1]}).all()}
    shown_waves = set(visible)
    cells: dict[tuple[int, int], dict[int, tuple[int, str, list[int]]]] = defaultdict(dict)
    for wave_id, module_id, *per_level in connection.execute(_CELLS, {"waves": mine}).all():
        programme_id, pos = place[wave_id]
        n = sum(per_level)
        why = disclosure.reason(n, wave_id in shown_waves) if n else "no ratings"
        cells[(module_id, pos)][programme_id] = (n, why, per_level)
    grid = []  # (module, pos, [(programme, wave, n, why, counts)] of the columns, pooled counts)
    for module in db.session.scalars(select(Module).order_by(Module.position)):
        for pos in (0, 1):
            if (module.id, pos) not in pooled:
                continue
            mine = cells.get((module.id, pos), {})
            grid.append((module, pos, [(p, column_waves.get((p.id, pos)), *mine.get(p.id, (0, "no ratings", None)))
                                       for p in columns], pooled[(module.id, pos)]))
    shown = [counts for *_, row, _pooled in grid for _p, _w, _n, why, counts in row if not why]
    summaries = iter(stats.describe_counts(shown + [total for *_, total in grid]))
    result = [[module, pos, [ProgrammeCell(p, wave, n if why in ("", "no ratings") else None,
                                           None if why else next(summaries), why)
                             for p, wave, n, why, _counts in row]] for module, pos, row, _ in grid]
    for row, (*_, total) in zip(result, grid):
        pooled_summary = next(summaries)
        row.extend([pooled_summary if sum(total) else None, sum(total)])
    return [ComparisonRow(*row) for row in result]
