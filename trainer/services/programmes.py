"""Programmes and their members."""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.models import ARMS, ROLES, Membership, Module, Programme, TrainingDay, TrainingSession, User


def add_member(programme: Programme, user: User, role: str, *, arm: str | None = None,
               team: str | None = None, consent_date: date | None = None) -> Membership:
    """Add ``user`` to ``programme`` in ``role`` (no commit). Participants get a pseudonymous code."""
    if role not in ROLES:
        raise RuleViolation(f"Unknown role {role!r}", field="role")
    if role == "participant" and arm not in ARMS:
        raise RuleViolation("Choose the intervention or the comparison arm", field="arm")
    if role != "participant" and arm is not None:
        raise RuleViolation("Only participants belong to an arm", field="arm")
    if db.session.scalar(select(Membership.id).where(
            Membership.programme_id == programme.id, Membership.user_id == user.id,
            Membership.role == role)):
        raise RuleViolation(f"{user.display_name} is already a {role} of this programme", field="email")
    code = next_participant_code(programme) if role == "participant" else None
    membership = Membership(programme=programme, user=user, role=role, arm=arm, team=team,
                            consent_date=consent_date, code=code)
    db.session.add(membership)
    db.session.flush()
    return membership


def next_participant_code(programme: Programme) -> str:
    """The next free pseudonymous code in the programme: P001, P002, ..."""
    db.session.flush()
    count = db.session.scalar(select(func.count(Membership.id)).where(
        Membership.programme_id == programme.id, Membership.code.is_not(None)))
    return f"P{count + 1:03d}"


@dataclass(frozen=True)
class PlanOverview:
    """A programme's plan at a glance: its days with sessions, and what is not yet scheduled."""

    days: list[TrainingDay]
    unscheduled_modules: list[Module]
    counts: dict[str, int]


def plan_overview(programme: Programme) -> PlanOverview:
    """Return the days (with sessions, modules and trainers), unscheduled modules and head counts."""
    days = list(db.session.scalars(
        select(TrainingDay).where(TrainingDay.programme_id == programme.id)
        .options(selectinload(TrainingDay.sessions).selectinload(TrainingSession.module),
                 selectinload(TrainingDay.sessions).selectinload(TrainingSession.trainers))
        .order_by(TrainingDay.day)))
    scheduled = {s.module_id for d in days if not d.cancelled for s in d.sessions}
    modules = db.session.scalars(select(Module).order_by(Module.position))
    counts = dict(db.session.execute(
        select(func.coalesce(Membership.arm, Membership.role), func.count(Membership.id))
        .where(Membership.programme_id == programme.id)
        .group_by(func.coalesce(Membership.arm, Membership.role))).all())
    return PlanOverview(days, [m for m in modules if m.id not in scheduled], counts)
