"""The ratings report counts everything in one SQL statement (scores, who was asked and who
answered, comments, the register and who missed a module but rated it), per team: its figures
equal the same figures counted person by person in Python, on random cohorts, answers and
attendance marks, for all teams and for each part of the team partition."""
import random
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.factories import (make_day, make_mark, make_member, make_programme, make_rating,
                             make_session, make_user, make_wave)
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import Membership, ModuleRating, RatingResponse
from trainer.services.privacy import disclosure
from trainer.services.ratings import ratings_report
from trainer.services.ratings.ratings import SCALE
from trainer.services.scheduling import attendance

LAST_DAY = date(2026, 3, 2)
NOW = datetime(2027, 1, 4, 12, 0, tzinfo=timezone.utc)  # both waves have closed


def _random_programme(modules, rng):
    programme = make_programme("Counted", status="closed")
    lead = make_member(programme, "lead", user=make_user())
    keys = sorted(modules)[:4]
    days = [make_day(programme, LAST_DAY - timedelta(days=7)), make_day(programme, LAST_DAY)]
    sessions = [make_session(days[0], modules[keys[0]]), make_session(days[0], modules[keys[1]]),
                make_session(days[1], modules[keys[0]]), make_session(days[1], modules[keys[2]])]
    waves = [make_wave(programme, "Week", offset_days=7, opens_on=LAST_DAY + timedelta(days=7)),
             make_wave(programme, "Later", offset_days=56, opens_on=LAST_DAY + timedelta(days=56))]
    teams = ["North"] * 7 + ["South"] * 6 + ["East"] * 2 + [None] * 2 + [""]
    people = [make_member(programme, team=rng.choice(teams)) for _ in range(rng.randint(12, 22))]
    others = [make_member(programme, arm="comparison", team="North") for _ in range(3)]
    statuses = (None, "present", "late", "absent", "excused")
    for person in people + others:
        for day in days:
            if status := rng.choice(statuses):
                make_mark(day, person, status)
        for session in sessions:
            if rng.random() < 0.15:
                make_mark(session.day, person, rng.choice(statuses[1:]), session=session)
        for wave in waves:
            what = rng.random()
            if what < 0.15:
                continue  # never asked
            if what < 0.3:  # asked, nothing answered
                db.session.add(RatingResponse(wave=wave, membership=person, invited_at=utcnow()))
                continue
            for key in keys:
                if rng.random() < 0.8:
                    make_rating(wave, person, modules[key], rng.choice([None, 1, 2, 3, 4, 5, 5]),
                                comment=rng.choice(["", "", "", " ", f"said {rng.randint(1, 99)}"]),
                                finished=rng.random() < 0.7)
    db.session.commit()
    return programme, lead, waves


def _expected(programme, waves, members: set[int]):
    """Per wave: asked, answered and per module id (raters, distribution, said they did not
    attend, comments, attended, missed, missed but rated), for the intervention participants
    ``members``, person by person."""
    register = attendance.module_attendance(programme)
    ratings = db.session.scalars(select(ModuleRating).join(Membership).where(
        Membership.programme_id == programme.id, Membership.arm == "intervention")).all()
    asked = {(r.wave_id, r.membership_id) for r in db.session.scalars(select(RatingResponse))}
    result = {}
    for wave in waves:
        mine = [r for r in ratings if r.wave_id == wave.id and r.membership_id in members]
        gave = {r.membership_id for r in mine}
        per_module = {}
        for module_id in {r.module_id for r in ratings}:
            cell = [r for r in mine if r.module_id == module_id]
            scores = Counter(r.usefulness for r in cell if r.usefulness is not None)
            known = {mid: came for mid, came in register.get(module_id, {}).items() if mid in members}
            per_module[module_id] = (
                sum(scores.values()), [(level, scores[level]) for level in SCALE],
                sum(r.did_not_attend for r in cell),
                sorted(r.comment for r in cell if r.comment and r.comment.strip()),
                sum(known.values()), sum(not came for came in known.values()),
                sum(1 for r in cell if r.usefulness is not None and known.get(r.membership_id) is False))
        result[wave.id] = (len(gave | {mid for w, mid in asked if w == wave.id and mid in members}),
                           len(gave), per_module)
    return result


def _seen(report):
    """The report's figures in the shape of _expected (None where a figure is not shown)."""
    return {wr.wave.id: (wr.invited, wr.answered, {
        m.module.id: (m.n, m.distribution if m.shown else None, m.did_not_attend,
                      m.comments if m.shown else None, m.attendance.attended, m.attendance.missed,
                      m.attendance.missed_but_rated) for m in wr.modules}) for wr in report.wave_reports}


@pytest.mark.parametrize("seed", range(4))
def test_the_report_counted_in_one_statement_equals_counting_person_by_person(app, modules, seed):
    rng = random.Random(seed)
    programme, lead, waves = _random_programme(modules, rng)
    partition = disclosure.team_partition(programme)
    everyone = set(db.session.scalars(select(Membership.id).where(
        Membership.programme_id == programme.id, Membership.role == "participant",
        Membership.arm == "intervention")))
    assert len(partition.parts) >= 2  # the random teams give a breakdown to check
    for team, members in [(None, everyone), *partition.parts.items()]:
        report = ratings_report.programme_report(lead.user, programme.id, now=NOW, team=team)
        seen, expected = _seen(report), _expected(programme, waves, members)
        assert seen.keys() == expected.keys()
        for wave_id, (invited, answered, per_module) in expected.items():
            got_invited, got_answered, got = seen[wave_id]
            assert (got_invited, got_answered) == (invited, answered)
            assert got.keys() == per_module.keys()
            for module_id, (n, distribution, absent, comments, came, missed, missed_rated) in per_module.items():
                g_n, g_distribution, g_absent, g_comments, g_came, g_missed, g_missed_rated = got[module_id]
                # The register is never hidden ("not recorded" when nobody's attendance is known).
                assert (g_came, g_missed) == ((came, missed) if came + missed else (None, None))
                if g_n is None:  # not shown: the disclosure rules decide, not the counts
                    assert g_distribution is g_comments is g_absent is g_missed_rated is None
                    continue
                assert (g_n, g_distribution, g_absent, g_comments) == (n, distribution, absent, comments)
                assert g_missed_rated == (missed_rated if came + missed else None)
        if team is None:  # for everyone, a group shows exactly when it has 5 or more raters
            for wave_id, (_i, _a, per_module) in expected.items():
                assert {m for m, row in per_module.items() if disclosure.group_shown(row[0])} == {
                    m for m, row in seen[wave_id][2].items() if row[0] is not None}


@pytest.mark.parametrize("seed", range(6))
def test_the_report_for_all_teams_counted_without_teams_equals_adding_up_the_parts(app, modules, seed,
                                                                                    monkeypatch):
    """For all teams the report asks for sums over the parts (_ANSWERS_ALL, _PAIRS_ALL): the
    same report, to the last figure, reason and comment, as adding up the counts per part."""
    rng = random.Random(100 + seed)
    programme, lead, waves = _random_programme(modules, rng)
    for wave_id in (None, *[w.id for w in waves]):
        summed = ratings_report.programme_report(lead.user, programme.id, now=NOW, wave_id=wave_id)
        with monkeypatch.context() as patch:
            patch.setattr(ratings_report, "_ANSWERS_ALL", ratings_report._ANSWERS)
            patch.setattr(ratings_report, "_PAIRS_ALL", ratings_report._PAIRS)
            per_part = ratings_report.programme_report(lead.user, programme.id, now=NOW, wave_id=wave_id)
        assert summed.change  # the random answers give paired scores to compare
        assert summed == per_part
