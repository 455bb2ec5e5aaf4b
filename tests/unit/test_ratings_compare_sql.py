"""The comparison across programmes: the pool worked out in SQL (each programme's first two
waves, whether each has closed in its programme's own time zone, and whether its group shows)
equals the rule in Python it replaces, on random programmes, waves, time zones and ratings."""
import random
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.factories import make_member, make_programme, make_rating, make_user, make_wave
from trainer.clock import today_in
from trainer.extensions import db
from trainer.models import Membership, ModuleRating, Programme
from trainer.services.privacy import disclosure
from trainer.services.ratings import ratings_compare
from trainer.services.ratings.ratings import SCALE, list_waves

# From UTC-11 to UTC+14: at 10:30 UTC the three zones at the ends and in the middle are on three
# different dates; at 18:00 on two.
ZONES = ("Pacific/Pago_Pago", "America/Los_Angeles", "Europe/London", "Asia/Tokyo", "Pacific/Kiritimati")
NOWS = (datetime(2027, 1, 4, 10, 30, tzinfo=timezone.utc), datetime(2027, 1, 4, 18, 0, tzinfo=timezone.utc))


def _python_pool(user, now) -> dict[tuple[int, int], list[int]]:
    """The rule as Python, from the raw ratings: per module and wave position (the first two
    waves of each programme the user leads or evaluates, in list_waves' order), the counts per
    score of the intervention arm, added up over the waves closed in the programme's own time
    zone with 5 or more raters; a key for every module and position with any score."""
    pool: dict[tuple[int, int], list[int]] = {}
    programmes = db.session.scalars(select(Programme).join(Membership).where(
        Membership.user_id == user.id, Membership.role.in_(("lead", "evaluator"))).distinct())
    for programme in programmes:
        for pos, wave in enumerate(list_waves(programme)[:2]):
            visible = disclosure.rating_results_visible(wave, today_in(programme.timezone, now), False)
            counts: dict[int, list[int]] = defaultdict(lambda: [0] * len(SCALE))
            for module_id, score in db.session.execute(
                    select(ModuleRating.module_id, ModuleRating.usefulness).join(Membership)
                    .where(ModuleRating.wave_id == wave.id, Membership.arm == "intervention",
                           ModuleRating.usefulness.is_not(None))):
                counts[module_id][score - 1] += 1
            for module_id, per_level in counts.items():
                total = pool.setdefault((module_id, pos), [0] * len(SCALE))
                if visible and disclosure.group_shown(sum(per_level)):
                    for i, c in enumerate(per_level):
                        total[i] += c
    return pool


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_pool_added_up_in_sql_equals_the_rule_in_python(app, modules, seed):
    rng = random.Random(seed)
    lead, other_lead = make_user(), make_user()
    keys = sorted(modules)[:3]
    for i in range(12):
        programme = make_programme(f"P{seed}-{i}", tz=ZONES[(i + seed) % len(ZONES)])
        # Most programmes are the lead's (one as evaluator); some are someone else's.
        role = "evaluator" if i == 0 else "lead"
        make_member(programme, role, user=lead if i < 10 else other_lead)
        if i == 1:
            make_member(programme, "trainer", user=lead)
        people = [make_member(programme, team=rng.choice(["North", "South"])) for _ in range(rng.randint(4, 8))]
        people += [make_member(programme, arm="comparison") for _ in range(2)]
        for w in range(rng.choice([0, 1, 2, 2, 3])):
            # Closing around the three local dates of NOWS, or not scheduled; ties of offset
            # settled by id; some closed early by hand.
            closes = rng.choice([None, date(2027, 1, 3), date(2027, 1, 4), date(2027, 1, 5), date(2027, 1, 5), date(2027, 2, 1)])
            wave = make_wave(programme, f"W{w}", offset_days=rng.choice([7, 7, 28, 56]),
                             opens_on=closes - timedelta(days=14) if closes else None)
            if rng.random() < 0.2:
                wave.closed_at = datetime(2027, 1, 1, tzinfo=timezone.utc)
            for person in people:
                for key in keys:
                    if rng.random() < 0.85:
                        make_rating(wave, person, modules[key], rng.choice([None, 1, 2, 3, 4, 5]))
    db.session.commit()
    places = db.session.execute(select(Programme.id, Programme.start_date, Programme.timezone)
                                .join(Membership).where(Membership.user_id == lead.id,
                                                        Membership.role.in_(("lead", "evaluator"))).distinct()).all()
    for now in NOWS:
        expected = _python_pool(lead, now)
        assert ratings_compare.pooled_counts(lead, places, now) == expected
        _programmes, rows = ratings_compare.compare_programmes(lead, now=now)
        assert {(r.module.id, r.position): r.pooled_n for r in rows} == {
            k: sum(v) for k, v in expected.items()}
        # The page's cells: each programme's own figure, as before.
        first = ratings_compare.compare_page(lead, now=now, per_page=3)[1]
        assert [(r.module.id, r.position) for r in first] == [(r.module.id, r.position) for r in rows]


@pytest.mark.parametrize("seed", [4, 5])
def test_the_page_s_cells_read_with_the_pool_equal_each_programme_s_own_figure(app, modules, seed):
    """The page's cells (read in the same statement as the pool, every wave of the page's
    programmes, their first two kept) are each programme's own figure from its raw ratings:
    n, why it is not shown, and the summary."""
    import dataclasses

    from trainer import stats

    rng = random.Random(seed)
    lead = make_user()
    keys = sorted(modules)[:3]
    for i in range(7):
        programme = make_programme(f"C{seed}-{i}", tz=ZONES[(i + seed) % len(ZONES)])
        make_member(programme, "lead", user=lead)
        people = [make_member(programme) for _ in range(rng.randint(3, 8))] + [make_member(programme, arm="comparison")]
        for w in range(rng.choice([0, 1, 2, 3, 3])):
            closes = rng.choice([None, date(2027, 1, 3), date(2027, 1, 5), date(2027, 2, 1)])
            wave = make_wave(programme, f"W{w}", offset_days=rng.choice([7, 28, 56]),
                             opens_on=closes - timedelta(days=14) if closes else None)
            for person in people:
                for key in keys:
                    if rng.random() < 0.7:
                        make_rating(wave, person, modules[key], rng.choice([None, 1, 2, 3, 4, 5]))
    db.session.commit()
    now = NOWS[0]
    for per_page in (2, 7):
        for page in (1, 2):
            result, rows = ratings_compare.compare_page(lead, now=now, page=page, per_page=per_page)
            for row in rows:
                for programme, cell in zip(result.items, row.cells):
                    waves = list_waves(programme)[:2]
                    wave = waves[row.position] if row.position < len(waves) else None
                    counts = [0] * len(SCALE)
                    if wave is not None:
                        for (score,) in db.session.execute(
                                select(ModuleRating.usefulness).join(Membership)
                                .where(ModuleRating.wave_id == wave.id, ModuleRating.module_id == row.module.id,
                                       Membership.arm == "intervention", ModuleRating.usefulness.is_not(None))):
                            counts[score - 1] += 1
                    n = sum(counts)
                    visible = wave is not None and disclosure.rating_results_visible(
                        wave, today_in(programme.timezone, now), False)
                    why = disclosure.reason(n, visible) if n else "no ratings"
                    assert cell.programme.id == programme.id
                    assert cell.wave == wave
                    assert (cell.n, cell.reason) == (n if why in ("", "no ratings") else None, why)
                    if why:
                        assert cell.summary is None
                    else:
                        expected = dataclasses.astuple(stats.describe_counts([counts])[0])
                        assert dataclasses.astuple(cell.summary) == pytest.approx(expected)
