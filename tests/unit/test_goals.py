"""Goals: writing, reviewing, closing, sharing, and the 14-day review reminder."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from tests.factories import make_goal, make_member, make_programme
from trainer import jobs
from trainer.errors import NotFound, RuleViolation
from trainer.extensions import db
from trainer.models import Goal, OutboxMessage
from trainer.services.participation import goals
from trainer.services.participation.goals import GoalText

TODAY = date(2026, 10, 1)


@pytest.fixture
def two(app):
    programme = make_programme(status="running")
    return make_member(programme), make_member(programme)


def test_a_goal_needs_what_and_a_future_date(two):
    me, _ = two
    with pytest.raises(RuleViolation) as exc:
        goals.create_goal(me, GoalText("  "), today=TODAY)
    assert exc.value.field == "what"
    with pytest.raises(RuleViolation) as exc:
        goals.create_goal(me, GoalText("Sleep", target_on=date(2026, 9, 1)), today=TODAY)
    assert exc.value.field == "target_on"
    goal = goals.create_goal(me, GoalText("Sleep", "Energy", "Diary", date(2026, 12, 1)), today=TODAY)
    assert goal.status == "active" and not goal.shared_with_trainer


def test_review_progress_is_0_to_100_and_only_on_active_goals(two):
    me, _ = two
    goal = make_goal(me)
    with pytest.raises(RuleViolation):
        goals.review_goal(me, goal, 101, "", today=TODAY)
    goals.review_goal(me, goal, 40, "Two evenings", today=TODAY)
    assert goals.last_reviewed_on(goal) == TODAY
    goals.set_status(me, goal, "achieved", now=datetime(2026, 10, 2, tzinfo=timezone.utc))
    assert goal.closed_at is not None
    with pytest.raises(RuleViolation):
        goals.review_goal(me, goal, 50, "", today=TODAY)
    goals.set_status(me, goal, "active", now=datetime(2026, 10, 3, tzinfo=timezone.utc))
    assert goal.closed_at is None


def test_nobody_else_may_touch_a_goal(two):
    me, other = two
    goal = make_goal(me)
    with pytest.raises(NotFound):
        goals.get_own_goal(other, goal.id)
    for call in (lambda: goals.review_goal(other, goal, 10, "", today=TODAY),
                 lambda: goals.set_sharing(other, goal, True),
                 lambda: goals.set_status(other, goal, "dropped", now=datetime.now(timezone.utc)),
                 lambda: goals.update_goal(other, goal, GoalText("x"), today=TODAY)):
        with pytest.raises(NotFound):
            call()


def test_sharing_is_switched_by_the_author(two):
    me, _ = two
    goal = make_goal(me)
    goals.set_sharing(me, goal, True)
    assert db.session.get(Goal, goal.id).shared_with_trainer
    goals.set_sharing(me, goal, False)
    assert not db.session.get(Goal, goal.id).shared_with_trainer


def test_goals_to_review_are_those_without_a_review_for_14_days(two):
    me, _ = two
    stale = make_goal(me, "Stale", reviews=[(date(2026, 9, 1), 20)])
    make_goal(me, "Fresh", reviews=[(date(2026, 9, 25), 20)])
    assert [g.id for g in goals.goals_to_review(me, TODAY)] == [stale.id]


def test_the_goal_list_marks_the_goals_due_a_review(two):
    me, _ = two
    stale = make_goal(me, "Stale", reviews=[(date(2026, 9, 1), 20)])
    fresh = make_goal(me, "Fresh", reviews=[(date(2026, 9, 25), 20)])
    listed = goals.goal_list(me, TODAY)
    assert [g.id for g in listed.goals] == [fresh.id, stale.id] and listed.to_review == {stale.id}


def _reminders() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id))
                             .where(OutboxMessage.kind == "goal_review"))


def _run(now):
    jobs.run_job(next(j for j in jobs.JOBS if j.id == "goal-review-reminders"), now)


def test_review_reminder_goes_once_after_14_days(two):
    me, _ = two
    make_goal(me, "Stale", reviews=[(date(2026, 9, 1), 20)])
    make_goal(me, "Fresh", reviews=[(date(2026, 9, 25), 20)])
    db.session.commit()
    now = datetime(2026, 10, 1, 8, tzinfo=timezone.utc)
    _run(now)
    _run(now)
    _run(datetime(2026, 10, 2, 8, tzinfo=timezone.utc))
    assert _reminders() == 1


def test_closed_goals_get_no_reminder(two):
    me, _ = two
    goal = make_goal(me, reviews=[(date(2026, 8, 1), 20)])
    goal.status = "dropped"
    db.session.commit()
    _run(datetime(2026, 10, 1, 8, tzinfo=timezone.utc))
    assert _reminders() == 0
