"""Outcome waves for both arms: set-up, invitations and reminders, answering, scoring, safety net."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import selectinload

from trainer.clock import today_in
from trainer.errors import NotFound, PermissionDenied, RuleViolation
from trainer.extensions import db
from trainer.models import (WAVE_KINDS, Membership, OutcomeResponse, OutcomeScore, OutcomeWave,
                            Programme, ProgrammeInstrument, ScoreSharing, SupportResource,
                            TrainingDay)
from trainer.services.outcomes import instruments
from trainer.services.privacy import consent
from trainer.services.system import organisation, outbox
from trainer.services.outcomes.instruments import Instrument

WAVE_LABELS = {"baseline": "Before training (baseline)", "post": "After training (post)",
               "follow-up": "Six-month follow-up"}
SUGGESTED_INSTRUMENTS = ("scs-sf", "brs", "proqol5")
POST_OFFSET_DAYS, FOLLOW_UP_OFFSET_DAYS, WINDOW_DAYS, REMIND_DAYS_BEFORE_CLOSE = 56, 182, 28, 7


@dataclass(frozen=True)
class WaveDates:
    """When a wave opens and closes (local dates, both inclusive)."""

    kind: str
    opens_on: date
    closes_on: date


@dataclass
class QuestionnaireStatus:
    """One instrument in one wave as a participant sees it."""

    wave: OutcomeWave
    instrument: Instrument
    state: str  # "not open yet", "to do", "started", "done", "closed"
    can_answer: bool


def _training_span(programme: Programme) -> tuple[date, date]:
    days = list(db.session.scalars(select(TrainingDay.day).where(
        TrainingDay.programme_id == programme.id, TrainingDay.cancelled.is_(False))
        .order_by(TrainingDay.day)))
    return (days[0], days[-1]) if days else (programme.start_date, programme.start_date)


def default_wave_dates(programme: Programme, today: date) -> list[WaveDates]:
    """Baseline from enrolment (today) to the first training day; post about eight weeks after
    the last day; follow-up six months after it; each later wave open for four weeks."""
    first, last = _training_span(programme)
    post, follow = last + timedelta(POST_OFFSET_DAYS), last + timedelta(FOLLOW_UP_OFFSET_DAYS)
    return [WaveDates("baseline", min(today, first), first),
            WaveDates("post", post, post + timedelta(WINDOW_DAYS)),
            WaveDates("follow-up", follow, follow + timedelta(WINDOW_DAYS))]


# Read by every questionnaire page: built once, so they keep their cache keys.
_WAVES = select(OutcomeWave).where(OutcomeWave.programme_id == bindparam("programme_id"))
_CHOSEN = (select(ProgrammeInstrument.instrument_key)
           .where(ProgrammeInstrument.programme_id == bindparam("programme_id"))
           .order_by(ProgrammeInstrument.position))
_RESPONSES = select(OutcomeResponse).where(OutcomeResponse.membership_id == bindparam("membership_id"))
_SHARING = select(ScoreSharing.share_with_coach).where(ScoreSharing.membership_id == bindparam("membership_id"))


def waves(programme: Programme) -> list[OutcomeWave]:
    """The programme's outcome waves in time order."""
    return sorted(db.session.scalars(_WAVES, {"programme_id": programme.id}),
                  key=lambda w: WAVE_KINDS.index(w.kind))


def chosen_instruments(programme: Programme) -> list[Instrument]:
    """The instruments the programme uses, in the lead's order."""
    keys = db.session.scalars(_CHOSEN, {"programme_id": programme.id})
    catalogue = instruments.catalogue()
    return [catalogue[k] for k in keys if k in catalogue]


def current_setup(programme: Programme, today: date) -> tuple[list[str], list[WaveDates]]:
    """The instrument keys and wave dates to offer on the set-up form: what the lead saved, else
    the suggested instruments and default_wave_dates."""
    keys = [i.key for i in chosen_instruments(programme)] or list(SUGGESTED_INSTRUMENTS)
    saved = {w.kind: WaveDates(w.kind, w.opens_on, w.closes_on) for w in waves(programme)}
    return keys, [saved.get(d.kind, d) for d in default_wave_dates(programme, today)]


def configure(programme: Programme, instrument_keys: list[str], dates: list[WaveDates]) -> None:
    """Set which instruments the programme uses and when each wave runs; commits.

    Instruments already answered stay chosen (their answers would otherwise lose their meaning).
    """
    catalogue = instruments.catalogue()
    if not instrument_keys:
        raise RuleViolation("Choose at least one questionnaire", field="instruments")
    if any(k not in catalogue for k in instrument_keys):
        raise RuleViolation("Choose questionnaires from the list", field="instruments")
    answered = set(db.session.scalars(select(OutcomeResponse.instrument_key).join(OutcomeWave)
                                      .where(OutcomeWave.programme_id == programme.id)))
    if answered - set(instrument_keys):
        names = ", ".join(catalogue[k].title for k in sorted(answered - set(instrument_keys)))
        raise RuleViolation(f"Participants have already answered {names}; keep it chosen",
                            field="instruments")
    for d in dates:
        if d.closes_on < d.opens_on:
            raise RuleViolation("The closing date must not be before the opening date",
                                field=f"{d.kind.replace('-', '_')}_closes")
    db.session.execute(delete(ProgrammeInstrument).where(
        ProgrammeInstrument.programme_id == programme.id))
    for position, key in enumerate(instrument_keys):
        db.session.add(ProgrammeInstrument(programme_id=programme.id, instrument_key=key,
                                           position=position))
    existing = {w.kind: w for w in waves(programme)}
    for d in dates:
        wave = existing.get(d.kind) or OutcomeWave(programme_id=programme.id, kind=d.kind,
                                                   label=WAVE_LABELS[d.kind])
        wave.opens_on, wave.closes_on = d.opens_on, d.closes_on
        db.session.add(wave)
    db.session.commit()


def support_resources(programme: Programme) -> list[SupportResource]:
    """The sources of help the lead configured for the programme."""
    return list(db.session.scalars(select(SupportResource).where(
        SupportResource.programme_id == programme.id).order_by(SupportResource.position)))


def save_support_resources(programme: Programme, text: str) -> None:
    """Replace the programme's support resources from text: one block per resource, separated
    by a blank line; a block's first line is its title, the rest its details. Commits."""
    db.session.execute(delete(SupportResource).where(SupportResource.programme_id == programme.id))
    blocks = [b.strip() for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    for position, block in enumerate(blocks):
        title, _, details = block.partition("\n")
        db.session.add(SupportResource(programme_id=programme.id, title=title.strip()[:200],
                                       details=details.strip(), position=position))
    db.session.commit()


def resources_as_text(programme: Programme) -> str:
    """The resources in the text form ``save_support_resources`` reads."""
    return "\n\n".join(f"{r.title}\n{r.details}".strip() for r in support_resources(programme))


def answerable_instruments(programme: Programme) -> list[Instrument]:
    """The programme's instruments whose wording is available: only these are offered to answer."""
    chosen = chosen_instruments(programme)
    missing = {i.key for i in instruments.without_wording(chosen)}
    return [i for i in chosen if i.key not in missing]


def _response(membership: Membership, wave: OutcomeWave, key: str) -> OutcomeResponse | None:
    return db.session.scalar(select(OutcomeResponse).where(
        OutcomeResponse.wave_id == wave.id, OutcomeResponse.membership_id == membership.id,
        OutcomeResponse.instrument_key == key))


def questionnaires_for(membership: Membership, today: date) -> list[QuestionnaireStatus]:
    """Every wave x instrument of the participant's programme, with its state for them (none
    for someone who has not consented to the evaluation or has withdrawn).

    Instruments whose wording is not loaded are left out: they cannot be answered.
    """
    if not consent.may_ask(membership):
        return []
    responses = {(r.wave_id, r.instrument_key): r for r in db.session.scalars(
        _RESPONSES, {"membership_id": membership.id})}
    result = []
    usable = answerable_instruments(membership.programme)
    for wave in waves(membership.programme):
        for instrument in usable:
            r = responses.get((wave.id, instrument.key))
            if r and r.submitted_at:
                state = "done"
            elif today < wave.opens_on:
                state = "not open yet"
            elif today > wave.closes_on:
                state = "closed"
            else:
                state = "started" if r and r.answers else "to do"
            result.append(QuestionnaireStatus(wave, instrument, state,
                                              wave.opens_on <= today <= wave.closes_on))
    return result


def open_questionnaire(membership: Membership, wave_id: int, key: str, today: date):
    """The wave, instrument, wording and saved answers for a participant to answer.

    NotFound for another programme's wave or an instrument the programme does not use;
    RuleViolation when the wave is not open, or the wording of a licensed instrument is not loaded.
    """
    wave = db.session.get(OutcomeWave, wave_id)
    if wave is None or wave.programme_id != membership.programme_id:
        raise NotFound("No such questionnaire.")
    instrument = next((i for i in chosen_instruments(membership.programme) if i.key == key), None)
    if instrument is None:
        raise NotFound("No such questionnaire.")
    if not consent.may_ask(membership):
        raise RuleViolation("You have not agreed to your answers being used in the evaluation (or you "
                            "have withdrawn), so no questionnaires are asked of you.")
    if not wave.opens_on <= today <= wave.closes_on:
        raise RuleViolation(f"This questionnaire is open from {wave.opens_on:%-d %B %Y} to "
                            f"{wave.closes_on:%-d %B %Y}.")
    texts = instruments.item_texts(instrument)
    if texts is None:
        raise RuleViolation("This questionnaire's wording has not been loaded yet. "
                            "Please tell your programme lead.")
    response = _response(membership, wave, key)
    answers = {int(k): v for k, v in (response.answers if response else {}).items()}
    return wave, instrument, texts, answers, response


def save_answers(membership: Membership, wave_id: int, key: str, answers: dict[int, int | None],
                 *, submit: bool, now: datetime) -> OutcomeResponse:
    """Save (merge) the participant's answers; on ``submit``, mark it done and score it. Commits.

    Items left blank stay unanswered; the missing-item rule decides whether a scale is scored.
    A resubmission while the wave is open updates the answers and the scores.
    """
    today = today_in(membership.programme.timezone, now)
    wave, instrument, _texts, saved, response = open_questionnaire(membership, wave_id, key, today)
    allowed = {v for v, _ in instrument.options}
    for number, value in answers.items():
        if not 1 <= number <= instrument.item_count or (value is not None and value not in allowed):
            raise RuleViolation("Choose one of the answers offered", field=f"item_{number}")
        if value is not None:
            saved[number] = value
    if response is None:
        response = OutcomeResponse(wave_id=wave.id, membership_id=membership.id, instrument_key=key)
        db.session.add(response)
    response.answers = {str(k): v for k, v in sorted(saved.items())}
    response.updated_at = now
    if submit:
        response.submitted_at = now
        response.scores.clear()
        db.session.flush()
        for s in instruments.score(instrument, saved):
            response.scores.append(OutcomeScore(scale_key=s.scale_key, value=s.value, band=s.band,
                                                high_risk=s.high_risk,
                                                instrument_version=instrument.version))
    db.session.commit()
    return response


@dataclass
class Result:
    """What a participant sees after submitting: their scores and, if needed, where to find help."""

    instrument: Instrument
    scores: list[OutcomeScore]
    high_risk: list[str]
    resources: list  # SupportResource rows, or organisation.Resource defaults


def result_for(membership: Membership, wave_id: int, key: str) -> Result:
    """The participant's own submitted scores; the safety net lists support when a score is in a
    published high-risk band. Only ever called for the participant themself."""
    response = db.session.scalar(select(OutcomeResponse).where(
        OutcomeResponse.wave_id == wave_id, OutcomeResponse.membership_id == membership.id,
        OutcomeResponse.instrument_key == key, OutcomeResponse.submitted_at.is_not(None))
        .options(selectinload(OutcomeResponse.scores)))
    if response is None:
        raise NotFound("No such answers.")
    instrument = instruments.get(key)
    risky = [instrument.scale(s.scale_key).title for s in response.scores if s.high_risk]
    # A programme's own resources override the organisation's default ones.
    resources = (support_resources(membership.programme)
                 or organisation.default_support_resources()) if risky else []
    return Result(instrument, list(response.scores), risky, resources)


def sharing_for(membership: Membership) -> bool:
    """True if the participant has chosen to share their scores with their coach."""
    return bool(db.session.scalar(_SHARING, {"membership_id": membership.id}))


def set_sharing(membership: Membership, share: bool) -> None:
    """Record the participant's choice to share (or stop sharing) scores with their coach; commits."""
    row = db.session.scalar(select(ScoreSharing).where(ScoreSharing.membership_id == membership.id))
    if row is None:
        row = ScoreSharing(membership_id=membership.id)
        db.session.add(row)
    row.share_with_coach = share
    db.session.commit()


def shared_scores(programme: Programme) -> list[tuple[Membership, OutcomeWave, Instrument, OutcomeScore]]:
    """Scores of participants who opted in to share them with their coach (trainers' view)."""
    rows = db.session.execute(
        select(OutcomeScore, OutcomeResponse, Membership).select_from(OutcomeScore)
        .join(OutcomeResponse, OutcomeResponse.id == OutcomeScore.response_id)
        .join(Membership, Membership.id == OutcomeResponse.membership_id)
        .join(ScoreSharing, ScoreSharing.membership_id == Membership.id)
        .where(Membership.programme_id == programme.id, ScoreSharing.share_with_coach.is_(True))
        .options(selectinload(OutcomeResponse.wave), selectinload(Membership.user))
        .order_by(Membership.id, OutcomeResponse.wave_id, OutcomeResponse.instrument_key)).all()
    return [(m, r.wave, instruments.get(r.instrument_key), s) for s, r, m in rows]


def require_participant(access) -> Membership:
    """The user's participant membership in the programme, or PermissionDenied."""
    if access.participant is None:
        raise PermissionDenied("Only the programme's participants answer its questionnaires.")
    return access.participant


def send_invitations(now: datetime, *, base_url: str) -> int:
    """Invite both arms' participants when a wave opens, and remind those who have not finished
    a week before it closes; each message once (dedupe keys). Returns messages queued."""
    queued = 0
    for wave in db.session.scalars(select(OutcomeWave).options(selectinload(OutcomeWave.programme))):
        programme = wave.programme
        today = today_in(programme.timezone, now)
        if not wave.opens_on <= today <= wave.closes_on:
            continue
        keys = {i.key for i in answerable_instruments(programme)}
        if not keys:
            continue
        done = {}
        for r in db.session.scalars(select(OutcomeResponse).where(
                OutcomeResponse.wave_id == wave.id, OutcomeResponse.submitted_at.is_not(None))):
            done.setdefault(r.membership_id, set()).add(r.instrument_key)
        remind = today >= wave.closes_on - timedelta(REMIND_DAYS_BEFORE_CLOSE)
        link = f"{base_url.rstrip('/')}/programmes/{programme.id}/questionnaires"
        for member in db.session.scalars(select(Membership).where(
                Membership.programme_id == programme.id, Membership.role == "participant",
                Membership.in_post.is_(True), consent.askable()).options(selectinload(Membership.user))):
            if keys <= done.get(member.id, set()):
                continue
            kind, verb = ("outcome-reminder", "Reminder: ") if remind else ("outcome-invitation", "")
            queued += outbox.enqueue(
                dedupe_key=f"{kind}:{wave.id}:{member.id}", kind=kind, to=member.user,
                subject=f"{verb}wellbeing questionnaires for {programme.name}",
                body=(f"Hello {member.user.display_name},\n\nThe {wave.label.lower()} wellbeing "
                      f"questionnaires for {programme.name} are open until "
                      f"{wave.closes_on:%-d %B %Y}. They take about ten minutes, your answers are "
                      f"saved as you go, and nobody at work sees your individual answers unless "
                      f"you choose to share them.\n\n{link}\n"))
    return queued
