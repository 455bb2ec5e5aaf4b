"""At 390 px, no page that a demo role can reach scrolls sideways: the URL map walked as each role.

Routes are found in app.url_map, so pages added later are covered too; their variables are
filled with the demo's ids by name (an unknown ``<thing>_id`` gets the first row's id, 1).
"""
from flask import url_for
from sqlalchemy import select

from tests.conftest import MODULES_DIR
from tests.e2e.conftest import sign_in
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import (ActivityLog, Assignment, Goal, Membership, OutcomeWave, PeerGroup,
                            PeerMeeting, Programme, RatingWave, TrainingDay, User)
from trainer import demo
from trainer.services.scheduling import calendar

WIDTH = 390
ROLES = (None, "admin@demo.test", "lead@demo.test", "trainer@demo.test", "participant@demo.test",
         "comparison@demo.test")
SKIP = {"static", "schedule.feed", "home.healthz"}


def _first(model, *where):
    return db.session.scalar(select(model.id).where(*where).order_by(model.id))


def _demo_ids() -> dict:
    """The demo's objects by the names routes give their variables."""
    programme = db.session.scalar(select(Programme).where(Programme.status != "closed"))
    me = db.session.scalar(select(Membership).join(User).where(
        User.email == "participant@demo.test", Membership.programme_id == programme.id))
    days = db.session.scalars(select(TrainingDay).where(TrainingDay.programme_id == programme.id)
                              .order_by(TrainingDay.day)).all()
    group = _first(PeerGroup, PeerGroup.programme_id == programme.id)
    return {"programme_id": programme.id, "membership_id": me.id, "user_id": me.user_id,
            "assignment_id": _first(Assignment, Assignment.programme_id == programme.id),
            "goal_id": _first(Goal, Goal.membership_id == me.id),
            "log_id": _first(ActivityLog, ActivityLog.membership_id != me.id),
            "rating_wave_id": _first(RatingWave, RatingWave.programme_id == programme.id),
            "outcome_wave_id": _first(OutcomeWave, OutcomeWave.programme_id == programme.id),
            "group_id": group, "meeting_id": _first(PeerMeeting, PeerMeeting.group_id == group),
            "day_id": days[-1].id, "session_id": days[-1].sessions[0].id,
            "module_key": "mindfulness", "outcome_key": "brs", "action": "disable",
            "token": calendar.feed_token(me.user) or "none"}


def _value(endpoint: str, arg: str, ids: dict):
    if arg == "wave_id":
        return ids["outcome_wave_id" if endpoint.startswith("outcomes.") else "rating_wave_id"]
    if arg == "key":
        return ids["outcome_key" if endpoint.startswith("outcomes.") else "module_key"]
    return ids.get(arg, 1 if arg.endswith("_id") else arg)


def _pages(app, ids: dict) -> list[str]:
    pages = []
    with app.test_request_context():
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" in rule.methods and rule.endpoint not in SKIP:
                pages.append(url_for(rule.endpoint, **{a: _value(rule.endpoint, a, ids)
                                                       for a in rule.arguments}))
    return sorted(set(pages))


def test_no_page_a_demo_role_reaches_scrolls_sideways_at_390px(app, live_server, browser):
    demo.seed(MODULES_DIR, now=utcnow(), base_url=live_server)
    ids = _demo_ids()
    db.session.commit()  # and touch no model after this: the live server needs the write lock
    pages = _pages(app, ids)
    too_wide, visited = [], {}
    for email in ROLES:
        context = browser.new_context(viewport={"width": WIDTH, "height": 800})
        page = context.new_page()
        if email:
            sign_in(page, live_server, email, demo.DEMO_PASSWORD)
        for path in pages:
            check = context.request.get(live_server + path, max_redirects=0)
            if check.status != 200 or "text/html" not in check.headers.get("content-type", ""):
                continue
            page.goto(live_server + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            visited[email] = visited.get(email, 0) + 1
            if width > WIDTH:
                too_wide.append(f"{email or 'anonymous'} {path}: {width} px")
        context.close()
    assert all(visited.get(email, 0) >= 2 for email in ROLES), visited
    assert visited["lead@demo.test"] >= 30 and visited["participant@demo.test"] >= 8, visited
    assert not too_wide, f"{len(too_wide)} page(s) wider than {WIDTH} px:\n" + "\n".join(too_wide)
