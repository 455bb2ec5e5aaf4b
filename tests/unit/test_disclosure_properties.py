"""Property-based checks of the disclosure rules on random cohorts: no shown group is smaller
than 5, no breakdown can be differenced into a smaller one, and what people did always shows."""
from datetime import date, datetime, time, timedelta, timezone
from itertools import combinations

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.factories import (make_day, make_mark, make_member, make_programme, make_rating,
                             make_session, make_user, make_wave)
from trainer.extensions import db
from trainer.models import Membership, OutcomeWave
from trainer.services.outcomes import evaluation, instruments
from trainer.services.privacy import disclosure
from trainer.services.ratings import ratings_report, report_tables

LAST_DAY = date(2026, 3, 2)
NOW = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)  # wave 1 closed; wave 2 open when drawn so
# Fixed examples (derandomized) and no shrinking: each example builds a cohort in the database,
# and shrinking one would take minutes; a failure still prints the example that failed.
PROFILE = settings(max_examples=20, deadline=None, derandomize=True, database=None,
                   phases=(Phase.explicit, Phase.generate),
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
KEYS = ("peer-support", "mindfulness")
# An answer about one module: no answer, "did not attend", or a score.
ANSWER = st.sampled_from([None, "absent", 1, 2, 3, 4, 5])


@st.composite
def cohorts(draw):
    """Teams of 1-12 people (a few without a team); per person, an attendance mark per module
    session and an answer per wave and module; and whether the second wave is still open."""
    sizes = draw(st.lists(st.integers(1, 12), min_size=1, max_size=5))
    people = []
    for t, size in enumerate(sizes):
        for _ in range(size):
            team = None if t == 4 else f"Team {chr(65 + t)}"
            marks = draw(st.tuples(*[st.sampled_from([None, "present", "absent"]) for _ in KEYS]))
            answers = draw(st.lists(st.tuples(ANSWER, ANSWER), min_size=2, max_size=2))
            people.append((team, marks, answers))
    return people, draw(st.booleans())


def _build(modules, people, second_open):
    programme = make_programme("Random", status="follow-up")
    lead = make_member(programme, "lead", user=make_user())
    day = make_day(programme, LAST_DAY)
    sessions = [make_session(day, modules[k], starts=time(9 + 3 * i), ends=time(11 + 3 * i))
                for i, k in enumerate(KEYS)]
    waves = [make_wave(programme, "First", offset_days=7, opens_on=LAST_DAY + timedelta(days=7)),
             make_wave(programme, "Second", offset_days=56,
                       opens_on=NOW.date() - timedelta(days=2 if second_open else 30))]
    truth = []
    for team, marks, answers in people:
        person = make_member(programme, team=team)
        make_mark(day, person, "present")
        for session, mark in zip(sessions, marks):
            if mark:
                make_mark(day, person, mark, session=session)
        for wave, pair in zip(waves, answers):
            for key, answer in zip(KEYS, pair):
                if answer is not None:
                    make_rating(wave, person, modules[key], None if answer == "absent" else answer)
        truth.append((person.id, team, marks, answers))
    db.session.commit()
    return programme, lead, truth


def _differencing_safe(total: int, shown: list[int]) -> bool:
    """The total minus any set of shown parts is 0 or at least 5."""
    return all(total - sum(c) == 0 or total - sum(c) >= 5
               for r in range(1, len(shown) + 1) for c in combinations(shown, r))


@PROFILE
@given(cohort=cohorts())
def test_no_ratings_figure_describes_fewer_than_five_or_can_be_differenced(app, modules, cohort):
    people, second_open = cohort
    programme, lead, truth = _build(modules, people, second_open)
    everyone = ratings_report.programme_report(lead.user, programme.id, now=NOW)
    parts = {key: ratings_report.programme_report(lead.user, programme.id, now=NOW, team=key)
             for key, _label in everyone.teams}
    members = {key: disclosure.team_partition(programme).parts[key] for key in parts}
    # The breakdown is a partition of the intervention arm whose every part has 5 or more.
    assert all(len(ids) >= 5 for ids in members.values())
    if parts:
        assert sorted(i for ids in members.values() for i in ids) == sorted(t[0] for t in truth)
    for w, wave in enumerate(everyone.waves):
        open_now = w == 1 and second_open
        for k, key in enumerate(KEYS):
            module_id = modules[key].id
            raters = {pid for pid, _t, _m, answers in truth if isinstance(answers[w][k], int)}
            reports = {None: everyone, **parts}
            cells = {}
            for part, report in reports.items():
                wr = report.wave_reports[w]
                scope = {t[0] for t in truth} if part is None else members[part]
                cell = next((m for m in wr.modules if m.module.id == module_id), None)
                # What people did always shows, whole, in every view.
                assert wr.answered == len({pid for pid, _t, _m, a in truth if pid in scope
                                           and any(x is not None for x in a[w])}), (part, w)
                if cell is None:
                    continue
                # Present for the day; a session's own mark overrides the day's.
                marks = [t[2][k] for t in truth if t[0] in scope]
                assert (cell.attendance.attended, cell.attendance.missed) == (
                    len(marks) - marks.count("absent"), marks.count("absent"))
                if cell.shown:
                    assert not open_now and cell.n >= 5 and cell.n == len(raters & scope)
                    assert sum(c for _, c in cell.distribution) == cell.n
                    assert len(cell.comments) <= cell.n
                else:
                    assert cell.n is None and cell.summary is None and cell.comments == []
                cells[part] = cell
            if not cells:
                continue
            total = cells[None]
            shown_parts = [c.n for p, c in cells.items() if p is not None and c.shown]
            if shown_parts:
                assert total.shown and _differencing_safe(total.n, shown_parts)
            chart = everyone.wave_reports[w].chart
            assert [" ".join(label) for label in chart["labels"]] == [
                m.module.title for m in everyone.wave_reports[w].modules if m.shown]
    for report in (everyone, *parts.values()):
        for row in report.change:
            assert row.n is None or row.n >= 5
    rows = report_tables.ratings_table(lead.user, programme.id, now=NOW).text.splitlines()[1:]
    assert all(r.split(",")[3] == "" or int(r.split(",")[3]) >= 5 for r in rows)


ARM_SIZES = st.tuples(st.integers(0, 12), st.integers(0, 12))


@PROFILE
@given(sizes=ARM_SIZES, answered=st.lists(st.tuples(st.booleans(), st.booleans()), min_size=24, max_size=24),
       today=st.sampled_from([date(2026, 9, 15), date(2026, 12, 15), date(2027, 6, 1)]), live=st.booleans())
def test_no_outcome_figure_describes_fewer_than_five(app, sizes, answered, today, live):
    waves = [OutcomeWave(id=1, kind="baseline", label="Baseline", opens_on=date(2026, 9, 1),
                         closes_on=date(2026, 9, 30)),
             OutcomeWave(id=2, kind="post", label="Post", opens_on=date(2026, 12, 1),
                         closes_on=date(2026, 12, 31))]
    members, scores = [], {}
    for i, arm in enumerate(["intervention"] * sizes[0] + ["comparison"] * sizes[1]):
        members.append(Membership(id=i + 1, arm=arm, role="participant"))
        for wave, did in zip(waves, answered[i]):
            if did:
                scores[(i + 1, wave.id)] = 3.0 + (i % 4) / 2 + wave.id / 3
    instrument = instruments.get("brs")
    result = evaluation._evaluate(instrument, instrument.scales[0], waves, scores, members, today, live)
    for wave in waves:
        closed = live or today > wave.closes_on
        for arm in evaluation.ARMS:
            cell = result.cells[(arm, wave.id)]
            n = sum(1 for m in members if m.arm == arm and (m.id, wave.id) in scores)
            assert cell.suppressed or (closed and cell.n == n >= 5)
            assert not cell.suppressed or (cell.n is None and cell.desc is None)
    for (arm, _w), change in result.changes.items():
        assert change.suppressed or change.pairs >= 5
    for comparison in result.comparisons:
        assert comparison.suppressed or all(result.changes[(arm, comparison.wave.id)].pairs >= 5
                                            for arm in evaluation.ARMS)
