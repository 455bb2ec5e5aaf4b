"""Module ratings compared across the programmes a lead leads: per programme and pooled over
the programmes whose group is shown (trainer.services.disclosure)."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from trainer import stats
from trainer.clock import today_in
from trainer.errors import PermissionDenied
from trainer.extensions import db
from trainer.models import Module, Programme, RatingSummary, RatingWave, User
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
    programmes = _programmes(user)
    # Newest first as on the lead's home; the id settles ties, so pages never overlap.
    ordered = sorted(programmes, key=lambda p: (-p.start_date.toordinal(), p.id))
    shown_page = listing.paginate(ordered, page=page, per_page=per_page)
    return shown_page, _rows(programmes, shown_page.items, now)


def compare_programmes(user: User, *, now: datetime) -> tuple[list[Programme], list[ComparisonRow]]:
    """Leads and evaluators: each module's ratings in the first and second wave of every programme
    they lead or evaluate. A programme's figure shows for 5 or more raters in a closed
    wave; the pooled figure pools only the programmes shown, so no hidden group can be
    worked out by subtracting the shown ones from it."""
    programmes = _programmes(user)
    return programmes, _rows(programmes, programmes, now)


def _programmes(user: User) -> list[Programme]:
    programmes = access.programmes_for(user, "lead", "evaluator")
    if not programmes:
        raise PermissionDenied("Only programme leads and evaluators can compare programmes.")
    return programmes


def _rows(programmes: list[Programme], columns: list[Programme], now: datetime) -> list[ComparisonRow]:
    """The rows over ``programmes`` (pooled over every shown one), with a cell for each of
    ``columns`` (some of ``programmes``, in their order)."""
    ids = [p.id for p in programmes]
    waves_by_programme: dict[int, list[RatingWave]] = {p.id: [] for p in programmes}
    for wave in db.session.scalars(select(RatingWave).where(RatingWave.programme_id.in_(ids))
                                   .order_by(RatingWave.offset_days, RatingWave.id)):
        if len(waves_by_programme[wave.programme_id]) < 2:
            waves_by_programme[wave.programme_id].append(wave)
    # wave id -> (programme id, position), and whether its results show yet: plain values, read
    # once, for the loops below (which run once per programme, wave and module).
    place = {w.id: (p.id, i) for p in programmes for i, w in enumerate(waves_by_programme[p.id])}
    visible = {w.id: disclosure.rating_results_visible(w, today_in(p.timezone, now), False)
               for p in programmes for w in waves_by_programme[p.id]}
    # Counts per score (1-5) of each wave and module from the rating summaries (kept in step
    # with the ratings): one row per programme, wave and module, never the ratings themselves.
    rows = db.session.execute(
        select(RatingSummary.wave_id, RatingSummary.module_id,
               *(getattr(RatingSummary, f"score_{level}") for level in SCALE))
        .where(RatingSummary.programme_id.in_(ids)))
    # Sufficient statistics, never expanded into lists; every summary of the page comes from
    # one describe_counts call.
    counts: dict[tuple[int, int], dict[int, list[int]]] = defaultdict(dict)  # (module, pos) -> programme
    for wave_id, module_id, *per_level in rows:
        if wave_id in place:
            programme_id, pos = place[wave_id]
            counts[(module_id, pos)][programme_id] = per_level
    grid = []  # (module, pos, [(programme, wave, n, why)] of the columns, pooled counts)
    wave_ids = {p.id: [w.id for w in waves_by_programme[p.id]] for p in programmes}
    columns_at = {p.id: i for i, p in enumerate(columns)}
    for module in db.session.scalars(select(Module).order_by(Module.position)):
        for pos in (0, 1):
            by_programme = counts.get((module.id, pos))
            if not by_programme:
                continue
            cells, pooled = [None] * len(columns), [0] * len(SCALE)
            for programme_id, waves in wave_ids.items():
                wave_id = waves[pos] if pos < len(waves) else None
                per_level = by_programme.get(programme_id)
                n = sum(per_level) if per_level else 0
                why = "no ratings" if not n else disclosure.reason(n, visible.get(wave_id, False))
                if programme_id in columns_at:
                    cells[columns_at[programme_id]] = (programme_id, wave_id, n, why)
                if not why:
                    pooled = [a + b for a, b in zip(pooled, per_level)]
            grid.append((module, pos, cells, pooled))
    shown = [counts[(m.id, pos)][pid] for m, pos, cells, _ in grid for pid, _w, _n, why in cells if not why]
    summaries = iter(stats.describe_counts(shown + [pooled for *_, pooled in grid]))
    result = []
    by_id = {p.id: p for p in columns}
    wave_by_id = {w.id: w for p in columns for w in waves_by_programme[p.id]}
    for module, pos, cells, _ in grid:
        result.append([module, pos, [ProgrammeCell(by_id[pid], wave_by_id.get(wave_id),
                                                   n if why in ("", "no ratings") else None,
                                                   None if why else next(summaries), why)
                                     for pid, wave_id, n, why in cells]])
    for row, (*_, pooled) in zip(result, grid):
        pooled_summary = next(summaries)
        row.extend([pooled_summary if sum(pooled) else None, sum(pooled)])
    return [ComparisonRow(*row) for row in result]
