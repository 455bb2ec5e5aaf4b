"""Participants' goals: writing them, reviewing progress, closing them, sharing them, reminders."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import selectinload

from trainer.clock import today_in, utcnow
from trainer.errors import NotFound, RuleViolation
from trainer.extensions import db
from trainer.models import Goal, GoalReview, Membership, Programme
from trainer.services.accounts import access
from trainer.services.system import outbox

REVIEW_EVERY = timedelta(days=14)
CLOSED = ("achieved", "dropped")


@dataclass
class GoalText:
    """What a participant writes for a goal."""

    what: str
    why: str = ""
    measure: str = ""
    target_on: date | None = None
    shared_with_trainer: bool = False


def _check(text: GoalText, today: date) -> None:
    if not text.what.strip():
        raise RuleViolation("Enter what your goal is", field="what")
    if len(text.what.strip()) > 300:
        raise RuleViolation("Your goal must be 300 characters or fewer", field="what")
    if text.target_on is not None and text.target_on < today:
        raise RuleViolation("The date must be today or in the future", field="target_on")


def list_goals(membership: Membership) -> list[Goal]:
    """The participant's goals, active first, newest first."""
    goals = db.session.scalars(select(Goal).where(Goal.membership_id == membership.id)
                               .options(selectinload(Goal.reviews)).order_by(Goal.id.desc()))
    return sorted(goals, key=lambda g: g.status != "active")


def get_own_goal(membership: Membership, goal_id: int) -> Goal:
    """The participant's own goal; NotFound for anyone else's."""
    return access.require_own(membership, Goal, goal_id, noun="goal")


def create_goal(membership: Membership, text: GoalText, *, today: date) -> Goal:
    """Add a goal for the participant. Commits."""
    _check(text, today)
    goal = Goal(membership=membership, what=text.what.strip(), why=text.why.strip(),
                measure=text.measure.strip(), target_on=text.target_on,
                shared_with_trainer=text.shared_with_trainer)
    db.session.add(goal)
    db.session.commit()
    return goal


def update_goal(membership: Membership, goal: Goal, text: GoalText, *, today: date) -> None:
    """Change the participant's own goal (a past target date already set may stay). Commits."""
    if goal.membership_id != membership.id:
        raise NotFound("No such goal.")
    _check(GoalText(text.what, target_on=None if text.target_on == goal.target_on else text.target_on),
           today)
    goal.what, goal.why, goal.measure = text.what.strip(), text.why.strip(), text.measure.strip()
    goal.target_on, goal.shared_with_trainer = text.target_on, text.shared_with_trainer
    db.session.commit()


def review_goal(membership: Membership, goal: Goal, progress: int, note: str, *,
                today: date) -> GoalReview:
    """Record a progress check-in (0 to 100) on an active goal. Commits."""
    if goal.membership_id != membership.id:
        raise NotFound("No such goal.")
    if goal.status != "active":
        raise RuleViolation("This goal is closed. Reopen it to review it.", field="progress")
    if not 0 <= progress <= 100:
        raise RuleViolation("Progress must be between 0 and 100", field="progress")
    if len(note) > 1000:
        raise RuleViolation("The note must be 1000 characters or fewer", field="note")
    review = GoalReview(goal=goal, reviewed_on=today, progress=progress, note=note.strip())
    db.session.add(review)
    db.session.commit()
    return review


def set_status(membership: Membership, goal: Goal, status: str, *, now: datetime) -> None:
    """Mark the goal achieved or dropped, or reopen it (``active``). Commits."""
    if goal.membership_id != membership.id:
        raise NotFound("No such goal.")
    if status not in ("active", *CLOSED):
        raise RuleViolation("Choose achieved, dropped or active", field="status")
    goal.status = status
    goal.closed_at = now if status in CLOSED else None
    db.session.commit()


def set_sharing(membership: Membership, goal: Goal, shared: bool) -> None:
    """Let the participant's trainers see this goal's text, or stop them. Commits."""
    if goal.membership_id != membership.id:
        raise NotFound("No such goal.")
    goal.shared_with_trainer = shared
    db.session.commit()


def last_reviewed_on(goal: Goal) -> date | None:
    """The date of the goal's latest review, if any."""
    return max((r.reviewed_on for r in goal.reviews), default=None)


def review_due_since(goal: Goal, tz_name: str) -> date:
    """The date from which the review interval counts: the last review, or the day it was set."""
    return last_reviewed_on(goal) or today_in(tz_name, goal.created_at or utcnow())


def _review_due(goal: Goal, tz_name: str, today: date) -> bool:
    return goal.status == "active" and today - review_due_since(goal, tz_name) >= REVIEW_EVERY


# Read by the participant's home page: built once, keeping its cache key.
_ACTIVE_WITH_LAST_REVIEW = (
    select(Goal, func.max(GoalReview.reviewed_on)).outerjoin(GoalReview, GoalReview.goal_id == Goal.id)
    .where(Goal.membership_id == bindparam("membership_id"), Goal.status == "active")
    .group_by(Goal.id).order_by(Goal.id.desc()))


def goals_to_review(membership: Membership, today: date) -> list[Goal]:
    """The participant's active goals with no review in the last 14 days, newest first (the same
    rule as ``_review_due``, with each goal's latest review date read in the same statement)."""
    tz = membership.programme.timezone
    rows = db.session.execute(_ACTIVE_WITH_LAST_REVIEW, {"membership_id": membership.id})
    return [goal for goal, last in rows
            if today - (last or today_in(tz, goal.created_at or utcnow())) >= REVIEW_EVERY]


@dataclass
class GoalList:
    """The participant's goals (active first, newest first) and the ids of those due a review."""

    goals: list[Goal]
    to_review: set[int]


def goal_list(membership: Membership, today: date) -> GoalList:
    """The participant's goals, marking those due a review on ``today``."""
    goals, tz = list_goals(membership), membership.programme.timezone
    return GoalList(goals, {g.id for g in goals if _review_due(g, tz, today)})


def send_review_reminders(now: datetime) -> int:
    """Queue one reminder per active goal that has gone 14 days without a review (counted from
    its last review, or from when it was set). A later review starts a new interval, which may
    earn one more reminder. Idempotent; the caller commits. Returns messages queued."""
    queued = 0
    goals = db.session.scalars(
        select(Goal).join(Membership).join(Programme)
        .where(Goal.status == "active", Programme.status != "closed", Membership.in_post.is_(True))
        .options(selectinload(Goal.reviews), selectinload(Goal.membership).selectinload(Membership.user),
                 selectinload(Goal.membership).selectinload(Membership.programme)))
    for goal in goals:
        programme = goal.membership.programme
        since = review_due_since(goal, programme.timezone)
        if today_in(programme.timezone, now) - since < REVIEW_EVERY:
            continue
        user = goal.membership.user
        queued += outbox.enqueue(
            dedupe_key=f"goal-review:{goal.id}:{since.isoformat()}", kind="goal_review",
            to=user, subject="Time to review one of your goals",
            body=f"Hello {user.display_name},\n\nOne of your goals in {programme.name} has not "
                 "been reviewed for two weeks. Sign in to record how it is going, or to mark "
                 "it achieved or dropped.\n")
    return queued
