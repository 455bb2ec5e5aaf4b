"""Rating waves (dates, opening, closing, invitations, reminders) and participants' module ratings.

``sync_waves(programme)`` is the single entry point that keeps a programme's waves in step with
its training days: it creates the default waves and recomputes the dates of every wave that
has not opened. Anything that changes training days should call it (the scheduled job calls it
too, so a missed call is corrected within one job run).
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, case, func, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from trainer.clock import today_in
from trainer.errors import NotFound, PermissionDenied, RuleViolation
from trainer.extensions import db
from trainer.models import (Consent, Membership, Module, ModuleRating, Programme, RatingResponse, RatingWave,
                            TrainingDay, TrainingSession, User)
from trainer.services.privacy import audit, consent
from trainer.services.ratings import rating_summaries
from trainer.services.system import listing, outbox
from trainer.services.accounts.access import require_membership

DEFAULT_WAVES = (("One week after training", 7), ("Eight weeks after training", 56))
DEFAULT_WINDOW_DAYS = 14
REMINDER_DAYS = (4, 10)
SCALE = {1: "Not at all useful", 2: "Slightly useful", 3: "Moderately useful", 4: "Very useful",
         5: "Extremely useful"}
ABSENT = "absent"


def last_training_day(programme: Programme) -> date | None:
    """The date of the programme's last training day that is not cancelled, if any."""
    return db.session.scalar(select(func.max(TrainingDay.day)).where(
        TrainingDay.programme_id == programme.id, TrainingDay.cancelled.is_(False)))


def sync_waves(programme: Programme) -> list[RatingWave]:
    """Create the default waves if the programme has none, and recompute the dates of every wave
    that has not opened from the last training day (no commit). Returns the waves in order."""
    waves = list_waves(programme)
    if not waves:
        waves = [RatingWave(programme=programme, label=label, offset_days=offset,
                            window_days=DEFAULT_WINDOW_DAYS) for label, offset in DEFAULT_WAVES]
        db.session.add_all(waves)
    last_day = last_training_day(programme)
    for wave in waves:
        if wave.opened_at is not None or wave.closed_at is not None:
            continue
        wave.opens_on = last_day + timedelta(days=wave.offset_days) if last_day else None
        wave.closes_on = wave.opens_on + timedelta(days=wave.window_days) if last_day else None
    db.session.flush()
    return sorted(waves, key=lambda w: (w.offset_days, w.id))


# Built once (reports read it on every request): only the programme is bound.
_WAVES_OF = (select(RatingWave).where(RatingWave.programme_id == bindparam("programme_id"))
             .order_by(RatingWave.offset_days, RatingWave.id))


def list_waves(programme: Programme) -> list[RatingWave]:
    """The programme's waves, earliest first."""
    return list(db.session.scalars(_WAVES_OF, {"programme_id": programme.id}))


def get_wave(programme: Programme, wave_id: int) -> RatingWave:
    """The programme's wave ``wave_id``; NotFound if it belongs elsewhere or does not exist."""
    wave = db.session.get(RatingWave, wave_id)
    if wave is None or wave.programme_id != programme.id:
        raise NotFound("No such rating wave.")
    return wave


def is_open(wave: RatingWave, today: date) -> bool:
    """True while participants may answer: on or after ``opens_on``, before ``closes_on``."""
    return (wave.opens_on is not None and wave.closed_at is None
            and wave.opens_on <= today < wave.closes_on)


def wave_state(wave: RatingWave, today: date) -> str:
    """'not scheduled' (no training days), 'scheduled', 'open' or 'closed' on local date ``today``."""
    if wave.closed_at is not None or (wave.closes_on is not None and today >= wave.closes_on):
        return "closed"
    if is_open(wave, today):
        return "open"
    return "scheduled" if wave.opens_on else "not scheduled"


def is_editable(wave: RatingWave, today: date) -> bool:
    """A lead may change a wave until it opens."""
    return wave.opened_at is None and wave.closed_at is None and (
        wave.opens_on is None or today < wave.opens_on)


def set_up_waves(user: User, programme: Programme) -> list[RatingWave]:
    """Leads: create the default waves now (instead of at the next job run) and commit."""
    require_membership(user, programme.id, ("lead",))
    waves = sync_waves(programme)
    db.session.commit()
    return waves


def save_wave(user: User, programme: Programme, wave_id: int | None, *, label: str,
              offset_days: int, window_days: int, today: date) -> RatingWave:
    """Leads: add a wave (``wave_id`` None) or change one that has not opened; commit.

    RuleViolation if the wave has opened, the label is taken, or the new dates have passed.
    """
    require_membership(user, programme.id, ("lead",))
    sync_waves(programme)
    label = label.strip()
    if wave_id is None:
        wave = RatingWave(programme=programme, label=label, offset_days=offset_days,
                          window_days=window_days)
    else:
        wave = get_wave(programme, wave_id)
        if not is_editable(wave, today):
            raise RuleViolation("This wave has opened, so it can no longer be changed.")
    if db.session.scalar(select(RatingWave.id).where(
            RatingWave.programme_id == programme.id, func.lower(RatingWave.label) == label.lower(),
            RatingWave.id != (wave.id or 0))):
        raise RuleViolation("Another wave of this programme already has that name", field="label")
    last_day = last_training_day(programme)
    if last_day and last_day + timedelta(days=offset_days) < today:
        raise RuleViolation("That would open the wave on a date that has passed. Choose more days "
                            "after the last training day", field="offset_days")
    wave.label, wave.offset_days, wave.window_days = label, offset_days, window_days
    db.session.add(wave)
    sync_waves(programme)
    audit.record(user.id, "rating_wave.saved", wave, programme_id=programme.id, label=label,
                 offset_days=offset_days, window_days=window_days)
    db.session.commit()
    return wave


def _invited_members(programme_id: int) -> list[Membership]:
    """The intervention-arm participants who consented to the evaluation and have not withdrawn,
    in enrolment order, with their users (their names and addresses are used for each of them)."""
    return list(db.session.scalars(select(Membership).where(
        Membership.programme_id == programme_id, Membership.role == "participant",
        Membership.arm == "intervention", consent.askable()).options(selectinload(Membership.user))
        .order_by(Membership.id)))


def _message(wave: RatingWave, member: Membership, base_url: str, *, reminder: bool) -> tuple[str, str]:
    link = f"{base_url.rstrip('/')}/programmes/{wave.programme_id}/ratings/{wave.id}"
    closes = wave.last_open_day.strftime("%-d %B %Y")
    subject = ("Reminder: " if reminder else "") + f"How useful was the training? ({wave.label})"
    body = (f"Hello {member.user.display_name},\n\n"
            f"Please tell us how useful each module of {wave.programme.name} has been for your "
            f"practice. It takes about five minutes, you can save and come back, and you can "
            f"answer until {closes}.\n\n{link}\n")
    return subject, body


def _responses(wave: RatingWave) -> dict[int, RatingResponse]:
    """The wave's response rows by membership id, in one query."""
    return {r.membership_id: r for r in db.session.scalars(
        select(RatingResponse).where(RatingResponse.wave_id == wave.id))}


def _response(responses: dict[int, RatingResponse], wave: RatingWave,
              member: Membership) -> RatingResponse:
    """The member's row from ``responses``, added (to the session and the dict) if missing."""
    if member.id not in responses:
        responses[member.id] = RatingResponse(wave=wave, membership=member)
        db.session.add(responses[member.id])
    return responses[member.id]


def _open_wave_mail(wave: RatingWave, today: date, now: datetime, base_url: str) -> int:
    """Invite everyone not yet invited, and send the reminder now due (each at most once)."""
    queued = 0
    due = [d for d in REMINDER_DAYS if wave.opens_on + timedelta(days=d) <= today]
    responses = _responses(wave)
    for member in _invited_members(wave.programme_id):
        response = _response(responses, wave, member)
        if response.invited_at is None:
            subject, body = _message(wave, member, base_url, reminder=False)
            queued += outbox.enqueue(dedupe_key=f"rating-invite:{wave.id}:{member.id}",
                                     kind="rating-invitation", to=member.user, subject=subject, body=body)
            response.invited_at = now
        elif due and response.finished_at is None:
            subject, body = _message(wave, member, base_url, reminder=True)
            if outbox.enqueue(dedupe_key=f"rating-reminder:{wave.id}:{member.id}:day{due[-1]}",
                              kind="rating-reminder", to=member.user, subject=subject, body=body):
                response.last_reminded_at = now
                queued += 1
    return queued


def run_waves(now: datetime, *, base_url: str) -> dict[str, int]:
    """The scheduled job: sync every programme's waves, open and close them on their local dates,
    invite and remind (no commit; the job runner commits). Safe to run twice."""
    counts = {"opened": 0, "closed": 0, "messages": 0}
    for programme in db.session.scalars(select(Programme).where(Programme.status != "draft")):
        today = today_in(programme.timezone, now)
        for wave in sync_waves(programme):
            if wave.closed_at is None and wave.closes_on and today >= wave.closes_on:
                wave.closed_at = now
                counts["closed"] += 1
            elif is_open(wave, today):
                if wave.opened_at is None:
                    wave.opened_at = now
                    counts["opened"] += 1
                counts["messages"] += _open_wave_mail(wave, today, now, base_url)
    db.session.flush()
    return counts


def _progress(response: RatingResponse | None, not_yet: str) -> str:
    """'Finished', 'Started', or ``not_yet`` for someone with no answers saved in the wave."""
    if response and response.finished_at:
        return "Finished"
    return "Started" if response and response.started_at else not_yet


@dataclass(frozen=True)
class TrackingRow:
    """One participant's place in a wave, for the lead's response tracking page."""

    name: str
    team: str | None
    status: str
    last_reminded_at: datetime | None


@dataclass(frozen=True)
class Tracking:
    """Who has finished, started or not responded in a wave, and one page of them by name."""

    finished: int
    started: int
    not_responded: int
    page: listing.ListPage

    @property
    def waiting(self) -> int:
        """Invited participants who have not finished."""
        return self.started + self.not_responded


TRACKING_FILTERS = {"finished": "Finished", "started": "Started", "none": "Not responded"}


# Response tracking's statements, built once (they keep their cache keys): every invited
# participant's status in a wave, counted by status, and listed in enrolment order.
_PROGRESS = case((RatingResponse.finished_at.is_not(None), "Finished"),
                 (RatingResponse.started_at.is_not(None), "Started"), else_="Not responded")
_INVITED = (select(_PROGRESS.label("status")).select_from(Membership)
            .outerjoin(RatingResponse, (RatingResponse.membership_id == Membership.id)
                       & (RatingResponse.wave_id == bindparam("wave_id")))
            .where(Membership.programme_id == bindparam("programme_id"), Membership.role == "participant",
                   Membership.arm == "intervention", consent.askable()))
_TRACKING_COUNTS = _INVITED.with_only_columns(_PROGRESS, func.count()).group_by(_PROGRESS)
_TRACKING_ROWS = (_INVITED.add_columns(User.display_name, Membership.team, RatingResponse.last_reminded_at)
                  .join(User, User.id == Membership.user_id).order_by(Membership.id))
_STATES = ("Finished", "Started", "Not responded")


def _tracking_page_counted():
    """Without a search or a filter: the counts by status (one row, as ``_TRACKING_COUNTS``
    counts them) beside each row of one page (``_TRACKING_ROWS``, cut by "limit" and "offset"),
    in one statement; the counts come alone when the page has no row."""
    page = (_TRACKING_ROWS.add_columns(Membership.id.label("membership_id"))
            .limit(bindparam("limit")).offset(bindparam("offset")).subquery("page"))
    invited = _INVITED.subquery("invited")
    counts = select(*(func.coalesce(func.sum(case((invited.c.status == state, 1), else_=0)), 0).label(f"n{n}")
                      for n, state in enumerate(_STATES))).subquery("counts")
    return (select(*counts.c, page.c.status, page.c.display_name, page.c.team, page.c.last_reminded_at)
            .select_from(counts.outerjoin(page, true())).order_by(page.c.membership_id))


_TRACKING_PAGE_COUNTED = _tracking_page_counted()


def response_tracking(user: User, programme: Programme, wave: RatingWave, *, q: str = "",
                      status: str | None = None, page: int = 1) -> Tracking:
    """Leads: the counts of every invited participant 'Finished', 'Started' or 'Not responded',
    and one page (in enrolment order) of those whose name or team holds every word of ``q``
    and whose status is ``status`` (a key of TRACKING_FILTERS). Counted and paged in SQL."""
    require_membership(user, programme.id, ("lead",))
    ids = {"wave_id": wave.id, "programme_id": programme.id}
    if not status and not (q or "").strip():
        tracking = _tracking_counted(ids, page)
        if tracking is not None:
            return tracking
    counts = dict(db.session.execute(_TRACKING_COUNTS, ids).all())
    rows = _TRACKING_ROWS
    if status:
        rows = rows.where(_PROGRESS == TRACKING_FILTERS[status])
    # Without a search, the counts by status are the total: no statement needed to count them.
    known = None if (q or "").strip() else (counts.get(TRACKING_FILTERS[status], 0) if status else sum(counts.values()))
    result = listing.paginate(listing.matching(rows, q, User.display_name, Membership.team),
                              page=page, rows=True, total=known, params=ids)
    items = [TrackingRow(name, team, state, reminded) for state, name, team, reminded in result.items]
    return Tracking(counts.get("Finished", 0), counts.get("Started", 0), counts.get("Not responded", 0),
                    listing.ListPage(items, result.total, result.page, result.per_page))


def _tracking_counted(ids: dict, page: int) -> Tracking | None:
    """``response_tracking`` without a search or a filter, in one statement (the counts come
    with the page's rows); None for a page past the end, which the statements that count first
    clamp."""
    page = max(1, page)
    rows = db.session.execute(_TRACKING_PAGE_COUNTED, ids | {"limit": listing.PER_PAGE,
                                                             "offset": (page - 1) * listing.PER_PAGE}).all()
    finished, started, not_responded = (int(n) for n in rows[0][:3])
    result = listing.ListPage([TrackingRow(name, team, state, reminded)
                               for *_, state, name, team, reminded in rows if state is not None],
                              finished + started + not_responded, page, listing.PER_PAGE)
    if page > result.pages:
        return None
    return Tracking(finished, started, not_responded, result)


def remind_non_respondents(user: User, programme: Programme, wave: RatingWave, *, now: datetime,
                           base_url: str) -> int:
    """Leads: queue one reminder to each invited participant who has not finished (at most one a
    day each), record it, commit; return how many were queued. RuleViolation unless open."""
    require_membership(user, programme.id, ("lead",))
    today = today_in(programme.timezone, now)
    if not is_open(wave, today):
        raise RuleViolation("Reminders can only be sent while the wave is open.")
    queued = 0
    responses = _responses(wave)
    for member in _invited_members(programme.id):
        response = _response(responses, wave, member)
        if response.finished_at is not None:
            continue
        subject, body = _message(wave, member, base_url, reminder=True)
        if outbox.enqueue(dedupe_key=f"rating-reminder:{wave.id}:{member.id}:lead:{today}",
                          kind="rating-reminder", to=member.user, subject=subject, body=body):
            response.last_reminded_at = now
            queued += 1
    audit.record(user.id, "rating_wave.reminded", wave, programme_id=programme.id, queued=queued)
    db.session.commit()
    return queued


# Built once (their cache keys are kept): the rating form and every submission read them.
_SCHEDULED = (select(Module).where(Module.id.in_(
    select(TrainingSession.module_id).join(TrainingDay)
    .where(TrainingDay.programme_id == bindparam("programme_id"), TrainingDay.cancelled.is_(False))))
    .order_by(Module.position))
# From the membership, so that a row comes back even for a wave of another programme or none:
# whether the participant may be asked, the wave, their response and their answers.
_SHEET = (select(consent.askable().correlate_except(Consent).label("askable"), RatingWave,
                 RatingResponse.finished_at, ModuleRating)
          .select_from(Membership)
          .outerjoin(RatingWave, (RatingWave.id == bindparam("wave_id"))
                     & (RatingWave.programme_id == Membership.programme_id))
          .outerjoin(RatingResponse, (RatingResponse.wave_id == RatingWave.id)
                     & (RatingResponse.membership_id == Membership.id))
          .outerjoin(ModuleRating, (ModuleRating.wave_id == RatingWave.id)
                     & (ModuleRating.membership_id == Membership.id))
          .where(Membership.id == bindparam("membership_id")))


def scheduled_modules(programme_id: int) -> list[Module]:
    """Modules with a session on a non-cancelled training day of the programme, in curriculum order."""
    return list(db.session.scalars(_SCHEDULED, {"programme_id": programme_id}))


NOT_ASKED = ("You have not agreed to your answers being used in the evaluation (or you have "
             "withdrawn), so no ratings are asked of you.")


def _intervention_participant(user: User, programme_id: int):
    """The user's access to the programme and their intervention participant membership;
    PermissionDenied for anyone else (the comparison group is not asked to rate)."""
    access = require_membership(user, programme_id, ("participant",))
    member = access.participant
    if member is None or member.arm != "intervention":
        raise PermissionDenied("Participants in the comparison group are not asked to rate modules.")
    return access, member


def _rater(user: User, programme_id: int):
    """The user's access to the programme and their intervention participant membership, if
    they may be asked for ratings; PermissionDenied (saying why) otherwise."""
    access, member = _intervention_participant(user, programme_id)
    if not consent.may_ask(member):
        raise PermissionDenied(NOT_ASKED)
    return access, member


def require_rater(user: User, programme_id: int, wave_id: int) -> tuple[Membership, RatingWave]:
    """The user's intervention-arm participant membership and the wave; comparison arm refused."""
    access, member = _rater(user, programme_id)
    return member, get_wave(access.programme, wave_id)


def rater_sheet(user: User, programme_id: int, wave_id: int, *,
                now: datetime) -> tuple[Membership, RatingWave, "RatingSheet"]:
    """``require_rater`` and ``rating_sheet`` at once, for the rating form: the wave with the
    participant's response and answers come in one statement. ``now`` gives the programme's
    today. The same refusals: PermissionDenied, and NotFound for another programme's wave."""
    access, member = _intervention_participant(user, programme_id)
    # Whether they may be asked (consent.may_ask's rule) comes in the same statement.
    rows = db.session.execute(_SHEET, {"membership_id": member.id, "wave_id": wave_id}).all()
    if not consent.may_ask(member, askable=rows[0].askable):
        raise PermissionDenied(NOT_ASKED)
    wave, finished = rows[0].RatingWave, rows[0].finished_at
    if wave is None:
        raise NotFound("No such rating wave.")
    answers = {row.ModuleRating.module_id: row.ModuleRating for row in rows if row.ModuleRating is not None}
    today = today_in(access.programme.timezone, now)
    return member, wave, RatingSheet(wave, scheduled_modules(programme_id), answers,
                                     wave_state(wave, today), bool(finished), consent_checked=True)


# The programme's waves with the participant's response to each, in one statement built once
# (the participant's home page reads it).
# With what consent.askable answers for the participant (for consent.may_ask): with no wave
# there is nothing to show whatever it says.
_WAVES_WITH_RESPONSE = (
    select(RatingWave, RatingResponse, consent.askable(bindparam("membership_id")).label("askable"))
    .outerjoin(RatingResponse, (RatingResponse.wave_id == RatingWave.id)
               & (RatingResponse.membership_id == bindparam("membership_id")))
    .where(RatingWave.programme_id == bindparam("programme_id"))
    .order_by(RatingWave.offset_days, RatingWave.id))


def open_waves_for(member: Membership, today: date) -> list[tuple[RatingWave, str]]:
    """Open waves an intervention participant can answer, each with their status."""
    if member.role != "participant" or member.arm != "intervention":
        return []
    rows = db.session.execute(_WAVES_WITH_RESPONSE, {"membership_id": member.id,
                                                     "programme_id": member.programme_id})
    return [(wave, _progress(response, "Not started")) for wave, response, askable in rows
            if consent.may_ask(member, askable) and is_open(wave, today)]


@dataclass(frozen=True)
class RatingSheet:
    """What the rating form shows: the wave, the modules, the answers so far, and whether open.
    ``consent_checked``: made by ``rater_sheet``, after checking in this transaction that the
    participant may be asked (so saving need not read their consent again)."""

    wave: RatingWave
    modules: list[Module]
    answers: dict[int, ModuleRating]
    state: str
    finished: bool
    consent_checked: bool = False


def rating_sheet(member: Membership, wave: RatingWave, today: date) -> RatingSheet:
    """The participant's answers in ``wave`` so far, for the modules they were scheduled for."""
    answers = {r.module_id: r for r in db.session.scalars(select(ModuleRating).where(
        ModuleRating.wave_id == wave.id, ModuleRating.membership_id == member.id))}
    finished = bool(db.session.scalar(select(RatingResponse.finished_at).where(
        RatingResponse.wave_id == wave.id, RatingResponse.membership_id == member.id)))
    return RatingSheet(wave, scheduled_modules(member.programme_id), answers,
                       wave_state(wave, today), finished)


@dataclass(frozen=True)
class _Upserts:
    ratings: object
    response: object


_UPSERTS: dict[str, _Upserts] = {}


def _upserts() -> _Upserts:
    """The two upserts of a rating submission in the database's dialect, built once per dialect
    (a statement built once keeps its cache key, so a submission does not compile them again).
    A resubmission updates the same rows, even under a race."""
    dialect = db.session.get_bind().dialect.name
    if dialect not in _UPSERTS:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        ratings = insert(ModuleRating.__table__)
        response = insert(RatingResponse.__table__)
        table = RatingResponse.__table__
        _UPSERTS[dialect] = _Upserts(
            ratings.on_conflict_do_update(
                index_elements=["wave_id", "membership_id", "module_id"],
                set_={c: ratings.excluded[c] for c in ("usefulness", "did_not_attend", "comment", "updated_at")}),
            response.on_conflict_do_update(
                index_elements=["wave_id", "membership_id"],
                set_={"started_at": func.coalesce(table.c.started_at, response.excluded.started_at),
                      "finished_at": func.coalesce(table.c.finished_at, response.excluded.finished_at)}))
    return _UPSERTS[dialect]


def save_ratings(member: Membership, wave: RatingWave, answers: dict[int, tuple[str, str]], *,
                 finish: bool, now: datetime, sheet: RatingSheet | None = None) -> bool:
    """Save a participant's answers (module id -> (score '1'-'5' or 'absent' or '', comment)) and
    commit; return whether the participant has now finished the wave. ``finish`` requires every
    scheduled module answered. A late or early submission is refused with a RuleViolation; a
    resubmission updates the same rows, even under a race. ``sheet`` is the participant's
    ``rating_sheet`` when the caller has just loaded it (it is loaded here otherwise)."""
    today = today_in(wave.programme.timezone, now)
    checked = sheet is not None and sheet.wave is wave and sheet.consent_checked
    if not checked and not consent.may_ask(member):
        raise RuleViolation("You have not agreed to your answers being used in the evaluation (or you "
                            "have withdrawn), so your answers were not saved.")
    if not is_open(wave, today):
        if wave_state(wave, today) == "closed":
            raise RuleViolation(f"This rating round ended on {wave.last_open_day:%-d %B %Y}, so your answers "
                                "were not saved. Thank you for your time.")
        raise RuleViolation("This rating round has not opened yet, so your answers were not saved.")
    if sheet is None or sheet.wave is not wave:
        sheet = rating_sheet(member, wave, today)
    for module in sheet.modules:
        score, comment = answers.get(module.id, ("", ""))
        if score not in ("", ABSENT, *map(str, SCALE)):
            raise RuleViolation("Choose one of the options", field=f"m{module.id}_score")
        if not score and comment.strip() and module.id not in sheet.answers:
            raise RuleViolation(f"Choose how useful {module.title} was before adding a comment",
                                field=f"m{module.id}_score")
    if finish:
        for module in sheet.modules:
            if not answers.get(module.id, ("", ""))[0] and module.id not in sheet.answers:
                raise RuleViolation(f"Rate {module.title}, or choose that you did not attend it",
                                    field=f"m{module.id}_score")
    rows = [dict(wave_id=wave.id, membership_id=member.id, module_id=module.id,
                 usefulness=None if score == ABSENT else int(score), did_not_attend=score == ABSENT,
                 comment=comment.strip(), submitted_at=now, updated_at=now)
            for module in sheet.modules
            for score, comment in [answers.get(module.id, ("", ""))] if score]
    upserts = _upserts()
    if rows:
        # One statement for every module (many parameter sets): a submission's cost does not
        # grow with the curriculum.
        db.session.execute(upserts.ratings, rows)
        rating_summaries.refresh([wave.id])
    if rows or finish:
        db.session.execute(upserts.response, {"wave_id": wave.id, "membership_id": member.id,
                                              "started_at": now, "finished_at": now if finish else None})
    db.session.commit()
    return finish or sheet.finished


@dataclass(frozen=True)
class WaveLine:
    """A wave on the lead's waves page: its state on the local date, and response counts."""

    wave: RatingWave
    state: str
    editable: bool
    invited: int
    started: int
    finished: int


def wave_overview(user: User, programme: Programme, today: date) -> list[WaveLine]:
    """Leads: the programme's waves with their state and how many have started and finished."""
    require_membership(user, programme.id, ("lead",))
    counts = {wave_id: (invited, started, finished) for wave_id, invited, started, finished in
              db.session.execute(
                  select(RatingResponse.wave_id, func.count(RatingResponse.invited_at),
                         func.count(RatingResponse.started_at), func.count(RatingResponse.finished_at))
                  .join(RatingWave).where(RatingWave.programme_id == programme.id)
                  .group_by(RatingResponse.wave_id))}
    return [WaveLine(w, wave_state(w, today), is_editable(w, today), *counts.get(w.id, (0, 0, 0)))
            for w in list_waves(programme)]
