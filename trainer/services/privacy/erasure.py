"""Erasure on request, and the identity removal that the retention schedule shares with it."""
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update

from trainer.errors import NotFound, RuleViolation
from trainer.extensions import db
from trainer.models import (ActivityLog, Apology, CalendarFeed, Goal, LoginAttempt, Membership,
                            ModuleRating, OutboxMessage, OutcomeResponse, PasswordToken, PeerMeeting,
                            User)
from trainer.services.participation import activity_summaries
from trainer.services.privacy import audit, consent, withdrawal
from trainer.services.accounts.access import require_admin

ERASED_NAME = "Erased person"
REDACTED = "[This message was removed when the person's data was erased.]"


def _count(model, column, ids) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(column.in_(ids))) or 0


def _keeps_answers(member: Membership) -> bool:
    """Whether the person's consent lets their answers stay in the evaluation, anonymously."""
    if member.withdrawn_on is not None:
        return bool(member.answers_kept)
    return consent.may_ask(member)


@dataclass(frozen=True)
class Plan:
    """Exactly what an erasure removes, for the confirmation page."""

    user: User
    programmes: list[str]
    logs: int
    goals: int
    meetings: int
    apologies: int
    answers_deleted: int
    answers_kept: int
    messages: int


def plan(actor: User, user_id: int) -> Plan:
    """Admins: what erasing the person would remove (nothing is changed)."""
    require_admin(actor)
    user = db.session.get(User, user_id)
    if user is None or user.email.endswith(".invalid"):
        raise NotFound("No such person, or they have already been erased.")
    if user.id == actor.id:
        raise RuleViolation("You cannot erase your own account.")
    members = list(db.session.scalars(select(Membership).where(Membership.user_id == user.id)))
    ids = [m.id for m in members]
    kept = [m.id for m in members if _keeps_answers(m)]
    gone = [i for i in ids if i not in kept]

    def answers(some: list[int]) -> int:
        return (_count(OutcomeResponse, OutcomeResponse.membership_id, some)
                + _count(ModuleRating, ModuleRating.membership_id, some))
    return Plan(user, sorted({m.programme.name for m in members}),
                _count(ActivityLog, ActivityLog.membership_id, ids), _count(Goal, Goal.membership_id, ids),
                _count(PeerMeeting, PeerMeeting.author_id, ids), _count(Apology, Apology.membership_id, ids),
                answers(gone), answers(kept), _count(OutboxMessage, OutboxMessage.user_id, [user.id]))


def remove_identity(user: User, members: list[Membership]) -> None:
    """Remove who the person was (no commit): name, e-mail, team, sign-in, sessions, links,
    private notes, logs, goals, meetings and apologies, and their name and address in the outbox."""
    name, email = user.display_name, user.email
    ids = [m.id for m in members]
    for model, column in ((ActivityLog, ActivityLog.membership_id), (Goal, Goal.membership_id),
                          (PeerMeeting, PeerMeeting.author_id), (Apology, Apology.membership_id)):
        if model is Goal:
            for goal in db.session.scalars(select(Goal).where(column.in_(ids))):
                db.session.delete(goal)
        else:
            db.session.execute(delete(model).where(column.in_(ids)))
    activity_summaries.refresh(ids)
    for member in members:
        member.team, member.leaving_reason = None, None
    user.email = f"erased-{user.id}-{secrets.token_hex(4)}@erased.invalid"
    user.display_name = ERASED_NAME
    user.password_hash, user.is_enabled, user.is_admin, user.last_login_at = None, False, False, None
    user.session_version += 1
    db.session.execute(delete(PasswordToken).where(PasswordToken.user_id == user.id))
    db.session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id))
    db.session.execute(delete(LoginAttempt).where(func.lower(LoginAttempt.email) == email.lower()))
    db.session.execute(update(OutboxMessage).where(OutboxMessage.user_id == user.id).values(
        to_address=user.email, body=REDACTED))
    for message in db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.body.contains(name) | OutboxMessage.body.contains(email)
            | OutboxMessage.subject.contains(name))):
        message.body = message.body.replace(name, ERASED_NAME).replace(email, "[erased]")
        message.subject = message.subject.replace(name, ERASED_NAME)
    db.session.flush()


def erase(actor: User, user_id: int) -> Plan:
    """Admins: erase the person everywhere, in one transaction; answers are deleted unless their
    consent lets them stay, anonymously. Audited with counts only. Commits."""
    what = plan(actor, user_id)
    user = what.user
    members = list(db.session.scalars(select(Membership).where(Membership.user_id == user.id)))
    for member in members:
        if not _keeps_answers(member):
            withdrawal.delete_answers(member)
    remove_identity(user, members)
    audit.record(actor.id, "person.erased", user, logs=what.logs, goals=what.goals,
                 meetings=what.meetings, apologies=what.apologies,
                 answers_deleted=what.answers_deleted, answers_kept=what.answers_kept,
                 messages_redacted=what.messages)
    db.session.commit()
    return what
