"""The demo's ratings: an open wave for the demo participant, and an earlier closed programme
whose two waves give real numbers for the change between waves and the comparison."""
from datetime import datetime, timezone

from sqlalchemy import select

from trainer.extensions import db
from trainer.models import Programme, User
from trainer import demo
from trainer.services.privacy import disclosure
from trainer.services.ratings import ratings, ratings_compare, ratings_report

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc)


def test_demo_participant_can_rate_six_modules_in_the_open_wave(app, modules):
    demo.seed(modules_dir=None, now=NOW, base_url="http://x")
    user = db.session.scalar(select(User).where(User.email == "participant@demo.test"))
    member = user.memberships[0]
    waves = ratings.open_waves_for(member, NOW.date())
    assert len(waves) == 1 and waves[0][1] == "Not started"
    sheet = ratings.rating_sheet(member, waves[0][0], NOW.date())
    assert len(sheet.modules) == 6 and sheet.state == "open"


def test_demo_lead_sees_statistics_change_and_comparison(app, modules):
    demo.seed(modules_dir=None, now=NOW, base_url="http://x")
    lead = db.session.scalar(select(User).where(User.email == "lead@demo.test"))
    earlier = db.session.scalar(select(Programme).where(Programme.status == "closed"))
    report = ratings_report.programme_report(lead, earlier.id, now=NOW)
    assert all(ratings.wave_state(w, NOW.date()) == "closed" for w in report.waves)
    assert all(m.shown and sum(c for _, c in m.distribution) == m.n
               for wr in report.wave_reports for m in wr.modules)
    assert any(row.shown for row in report.change)
    assert report.teams[-1] == (disclosure.OTHER_TEAMS, "Other teams")
    for key, _label in report.teams:
        part = ratings_report.programme_report(lead, earlier.id, now=NOW, team=key)
        assert all(m.n is None or m.n >= 5 for wr in part.wave_reports for m in wr.modules)
    live = db.session.scalar(select(Programme).where(Programme.status != "closed"))
    live_report = ratings_report.programme_report(lead, live.id, now=NOW)
    open_wave = live_report.wave_reports[0]
    assert not open_wave.results and open_wave.answered > 0
    assert all(m.summary is None and m.n is None for m in open_wave.modules)
    programmes, rows = ratings_compare.compare_programmes(lead, now=NOW)
    assert len(programmes) == 2 and any(r.pooled is not None for r in rows)
    assert all(c.summary is None for r in rows for c in r.cells if c.programme.id == live.id)
