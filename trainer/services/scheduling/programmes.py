"""Programmes and their members."""
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import available_timezones

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from trainer.errors import NotFound, RuleViolation
from trainer.extensions import db
from trainer.models import (ARMS, ROLES, Assignment, AuditEvent, Membership, Module, OutcomeWave,
                            Programme, RatingWave, SessionTrainer, TrainingDay, TrainingSession, User)
from trainer.services.accounts import accounts
from trainer.services.privacy import audit
from trainer.services.scheduling import attendance, calendar, codes
from trainer.services.system import outbox
from trainer.wording import plural


def add_member(programme: Programme, user: User, role: str, *, arm: str | None = None,
               team: str | None = None, consent_date: date | None = None) -> Membership:
    """Add ``user`` to ``programme`` in ``role`` (no commit). Participants get a random code.
    A participant's ``arm`` may be None: to be randomised before training starts.

    Separation of duties: the evaluator of a programme holds no other role in it, so someone
    who sees names there never sees codes.
    """
    if role not in ROLES:
        raise RuleViolation(f"Unknown role {role!r}", field="role")
    if role == "participant" and arm is not None and arm not in ARMS:
        raise RuleViolation("Choose the intervention or the comparison arm", field="arm")
    if role != "participant" and arm is not None:
        raise RuleViolation("Only participants belong to an arm", field="arm")
    held = set(db.session.scalars(select(Membership.role).where(
        Membership.programme_id == programme.id, Membership.user_id == user.id)))
    if role in held:
        raise RuleViolation(f"{user.display_name} is already a {role} of this programme", field="email")
    if role == "evaluator" and held:
        raise RuleViolation(f"{user.display_name} is already a {_a(sorted(held)[0])} of this programme: "
                            "an evaluator can hold no other role in it", field="email")
    if "evaluator" in held:
        raise RuleViolation(f"{user.display_name} is the evaluator of this programme: an evaluator "
                            "can hold no other role in it", field="email")
    code = codes.new_code(programme.id) if role == "participant" else None
    membership = Membership(programme=programme, user=user, role=role, arm=arm, team=team,
                            consent_date=consent_date, code=code)
    db.session.add(membership)
    db.session.flush()
    return membership


def _a(role: str) -> str:
    return f"an {role}" if role[0] in "aeiou" else f"a {role}"


@dataclass(frozen=True)
class PlanOverview:
    """A programme's plan at a glance: its days with sessions, and what is not yet scheduled."""

    days: list[TrainingDay]
    unscheduled_modules: list[Module]
    counts: dict[str, int]


def plan_overview(programme: Programme) -> PlanOverview:
    """Return the days (with sessions, modules and trainers), unscheduled modules and head counts."""
    sessions = selectinload(TrainingDay.sessions)
    days = list(db.session.scalars(
        select(TrainingDay).where(TrainingDay.programme_id == programme.id)
        .options(sessions.selectinload(TrainingSession.module),
                 sessions.selectinload(TrainingSession.trainers).selectinload(SessionTrainer.membership)
                 .selectinload(Membership.user))
        .order_by(TrainingDay.day)))
    scheduled = {s.module_id for d in days if not d.cancelled for s in d.sessions}
    modules = db.session.scalars(select(Module).order_by(Module.position))
    counts = dict(db.session.execute(
        select(func.coalesce(Membership.arm, Membership.role), func.count(Membership.id))
        .where(Membership.programme_id == programme.id)
        .group_by(func.coalesce(Membership.arm, Membership.role))).all())
    return PlanOverview(days, [m for m in modules if m.id not in scheduled], counts)


@dataclass(frozen=True)
class ProgrammePage:
    """What the programme page shows: the plan, the lead's next steps and attendance so far."""

    plan: PlanOverview
    next_steps: list[str]
    attendance: attendance.AttendanceSummary


def programme_page(programme: Programme, *, today: date) -> ProgrammePage:
    """The plan, next steps and attendance of ``programme``, its days loaded once for all three."""
    plan = plan_overview(programme)
    held = [d for d in plan.days if not d.cancelled]
    return ProgrammePage(plan, _next_steps(programme, held, today),
                         attendance.summary(programme, held_days=held))


@dataclass(frozen=True)
class ProgrammeInput:
    """What the programme form gives."""

    name: str
    organisation: str
    timezone: str
    start_date: date
    end_date: date
    description: str = ""


# The status moves a lead may make, with the words of the button that makes each.
TRANSITIONS = {
    "draft": {"scheduled": "Mark as scheduled and tell participants"},
    "scheduled": {"draft": "Move back to draft", "running": "Start the programme"},
    "running": {"follow-up": "Move to follow-up"},
    "follow-up": {"closed": "Close the evaluation"},
    "closed": {},
}


def create_programme(actor: User, data: ProgrammeInput) -> Programme:
    """Create a draft programme with ``actor`` as its lead; commits."""
    _check_programme(data)
    programme = Programme(status="draft")
    _apply(programme, data)
    db.session.add(programme)
    db.session.flush()
    add_member(programme, actor, "lead")
    audit.record(actor.id, "programme.created", programme, programme_id=programme.id)
    db.session.commit()
    return programme


def update_programme(actor: User, programme: Programme, data: ProgrammeInput) -> Programme:
    """Change a programme's details; every training day must stay within its dates. Commits."""
    _check_programme(data)
    outside = db.session.scalar(select(TrainingDay).where(
        TrainingDay.programme_id == programme.id, TrainingDay.cancelled.is_(False),
        (TrainingDay.day < data.start_date) | (TrainingDay.day > data.end_date)).limit(1))
    if outside is not None:
        raise RuleViolation(f"The training day on {outside.day:%-d %B %Y} would fall outside these "
                            "dates: move it first", field="start_date")
    if (data.name.strip(), data.timezone) != (programme.name, programme.timezone):
        _bump_plan(programme)  # calendar events carry the name and the zone
    _apply(programme, data)
    audit.record(actor.id, "programme.updated", programme, programme_id=programme.id)
    db.session.commit()
    return programme


def status_problems(programme: Programme, target: str, *, today: date) -> list[str]:
    """What stops ``programme`` moving to status ``target`` today (empty when it may)."""
    return _problems(programme, target, _days(programme, held_only=True), today)


def _problems(programme: Programme, target: str, days: list[TrainingDay], today: date) -> list[str]:
    """What stops the move to ``target``, given the programme's held days in date order."""
    if target not in TRANSITIONS.get(programme.status, {}):
        return [f"A {programme.status} programme cannot become {target}."]
    problems = []
    if target == "scheduled":
        if not days:
            problems.append("Add at least one training day.")
        problems += [f"Add sessions to the day on {d.day:%-d %B %Y}." for d in days if not d.sessions]
        if not _count(programme, "participant", "intervention"):
            problems.append("Enrol at least one participant in the intervention arm.")
        if not _count(programme, "trainer"):
            problems.append("Add at least one trainer to the team.")
    elif target == "running" and days and today < days[0].day:
        problems.append(f"The programme can start on its first training day, {days[0].day:%-d %B %Y}.")
    elif target == "follow-up" and days and today <= days[-1].day:
        problems.append(f"Follow-up starts after the last training day, {days[-1].day:%-d %B %Y}.")
    elif target == "draft" and days and today >= days[0].day:
        problems.append("Training has started: the programme cannot go back to draft.")
    if target in ("scheduled", "running"):
        waiting = _unallocated(programme)
        if waiting:
            problems.append("Randomise each participant who has no arm yet "
                            f"({plural(waiting, 'participant')}).")
    return problems


def change_status(actor: User, programme: Programme, target: str, *, today: date) -> None:
    """Move the programme to ``target`` if its checks pass; commits.

    Scheduling tells every intervention participant the plan (an outbox message each), which is
    the moment from which moving or cancelling a day sends them a notice.
    """
    problems = status_problems(programme, target, today=today)
    if problems:
        raise RuleViolation(" ".join(problems), field="status")
    old, programme.status = programme.status, target
    if target == "scheduled":
        _send_plan(programme)
    audit.record(actor.id, "programme.status", programme, programme_id=programme.id,
                 old=old, new=target)
    db.session.commit()


STAFF_ROLES = ("lead", "trainer", "evaluator")


@dataclass(frozen=True)
class TeamMember:
    """A lead, trainer or evaluator, and the admin grant that gave them the role, if one did."""

    membership: Membership
    granted_by: str | None = None
    granted_on: date | None = None


def team(programme: Programme) -> list[TeamMember]:
    """The programme's leads, trainers and evaluators (in that order, by name), each with the
    admin who granted the role and when, where an admin did."""
    members = list(db.session.scalars(
        select(Membership).join(User).where(Membership.programme_id == programme.id,
                                            Membership.role.in_(STAFF_ROLES))
        .options(selectinload(Membership.user)).order_by(Membership.role, User.display_name)))
    grants = {event.object_id: event for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.programme_id == programme.id,
                                 AuditEvent.action == "role.granted",
                                 AuditEvent.object_type == "Membership")
        .order_by(AuditEvent.at))}
    admins = {u.id: u.display_name for u in db.session.scalars(
        select(User).where(User.id.in_({g.actor_id for g in grants.values()})))}
    order = {role: n for n, role in enumerate(STAFF_ROLES)}
    return [TeamMember(m, admins.get(grants[m.id].actor_id, "a former admin"), grants[m.id].at.date())
            if m.id in grants else TeamMember(m)
            for m in sorted(members, key=lambda m: order[m.role])]


def add_team_member(actor: User, programme: Programme, *, email: str, name: str, role: str,
                    base_url: str, now: datetime) -> tuple[Membership, str | None]:
    """Add a lead, trainer or evaluator by e-mail, inviting them if they have no account; commits.

    Returns the membership and, for a new account, its one-time set-password link.
    """
    if role not in STAFF_ROLES:
        raise RuleViolation("Choose lead, trainer or evaluator", field="role")
    user, link = find_or_invite(actor, email, name, base_url=base_url, now=now)
    membership = add_member(programme, user, role)
    audit.record(actor.id, "team.added", membership, programme_id=programme.id, role=role)
    db.session.commit()
    return membership, link


def remove_team_member(actor: User, programme: Programme, membership_id: int) -> None:
    """Take a lead or trainer off the team (and off their sessions); the last lead stays. Commits.

    Each session they ran, and its day, gets a new iCalendar SEQUENCE, so subscribed calendars
    pick up the change of trainers; their own calendar shows the programme's days and their
    sessions cancelled.
    """
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.programme_id != programme.id or membership.role == "participant":
        raise NotFound("No such team member.")
    if membership.role == "lead" and _count(programme, "lead") <= 1:
        raise RuleViolation("A programme needs a lead: add another lead before removing this one")
    audit.record(actor.id, "team.removed", membership, programme_id=programme.id)
    days = set()
    calendar.days_removed(_days(programme), membership.user_id)
    for booking in db.session.scalars(select(SessionTrainer).where(
            SessionTrainer.membership_id == membership.id)):
        calendar.session_removed(booking.session, [membership.user_id])
        booking.session.sequence += 1
        days.add(booking.session.day)
        booking.session.trainers.remove(booking)
    for day in days:
        day.sequence += 1
    db.session.delete(membership)
    db.session.commit()


def find_or_invite(actor: User, email: str, name: str, *, base_url: str,
                   now: datetime) -> tuple[User, str | None]:
    """The account with this e-mail, or a new one with a set-password link (no commit)."""
    existing = accounts.find_user_by_email(accounts.normalise_email(email))
    if existing is not None:
        return existing, None
    user = accounts.create_user(email, name)
    link = accounts.issue_password_link(user, actor, base_url=base_url, now=now)
    audit.record(actor.id, "user.invited", user)
    return user, link


def copy_plan(actor: User, source: Programme, *, name: str, start_date: date) -> Programme:
    """Start a draft programme from ``source``'s plan shifted to ``start_date``; commits.

    Days (not cancelled ones), sessions, assignments and rating waves are copied, every date
    moved by the same number of days; people, trainers on sessions and all data stay behind.
    """
    if not (name or "").strip():
        raise RuleViolation("Enter a name for the new programme", field="name")
    shift = start_date - source.start_date
    programme = Programme(name=name.strip(), organisation=source.organisation,
                          timezone=source.timezone, start_date=start_date,
                          end_date=source.end_date + shift, description=source.description,
                          status="draft", copied_from_id=source.id)
    db.session.add(programme)
    db.session.flush()
    add_member(programme, actor, "lead")
    for day in _days(source, held_only=True):
        copy = TrainingDay(programme=programme, day=day.day + shift, starts_at=day.starts_at,
                           ends_at=day.ends_at, venue=day.venue, notes=day.notes)
        copy.sessions = [TrainingSession(module_id=s.module_id, starts_at=s.starts_at,
                                         ends_at=s.ends_at, room=s.room) for s in day.sessions]
        db.session.add(copy)
    for item in db.session.scalars(select(Assignment).where(Assignment.programme_id == source.id)):
        db.session.add(Assignment(programme=programme, activity_id=item.activity_id,
                                  due_on=item.due_on + shift, created_by_id=actor.id))
    for wave in db.session.scalars(select(RatingWave).where(RatingWave.programme_id == source.id)):
        db.session.add(RatingWave(
            programme=programme, label=wave.label, offset_days=wave.offset_days,
            window_days=wave.window_days, opens_on=wave.opens_on and wave.opens_on + shift,
            closes_on=wave.closes_on and wave.closes_on + shift))
    audit.record(actor.id, "programme.copied", programme, programme_id=programme.id,
                 source=source.id)
    db.session.commit()
    return programme


def _check_programme(data: ProgrammeInput) -> None:
    if data.timezone not in available_timezones():
        raise RuleViolation("Choose a time zone from the list, like Europe/London", field="timezone")
    if data.end_date < data.start_date:
        raise RuleViolation("The end date must be on or after the start date", field="end_date")


def _apply(programme: Programme, data: ProgrammeInput) -> None:
    programme.name, programme.organisation = data.name.strip(), data.organisation.strip()
    programme.timezone, programme.description = data.timezone, (data.description or "").strip()
    programme.start_date, programme.end_date = data.start_date, data.end_date


def _days(programme: Programme, *, held_only: bool = False) -> list[TrainingDay]:
    """The programme's days in date order with their sessions; only those not cancelled if held_only."""
    query = (select(TrainingDay).where(TrainingDay.programme_id == programme.id)
             .options(selectinload(TrainingDay.sessions)).order_by(TrainingDay.day))
    if held_only:
        query = query.where(TrainingDay.cancelled.is_(False))
    return list(db.session.scalars(query))


def _bump_plan(programme: Programme) -> None:
    for day in _days(programme):
        day.sequence += 1
        for session in day.sessions:
            session.sequence += 1


def _unallocated(programme: Programme) -> int:
    return db.session.scalar(select(func.count(Membership.id)).where(
        Membership.programme_id == programme.id, Membership.role == "participant",
        Membership.arm.is_(None)))


def _count(programme: Programme, role: str, arm: str | None = None) -> int:
    query = select(func.count(Membership.id)).where(Membership.programme_id == programme.id,
                                                    Membership.role == role)
    if arm:
        query = query.where(Membership.arm == arm)
    return db.session.scalar(query)


def _send_plan(programme: Programme) -> None:
    days = _days(programme, held_only=True)
    lines = "\n".join(f"- {d.day:%A %-d %B %Y}, {d.starts_at:%H:%M} to {d.ends_at:%H:%M}"
                      + (f", {d.venue}" if d.venue else "") for d in days)
    for member in db.session.scalars(select(Membership).where(
            Membership.programme_id == programme.id, Membership.role == "participant",
            Membership.arm == "intervention")):
        outbox.enqueue(dedupe_key=f"plan:{programme.id}:{member.user_id}", kind="plan",
                       to=member.user, subject=f"Your training days: {programme.name}",
                       body=f"Hello {member.user.display_name},\n\nYour training days are:\n{lines}\n\n"
                            "You can add them to your calendar from your home page.\n")


def _next_steps(programme: Programme, held: list[TrainingDay], today: date) -> list[str]:
    """What the lead should do next with the programme, in plain words."""
    if programme.status == "draft":
        return _problems(programme, "scheduled", held, today) or [
            "The plan is ready: mark the programme as scheduled to tell the participants."]
    nxt = next((t for t in TRANSITIONS[programme.status] if t != "draft"), None)
    if nxt is None:
        return []
    waiting = _problems(programme, nxt, held, today)
    if nxt == "closed":
        waiting += _waves_still_running(programme, today)
    return waiting or [f"You can now move the programme to {nxt}."]


def _waves_still_running(programme: Programme, today: date) -> list[str]:
    """Advice while rating or questionnaire waves are open or still to come (closing ends them)."""
    advice = []
    for kind, model in (("rating", RatingWave), ("questionnaire", OutcomeWave)):
        for label, opens_on, closes_on in db.session.execute(
                select(model.label, model.opens_on, model.closes_on)
                .where(model.programme_id == programme.id, model.closes_on >= today)
                .order_by(model.opens_on)):
            state = "is open" if opens_on <= today else f"opens on {opens_on:%-d %B %Y} and runs"
            advice.append(f"The {kind} wave \u201c{label}\u201d {state} until {closes_on:%-d %B %Y}: "
                          "close the programme after it ends.")
    return advice
