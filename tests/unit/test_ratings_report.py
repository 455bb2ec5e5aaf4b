"""The lead's ratings report and exports: statistics, suppression, change, comparison, CSV."""
import csv
import io
from datetime import date, time, timedelta

import numpy as np
import pytest
from scipy import stats as sps
from sqlalchemy import select

from tests.factories import (make_day, make_mark, make_member, make_programme, make_rating,
                             make_session, make_user, make_wave)
from trainer.errors import PermissionDenied
from trainer.extensions import db
from trainer.models import AuditEvent
from trainer.services import ratings_export, ratings_report

LAST_DAY = date(2026, 3, 2)
WAVE1 = [5, 4, 4, 3, 5, 2]
WAVE2 = [4, 4, 5, 3, 4, 1]


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


def test_statistics_per_module_and_wave_match_scipy(rated):
    programme, lead, *_ = rated
    report = ratings_report.programme_report(lead.user, programme.id)
    peer = _cell(report, 0, "peer-support")
    x = np.array(WAVE1, dtype=float)
    low, high = sps.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=sps.sem(x))
    assert peer.n == 6 and not peer.suppressed
    assert peer.summary.mean == pytest.approx(x.mean())
    assert peer.summary.sd == pytest.approx(x.std(ddof=1))
    assert peer.summary.median == pytest.approx(np.median(x))
    assert (peer.summary.ci_low, peer.summary.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert peer.invited == 7 and peer.response_rate == pytest.approx(6 / 7)


def test_four_raters_are_suppressed_and_their_comments_hidden(rated):
    programme, lead, *_ = rated
    report = ratings_report.programme_report(lead.user, programme.id)
    mind = _cell(report, 0, "mindfulness")
    assert mind.n == 4 and mind.suppressed and mind.summary is None and mind.comments == []
    assert all(count is None for _, count in mind.distribution)
    assert report.wave_reports[0].modules[-1].module.key == "mindfulness"


def test_five_raters_are_shown_with_comments_but_no_names(rated):
    programme, lead, *_ = rated
    report = ratings_report.programme_report(lead.user, programme.id)
    peer = _cell(report, 0, "peer-support")
    assert peer.n == 6 and not peer.suppressed
    assert "comment 4" in peer.comments and not any("Secret" in c for c in peer.comments)


def test_five_in_the_team_but_one_outside_it_is_hidden_with_its_comments(rated):
    programme, lead, *_ = rated
    report = ratings_report.programme_report(lead.user, programme.id, team="North")
    peer = _cell(report, 0, "peer-support")
    assert report.team == "North"
    assert peer.n == 5 and peer.suppressed and peer.summary is None and peer.comments == []


def test_a_distribution_never_reveals_a_hidden_count(rated):
    programme, lead, *_ = rated
    peer = _cell(ratings_report.programme_report(lead.user, programme.id), 0, "peer-support")
    # Counts 1:0 2:1 3:1 4:2 5:2: every non-zero count is below 5, so all are hidden.
    assert dict(peer.distribution) == {1: 0, 2: None, 3: None, 4: None, 5: None}


def test_a_team_of_fewer_than_five_raters_is_not_offered_as_a_filter(rated):
    programme, lead, *_ = rated
    report = ratings_report.programme_report(lead.user, programme.id, team="South")
    assert report.teams == ["North"] and report.team is None
    assert _cell(report, 0, "peer-support").n == 6


def test_wave_filter_shows_one_wave(rated):
    programme, lead, _people, (w1, w2) = rated
    report = ratings_report.programme_report(lead.user, programme.id, wave_id=w2.id)
    assert [r.wave.id for r in report.wave_reports] == [w2.id]


def test_change_from_first_to_second_wave_is_paired(rated):
    programme, lead, *_ = rated
    report = ratings_report.programme_report(lead.user, programme.id)
    peer = next(r for r in report.change if r.module.key == "peer-support")
    d = np.array(WAVE2, dtype=float) - np.array(WAVE1, dtype=float)
    assert peer.n == 6 and peer.change.mean_diff == pytest.approx(d.mean())
    low, _ = sps.t.interval(0.95, len(d) - 1, loc=d.mean(), scale=sps.sem(d))
    assert peer.change.ci_low == pytest.approx(low)
    assert next(r for r in report.change if r.module.key == "mindfulness").suppressed


def test_did_not_attend_counts_are_suppressed_below_five(rated):
    programme, lead, *_ = rated
    report = ratings_report.programme_report(lead.user, programme.id)
    assert _cell(report, 0, "peer-support").did_not_attend == 0


def test_without_marks_attendance_shows_as_not_recorded(rated):
    programme, lead, *_ = rated
    peer = _cell(ratings_report.programme_report(lead.user, programme.id), 0, "peer-support")
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
    (6, 4, 4, (None, None, None)),   # 4 missed: hidden, and attended too (else 10 - 6 = 4)
    (5, 5, 4, (5, 5, None)),         # 4 of 5 rated: hidden, else the 1 who did not follows
    (4, 6, 0, (None, None, 0)),
])
def test_attendance_beside_ratings_is_suppressed_at_four_and_shown_at_five(
        app, modules, came, missed, missed_rated, shown):
    programme, lead = _registered(modules, came, missed, missed_rated)
    peer = _cell(ratings_report.programme_report(lead.user, programme.id), 0, "peer-support")
    att = peer.attendance
    assert att.recorded and (att.attended, att.missed, att.missed_but_rated) == shown
    dna = missed - missed_rated
    assert peer.did_not_attend == (None if peer.suppressed or 0 < dna < 5 else dna)


def test_attendance_follows_the_team_filter(app, modules):
    programme, lead = _registered(modules, 10, 5, 5, team_of=lambda i: "North" if i < 5 else "South")
    north = _cell(ratings_report.programme_report(lead.user, programme.id, team="North"), 0, "peer-support")
    south = _cell(ratings_report.programme_report(lead.user, programme.id, team="South"), 0, "peer-support")
    everyone = _cell(ratings_report.programme_report(lead.user, programme.id), 0, "peer-support")
    assert (north.attendance.attended, north.attendance.missed) == (5, 0)
    assert (south.attendance.attended, south.attendance.missed, south.attendance.missed_but_rated) == (5, 5, 5)
    assert (everyone.attendance.attended, everyone.attendance.missed) == (10, 5)


def test_only_leads_see_the_report(rated):
    programme, _lead, people, _ = rated
    with pytest.raises(PermissionDenied):
        ratings_report.programme_report(people[0].user, programme.id)


def test_comparison_across_programmes_per_programme_and_pooled(rated, modules):
    programme, lead, people, _ = rated
    other = make_programme("Other")
    make_member(other, "lead", user=lead.user)
    wave = make_wave(other, "Week", offset_days=7, opens_on=date(2026, 9, 1))
    for score in [1, 2, 3]:
        make_rating(wave, make_member(other), modules["peer-support"], score)
    db.session.commit()
    programmes, rows = ratings_report.compare_programmes(lead.user)
    assert {p.name for p in programmes} == {"Rated", "Other"}
    row = next(r for r in rows if r.module.key == "peer-support" and r.position == 0)
    by_name = {c.programme.name: c for c in row.cells}
    # Other has 3 raters (hidden), so Rated's 6 are hidden too: the pooled 9 would reveal it.
    assert by_name["Other"].n is None and by_name["Rated"].n is None
    assert row.pooled_n == 9 and row.pooled.mean == pytest.approx(np.mean(WAVE1 + [1, 2, 3]))
    stranger = make_user("stranger@example.org")
    with pytest.raises(PermissionDenied):
        ratings_report.compare_programmes(stranger)


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


def _teams_programme(modules, teams: dict[str, list[int]]):
    """One wave; each team's participants rate peer support with the scores given, and comment."""
    programme = make_programme("Teams", status="closed")
    lead = make_member(programme, "lead", user=make_user())
    wave = make_wave(programme, "Week", offset_days=7, opens_on=LAST_DAY + timedelta(days=7))
    for team, scores in teams.items():
        for i, score in enumerate(scores):
            make_rating(wave, make_member(programme, team=team), modules["peer-support"], score,
                        comment=f"{team} says {i}")
    db.session.commit()
    return programme, lead


def _shown(report):
    peer = _cell(report, 0, "peer-support")
    return (None if peer.suppressed else peer.n, peer.summary is not None, dict(peer.distribution),
            len(peer.comments), peer.invited)


def test_a_team_with_three_people_outside_it_hides_every_figure_of_the_module(app, modules):
    # East (3 raters) is not offered, and North's view would give East away: 12 - 9 = 3.
    programme, lead = _teams_programme(modules, {"North": [5] * 5 + [4] * 4, "East": [1, 2, 3]})
    everyone = ratings_report.programme_report(lead.user, programme.id)
    north = ratings_report.programme_report(lead.user, programme.id, team="North")
    assert everyone.teams == ["North"]
    assert _shown(everyone) == (12, True, {1: None, 2: None, 3: None, 4: None, 5: 5}, 12, 12)
    assert _shown(north) == (None, False, {level: None for level in range(1, 6)}, 0, None)
    assert north.wave_reports[0].invited is None


def test_teams_with_five_or_more_outside_show_but_hide_levels_with_small_complements(app, modules):
    programme, lead = _teams_programme(modules, {"North": [5] * 5 + [4] * 4, "South": [5] * 3 + [4] * 3})
    everyone = ratings_report.programme_report(lead.user, programme.id)
    north = ratings_report.programme_report(lead.user, programme.id, team="North")
    south = ratings_report.programme_report(lead.user, programme.id, team="South")
    assert everyone.teams == ["North", "South"]
    assert _shown(everyone) == (15, True, {1: 0, 2: 0, 3: 0, 4: 7, 5: 8}, 15, 15)
    # North's level 5 (5 people) hides: 8 - 5 leaves South's 3; level 4 (4 people) is small.
    assert _shown(north) == (9, True, {1: 0, 2: 0, 3: 0, 4: None, 5: None}, 9, 9)
    assert _shown(south) == (6, True, {1: 0, 2: 0, 3: 0, 4: None, 5: None}, 6, 6)
    assert north.wave_reports[0].invited == 9


def test_a_zero_level_hides_when_everyone_outside_the_team_holds_it(app, modules):
    programme, lead = _teams_programme(modules, {"North": [5] * 6 + [4] * 5,
                                                 "South": [5] * 5 + [3, 3]})
    north = ratings_report.programme_report(lead.user, programme.id, team="North")
    # North gave no 3s; showing that 0 would place South's two 3s outside North, so it hides,
    # and the smallest other count with it.
    assert _shown(north)[2] == {1: 0, 2: 0, 3: None, 4: None, 5: 6}


def test_attendance_under_a_team_filter_hides_counts_with_few_outside_the_team(app, modules):
    # North: 8 attended. South: 1 attended and 5 missed (all rated). Everyone: 9 and 5.
    programme, lead = _registered(modules, 9, 5, 5, team_of=lambda i: "North" if i < 8 else "South")
    north = _cell(ratings_report.programme_report(lead.user, programme.id, team="North"), 0, "peer-support")
    south = _cell(ratings_report.programme_report(lead.user, programme.id, team="South"), 0, "peer-support")
    everyone = _cell(ratings_report.programme_report(lead.user, programme.id), 0, "peer-support")
    assert (everyone.attendance.attended, everyone.attendance.missed) == (9, 5)
    # North's 8 attended would leave South's 1 (9 - 8); its 0 missed cannot be shown alone. That
    # none of North's missed rated it leaves 5 outside North, so that 0 shows.
    assert (north.attendance.attended, north.attendance.missed, north.attendance.missed_but_rated) == (
        None, None, 0)
    assert (south.attendance.attended, south.attendance.missed, south.attendance.missed_but_rated) == (
        None, None, None)
