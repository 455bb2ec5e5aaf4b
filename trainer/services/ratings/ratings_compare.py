"""Module ratings compared across the programmes a lead leads: per programme and pooled over
the programmes whose group is shown (trainer.services.disclosure)."""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from trainer import stats
from trainer.clock import today_in
from trainer.errors import PermissionDenied
from trainer.extensions import db
from trainer.models import Membership, Module, ModuleRating, Programme, RatingWave, User
from trainer.services.accounts import access
from trainer.services.privacy import disclosure
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
    programmes, rows = compare_programmes(user, now=now)
    # Newest first as on the lead's home; the id settles ties, so pages never overlap.
    ordered = sorted(programmes, key=lambda p: (-p.start_date.toordinal(), p.id))
    shown_page = listing.paginate(ordered, page=page, per_page=per_page)
    rows = [(r, {c.programme.id: c for c in r.cells}) for r in rows]
    return shown_page, [ComparisonRow(r.module, r.position, [cells[p.id] for p in shown_page.items],
                                      r.pooled, r.pooled_n) for r, cells in rows]


def compare_programmes(user: User, *, now: datetime) -> tuple[list[Programme], list[ComparisonRow]]:
    """Leads and evaluators: each module's ratings in the first and second wave of every programme
    they lead or evaluate. A programme's figure shows for 5 or more raters in a closed
    wave; the pooled figure pools only the programmes shown, so no hidden group can be
    worked out by subtracting the shown ones from it."""
    programmes = access.programmes_for(user, "lead", "evaluator")
    if not programmes:
        raise PermissionDenied("Only programme leads and evaluators can compare programmes.")
    ids = [p.id for p in programmes]
    waves_by_programme: dict[int, list[RatingWave]] = {p.id: [] for p in programmes}
    for wave in db.session.scalars(select(RatingWave).where(RatingWave.programme_id.in_(ids))
                                   .order_by(RatingWave.offset_days, RatingWave.id)):
        if len(waves_by_programme[wave.programme_id]) < 2:
            waves_by_programme[wave.programme_id].append(wave)
    position = {w.id: i for ws in waves_by_programme.values() for i, w in enumerate(ws)}
    visible = {w.id: disclosure.rating_results_visible(w, today_in(p.timezone, now), False)
               for p in programmes for w in waves_by_programme[p.id]}
    # Counts per score in SQL (at most five rows per programme, wave and module). The waves are
    # chosen here rather than by a long IN list, which would make the database probe every
    # (wave, participant) pair.
    rows = db.session.execute(
        select(ModuleRating.wave_id, ModuleRating.module_id, ModuleRating.usefulness,
               Membership.programme_id, func.count())
        .join(Membership).where(Membership.programme_id.in_(ids), Membership.arm == "intervention",
                                ModuleRating.usefulness.is_not(None))
        .group_by(ModuleRating.wave_id, ModuleRating.module_id, ModuleRating.usefulness,
                  Membership.programme_id))
    # Counts per score (1-5) of each (module, wave position, programme): sufficient statistics,
    # never expanded into lists; every summary of the page comes from one describe_counts call.
    counts: dict[tuple[int, int, int], list[int]] = defaultdict(lambda: [0] * 5)
    for wave_id, module_id, usefulness, programme_id, count in rows:
        if wave_id in position:
            counts[(module_id, position[wave_id], programme_id)][usefulness - 1] += count
    grid = []  # (module, pos, [(programme, wave, n, why)], pooled counts)
    for module in db.session.scalars(select(Module).order_by(Module.position)):
        for pos in (0, 1):
            keys = [(module.id, pos, p.id) for p in programmes]
            if not any(k in counts for k in keys):
                continue
            cells, pooled = [], [0] * 5
            for p, key in zip(programmes, keys):
                wave = waves_by_programme[p.id][pos] if pos < len(waves_by_programme[p.id]) else None
                n = sum(counts[key]) if key in counts else 0
                why = "no ratings" if not n else disclosure.reason(
                    n, visible.get(wave.id, False) if wave else False)
                cells.append((p, wave, n, why))
                if not why:
                    pooled = [a + b for a, b in zip(pooled, counts[key])]
            grid.append((module, pos, cells, pooled))
    shown = [counts[(m.id, pos, p.id)] for m, pos, cells, _ in grid for p, _w, _n, why in cells if not why]
    summaries = iter(stats.describe_counts(shown + [pooled for *_, pooled in grid]))
    result = []
    for module, pos, cells, _ in grid:
        result.append([module, pos, [ProgrammeCell(p, wave, n if why in ("", "no ratings") else None,
                                                   None if why else next(summaries), why)
                                     for p, wave, n, why in cells]])
    for row, (*_, pooled) in zip(result, grid):
        pooled_summary = next(summaries)
        row.extend([pooled_summary if sum(pooled) else None, sum(pooled)])
    return programmes, [ComparisonRow(*row) for row in result]
