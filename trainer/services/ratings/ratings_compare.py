"""Module ratings compared across the programmes a lead leads: per programme and pooled over
the programmes whose group is shown (trainer.services.disclosure)."""
import functools
import operator
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Date, and_, bindparam, case, func, literal_column, or_, select, union_all

from trainer import stats
from trainer.clock import today_in
from trainer.errors import PermissionDenied
from trainer.extensions import db
from trainer.models import Membership, Module, Programme, ProgrammeVersion, RatingSummary, RatingWave, User
from trainer.services.accounts import access
from trainer.services.privacy import disclosure
from trainer.services.ratings.ratings import SCALE
from trainer.services.system import listing
from trainer.services.system.rows import plain_rows

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

    @property
    def cell_texts(self) -> list[tuple[bool, str, str, int | None, str]]:
        """What the page writes in each cell, ready to write: (shown, mean, its CI, n, reason)
        (a shown figure has 5 or more raters, so its mean and CI are never missing)."""
        return [(True, "%.2f" % c.summary.mean, "%.2f to %.2f" % (c.summary.ci_low, c.summary.ci_high), c.n, "")
                if c.summary else (False, "", "", c.n, c.reason) for c in self.cells]


def compare_page(user: User, *, now: datetime, page: int = 1, per_page: int = PER_PAGE,
                 places: list | None = None) -> tuple[listing.ListPage, list[ComparisonRow]]:
    """``compare_programmes`` a page of programmes (table columns) at a time: the page of
    programmes, and each row with the cells of those programmes and the pooled figure over
    every programme (whatever the page). ``places`` are ``reader_places(user)`` when the caller has
    them already."""
    places = places or reader_places(user)
    # Newest first as on the lead's home; the id settles ties, so pages never overlap.
    ordered = sorted(places, key=lambda p: (-p.start_date.toordinal(), p.id))
    shown = listing.paginate(ordered, page=page, per_page=per_page)
    # Entities for the page's columns only: the other programmes are read as plain rows.
    loaded = {p.id: p for p in db.session.scalars(
        select(Programme).where(Programme.id.in_([p.id for p in shown.items])))}
    columns = [loaded[p.id] for p in shown.items]
    return (listing.ListPage(columns, shown.total, shown.page, shown.per_page),
            _rows(user, places, columns, now))


def compare_programmes(user: User, *, now: datetime) -> tuple[list[Programme], list[ComparisonRow]]:
    """Leads and evaluators: each module's ratings in the first and second wave of every programme
    they lead or evaluate. A programme's figure shows for 5 or more raters in a closed
    wave; the pooled figure pools only the programmes shown, so no hidden group can be
    worked out by subtracting the shown ones from it."""
    places = reader_places(user)
    programmes = access.programmes_for(user, "lead", "evaluator")
    return programmes, _rows(user, places, programmes, now)


def reader_places(user: User) -> list:
    """(id, start_date, timezone, version, ratings_version) of each programme ``user`` leads or
    evaluates, as plain rows (its versions: memo.versions)."""
    places = list(db.session.execute(
        select(Programme.id, Programme.start_date, Programme.timezone, ProgrammeVersion.version,
               ProgrammeVersion.ratings_version).join(Membership)
        .outerjoin(ProgrammeVersion, ProgrammeVersion.programme_id == Programme.id)
        .where(Membership.user_id == user.id, Membership.role.in_(("lead", "evaluator"))).distinct()))
    if not places:
        raise PermissionDenied("Only programme leads and evaluators can compare programmes.")
    return places


def remembered_as(places: list, now: datetime) -> tuple | None:
    """What the comparison over ``places`` (``reader_places(user)``) at ``now`` is computed
    from, as a key to remember it under (memo.remembered_under): each programme with its
    versions, and the local date in each of their time zones. None when a programme has no
    versions."""
    if any(version is None or ratings_version is None for *_, version, ratings_version in places):
        return None
    zones = sorted({place.timezone for place in places})
    return tuple(sorted(tuple(place) for place in places)), tuple(today_in(zone, now) for zone in zones)


# Statements built once: each request only binds the reader, the dates and its page's waves.
# The programmes of a reader (their leads and evaluators), for the pool over all of them.
_READER = bindparam("user_id")
_READ = select(Membership.programme_id).where(Membership.user_id == _READER,
                                              Membership.role.in_(("lead", "evaluator")))
# "Today" in a programme's time zone: local dates are at most three apart, so the zones are
# bound as three lists with their dates (wave_state: closed once closed_at is set or today is
# on or after closes_on).
_TODAY = case((Programme.timezone.in_(bindparam("zones_0", expanding=True)), bindparam("day_0", type_=Date)),
              (Programme.timezone.in_(bindparam("zones_1", expanding=True)), bindparam("day_1", type_=Date)),
              else_=bindparam("day_2", type_=Date))
# Each wave of the reader's programmes: its position in its programme (0 first, 1 second, in
# list_waves' order) and whether its results show to a lead.
_ranked = (select(RatingWave.id,
                  (func.row_number().over(partition_by=RatingWave.programme_id,
                                          order_by=(RatingWave.offset_days, RatingWave.id)) - 1).label("position"),
                  case((or_(RatingWave.closed_at.is_not(None), RatingWave.closes_on <= _TODAY), 1),
                       else_=0).label("visible"))
           .join(Programme, Programme.id == RatingWave.programme_id)
           .where(RatingWave.programme_id.in_(_READ)).subquery())
_SCORES = tuple(getattr(RatingSummary, f"score_{level}") for level in SCALE)
_RATERS = functools.reduce(operator.add, _SCORES)
# Per module and wave position (0 first, 1 second): the counts per score of every shown
# programme added up in SQL, and a row for every module and position with any ratings. Whether
# a summary is shown is worked out once a row, in the inner query.
_summary = (select(RatingSummary.module_id, _ranked.c.position,
                   case((and_(_ranked.c.visible == 1, disclosure.group_shown_sql(_RATERS)), 1),
                        else_=0).label("shown"),
                   *_SCORES)
            .join(_ranked, _ranked.c.id == RatingSummary.wave_id)
            .where(_ranked.c.position < 2).subquery())
_POOLED = (select(_summary.c.module_id, _summary.c.position,
                  *(func.sum(_summary.c[score.key] * _summary.c.shown) for score in _SCORES))
           .group_by(_summary.c.module_id, _summary.c.position))
# The waves of the page's programmes, earliest first (list_waves' order).
_PAGE_WAVES = (select(RatingWave).where(RatingWave.programme_id.in_(bindparam("programmes", expanding=True)))
               .order_by(RatingWave.offset_days, RatingWave.id))
# In one statement (one round trip), each row tagged with its kind: the pool (POOL: per module
# and position, as _POOLED), and the counts per score of the page's programmes (CELL: per module
# and wave, every wave of theirs; only their first two are read).
POOL, CELL = 0, 1
_POOL_AND_CELLS = union_all(
    _POOLED.add_columns(literal_column(str(POOL)).label("kind")),
    select(RatingSummary.module_id, RatingSummary.wave_id, *_SCORES, literal_column(str(CELL)))
    .where(RatingSummary.programme_id.in_(bindparam("programmes", expanding=True))))


def _dates(zones, now: datetime) -> dict:
    """The bound values of _TODAY: the zones grouped by their local date at ``now``."""
    days: dict = defaultdict(list)
    for zone in sorted(set(zones)):
        days[today_in(zone, now)].append(zone)
    ordered = sorted(days.items())  # at most three: UTC-12 to UTC+14 spans 26 hours
    ordered += [(ordered[-1][0] if ordered else now.date(), [])] * (3 - len(ordered))
    return {**{f"day_{i}": day for i, (day, _) in enumerate(ordered)},
            **{f"zones_{i}": zones for i, (_, zones) in enumerate(ordered)}}


def pooled_counts(user: User, places: list, now: datetime) -> dict[tuple[int, int], list[int]]:
    """(module id, position) -> counts per score pooled over the programmes ``places`` (those
    ``user`` leads or evaluates) whose figure shows: added up in SQL from the rating summaries,
    with a row for every module and position with any ratings."""
    return {(module_id, pos): list(per_level) for module_id, pos, *per_level in plain_rows(
        _POOLED, {"user_id": user.id, **_dates([p.timezone for p in places], now)})}


def _rows(user: User, places: list, columns: list[Programme], now: datetime) -> list[ComparisonRow]:
    """The rows over the programmes ``places`` (pooled over every shown one), with a cell for
    each of ``columns`` (some of those programmes, in their order)."""
    # The first two waves of each programme of the page, and whether its results show yet.
    today = {p.id: today_in(p.timezone, now) for p in columns}
    place, column_waves, visible, taken = {}, {}, set(), defaultdict(int)
    for wave in db.session.scalars(_PAGE_WAVES, {"programmes": list(today)}):
        pos = taken[wave.programme_id]
        if pos < 2:
            taken[wave.programme_id] += 1
            place[wave.id] = (wave.programme_id, pos)
            column_waves[(wave.programme_id, pos)] = wave
            if disclosure.rating_results_visible(wave, today[wave.programme_id], False):
                visible.add(wave.id)
    # Counts per score of each wave and module from the rating summaries (kept in step with the
    # ratings), never the ratings themselves: sufficient statistics, never expanded into lists.
    # The pool is added up in SQL over every programme; only the page's cells are decided here.
    pooled: dict[tuple[int, int], list[int]] = {}
    cells: dict[tuple[int, int], dict[int, tuple[int, str, list[int]]]] = defaultdict(dict)
    for module_id, pos_or_wave, *per_level, kind in plain_rows(_POOL_AND_CELLS, {
            "user_id": user.id, **_dates([p.timezone for p in places], now), "programmes": list(today)}):
        if kind == POOL:
            pooled[(module_id, pos_or_wave)] = per_level
            continue
        wave_id = pos_or_wave
        if wave_id not in place:  # a third or later wave
            continue
        programme_id, pos = place[wave_id]
        n = sum(per_level)
        why = disclosure.reason(n, wave_id in visible) if n else "no ratings"
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
