"""The cost-consequence view: the lead's sourced cost figures, the cost per participant and per
completer, and retention in money terms (cost per extra worker retained, or the break-even)."""
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select

from trainer import stats
from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.models import (ActivityLog, Membership, OutcomeResponse, OutcomeWave, PeerGroupMember,
                            PeerMeeting, Programme, ProgrammeCosts, User)
from trainer.services.outcomes import results, retention
from trainer.services.privacy import audit
from trainer.services.scheduling import attendance

FIGURES = ("trainer_days", "trainer_day_rate", "venue_cost", "materials_cost", "coordination_cost",
           "backfill_cost", "participant_hourly_cost", "peer_meeting_hours", "replacement_cost",
           "sensitivity_from", "sensitivity_to", "sensitivity_step")
SOURCED = {"trainer": ("trainer_days", "trainer_day_rate"), "venue": ("venue_cost",),
           "materials": ("materials_cost",), "coordination": ("coordination_cost",),
           "backfill": ("backfill_cost",), "participant": ("participant_hourly_cost",),
           "replacement": ("replacement_cost",)}
MAX_SENSITIVITY_ROWS = 40
COMPLETER = ("A completer is an intervention participant who attended at least one training day "
             "and answered the post-training questionnaire wave.")


def costs_for(programme: Programme) -> ProgrammeCosts:
    """The programme's cost figures (a new, empty, unsaved row when none are entered yet)."""
    row = db.session.scalar(select(ProgrammeCosts).where(ProgrammeCosts.programme_id == programme.id))
    return row or ProgrammeCosts(programme_id=programme.id, **{f"{g}_source": "" for g in SOURCED})


def save_costs(actor: User, programme: Programme, values: dict) -> ProgrammeCosts:
    """Save the lead's figures (``values``: FIGURES as Decimal or None, ``<group>_source`` and
    ``<group>_year``). A figure needs its source and price year; the sensitivity range needs
    from <= to, a step above 0 and at most MAX_SENSITIVITY_ROWS rows. Commits."""
    for group, names in SOURCED.items():
        entered = any(values.get(n) is not None for n in names)
        if entered and not (values.get(f"{group}_source") or "").strip():
            raise RuleViolation("Enter where this figure comes from", field=f"{group}_source")
        if entered and not values.get(f"{group}_year"):
            raise RuleViolation("Enter the price year of this figure", field=f"{group}_year")
    low, high, step = (values.get(f"sensitivity_{k}") for k in ("from", "to", "step"))
    if any(v is not None for v in (low, high, step)):
        if None in (low, high, step):
            raise RuleViolation("Enter from, to and step, or none of them", field="sensitivity_from")
        if low > high:
            raise RuleViolation("'From' must not be more than 'to'", field="sensitivity_to")
        if step <= 0 or (high - low) / step >= MAX_SENSITIVITY_ROWS:
            raise RuleViolation(f"Choose a step that gives at most {MAX_SENSITIVITY_ROWS} rows",
                                field="sensitivity_step")
    row = costs_for(programme)
    for name in FIGURES:
        setattr(row, name, values.get(name))
    for group in SOURCED:
        setattr(row, f"{group}_source", (values.get(f"{group}_source") or "").strip()[:300])
        setattr(row, f"{group}_year", values.get(f"{group}_year"))
    db.session.add(row)
    db.session.flush()
    audit.record(actor.id, "costs.saved", row, programme_id=programme.id)
    db.session.commit()
    return row


@dataclass
class Usage:
    """Participant time spent on the programme, from the schedule, attendance and logs."""

    training_hours: Decimal
    self_directed_minutes: int
    peer_meetings: int
    peer_attendances: int  # meetings x members of the meeting's group
    allocated: int
    completers: int


def usage(programme: Programme) -> Usage:
    """Training hours (length of each held day, per intervention participant who attended it),
    self-directed minutes logged, peer meetings and the people at them, allocated intervention
    participants and completers (COMPLETER)."""
    hours, attended_any = Decimal(0), set()
    for day, known in attendance.day_attendance(programme):
        came = {mid for mid, present in known.items() if present}
        attended_any |= came
        minutes = (datetime.combine(day.day, day.ends_at) - datetime.combine(day.day, day.starts_at)).seconds // 60
        hours += Decimal(minutes * len(came)) / 60
    logged = db.session.scalar(select(func.coalesce(func.sum(ActivityLog.minutes), 0)).join(Membership)
                               .where(Membership.programme_id == programme.id)) or 0
    sizes = dict(db.session.execute(select(PeerGroupMember.group_id, func.count(PeerGroupMember.id))
                                    .where(PeerGroupMember.programme_id == programme.id)
                                    .group_by(PeerGroupMember.group_id)).all())
    meetings = list(db.session.scalars(select(PeerMeeting.group_id).where(PeerMeeting.group_id.in_(sizes))))
    allocated = set(db.session.scalars(select(Membership.id).where(
        Membership.programme_id == programme.id, Membership.role == "participant",
        Membership.arm == "intervention")))
    post = set(db.session.scalars(select(OutcomeResponse.membership_id).join(OutcomeWave).where(
        OutcomeWave.programme_id == programme.id, OutcomeWave.kind == "post",
        OutcomeResponse.submitted_at.is_not(None))))
    return Usage(hours, int(logged), len(meetings), sum(sizes[g] for g in meetings), len(allocated),
                 len(allocated & attended_any & post))


@dataclass
class Line:
    """One line of the cost table: its amount (None while a figure is missing) and source."""

    label: str
    working: str
    amount: Decimal | None
    source: str
    year: int | None


@dataclass
class Retention:
    """Retention in post by arm, and what it means in money."""

    n: dict[str, int]
    in_post: dict[str, int]
    difference: stats.ProportionDifference
    cost_per_retained: Decimal | None = None
    break_even: Decimal | None = None
    sensitivity: list[tuple[Decimal, Decimal]] = field(default_factory=list)


@dataclass
class Summary:
    """The cost-consequence page's figures. ``total`` and the unit costs are None while any
    figure the arithmetic needs is missing (``missing`` names them)."""

    costs: ProgrammeCosts
    usage: Usage
    lines: list[Line]
    missing: list[str]
    total: Decimal | None
    per_allocated: Decimal | None
    per_completer: Decimal | None
    retention: Retention


def _money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


def summary(programme: Programme, *, today: date) -> Summary:
    """Cost lines, total, cost per allocated intervention participant and per completer, and
    retention: the cost per additional worker retained only when the 95% CI of the difference in
    the proportion still in post (intervention minus comparison) excludes 0 and favours the
    intervention; otherwise the break-even number of leavers averted at the lead's replacement
    cost, with the sensitivity table over their range."""
    c, use = costs_for(programme), usage(programme)
    return _summarise(c, use, _retention(programme, today))


def _retention(programme: Programme, today: date) -> Retention:
    stopped = retention.untracked_ids(programme)
    members = [m for m in retention.facts(programme) if m.id not in stopped]
    n = {arm: sum(m.arm == arm for m in members) for arm in retention.ARMS}
    kept = {arm: sum(m.arm == arm and m.in_post for m in members) for arm in retention.ARMS}
    return Retention(n, kept, stats.proportion_difference(kept["intervention"], n["intervention"],
                                                          kept["comparison"], n["comparison"]))


def _summarise(c: ProgrammeCosts, use: Usage, kept: Retention) -> Summary:
    missing: list[str] = []

    def need(value, what: str):
        if value is None:
            missing.append(what)
        return value

    hourly = need(c.participant_hourly_cost, "participants' hourly cost")
    meeting = need(c.peer_meeting_hours, "hours per peer meeting") if use.peer_meetings else Decimal(0)
    days, rate = need(c.trainer_days, "trainer days"), need(c.trainer_day_rate, "trainer day rate")
    self_hours = Decimal(use.self_directed_minutes) / 60
    lines = [
        Line("Trainers", f"{days or '?'} days × £{rate or '?'}",
             None if None in (days, rate) else days * rate, c.trainer_source, c.trainer_year),
        Line("Venue", "", need(c.venue_cost, "venue"), c.venue_source, c.venue_year),
        Line("Materials", "", need(c.materials_cost, "materials"), c.materials_source, c.materials_year),
        Line("Coordination", "", need(c.coordination_cost, "coordination"), c.coordination_source,
             c.coordination_year),
        Line("Backfill (cover for participants' posts)", "", need(c.backfill_cost, "backfill"),
             c.backfill_source, c.backfill_year),
        Line("Participants' time: training days", f"{use.training_hours:.2f} hours",
             None if hourly is None else use.training_hours * hourly, c.participant_source, c.participant_year),
        Line("Participants' time: self-directed activities", f"{self_hours:.2f} hours",
             None if hourly is None else self_hours * hourly, c.participant_source, c.participant_year),
        Line("Participants' time: peer meetings",
             f"{use.peer_attendances} attendances × {meeting if meeting is not None else '?'} hours",
             None if None in (hourly, meeting) else use.peer_attendances * meeting * hourly,
             c.participant_source, c.participant_year),
    ]
    for line in lines:
        line.amount = None if line.amount is None else _money(line.amount)
    total = None if missing else sum((line.amount for line in lines), Decimal(0))
    per = (lambda k: _money(total / k) if total is not None and k else None)
    _retention_in_money(kept, total, c, use.allocated)
    return Summary(c, use, lines, missing, total, per(use.allocated), per(use.completers), kept)


def _retention_in_money(kept: Retention, total: Decimal | None, c: ProgrammeCosts, allocated: int) -> None:
    d = kept.difference
    if total is None:
        return
    if d.excludes_zero and d.diff > 0 and allocated:
        kept.cost_per_retained = _money(total / (Decimal(str(d.diff)) * allocated))
        return
    if c.replacement_cost:
        kept.break_even = stats.break_even(total, c.replacement_cost)
    if c.sensitivity_step and c.sensitivity_from is not None and c.sensitivity_to is not None:
        value = c.sensitivity_from
        while value <= c.sensitivity_to and len(kept.sensitivity) < MAX_SENSITIVITY_ROWS:
            if value > 0:
                kept.sensitivity.append((value, stats.break_even(total, value)))
            value += c.sensitivity_step


@dataclass
class Page:
    """The cost-consequence page: the costs and, beside them, the outcomes by arm."""

    summary: Summary
    results: list


def page(programme: Programme, *, today: date, live: bool) -> Page:
    """The summary and the outcome results (results.outcome_results, disclosure's rules; ``live``
    for an evaluator)."""
    return Page(summary(programme, today=today), results.outcome_results(programme, today=today, live=live))
