"""Demo step: outcome waves with baseline and post answers for both arms, and some leavers."""
import random
from datetime import timedelta

from trainer.extensions import db
from trainer.models import OutcomeResponse, OutcomeScore, OutcomeWave, ProgrammeInstrument, SupportResource
from trainer.services.outcomes import instruments, outcomes

DEMO_INSTRUMENTS = ("scs-sf", "proqol5", "brs")
LEAVING_REASONS = ["Moved to another local authority", "Left social work", "Agency work",
                   "Promotion elsewhere", "Family reasons"]
SUPPORT = [("Employee Assistance Programme", "Free, confidential counselling, 24 hours a day: 0800 000 0000."),
           ("Your supervisor", "Ask for an extra reflective supervision session at any time."),
           ("Samaritans", "Call 116 123, free, any time, or email jo@samaritans.org.")]


def _answers(instrument: instruments.Instrument, rng: random.Random, level: float) -> dict[int, int]:
    """Answers whose scored values sit around ``level`` (0 low to 1 high on every scale)."""
    answers = {}
    for number in range(1, instrument.item_count + 1):
        wanted = instrument.low + level * (instrument.high - instrument.low) + rng.gauss(0, 0.7)
        value = min(instrument.high, max(instrument.low, round(wanted)))
        answers[number] = instruments.item_value(instrument, number, value)
    return answers


def leavers(ctx) -> None:
    """Nine participants (never the demo's own sign-ins) who left post, on a date between a month
    after the programme started and today; later steps record no activity of theirs after it."""
    rng = random.Random(9)
    start = ctx.programme.start_date
    others = [m for m in ctx.participants if not m.user.email.startswith(("participant@", "comparison@"))]
    for member in rng.sample(others, 9):
        member.in_post = False
        member.left_on = start + timedelta(days=rng.randint(30, max(30, (ctx.today - start).days)))
        member.leaving_reason = rng.choice(LEAVING_REASONS)


def outcomes_step(ctx) -> None:
    """Baseline and post answers for both arms: a modest rise in self-compassion in the
    intervention arm, none in burnout (as in the study); leavers with dates and reasons."""
    rng = random.Random(6)
    programme, first, last = ctx.programme, ctx.days[0].day, ctx.days[-1].day
    for position, key in enumerate(DEMO_INSTRUMENTS):
        db.session.add(ProgrammeInstrument(programme_id=programme.id, instrument_key=key, position=position))
    for position, (title, details) in enumerate(SUPPORT):
        db.session.add(SupportResource(programme_id=programme.id, title=title, details=details, position=position))
    # Post opens a little earlier than the default so the demo shows it: ten days after the last day.
    waves = {kind: OutcomeWave(programme=programme, kind=kind, label=outcomes.WAVE_LABELS[kind],
                               opens_on=opens, closes_on=closes)
             for kind, opens, closes in (
                 ("baseline", programme.start_date, first),
                 ("post", last + timedelta(days=3), last + timedelta(days=31)),
                 ("follow-up", last + timedelta(days=182), last + timedelta(days=210)))}
    db.session.add_all(waves.values())
    db.session.flush()
    catalogue = instruments.catalogue()
    for member in ctx.participants:
        if member.user.email == "participant@demo.test":
            continue
        person = rng.gauss(0, 0.12)
        gain = 0.08 if member.arm == "intervention" else 0.0
        for kind, answer_rate in (("baseline", 0.95), ("post", 0.8)):
            if rng.random() > answer_rate:
                continue
            for key in DEMO_INSTRUMENTS:
                level = {"scs-sf": 0.45 + person + (gain if kind == "post" else 0),
                         "brs": 0.55 + person + (gain / 2 if kind == "post" else 0),
                         "proqol5": 0.5 - person / 2}[key]
                _submit(member, waves[kind], catalogue[key], _answers(catalogue[key], rng, level), ctx.now)
    ctx.lines.append("Outcome questionnaires: baseline and post answers for both arms; 9 leavers.")
    db.session.flush()


def _submit(member, wave, instrument, answers, now) -> None:
    response = OutcomeResponse(wave=wave, membership=member, instrument_key=instrument.key,
                               answers={str(k): v for k, v in answers.items()}, submitted_at=now)
    for s in instruments.score(instrument, answers):
        response.scores.append(OutcomeScore(scale_key=s.scale_key, value=s.value, band=s.band,
                                            high_risk=s.high_risk, instrument_version=instrument.version))
    db.session.add(response)
