"""Cost-consequence figures on a hand-worked example; the difference-of-proportions CI."""
from datetime import date, time
from decimal import Decimal

import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from tests.factories import (make_assignment, make_day, make_log, make_mark, make_member,
                             make_outcome_waves, make_programme, make_scores, make_user)
from trainer import stats
from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.services.outcomes import costs
from trainer.services.participation import peers

TODAY = date(2027, 6, 1)
FIGURES = {"trainer_days": Decimal(6), "trainer_day_rate": Decimal(500), "trainer_source": "Invoice 17",
           "trainer_year": 2026, "venue_cost": Decimal(400), "venue_source": "Room hire", "venue_year": 2026,
           "materials_cost": Decimal(100), "materials_source": "Print order", "materials_year": 2026,
           "coordination_cost": Decimal(250), "coordination_source": "Budget", "coordination_year": 2026,
           "backfill_cost": Decimal(1000), "backfill_source": "Agency invoice", "backfill_year": 2026,
           "participant_hourly_cost": Decimal(30), "participant_source": "Pay scale", "participant_year": 2026,
           "peer_meeting_hours": Decimal("1.5"), "replacement_cost": Decimal(2000),
           "replacement_source": "HR estimate", "replacement_year": 2026, "sensitivity_from": Decimal(1000),
           "sensitivity_to": Decimal(3000), "sensitivity_step": Decimal(1000)}


@pytest.mark.parametrize("x_a,n_a,x_b,n_b", [(4, 4, 2, 4), (19, 20, 8, 20), (7, 12, 9, 11), (0, 5, 0, 6),
                                              (30, 30, 1, 30)])
def test_difference_of_proportions_ci_matches_statsmodels_newcombe(x_a, n_a, x_b, n_b):
    result = stats.proportion_difference(x_a, n_a, x_b, n_b)
    low, high = confint_proportions_2indep(x_a, n_a, x_b, n_b, method="newcomb", compare="diff")
    assert result.diff == pytest.approx(x_a / n_a - x_b / n_b)
    assert (result.ci_low, result.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert result.excludes_zero == (low > 0 or high < 0)


def test_difference_of_proportions_without_people_is_unknown():
    assert stats.proportion_difference(0, 0, 1, 2).diff is None
    assert not stats.proportion_difference(0, 0, 1, 2).excludes_zero


@pytest.fixture
def example(app, modules):
    """Four intervention (A-D) and four comparison participants (E-H), two training days."""
    programme = make_programme(start=date(2026, 9, 1))
    lead = make_member(programme, "lead", user=make_user("lead@example.org"))
    a, b, c, d = (make_member(programme) for _ in range(4))
    comparison = [make_member(programme, arm="comparison") for _ in range(4)]
    day1 = make_day(programme, date(2026, 9, 10), starts=time(9, 30), ends=time(16, 30))
    day2 = make_day(programme, date(2026, 10, 8), starts=time(9, 0), ends=time(12, 0))
    for person, s1, s2 in ((a, "present", "present"), (b, "present", "present"), (c, "present", "late"),
                           (d, "absent", "absent")):
        make_mark(day1, person, s1)
        make_mark(day2, person, s2)
    assignment = make_assignment(programme, modules["mindfulness"].activities[0])
    for person, minutes in ((a, 30), (b, 60), (c, 30)):
        make_log(assignment, person, minutes=minutes)
    waves = make_outcome_waves(programme)
    for person in (a, c, d):
        make_scores(person, waves["post"], "brs", {"total": 3.0})
    make_scores(b, waves["baseline"], "brs", {"total": 3.0})
    for person in comparison[:2]:
        person.in_post, person.left_on = False, date(2027, 1, 5)
    db.session.commit()
    peers.form_group(lead.user, programme, [a.id, b.id])
    for n in range(3):
        peers.log_meeting(a, date(2026, 11, 1 + n), 60, "Catch-up", "", today=TODAY)
    return programme, lead


def test_cost_figures_on_a_hand_worked_example(example):
    """Trainers 6 days x £500 = £3,000; venue £400, materials £100, coordination £250,
    backfill £1,000.

    Participants' time at £30 an hour:
    - training: day 1 is 9:30-16:30 = 7 h, attended by A, B, C = 21 h; day 2 is 9:00-12:00 = 3 h,
      attended by A, B and C (late counts) = 9 h; D attended neither. 30 h x £30 = £900.
    - self-directed: 30 + 60 + 30 = 120 minutes = 2 h x £30 = £60.
    - peer meetings: 3 meetings of the pair A-B = 6 attendances x 1.5 h x £30 = £270.
    Total = 3000 + 400 + 100 + 250 + 1000 + 900 + 60 + 270 = £5,980.
    Allocated to the intervention: 4, so £5,980 / 4 = £1,495.00 each.
    Completers (attended >= 1 day and answered the post wave): A and C (B answered only the
    baseline, D attended nothing) = 2, so £5,980 / 2 = £2,990.00 each.
    Retention: intervention 4/4, comparison 2/4 in post: difference 0.5, Newcombe 95% CI includes
    0, so no cost per worker retained; break-even at £2,000 a leaver = 5980 / 2000 = 2.99 leavers;
    sensitivity £1,000 -> 5.98, £2,000 -> 2.99, £3,000 -> 1.99 (1.9933).
    """
    programme, lead = example
    costs.save_costs(lead.user, programme, FIGURES)
    s = costs.summary(programme, today=TODAY)
    assert s.missing == []
    assert [line.amount for line in s.lines] == [Decimal(v) for v in (3000, 400, 100, 250, 1000, 900, 60, 270)]
    assert (s.usage.training_hours, s.usage.self_directed_minutes, s.usage.peer_attendances) == (30, 120, 6)
    assert s.total == Decimal("5980.00")
    assert (s.per_allocated, s.per_completer) == (Decimal("1495.00"), Decimal("2990.00"))
    assert s.usage.completers == 2
    r = s.retention
    assert (r.in_post, r.n) == ({"intervention": 4, "comparison": 2}, {"intervention": 4, "comparison": 4})
    assert not r.difference.excludes_zero and r.cost_per_retained is None
    assert r.break_even == Decimal("2.99")
    assert r.sensitivity == [(Decimal(1000), Decimal("5.98")), (Decimal(2000), Decimal("2.99")),
                             (Decimal(3000), Decimal("1.99"))]


def test_cost_per_worker_retained_only_when_the_difference_is_clearly_not_zero(example):
    """With 16 more comparison participants who all left (2 of 20 in post against 4 of 4), the
    CI excludes 0: difference 1 - 0.1 = 0.9; extra workers retained 0.9 x 4 allocated = 3.6;
    £5,980 / 3.6 = £1,661.11. No break-even is then given."""
    programme, lead = example
    for _ in range(16):
        make_member(programme, arm="comparison").in_post = False
    db.session.commit()
    costs.save_costs(lead.user, programme, FIGURES)
    r = costs.summary(programme, today=TODAY).retention
    assert r.difference.excludes_zero and r.difference.diff == pytest.approx(0.9)
    assert r.cost_per_retained == Decimal("1661.11")
    assert r.break_even is None and r.sensitivity == []


def test_empty_figures_give_no_total_and_say_what_is_missing(example):
    programme, _lead = example
    s = costs.summary(programme, today=TODAY)
    assert s.total is None and s.per_allocated is None and s.retention.break_even is None
    assert "participants' hourly cost" in s.missing and "venue" in s.missing
    assert "hours per peer meeting" in s.missing
    assert all(line.amount is None for line in s.lines[1:])


@pytest.mark.parametrize("change,field", [({"venue_source": ""}, "venue_source"),
                                          ({"participant_year": None}, "participant_year"),
                                          ({"sensitivity_step": Decimal(0)}, "sensitivity_step"),
                                          ({"sensitivity_step": Decimal(10)}, "sensitivity_step"),
                                          ({"sensitivity_to": Decimal(500)}, "sensitivity_to"),
                                          ({"sensitivity_to": None}, "sensitivity_from")])
def test_a_figure_needs_its_source_and_year_and_the_range_must_make_sense(example, change, field):
    programme, lead = example
    with pytest.raises(RuleViolation) as caught:
        costs.save_costs(lead.user, programme, {**FIGURES, **change})
    assert caught.value.field == field
    assert costs.costs_for(programme).id is None
