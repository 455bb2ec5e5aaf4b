"""The evaluation: per-arm statistics against SciPy and statsmodels, suppression, flow, dose."""
from datetime import date, time, timedelta

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats as sps

from tests.factories import (make_day, make_mark, make_member, make_outcome_waves, make_programme,
                             make_scores, make_session)
from trainer.extensions import db
from trainer.models import ActivityLog, Activity, Assignment
from trainer.services.outcomes import evaluation
from trainer.services.privacy import disclosure

AFTER = date(2027, 6, 1)  # every wave of make_outcome_waves has closed


def _cohort(n_int, n_comp, pre_int, post_int, pre_comp, post_comp):
    programme = make_programme()
    waves = make_outcome_waves(programme, ("scs-sf",))
    members = []
    for arm, pres, posts in (("intervention", pre_int, post_int), ("comparison", pre_comp, post_comp)):
        for pre, post in zip(pres, posts):
            m = make_member(programme, arm=arm)
            members.append(m)
            if pre is not None:
                make_scores(m, waves["baseline"], "scs-sf", {"total": pre})
            if post is not None:
                make_scores(m, waves["post"], "scs-sf", {"total": post})
    return programme, waves, members


def test_statistics_match_scipy_and_statsmodels_on_random_data(app):
    rng = np.random.default_rng(6)
    pre_i, pre_c = rng.normal(3, .6, 12), rng.normal(3, .6, 15)
    post_i, post_c = pre_i + rng.normal(.4, .5, 12), pre_c + rng.normal(0, .5, 15)
    programme, waves, _ = _cohort(12, 15, pre_i, post_i, pre_c, post_c)
    result = evaluation.evaluate(programme, "scs-sf", "total", today=AFTER)
    base = result.cells[("intervention", waves["baseline"].id)]
    assert base.n == 12 and base.desc.mean == pytest.approx(pre_i.mean())
    assert base.desc.sd == pytest.approx(pre_i.std(ddof=1))
    change = result.changes[("intervention", waves["post"].id)]
    ref = sps.ttest_rel(post_i, pre_i)
    low, high = ref.confidence_interval()
    assert change.pairs == 12 and change.diff.mean_diff == pytest.approx((post_i - pre_i).mean())
    assert (change.diff.ci_low, change.diff.ci_high) == pytest.approx((low, high))
    comparison = result.comparisons[0]
    assert comparison.wave.kind == "post"
    welch = sps.ttest_ind(post_i - pre_i, post_c - pre_c, equal_var=False)
    assert comparison.welch.p == pytest.approx(welch.pvalue)
    assert comparison.welch.diff == pytest.approx((post_i - pre_i).mean() - (post_c - pre_c).mean())
    design = sm.add_constant(np.column_stack([np.r_[pre_i, pre_c], [1] * 12 + [0] * 15]))
    fit = sm.OLS(np.r_[post_i, post_c], design).fit()
    assert comparison.ancova.estimate == pytest.approx(fit.params[2])
    assert comparison.ancova.ci_low == pytest.approx(fit.conf_int()[2][0])
    assert comparison.ancova.p == pytest.approx(fit.pvalues[2])
    assert comparison.g.g > 0


def _exact(n, mean, sd, rng):
    x = rng.normal(size=n)
    return (x - x.mean()) / x.std(ddof=1) * sd + mean


def test_worked_case_n25_vs_31_with_d_half_gives_g_0493_se_0273(app):
    rng = np.random.default_rng(1)
    change_i, change_c = _exact(25, 0.5, 1.0, rng), _exact(31, 0.0, 1.0, rng)
    pre_i, pre_c = np.full(25, 3.0) + rng.normal(0, .1, 25), np.full(31, 3.0) + rng.normal(0, .1, 31)
    programme, waves, _ = _cohort(25, 31, pre_i, pre_i + change_i, pre_c, pre_c + change_c)
    comparison = evaluation.evaluate(programme, "scs-sf", "total", today=AFTER).comparisons[0]
    assert comparison.g.d == pytest.approx(0.5, abs=1e-6)
    assert round(comparison.g.g, 3) == 0.493 and round(comparison.g.se, 3) == 0.273


def test_groups_of_fewer_than_five_show_nothing_and_comparisons_need_five_pairs(app):
    # Six intervention people answered baseline but only four answered post: the post cell and
    # the change (4 pairs) show no statistic, not even n, and nor does the comparison.
    pre = [3.0, 3.2, 3.4, 2.8, 3.1, 3.3]
    programme, waves, _ = _cohort(6, 6, pre, [3.5, 3.6, 3.7, 3.9, None, None], pre, pre)
    result = evaluation.evaluate(programme, "scs-sf", "total", today=AFTER)
    assert not result.cells[("intervention", waves["baseline"].id)].suppressed
    post = result.cells[("intervention", waves["post"].id)]
    assert post.suppressed and post.desc is None and post.n is None and post.reason == disclosure.TOO_FEW
    change = result.changes[("intervention", waves["post"].id)]
    assert change.suppressed and change.pairs is None and change.diff is None
    assert not result.changes[("comparison", waves["post"].id)].suppressed
    comparison = result.comparisons[0]
    assert comparison.wave.kind == "post"
    assert comparison.suppressed and comparison.welch is None and comparison.g is None
    chart = result.chart()
    assert chart["datasets"][0]["label"] == "Intervention mean"
    assert chart["datasets"][0]["data"][1] is None and chart["datasets"][0]["data"][0] is not None
    assert [(w.kind, groups) for w, groups, _ in result.not_shown()] == [
        ("post", "intervention group"), ("follow-up", "both groups")]


def test_a_wave_still_open_shows_leads_nothing_but_evaluators_everything(app):
    pre = [3.0, 3.2, 3.4, 2.8, 3.1, 3.3]
    programme, waves, _ = _cohort(6, 6, pre, [3.5, 3.6, 3.7, 3.9, 3.0, 3.1], pre, pre)
    during_post = waves["post"].closes_on
    lead = evaluation.evaluate(programme, "scs-sf", "total", today=during_post)
    assert not lead.cells[("intervention", waves["baseline"].id)].suppressed
    post = lead.cells[("intervention", waves["post"].id)]
    assert (post.n, post.desc, post.reason) == (None, None, disclosure.WAVE_OPEN)
    assert lead.changes[("intervention", waves["post"].id)].reason == disclosure.WAVE_OPEN
    assert lead.comparisons[0].reason == disclosure.WAVE_OPEN and lead.comparisons[0].welch is None
    dose = evaluation.dose_response(programme, "scs-sf", "total", waves["post"], today=during_post)
    assert dose.reason == disclosure.WAVE_OPEN and dose.exposures == []
    live = evaluation.evaluate(programme, "scs-sf", "total", today=during_post, live=True)
    assert live.cells[("intervention", waves["post"].id)].n == 6 and live.comparisons[0].welch is not None
    after = evaluation.evaluate(programme, "scs-sf", "total", today=during_post + timedelta(days=1))
    assert after.cells[("intervention", waves["post"].id)].n == 6


def test_flow_counts_each_stage_per_arm(app):
    pre = [3.0] * 6
    programme, waves, members = _cohort(6, 5, pre, [3.5] * 4 + [None] * 2, pre[:5], [None] * 5)
    members[0].in_post = False
    boxes = {b.stage: b.counts for b in evaluation.flow(programme)}
    assert boxes["Enrolled"] == {"all": 11}
    assert boxes["Allocated"] == {"intervention": 6, "comparison": 5}
    assert boxes["Answered: Before training (baseline)"] == {"intervention": 6, "comparison": 5}
    assert boxes["Answered: After training (post)"] == {"intervention": 4, "comparison": 0}
    assert boxes["Analysed (baseline and a later wave)"] == {"intervention": 4, "comparison": 0}
    assert boxes["Still in post"] == {"intervention": 5, "comparison": 5}
    assert not any(stage.startswith("Attended") for stage in boxes)


def _days(programme, modules, *dates):
    days = []
    for d in dates:
        day = make_day(programme, d)
        make_session(day, modules["mindfulness"])
        make_session(day, modules["goal-setting"], starts=time(13, 30), ends=time(16, 30))
        days.append(day)
    return days


STATUSES = ("present", "late", "absent", "excused")


def _mark_at_random(rng, member, days, *, day_rate=.8, session_rate):
    """Marks ``member`` at each of ``days`` with probability ``day_rate`` (a random status) and,
    when marked, at each of the day's sessions with probability ``session_rate``."""
    for day in days:
        if rng.random() < day_rate:
            make_mark(day, member, STATUSES[int(rng.integers(4))])
            for session in day.sessions:
                if rng.random() < session_rate:
                    make_mark(day, member, STATUSES[int(rng.integers(4))], session=session)


def test_flow_shows_attendance_at_each_training_day_for_the_intervention_arm(app, modules):
    programme, waves, members = _cohort(6, 5, [3.0] * 6, [3.5] * 6, [3.0] * 5, [3.0] * 5)
    day1, day2, day3, cancelled = _days(programme, modules, date(2026, 9, 10), date(2026, 10, 8),
                                        date(2026, 11, 5), date(2026, 11, 19))
    cancelled.cancelled = True
    people = members[:6]
    for person, status in zip(people, ("present", "late", "absent", "excused", "present", "present")):
        make_mark(day1, person, status)
        make_mark(day2, person, "present")
        make_mark(cancelled, person, "present")
    # Absent for the day but came to the afternoon session: attended day 1.
    make_mark(day1, people[2], "present", session=day1.sessions[1])
    # Present for day 2 but missed both its sessions: did not attend day 2.
    for session in day2.sessions:
        make_mark(day2, people[0], "absent", session=session)
    boxes = [(b.stage, b.counts) for b in evaluation.flow(programme)]
    stages = [stage for stage, _ in boxes]
    assert stages[2:5] == ["Attended training day 1 (10 September 2026)",
                           "Attended training day 2 (8 October 2026)",
                           "Attended training day 3 (5 November 2026)"]
    assert boxes[2][1] == {"intervention": 5, "comparison": "not invited"}
    assert boxes[3][1] == {"intervention": 5, "comparison": "not invited"}
    assert boxes[4][1] == {"intervention": "not recorded yet", "comparison": "not invited"}
    assert not any(stage.startswith("Attended all") for stage in stages)
    for person in people:
        make_mark(day3, person, "late")
    boxes = {b.stage: b.counts for b in evaluation.flow(programme)}
    assert boxes["Attended all 3 training days"] == {"intervention": 4, "comparison": "not invited"}


def test_dose_response_correlates_practice_minutes_with_change(app, modules):
    pre = [3.0] * 6
    post = [3.1, 3.3, 3.2, 3.6, 3.8, 3.9]
    programme, waves, members = _cohort(6, 0, pre, post, [], [])
    activity = db.session.query(Activity).first()
    assignment = Assignment(programme=programme, activity=activity, due_on=date(2026, 10, 1))
    db.session.add(assignment)
    minutes = [10, 30, 20, 60, 80, 90]
    for member, m in zip(members, minutes):
        db.session.add(ActivityLog(assignment=assignment, membership=member, done_on=date(2026, 10, 1),
                                   minutes=m))
    db.session.flush()
    day1, day2, day3 = _days(programme, modules, date(2026, 9, 10), date(2026, 10, 8), date(2026, 11, 5))
    attended = [1, 2, 1, 3, 3, 2]
    for member, n in zip(members, attended):
        for i, day in enumerate((day1, day2, day3)):
            make_mark(day, member, ("present", "late")[i % 2] if i < n else "absent")
    dose = evaluation.dose_response(programme, "scs-sf", "total", waves["post"], today=AFTER)
    practice, days = dose.exposures
    change = np.array(post) - 3.0
    assert practice.label == "Practice minutes logged" and days.label == "Training days attended"
    assert practice.correlation.r == pytest.approx(sps.pearsonr(minutes, change).statistic)
    assert [p[0] for p in practice.points] == minutes and not dose.suppressed
    ref = sps.pearsonr(attended, change)
    assert [p[0] for p in days.points] == attended
    assert (days.correlation.r, days.correlation.p) == (pytest.approx(ref.statistic), pytest.approx(ref.pvalue))
    x_axis = days.chart("t")["options"]["scales"]["x"]
    assert x_axis["title"]["text"] == "Training days attended" and (x_axis["min"], x_axis["max"]) == (0, 3)


def test_dose_response_is_suppressed_below_five_people(app):
    programme, waves, _ = _cohort(4, 0, [3.0] * 4, [3.5, 3.6, 3.2, 3.1], [], [])
    dose = evaluation.dose_response(programme, "scs-sf", "total", waves["post"], today=AFTER)
    assert dose.suppressed and dose.exposures == []


def test_overview_falls_back_to_the_first_chosen_scale_and_needs_an_instrument(app):
    programme, waves, _ = _cohort(6, 6, [3.0] * 6, [3.5] * 6, [3.0] * 6, [3.1] * 6)
    page = evaluation.overview(programme, "unknown", "", today=AFTER)
    assert (page.result.instrument.key, page.result.scale.key) == ("scs-sf", page.result.instrument.scales[0].key)
    assert [i.key for i in page.chosen] == ["scs-sf"]
    assert page.dose is not None and page.result.comparisons[0].wave.id == waves["post"].id
    assert evaluation.overview(make_programme(), "scs-sf", "total", today=AFTER) is None


def _flow_person_by_person(programme) -> list[tuple[str, dict]]:
    """The flow counted one participant at a time from ``attendance.day_attendance`` and the
    participants' rows: the reference that ``evaluation.flow``, counting in SQL, must equal."""
    from sqlalchemy import select

    from trainer.models import OutcomeResponse, OutcomeWave
    from trainer.services.outcomes import consort, outcomes
    from trainer.services.privacy import withdrawal
    from trainer.services.scheduling import attendance

    members = evaluation.participants(programme)
    arms = evaluation.ARMS
    boxes = [("Enrolled", {"all": len(members)}),
             ("Allocated", {arm: sum(m.arm == arm for m in members) for arm in arms})]
    days = attendance.day_attendance(programme)
    trained = {mid for _, known in days for mid, came in known.items() if came}
    for number, (day, known) in enumerate(days, start=1):
        boxes.append((f"Attended training day {number} ({day.day:%-d %B %Y})",
                      {"intervention": sum(known.values()) if known else "not recorded yet",
                       "comparison": "not invited"}))
    if len(days) > 1 and all(known for _, known in days):
        every = set.intersection(*({mid for mid, came in known.items() if came} for _, known in days))
        boxes.append((f"Attended all {len(days)} training days", {"intervention": len(every),
                                                                  "comparison": "not invited"}))
    boxes.append(("Received the training (attended at least 1 training day)",
                  {"intervention": sum(m.arm == "intervention" and m.id in trained for m in members),
                   "comparison": "not invited"}))
    answered: dict[int, set[int]] = {}
    for mid, wid in db.session.execute(select(OutcomeResponse.membership_id, OutcomeResponse.wave_id)
                                       .join(OutcomeWave).where(OutcomeWave.programme_id == programme.id,
                                                                OutcomeResponse.submitted_at.is_not(None))):
        answered.setdefault(wid, set()).add(mid)
    waves = outcomes.waves(programme)
    for wave in waves:
        boxes.append((f"Answered: {wave.label}", {arm: sum(m.arm == arm and m.id in answered.get(wave.id, ())
                                                           for m in members) for arm in arms}))
    later = set().union(*(answered.get(w.id, set()) for w in waves if w.kind != "baseline"))
    baseline = next((answered.get(w.id, set()) for w in waves if w.kind == "baseline"), set())
    boxes += withdrawal.withdrawal_counts(members, waves)
    boxes += [(label, counts) for _key, label, counts in consort.withdrawn_counts(members)]
    boxes += [(label, counts) for _key, label, counts in consort.lost_counts(members, later)]
    boxes.append(("Analysed (baseline and a later wave)",
                  {arm: sum(m.arm == arm and m.id in baseline & later for m in members) for arm in arms}))
    boxes.append(("Still in post", {arm: sum(m.arm == arm and m.in_post for m in members) for arm in arms}))
    return boxes


def test_the_flow_counted_in_sql_equals_counting_person_by_person(app, modules):
    """Random participants, answers, withdrawals, leavers and registers (days with and without
    sessions, sessions' own marks, a cancelled day): every box is the person-by-person count."""
    from trainer.models import OutcomeResponse
    from trainer.services.outcomes import retention
    from trainer.services.privacy import withdrawal

    rng = np.random.default_rng(11)
    programme = make_programme()
    waves = make_outcome_waves(programme, ("scs-sf", "brs"))
    day1, day2 = _days(programme, modules, date(2026, 9, 10), date(2026, 10, 8))
    plain, cancelled = make_day(programme, date(2026, 11, 5)), make_day(programme, date(2026, 11, 19))
    make_session(cancelled, modules["mindfulness"])
    cancelled.cancelled = True
    members = [make_member(programme, arm=("intervention", "comparison")[int(rng.random() < .4)])
               for _ in range(60)]
    for m in members:
        for wave in waves.values():
            for key in ("scs-sf", "brs"):
                if rng.random() < .6:
                    response = make_scores(m, wave, key, {"total": 3.0})
                    if rng.random() < .2:
                        response.submitted_at = None  # saved, never submitted
        if m.arm == "intervention":
            _mark_at_random(rng, m, (day1, day2, plain, cancelled), day_rate=.85, session_rate=.3)
        if rng.random() < .25:
            category = list(retention.CATEGORY_LABELS)[int(rng.integers(4))]
            m.in_post, m.left_on, m.leaver_category = False, date(2026, 10, 1), category
        elif rng.random() < .05:
            m.in_post = False  # left, date and category not known
    db.session.flush()
    for m, when, keep in ((members[1], date(2026, 9, 15), True), (members[2], date(2026, 12, 3), False),
                          (members[3], date(2027, 7, 1), True), (members[4], date(2026, 10, 2), False)):
        withdrawal.withdraw(m, scope="evaluation", keep_answers=keep, today=when, actor_id=None)
    assert db.session.query(OutcomeResponse).filter(OutcomeResponse.submitted_at.is_(None)).count()
    assert [(b.stage, b.counts) for b in evaluation.flow(programme)] == _flow_person_by_person(programme)


@pytest.mark.parametrize("seed", range(4))
def test_exposures_in_one_statement_equal_the_doses_person_by_person(app, modules, seed):
    """evaluation.exposures (minutes, days attended and days held in one statement, through
    attendance.day_register) against evaluation.doses (the activity summaries and
    attendance.day_attendance person by person) on random registers: sessions' own marks
    overriding the day's, a session marked without its day, a day without sessions, a cancelled
    day, marks of the comparison arm and of a trainer (not expected), people never marked and a
    second programme's marks."""
    from sqlalchemy import select

    from tests.factories import make_assignment, make_log
    from trainer.services.scheduling import attendance

    rng = np.random.default_rng(seed)
    programme, other = make_programme(), make_programme()
    days = _days(programme, modules, date(2026, 9, 10), date(2026, 10, 8))
    one = make_day(programme, date(2026, 10, 22))
    make_session(one, modules["peer-support"])
    plain, cancelled = make_day(programme, date(2026, 11, 5)), make_day(programme, date(2026, 11, 19))
    make_session(cancelled, modules["mindfulness"])
    cancelled.cancelled = True
    elsewhere = _days(other, modules, date(2026, 9, 10))
    people = [make_member(programme, arm=("intervention", "comparison")[int(rng.random() < .3)])
              for _ in range(25)] + [make_member(programme, "trainer")]
    strangers = [make_member(other) for _ in range(3)]
    activity = db.session.query(Activity).first()
    assignments = [make_assignment(programme, activity), make_assignment(other, activity)]
    for person in people + strangers:
        for day in ([*days, one, plain, cancelled] if person in people else elsewhere):
            marked = rng.random() < .75
            if marked:
                make_mark(day, person, STATUSES[int(rng.integers(4))])
            for session in day.sessions:
                if rng.random() < (.4 if marked else .2):  # without a day mark it does not count
                    make_mark(day, person, STATUSES[int(rng.integers(4))], session=session)
        for n in range(int(rng.integers(3))):
            make_log(assignments[person in strangers], person, minutes=int(rng.integers(0, 90)),
                     done_on=date(2026, 9, 20) + timedelta(days=n))
    db.session.flush()
    members = evaluation.participants(programme)
    assert len(members) == 25
    minutes, attended, held = evaluation.exposures(programme, members)
    doses = evaluation.doses(programme)
    assert held == doses.held == 4
    assert minutes.tolist() == [doses.minutes.get(m.id, 0) for m in members]
    assert attended.tolist() == [doses.days.get(m.id, 0) for m in members]
    assert attended.any() and minutes.any()
    # The register itself, day by day, as day_attendance answers it.
    register = {}
    for mid, day_id, came in db.session.execute(select(*attendance.day_register(programme.id).c)):
        register.setdefault(day_id, {})[mid] = came == 1
    assert register == {day.id: known for day, known in attendance.day_attendance(programme) if known}
    # Someone who became a participant after the participants were read is not counted; without
    # any participant the days held still come.
    late = make_member(programme)
    make_mark(days[0], late, "present")
    db.session.flush()
    assert [a.tolist() for a in evaluation.exposures(programme, members)[:2]] == [minutes.tolist(),
                                                                                  attended.tolist()]
    empty = make_programme()
    _days(empty, modules, date(2026, 9, 10))
    assert [(a.tolist(), b.tolist(), n) for a, b, n in [evaluation.exposures(empty, [])]] == [([], [], 1)]


@pytest.mark.parametrize("seed", [3, 29])
def test_the_flow_s_groups_and_days_read_in_one_statement_equal_counting_person_by_person(app, modules, seed):
    """The groups and the training days come from one statement (the marks read once): on other
    random cohorts, with a held day nobody is marked at yet and a second programme's marks beside
    them, every box is still the person-by-person count, and the days come in date order."""
    from trainer.services.outcomes import retention

    rng = np.random.default_rng(seed)
    programme, other = make_programme(), make_programme()
    waves = make_outcome_waves(programme, ("scs-sf",))
    # Created out of date order: the boxes must follow the dates.
    later, earlier = _days(programme, modules, date(2026, 10, 8), date(2026, 9, 10))
    plain = make_day(programme, date(2026, 11, 5))
    make_day(programme, date(2026, 11, 12))  # held, nobody marked yet
    elsewhere = make_day(other, date(2026, 9, 10))
    members = [make_member(programme, arm=("intervention", "comparison")[int(rng.random() < .5)])
               for _ in range(int(rng.integers(20, 50)))]
    for m in members:
        for wave in waves.values():
            if rng.random() < .7:
                make_scores(m, wave, "scs-sf", {"total": 2.0})
        if m.arm == "intervention":
            _mark_at_random(rng, m, (earlier, later, plain), session_rate=.4)
        if rng.random() < .2:
            m.in_post, m.left_on = False, date(2026, 10, 1)
            m.leaver_category = list(retention.CATEGORY_LABELS)[int(rng.integers(4))]
    for _ in range(5):
        make_mark(elsewhere, make_member(other), "present")
    db.session.flush()
    boxes = [(b.stage, b.counts) for b in evaluation.flow(programme)]
    assert boxes == _flow_person_by_person(programme)
    days = [stage for stage, _ in boxes if stage.startswith("Attended training day")]
    assert days == ["Attended training day 1 (10 September 2026)", "Attended training day 2 (8 October 2026)",
                    "Attended training day 3 (5 November 2026)", "Attended training day 4 (12 November 2026)"]
    assert dict(boxes)["Attended training day 4 (12 November 2026)"]["intervention"] == "not recorded yet"


def test_exposures_count_only_the_programmes_summaries_when_programmes_members_interleave(app, modules):
    """The minutes are read between the programme's lowest and highest membership id: another
    programme's members whose ids fall between (and their practice) stay out."""
    from tests.factories import make_assignment, make_log

    programme, other = make_programme(), make_programme()
    activity = db.session.query(Activity).first()
    assignments = {programme: make_assignment(programme, activity), other: make_assignment(other, activity)}
    people = []
    for n in range(12):
        owner = (programme, other)[n % 2]
        person = make_member(owner, arm=("intervention", "comparison")[n % 3 == 0])
        people.append(person)
        for k in range(n % 3 + 1):
            make_log(assignments[owner], person, minutes=5 + 7 * n + k, done_on=date(2026, 9, 20) + timedelta(days=k))
    db.session.flush()
    members = evaluation.participants(programme)
    minutes, _, _ = evaluation.exposures(programme, members)
    doses = evaluation.doses(programme)
    assert len(members) == 6 and minutes.tolist() == [doses.minutes.get(m.id, 0) for m in members]
    assert minutes.tolist() == [sum(5 + 7 * n + k for k in range(n % 3 + 1)) for n in range(0, 12, 2)]


@pytest.mark.parametrize("seed", [5, 17])
def test_the_flow_s_two_formulations_answer_alike_and_equal_counting_person_by_person(app, modules, seed):
    """The flow's statement is built twice (``evaluation._flow_statements``): each participant's
    answers looked up per wave kind (SQLite's) or grouped and joined (PostgreSQL's). On random
    cohorts, with drafts never submitted, a second programme's waves and answers, and a second
    programme's participant marked at this programme's day (not expected there), both give the
    same rows on the database under test, and the flow equals the person-by-person count."""
    from sqlalchemy import select

    from trainer.models import OutcomeResponse

    rng = np.random.default_rng(seed)
    programme, other = make_programme(), make_programme()
    waves = make_outcome_waves(programme, ("scs-sf", "brs"))
    elsewhere_waves = make_outcome_waves(other, ("scs-sf",))
    days = _days(programme, modules, date(2026, 9, 10), date(2026, 10, 8))
    plain = make_day(programme, date(2026, 11, 5))
    members = [make_member(programme, arm=("intervention", "comparison")[int(rng.random() < .4)])
               for _ in range(int(rng.integers(25, 45)))]
    strangers = [make_member(other, arm="intervention") for _ in range(4)]
    for m in members:
        for wave in waves.values():
            for key in ("scs-sf", "brs"):
                if rng.random() < .6:
                    response = make_scores(m, wave, key, {"total": 3.0})
                    if rng.random() < .25:
                        response.submitted_at = None
        if m.arm == "intervention":
            _mark_at_random(rng, m, (*days, plain), session_rate=.3)
        if rng.random() < .2:
            m.in_post, m.left_on = False, date(2026, 10, 1)
    for s in strangers:
        for wave in elsewhere_waves.values():
            make_scores(s, wave, "scs-sf", {"total": 2.0})
        make_mark(days[0], s, "present")  # not expected at another programme's day
    db.session.flush()
    assert db.session.scalar(select(OutcomeResponse.id).where(OutcomeResponse.submitted_at.is_(None)))
    params = {"programme_id": programme.id}
    looked_up, joined = (sorted(tuple(None if v is None else int(v) if isinstance(v, bool) else v for v in row)
                                for row in db.session.execute(evaluation._flow_statements(answers_joined)[0],
                                                              params))
                         for answers_joined in (False, True))
    assert looked_up == joined
    assert [(b.stage, b.counts) for b in evaluation.flow(programme)] == _flow_person_by_person(programme)
