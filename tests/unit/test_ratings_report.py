"""The lead's ratings report and exports: statistics, disclosure rules, change, comparison, CSV."""
import csv
import io
from datetime import date, datetime, time, timedelta, timezone

import numpy as np
import pytest
from scipy import stats as sps
from sqlalchemy import select

from tests.factories import (make_day, make_mark, make_member, make_programme, make_rating,
                             make_session, make_user, make_wave)
from trainer.errors import PermissionDenied
from trainer.extensions import db
from trainer.models import AuditEvent
from trainer.services.privacy import disclosure
from trainer.services.ratings import ratings_compare, ratings_export, ratings_report, report_tables

LAST_DAY = date(2026, 3, 2)
WAVE1 = [5, 4, 4, 3, 5, 2]
WAVE2 = [4, 4, 5, 3, 4, 1]
NOW = datetime(2027, 1, 4, 12, 0, tzinfo=timezone.utc)  # every wave below has closed


@pytest.fixture
def rated(app, modules):
    """Six North-team participants rated peer support in both waves; four rated mindfulness
    (one of them from the South team). The lead leads this programme only."""
    programme = make_programme("Rated", status="closed")
    lead = make_member(programme, "lead", user=make_user("lead@example.org"))
    day = make_day(programme, LAST_DAY)
    make_session(day, modules["peer-support"])
    make_session(day, modules["mindfulness"])
    w1 = make_wave(programme, "Week", offset_days=7, opens_on=LAST_DAY + timedelta(days=7))
    w2 = make_wave(programme, "Two months", offset_days=56, opens_on=LAST_DAY + timedelta(days=56))
    people = [make_member(programme, user=make_user(name=f"Secret Name {i}"),
                          team="South" if i == 0 else "North") for i in range(7)]
    for person, a, b in zip(people, WAVE1, WAVE2):
        make_rating(w1, person, modules["peer-support"], a, comment=f"comment {a}")
        make_rating(w2, person, modules["peer-support"], b)
    for person, score in zip(people[:4], [3, 4, 5, 2]):
        make_rating(w1, person, modules["mindfulness"], score, comment="too few to show")
    make_rating(w1, people[6], modules["mindfulness"], None)
    db.session.commit()
    return programme, lead, people, (w1, w2)


def _cell(report, wave_index, key):
    return next(m for m in report.wave_reports[wave_index].modules if m.module.key == key)


def _report(lead, programme, **kw):
    return ratings_report.programme_report(lead.user, programme.id, now=kw.pop("now", NOW), **kw)


def test_statistics_per_module_and_wave_match_scipy(rated):
    programme, lead, *_ = rated
    peer = _cell(_report(lead, programme), 0, "peer-support")
    x = np.array(WAVE1, dtype=float)
    low, high = sps.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=sps.sem(x))
    assert peer.n == 6 and peer.shown and peer.reason == ""
    assert peer.summary.mean == pytest.approx(x.mean())
    assert peer.summary.sd == pytest.approx(x.std(ddof=1))
    assert peer.summary.median == pytest.approx(np.median(x))
    assert (peer.summary.ci_low, peer.summary.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert peer.response_rate == pytest.approx(6 / 7)


def test_four_raters_show_no_statistic_at_all_not_even_n_or_comments(rated):
    programme, lead, *_ = rated
    report = _report(lead, programme)
    mind = _cell(report, 0, "mindfulness")
    assert not mind.shown and mind.reason == disclosure.TOO_FEW
    assert (mind.n, mind.summary, mind.distribution, mind.comments, mind.did_not_attend) == (None, None, [], [], None)
    assert report.wave_reports[0].modules[-1].module.key == "mindfulness"
    assert [m.module.key for m in report.wave_reports[0].not_shown] == ["mindfulness"]


def test_five_raters_are_shown_with_comments_but_no_names(rated):
    programme, lead, *_ = rated
    peer = _cell(_report(lead, programme), 0, "peer-support")
    assert peer.n == 6 and peer.shown
    assert "comment 4" in peer.comments and not any("Secret" in c for c in peer.comments)


def test_a_shown_group_shows_its_whole_distribution_small_counts_included(rated):
    programme, lead, *_ = rated
    peer = _cell(_report(lead, programme), 0, "peer-support")
    assert dict(peer.distribution) == {1: 0, 2: 1, 3: 1, 4: 2, 5: 2}
    assert peer.did_not_attend == 0


def test_the_chart_shows_exactly_the_shown_modules(rated):
    programme, lead, *_ = rated
    chart = _report(lead, programme).wave_reports[0].chart
    assert [" ".join(label) for label in chart["labels"]] == [_cell(_report(lead, programme), 0, "peer-support").module.title]
    assert [d["data"] for d in chart["datasets"]] == [[0], [1], [1], [2], [2]]


def test_a_team_of_one_beside_a_team_of_six_gives_no_breakdown(rated):
    # South (1) would have to merge with North (6) into "Other teams": that is everyone.
    programme, lead, *_ = rated
    report = _report(lead, programme, team="North")
    assert report.teams == [] and report.team is None
    assert _cell(report, 0, "peer-support").n == 6


def test_wave_filter_shows_one_wave(rated):
    programme, lead, _people, (w1, w2) = rated
    report = _report(lead, programme, wave_id=w2.id)
    assert [r.wave.id for r in report.wave_reports] == [w2.id]


def test_change_from_first_to_second_wave_is_paired(rated):
    programme, lead, *_ = rated
    report = _report(lead, programme)
    peer = next(r for r in report.change if r.module.key == "peer-support")
    d = np.array(WAVE2, dtype=float) - np.array(WAVE1, dtype=float)
    assert peer.n == 6 and peer.change.mean_diff == pytest.approx(d.mean())
    low, _ = sps.t.interval(0.95, len(d) - 1, loc=d.mean(), scale=sps.sem(d))
    assert peer.change.ci_low == pytest.approx(low)
    mind = next(r for r in report.change if r.module.key == "mindfulness")
    assert not mind.shown and mind.n is None and mind.change is None


def test_an_open_wave_shows_who_answered_but_no_statistic_until_it_closes(rated, modules):
    programme, lead, people, (w1, w2) = rated
    during = datetime.combine(w2.opens_on + timedelta(days=1), time(12), tzinfo=timezone.utc)
    w2.closed_at = None
    db.session.commit()
    report = _report(lead, programme, now=during)
    open_wave = report.wave_reports[1]
    assert (open_wave.results, open_wave.invited, open_wave.answered) == (False, 6, 6)
    assert all(not m.shown and m.reason == disclosure.WAVE_OPEN and m.summary is None
               for m in open_wave.modules)
    assert open_wave.chart["labels"] == [] and report.change == [] and not report.change_visible
    assert report.wave_reports[0].results  # the first wave closed long ago
    after = _report(lead, programme, now=datetime.combine(w2.closes_on, time(12), tzinfo=timezone.utc))
    assert after.wave_reports[1].results and _cell(after, 1, "peer-support").n == 6


def test_a_rating_submitted_in_an_open_wave_changes_no_figure_the_lead_can_see(rated, modules):
    programme, lead, people, (w1, w2) = rated
    during = datetime.combine(w2.opens_on + timedelta(days=1), time(12), tzinfo=timezone.utc)
    before = report_tables.ratings_table(lead.user, programme.id, now=during).text
    make_rating(w2, people[6], modules["peer-support"], 1, comment="late and unhappy")
    db.session.commit()
    after = report_tables.ratings_table(lead.user, programme.id, now=during).text
    changed = [(b.split(","), a.split(",")) for b, a in zip(before.splitlines(), after.splitlines()) if b != a]
    # Only the counts of who was asked and who has answered move (the lead sees those names anyway).
    asked, answered = report_tables.RATINGS_COLUMNS.index("asked"), report_tables.RATINGS_COLUMNS.index("answered_wave")
    assert changed and all(b[answered] != a[answered] for b, a in changed)
    assert all(b[:asked] + b[answered + 1:] == a[:asked] + a[answered + 1:] for b, a in changed)


def test_without_marks_attendance_shows_as_not_recorded(rated):
    programme, lead, *_ = rated
    peer = _cell(_report(lead, programme), 0, "peer-support")
    assert peer.attendance == ratings_report.Attendance(False, None, None, None)


def _registered(modules, came: int, missed: int, missed_rated: int, team_of=lambda i: "North"):
    """A programme whose peer-support session ``came`` attended (they rate 4) and ``missed`` did
    not (the first ``missed_rated`` of them rate it 3 anyway, the rest answer "did not attend")."""
    programme = make_programme("Register", status="closed")
    lead = make_member(programme, "lead", user=make_user())
    day = make_day(programme, LAST_DAY)
    morning = make_session(day, modules["peer-support"])
    make_session(day, modules["mindfulness"], starts=time(13, 30), ends=time(16, 30))
    wave = make_wave(programme, "Week", offset_days=7, opens_on=LAST_DAY + timedelta(days=7))
    for i in range(came + missed):
        person = make_member(programme, team=team_of(i))
        attended = i < came
        # Half are marked on the day, half by a session's own mark that overrides the day's.
        if i % 2:
            make_mark(day, person, "late" if attended else "excused")
        else:
            make_mark(day, person, "absent" if attended else "present")
            make_mark(day, person, "present" if attended else "absent", session=morning)
        rated_anyway = not attended and i - came < missed_rated
        make_rating(wave, person, modules["peer-support"], 4 if attended else 3 if rated_anyway else None)
    db.session.commit()
    return programme, lead


@pytest.mark.parametrize("came, missed, missed_rated, shown", [
    (5, 5, 5, (5, 5, 5)),
    (5, 5, 0, (5, 5, 0)),
    (9, 0, 0, (9, 0, 0)),
    (6, 4, 4, (6, 4, 4)),     # attendance counts of 1-4 show as they are
    (5, 5, 4, (5, 5, 4)),
    (4, 1, 0, (4, 1, None)),  # 4 raters: the ratings hide, the register does not
])
def test_attendance_is_never_hidden_and_ratings_beside_it_follow_their_group(
        app, modules, came, missed, missed_rated, shown):
    programme, lead = _registered(modules, came, missed, missed_rated)
    peer = _cell(_report(lead, programme), 0, "peer-support")
    att = peer.attendance
    assert att.recorded and (att.attended, att.missed, att.missed_but_rated) == shown
    assert peer.did_not_attend == (None if not peer.shown else missed - missed_rated)


def test_attendance_follows_the_team_filter(app, modules):
    programme, lead = _registered(modules, 10, 5, 5, team_of=lambda i: "North" if i < 5 else "South")
    north = _cell(_report(lead, programme, team="North"), 0, "peer-support")
    south = _cell(_report(lead, programme, team="South"), 0, "peer-support")
    everyone = _cell(_report(lead, programme), 0, "peer-support")
    assert (north.attendance.attended, north.attendance.missed) == (5, 0)
    assert (south.attendance.attended, south.attendance.missed, south.attendance.missed_but_rated) == (5, 5, 5)
    assert (everyone.attendance.attended, everyone.attendance.missed) == (10, 5)


def test_attendance_under_a_team_filter_is_shown_even_when_the_ratings_are_not(app, modules):
    # North: 8 attended and rated. South: 1 attended, 5 missed and did not rate (6 in the team).
    programme, lead = _registered(modules, 9, 5, 0, team_of=lambda i: "North" if i < 8 else "South")
    south = _cell(_report(lead, programme, team="South"), 0, "peer-support")
    assert (south.attendance.attended, south.attendance.missed) == (1, 5)
    assert not south.shown and south.attendance.missed_but_rated is None


def test_only_leads_see_the_report(rated):
    programme, _lead, people, _ = rated
    with pytest.raises(PermissionDenied):
        ratings_report.programme_report(people[0].user, programme.id, now=NOW)


def test_comparison_pools_only_the_programmes_whose_figures_are_shown(rated, modules):
    programme, lead, people, _ = rated
    other = make_programme("Other")
    make_member(other, "lead", user=lead.user)
    wave = make_wave(other, "Week", offset_days=7, opens_on=date(2026, 9, 1))
    for score in [1, 2, 3]:
        make_rating(wave, make_member(other), modules["peer-support"], score)
    db.session.commit()
    programmes, rows = ratings_compare.compare_programmes(lead.user, now=NOW)
    assert {p.name for p in programmes} == {"Rated", "Other"}
    row = next(r for r in rows if r.module.key == "peer-support" and r.position == 0)
    by_name = {c.programme.name: c for c in row.cells}
    assert by_name["Other"].n is None and by_name["Other"].reason == disclosure.TOO_FEW
    assert by_name["Rated"].n == 6 and by_name["Rated"].summary.mean == pytest.approx(np.mean(WAVE1))
    # Pooled = Rated alone: subtracting Rated from it leaves nothing to learn about Other.
    assert row.pooled_n == 6 and row.pooled.mean == pytest.approx(np.mean(WAVE1))
    stranger = make_user("stranger@example.org")
    with pytest.raises(PermissionDenied):
        ratings_compare.compare_programmes(stranger, now=NOW)


def test_comparison_shows_nothing_of_a_wave_still_open(rated, modules):
    programme, lead, _people, (w1, _w2) = rated
    during = datetime.combine(w1.opens_on + timedelta(days=1), time(12), tzinfo=timezone.utc)
    w1.closed_at = None
    db.session.commit()
    _programmes, rows = ratings_compare.compare_programmes(lead.user, now=during)
    row = next(r for r in rows if r.module.key == "peer-support" and r.position == 0)
    assert row.cells[0].summary is None and row.cells[0].reason == disclosure.WAVE_OPEN
    assert row.pooled is None and row.pooled_n == 0


def _rows(text):
    return list(csv.DictReader(io.StringIO(text)))


def test_export_is_long_pseudonymous_and_neutralises_formulas(rated, modules):
    programme, lead, people, (w1, _) = rated
    people[0].team = "=HYPERLINK(\"x\")"
    evaluator = make_member(programme, "evaluator")
    db.session.commit()
    out = ratings_export.export(evaluator.user, programme.id, "ratings", slug_date=date(2026, 6, 1))
    rows = _rows(out.text)
    assert list(rows[0]) == [c for c, _ in ratings_export.RATING_COLUMNS]
    assert len(rows) == 6 * 2 + 4 + 1
    first = next(r for r in rows if r["participant_code"] == people[0].code and r["wave"] == "Week"
                 and r["module"] == "peer-support")
    assert first["team"].startswith("'=") and first["usefulness"] == "5" and first["attended"] == "yes"
    assert first["arm"] == "intervention" and first["days_since_last_training_day"].isdigit()
    absent = next(r for r in rows if r["participant_code"] == people[6].code and r["module"] == "mindfulness")
    assert absent["usefulness"] == "" and absent["attended"] == "no"
    for p in people:
        assert p.user.display_name not in out.text and p.user.email not in out.text
    assert db.session.scalar(select(AuditEvent.action)) == "ratings.exported.ratings"


def test_comments_export_has_no_codes_and_dictionary_describes_each_column(rated):
    programme, _lead, people, _ = rated
    evaluator = make_member(programme, "evaluator")
    comments = ratings_export.export(evaluator.user, programme.id, "comments", slug_date=date(2026, 6, 1))
    assert "participant_code" not in comments.text
    assert not [p.code for p in people if p.code in comments.text]
    assert "comment 5" in comments.text
    dictionary = _rows(ratings_export.export(evaluator.user, programme.id, "dictionary",
                                             slug_date=date(2026, 6, 1)).text)
    assert [r["column"] for r in dictionary] == [c for c, _ in ratings_export.RATING_COLUMNS]


def test_export_audit_counts_rows_not_line_breaks_inside_comments(rated, modules):
    programme, lead, people, (w1, _w2) = rated
    make_rating(w1, people[6], modules["peer-support"], 5, comment="First line\r\nsecond line")
    evaluator = make_member(programme, "evaluator")
    db.session.commit()
    out = ratings_export.export(evaluator.user, programme.id, "comments", slug_date=date(2026, 6, 1))
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "ratings.exported.comments"))
    rows = _rows(out.text)
    assert "First line\r\nsecond line" in {r["comment"] for r in rows}
    assert event.detail["rows"] == len(rows)


def test_only_the_programmes_evaluator_exports_record_level_ratings(rated):
    programme, lead, *_ = rated
    other_evaluator = make_member(make_programme("Elsewhere"), "evaluator")
    db.session.commit()
    for user in (lead.user, other_evaluator.user):
        for kind in ratings_export.EXPORTS:
            with pytest.raises(PermissionDenied):
                ratings_export.export(user, programme.id, kind, slug_date=date(2026, 6, 1))


def test_neutralise_cells():
    assert [ratings_export.neutralise(v) for v in ["=1+1", "+x", "-x", "@x", "ok", -3, None]] == [
        "'=1+1", "'+x", "'-x", "'@x", "ok", "-3", ""]


def _teams_programme(modules, teams: dict[str, list[int | None]]):
    """One closed wave; each team's participants rate peer support with the scores given (None:
    enrolled in the team but gave no score), and comment."""
    programme = make_programme("Teams", status="closed")
    lead = make_member(programme, "lead", user=make_user())
    wave = make_wave(programme, "Week", offset_days=7, opens_on=LAST_DAY + timedelta(days=7))
    for team, scores in teams.items():
        for i, score in enumerate(scores):
            person = make_member(programme, team=team)
            if score is not None:
                make_rating(wave, person, modules["peer-support"], score, comment=f"{team} says {i}")
    db.session.commit()
    return programme, lead


def _shown(report):
    peer = _cell(report, 0, "peer-support")
    return peer.n, dict(peer.distribution), len(peer.comments), peer.reason


def test_a_small_team_beside_one_large_team_gives_no_breakdown(app, modules):
    # East (3) merged into "Other teams" would be 3: North joins it, and that is everyone.
    programme, lead = _teams_programme(modules, {"North": [5] * 5 + [4] * 4, "East": [1, 2, 3]})
    report = _report(lead, programme, team="North")
    assert report.teams == [] and report.team is None
    assert _shown(report) == (12, {1: 1, 2: 1, 3: 1, 4: 4, 5: 5}, 12, "")


def test_small_teams_are_merged_into_other_teams(app, modules):
    programme, lead = _teams_programme(modules, {"North": [5] * 5 + [4] * 4, "South": [5] * 3 + [4] * 3,
                                                 "East": [1, 2, 3], "West": [2, 2]})
    report = _report(lead, programme)
    assert report.teams == [("North", "North"), ("South", "South"),
                            (disclosure.OTHER_TEAMS, disclosure.OTHER_TEAMS_LABEL)]
    assert _shown(report) == (20, {1: 1, 2: 3, 3: 1, 4: 7, 5: 8}, 20, "")
    north = _report(lead, programme, team="North")
    other = _report(lead, programme, team=disclosure.OTHER_TEAMS)
    assert _shown(north) == (9, {1: 0, 2: 0, 3: 0, 4: 4, 5: 5}, 9, "")
    assert _shown(other) == (5, {1: 1, 2: 3, 3: 1, 4: 0, 5: 0}, 5, "")
    assert other.team_label == "Other teams" and not _report(lead, programme, team="East").team


def test_a_team_shown_would_leave_few_by_subtraction_so_it_is_withdrawn(app, modules):
    # Members: North 9, South 6, West 5. Raters of peer support: 9, 3 and 5. South (3) hides;
    # showing North and West would leave South's 3 as total minus both, so West (smaller) hides.
    programme, lead = _teams_programme(modules, {"North": [4] * 9, "South": [1, 1, 1, None, None, None],
                                                 "West": [5] * 5})
    north, south, west = (_report(lead, programme, team=t) for t in ("North", "South", "West"))
    assert _shown(north)[:2] == (9, {1: 0, 2: 0, 3: 0, 4: 9, 5: 0})
    assert _shown(south) == (None, {}, 0, disclosure.TOO_FEW)
    assert _shown(west) == (None, {}, 0, disclosure.TOO_FEW_OUTSIDE)
    assert west.wave_reports[0].answered == 5  # who answered is never hidden


def test_the_report_csv_has_the_pages_figures_and_no_row_per_person(rated):
    programme, lead, people, _ = rated
    rows = _rows(report_tables.ratings_table(lead.user, programme.id, now=NOW).text)
    assert list(rows[0]) == report_tables.RATINGS_COLUMNS
    assert len(rows) == 2 * 2  # two waves x two modules
    peer = next(r for r in rows if r["wave"] == "Week" and r["module"] == "Peer support and coaching")
    assert (peer["raters"], peer["rated_1"], peer["rated_2"], peer["asked"]) == ("6", "0", "1", "7")
    mind = next(r for r in rows if r["wave"] == "Week" and r["module"] != "Peer support and coaching")
    assert mind["raters"] == mind["mean"] == mind["rated_3"] == "" and mind["not_shown_because"] == disclosure.TOO_FEW
    for p in people:
        assert p.code not in str(rows) and p.user.display_name not in str(rows)


def test_the_report_csv_neutralises_formulas(app, modules):
    programme, lead = _teams_programme(modules, {"=North": [4] * 5, "+South": [3] * 5})
    text = report_tables.ratings_table(lead.user, programme.id, now=NOW, team="=North").text
    assert ",'=North," in text and ",=North" not in text
