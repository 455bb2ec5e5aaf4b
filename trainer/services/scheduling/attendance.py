"""Attendance: apologies before a day, trainers' marks on or after it, and the programme's totals.

A participant has *missed* a day when marked absent or excused; the first time someone has
missed two days, each lead of the programme gets one outbox message about it. The reports share
one rule for who *attended* a session: its own mark if it has one, else the day's mark, counting
present and late; cancelled days do not count.
"""
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import (Integer, and_, bindparam, case, exists, func, literal, null, or_, select, true, type_coerce,
                        union_all)
from sqlalchemy.orm import selectinload

from trainer.errors import PermissionDenied, RuleViolation
from trainer.extensions import db
from trainer.models import (ATTENDANCE, Apology, DayAttendance, Membership, Module, Programme,
                            SessionAttendance, TrainingDay, TrainingSession, User)
from trainer.services.privacy import audit
from trainer.services.system import listing, outbox

MISSED = ("absent", "excused")
ATTENDED = ("present", "late")


@dataclass(frozen=True)
class Participant:
    """A participant as the register shows them: their membership's id, their name, and the
    facts ``not_expected_reason`` reads (read in one statement, not as entities)."""

    id: int
    name: str
    left_on: date | None
    in_post: bool


@dataclass(frozen=True)
class SentApology:
    """An apology as the register shows it."""

    reason: str


@dataclass
class SheetRow:
    """One participant on a day's attendance sheet; ``away`` says why they are not expected.

    The sheet's rows carry the membership and apology entities; the register's, the
    ``Participant`` and ``SentApology`` it shows.
    """

    membership: Membership | Participant
    apology: Apology | SentApology | None
    status: str | None
    session_status: dict[int, str]
    away: str | None = None


@dataclass(frozen=True)
class SessionChoice:
    """One participant's choice at one session on the register's form."""

    field: str  # the select's name and id: s-<session id>-<membership id>
    heading: str  # the session's start time and module title
    chosen: str | None  # the mark shown (None: "Same as the day")


@dataclass(frozen=True)
class RegisterLine:
    """One expected participant's line on the register's form, with what it shows."""

    row: SheetRow
    id: int  # the membership's id
    field: str  # the day's radio group's name: day-<membership id>
    mark: str | None  # the day's mark shown
    sessions: list[SessionChoice]  # one per session when the day has more than one, in time order
    open: bool  # a session has a mark of its own: its choices are shown open


class SessionHead(NamedTuple):
    """A session as the register offers it: its id, start time and module title."""

    id: int
    starts_at: datetime
    title: str


@dataclass
class Register:
    """A day's register: who is expected, who is shown apart, and why it cannot be filled in."""

    day: TrainingDay
    rows: list[SheetRow]
    away: list[SheetRow]
    closed: str | None
    page: listing.ListPage | None = None
    sessions: list[SessionHead] = field(default_factory=list)  # in time order

    def lines(self, marks: dict[int, str], session_marks: dict[tuple[int, int], str]) -> list["RegisterLine"]:
        """The form's lines for the expected (``rows``) showing ``marks`` and ``session_marks``:
        each with its fields' names, and a choice per session when the day has more than one."""
        heads = self.heads
        lines = []
        for row in self.rows:
            mid = row.membership.id
            choices = [SessionChoice(f"{prefix}{mid}", heading, session_marks.get((sid, mid)))
                       for sid, prefix, heading in heads]
            lines.append(RegisterLine(row, mid, f"day-{mid}", marks.get(mid), choices,
                                      any(c.chosen for c in choices)))
        return lines

    @property
    def heads(self) -> list[tuple[int, str, str]]:
        """Per session a line offers a choice at (every session, when the day has more than one;
        none otherwise), in time order: its id, its fields' name before the membership id
        (``s-<session id>-``) and its heading (start time and module title)."""
        if len(self.sessions) < 2:
            return []
        return [(s[0], f"s-{s[0]}-", f"{s[1]:%H:%M} {s[2]}") for s in self.sessions]

    def marks(self) -> tuple[dict[int, str], dict[tuple[int, int], str]]:
        """The marks to show before any are entered: saved ones, else excused for apologies."""
        day_marks = {r.membership.id: r.status or ("excused" if r.apology else "")
                     for r in self.rows}
        session_marks = {(sid, r.membership.id): status
                         for r in self.rows for sid, status in r.session_status.items()}
        return {mid: s for mid, s in day_marks.items() if s}, session_marks


def not_expected_reason(membership: Membership, day: TrainingDay) -> str | None:
    """Why a participant is not expected at ``day`` (None when they are).

    Someone who left their post is not expected after their leaving date (or at all when the
    date is unknown). Withdrawal from the programme, once recorded, belongs here too.
    """
    if membership.left_on is not None:
        return f"Left on {membership.left_on:%-d %B %Y}" if membership.left_on < day.day else None
    if not membership.in_post:
        return "Left their post"
    return None


def closed_reason(day: TrainingDay, *, today: date) -> str | None:
    """Why the day's register cannot be filled in now (None when it can)."""
    if day.cancelled:
        return "This day was cancelled: there is no attendance to take."
    if day.day > today:
        return (f"Attendance can be taken on or after the day ({day.day:%-d %B %Y}). "
                "Come back then to fill in the register.")
    return None


# The rule of not_expected_reason in SQL: still in post, or leaving on or after the day.
_EXPECTED = or_(and_(Membership.left_on.is_not(None), Membership.left_on >= bindparam("day")),
                and_(Membership.left_on.is_(None), Membership.in_post.is_(True)))
_EXPECTED_FIRST = case((_EXPECTED, 0), else_=1)


def _register_statement():
    """The register, built once: a page of the expected participants by name and everyone not
    expected, each with their apology and day mark, then the day's sessions with the marks of
    those participants at them.

    The expected are counted, and the page is taken by name with LIMIT and OFFSET (SQLite and
    PostgreSQL keep only the page's rows while sorting, rather than numbering the whole cohort);
    the start is the requested page's, or the last page's when the requested one is past the
    end, as ``listing.paginate`` does. Each participant's row carries that start and the count.

    A UNION ALL of two kinds of row (its first column): ``PERSON`` rows (membership id, name,
    leaving date, in post, apart, start, count, apology id and reason, day mark) in the
    register's order, then ``SESSION`` rows in time order (session id, module title in the
    reason's place, start time, and a participant's membership id and mark at it: a session
    nobody shown is marked at comes once, with no mark). The sessions come with the register
    rather than in a statement of their own, which had to send the page's ids back.
    """
    people = (select(Membership.id, User.display_name, Membership.left_on, Membership.in_post,
                     _EXPECTED_FIRST.label("apart"))
              .join(User, User.id == Membership.user_id)
              .where(Membership.programme_id == bindparam("programme_id"), Membership.role == "participant",
                     Membership.arm == "intervention")).cte("people")
    # The count and the page's start, worked out once (one row).
    counted = select(func.count().label("matches")).select_from(people).where(people.c.apart == 0).subquery()
    first, per_page = bindparam("first", type_=Integer), bindparam("per_page", type_=Integer)
    matches = counted.c.matches
    bounds = select(matches, listing.page_start_sql(matches, first, per_page).label("start")).cte("bounds")
    page = (select(people).where(people.c.apart == 0).order_by(people.c.display_name, people.c.id)
            .limit(per_page).offset(select(bounds.c.start).scalar_subquery()).subquery())
    shown = union_all(select(page), select(people).where(people.c.apart == 1)).cte("shown")
    rows = (select(literal(PERSON).label("kind"), shown.c.id, shown.c.display_name, shown.c.left_on,
                   shown.c.in_post, shown.c.apart, bounds.c.start, bounds.c.matches,
                   Apology.id.label("apology_id"), Apology.reason, DayAttendance.status,
                   # A union's columns take their types from its first SELECT's.
                   type_coerce(null(), TrainingSession.starts_at.type).label("starts_at"))
            .select_from(shown).join(bounds, true())
            .outerjoin(Apology, (Apology.day_id == bindparam("day_id"))
                       & (Apology.membership_id == shown.c.id))
            .outerjoin(DayAttendance, (DayAttendance.day_id == bindparam("day_id"))
                       & (DayAttendance.membership_id == shown.c.id)))
    sessions = (select(literal(SESSION), TrainingSession.id, null(), null(), null(), null(), null(),
                       SessionAttendance.membership_id, null(), Module.title, SessionAttendance.status,
                       TrainingSession.starts_at)
                .join(Module)
                .outerjoin(SessionAttendance,
                           (SessionAttendance.session_id == TrainingSession.id)
                           & SessionAttendance.membership_id.in_(select(shown.c.id)))
                .where(TrainingSession.day_id == bindparam("day_id")))
    both = union_all(rows, sessions).subquery()
    # People by (apart, name, id); sessions by (start time, id).
    return select(both).order_by(both.c.kind, both.c.apart, both.c.display_name, both.c.starts_at, both.c.id)


# What each row of the register's statement is (its first column).
PERSON, SESSION = range(2)
_REGISTER = _register_statement()


def register(day: TrainingDay, *, today: date, page: int = 1,
             per_page: int = listing.PER_PAGE) -> Register:
    """The day's register: a page of the expected participants (``rows``, by name; ``page`` says
    which and how many in all), everyone shown apart, and whether it is open, with the day's
    sessions (``sessions``) to mark.

    The expected are chosen in SQL by the rule of ``not_expected_reason``, and come with their
    names, apologies and day marks, and the day's sessions with their marks, in one statement,
    so a page costs the same statement however large the cohort.
    """
    found = db.session.execute(_REGISTER, {"programme_id": day.programme_id, "day": day.day,
                                           "day_id": day.id, "first": (max(1, page) - 1) * per_page,
                                           "per_page": per_page}).all()
    # Rows are unpacked, not read by attribute: a Row's attribute costs far more than its place.
    sessions: dict[int, SessionHead] = {}
    per_session: dict[int, dict[int, str]] = {}
    rows, away, total, start = [], [], 0, 0
    for kind, mid, name, left_on, in_post, apart, start_, matches, apology_id, reason, status, starts_at in found:
        if kind == SESSION:  # the session's id, its marked participant, module title, mark, start
            if mid not in sessions:
                sessions[mid] = SessionHead(mid, starts_at, reason)
            if matches is not None:
                per_session.setdefault(matches, {})[mid] = status
            continue
        member = Participant(mid, name, left_on, in_post)
        row = SheetRow(member, SentApology(reason) if apology_id is not None else None, status, {},
                       not_expected_reason(member, day))
        (away if apart else rows).append(row)
        total, start = matches, start_
    for row in (*rows, *away):  # their marks at the sessions, which come after them
        row.session_status = per_session.get(row.membership.id, {})
    total = total if rows else 0
    number = start // per_page + 1 if rows else 1
    return Register(day, rows, away, closed_reason(day, today=today),
                    listing.ListPage(rows, total, number, per_page), list(sessions.values()))


def everyone_present(rows: list[SheetRow], marks: dict[int, str]) -> dict[int, str]:
    """``marks`` with every unmarked participant present, except those who sent apologies (excused)."""
    return {r.membership.id: marks.get(r.membership.id) or ("excused" if r.apology else "present")
            for r in rows}


def expected_participants(programme: Programme) -> list[Membership]:
    """Who is expected at the programme's days: its intervention-arm participants, by name."""
    return list(db.session.scalars(_participants(programme).options(selectinload(Membership.user))))


def _participants(programme: Programme):
    return _participants_of(programme.id)


def _expected_where(programme_id) -> tuple:
    """The conditions on a membership that make it an expected participant of the programme."""
    return (Membership.programme_id == programme_id, Membership.role == "participant",
            Membership.arm == "intervention")


def _participants_of(programme_id: int):
    return (select(Membership).join(User).where(*_expected_where(programme_id))
            .order_by(User.display_name, Membership.id))


def apology_for(membership: Membership, day: TrainingDay) -> Apology | None:
    """The participant's apology for the day, if they sent one."""
    return db.session.scalar(select(Apology).where(Apology.day_id == day.id,
                                                   Apology.membership_id == membership.id))


def send_apology(membership: Membership, day: TrainingDay, reason: str, *, today: date) -> Apology:
    """Record (or update) an apology for a coming day; commits."""
    _check_apology(membership, day, today)
    apology = apology_for(membership, day) or Apology(day_id=day.id, membership_id=membership.id)
    apology.reason = (reason or "").strip()
    db.session.add(apology)
    db.session.commit()
    return apology


def withdraw_apology(membership: Membership, day: TrainingDay, *, today: date) -> None:
    """Take back an apology before the day; commits."""
    _check_apology(membership, day, today)
    apology = apology_for(membership, day)
    if apology is not None:
        db.session.delete(apology)
    db.session.commit()


def sheet(day: TrainingDay) -> list[SheetRow]:
    """The day's attendance sheet: every intervention participant with apology and marks so far.

    Rows of participants not expected at the day (see ``not_expected_reason``) carry the reason.
    """
    return _rows(day, expected_participants(day.programme))


def _rows(day: TrainingDay, members: list[Membership]) -> list[SheetRow]:
    """Sheet rows of ``members`` at ``day``: their apologies and marks (three statements)."""
    ids = [m.id for m in members]
    apologies = {a.membership_id: a for a in db.session.scalars(
        select(Apology).where(Apology.day_id == day.id, Apology.membership_id.in_(ids)))}
    marks = dict(db.session.execute(select(DayAttendance.membership_id, DayAttendance.status)
                                    .where(DayAttendance.day_id == day.id,
                                           DayAttendance.membership_id.in_(ids))).all())
    per_session: dict[int, dict[int, str]] = {}
    for row in db.session.scalars(select(SessionAttendance).where(
            SessionAttendance.session_id.in_([s.id for s in day.sessions]),
            SessionAttendance.membership_id.in_(ids))):
        per_session.setdefault(row.membership_id, {})[row.session_id] = row.status
    return [SheetRow(m, apologies.get(m.id), marks.get(m.id), per_session.get(m.id, {}),
                     not_expected_reason(m, day))
            for m in members]


def record_attendance(actor: User, day: TrainingDay, marks: dict[int, str],
                      session_marks: dict[tuple[int, int], str], *, today: date) -> int:
    """Save a day's marks (membership id -> status) and per-session exceptions; commits.

    ``session_marks`` maps (session id, membership id) to a status, or to "" for "same as the
    day". Returns how many participants were marked. Leads hear once of anyone who has now
    missed two days.
    """
    closed = closed_reason(day, today=today)
    if closed:
        raise RuleViolation(closed)
    expected = {m.id: m for m in expected_participants(day.programme)
                if not_expected_reason(m, day) is None}
    sessions = {s.id for s in day.sessions}
    statuses = set(ATTENDANCE)
    if any(mid not in expected or status not in statuses for mid, status in marks.items()):
        raise RuleViolation("Choose present, late, absent or excused for each participant expected "
                            "at the day")
    if any(sid not in sessions or mid not in expected or (status and status not in statuses)
           for (sid, mid), status in session_marks.items()):
        raise RuleViolation("Choose a status for each session, or 'same as the day'")
    existing = {a.membership_id: a for a in db.session.scalars(
        select(DayAttendance).where(DayAttendance.day_id == day.id))}
    for mid, status in marks.items():
        row = existing.get(mid) or DayAttendance(day_id=day.id, membership_id=mid)
        row.status, row.recorded_by_id = status, actor.id
        db.session.add(row)
    _save_session_marks(actor, session_marks, marks)
    db.session.flush()
    for mid in marks:
        tell_leads_if_missed_two(day.programme, expected[mid])
    audit.record(actor.id, "attendance.recorded", day, programme_id=day.programme_id, count=len(marks))
    db.session.commit()
    return len(marks)


def missed_days(membership: Membership) -> int:
    """How many days of their programme the participant has missed (absent or excused)."""
    return db.session.scalar(select(func.count(DayAttendance.id)).join(TrainingDay).where(
        DayAttendance.membership_id == membership.id, DayAttendance.status.in_(MISSED),
        TrainingDay.cancelled.is_(False)))


@dataclass(frozen=True)
class AttendanceSummary:
    """Attendance counts per training day and per module (statuses, plus "not recorded")."""

    per_day: list[tuple[TrainingDay, Counter]]
    per_module: list[tuple[str, Counter]]


def summary(programme: Programme, *, held_days: list[TrainingDay] | None = None) -> AttendanceSummary:
    """Count marks per day, and per module from each session's own or its day's marks.

    ``held_days``: the programme's days that are not cancelled, in date order, with sessions and
    modules loaded, when the caller has them already. Someone not expected at a day (they had
    left) counts there only if they were marked.
    """
    days, expected, marks, overrides = _marks(programme, held_days)
    # The facts not_expected_reason reads, not whole entities: a large cohort loads fast.
    members = {m.id: m for m in db.session.execute(_participants(programme).with_only_columns(
        Membership.id, Membership.left_on, Membership.in_post))}
    per_day, per_module = [], {}
    for day in days:
        on_day = [mid for mid in expected
                  if (day.id, mid) in marks or not_expected_reason(members[mid], day) is None]
        recorded = any((day.id, mid) in marks for mid in on_day)
        per_day.append((day, Counter(marks.get((day.id, mid), "not recorded") for mid in on_day)))
        for session in day.sessions:
            counter = per_module.setdefault(session.module.title, Counter())
            if recorded:
                counter.update(overrides.get((session.id, mid)) or marks.get((day.id, mid), "not recorded")
                               for mid in on_day)
    return AttendanceSummary(per_day, [(title, c) for title, c in per_module.items() if c])


def _marks(programme: Programme, days: list[TrainingDay] | None = None
           ) -> tuple[list[TrainingDay], list[int], dict, dict]:
    """The programme's held days (with sessions), expected ids, day marks and session marks."""
    if days is None:
        days = list(db.session.scalars(
            select(TrainingDay).where(TrainingDay.programme_id == programme.id,
                                      TrainingDay.cancelled.is_(False))
            .options(selectinload(TrainingDay.sessions).selectinload(TrainingSession.module))
            .order_by(TrainingDay.day)))
    expected = list(db.session.scalars(_participants(programme).with_only_columns(Membership.id)))
    marks = {(day_id, mid): status for day_id, mid, status in db.session.execute(
        select(DayAttendance.day_id, DayAttendance.membership_id, DayAttendance.status)
        .where(DayAttendance.day_id.in_([d.id for d in days])))}
    overrides = {(sid, mid): status for sid, mid, status in db.session.execute(
        select(SessionAttendance.session_id, SessionAttendance.membership_id, SessionAttendance.status)
        .join(TrainingSession).where(TrainingSession.day_id.in_([d.id for d in days])))}
    return days, expected, marks, overrides


def module_attendance(programme: Programme) -> dict[int, dict[int, bool]]:
    """Per module id, per expected participant whose attendance is known: did they attend it?

    Attended means present or late at any held session of the module (a session's own mark
    overrides the day's). Someone *missed* a module (False) only when every held session of it
    is marked and none attended; a participant with an unmarked session and no attended one is
    left out (not known). Modules that ran only on cancelled days are absent.
    """
    days, expected, marks, overrides = _marks(programme)
    # Plain (session id, day id) pairs: the loops below run once per participant and session.
    sessions: dict[int, list[tuple[int, int]]] = {}
    for day in days:
        for session in day.sessions:
            sessions.setdefault(session.module_id, []).append((session.id, session.day_id))
    result: dict[int, dict[int, bool]] = {}
    for module_id, held in sessions.items():
        known = result.setdefault(module_id, {})
        for mid in expected:
            statuses = [overrides.get((sid, mid)) or marks.get((did, mid)) for sid, did in held]
            if any(status in ATTENDED for status in statuses):
                known[mid] = True
            elif all(statuses):
                known[mid] = False
    return result


def _held(programme_id, *, sessions: str = "any"):
    """The held sessions (id, module_id, day_id) of the programme: those on days not cancelled.
    ``sessions`` keeps only those of modules held once ("one") or more than once ("several")."""
    held = (select(TrainingSession.id, TrainingSession.module_id, TrainingSession.day_id)
            .join(TrainingDay).where(TrainingDay.programme_id == programme_id,
                                     TrainingDay.cancelled.is_(False)))
    if sessions == "any":
        return held.subquery()
    # How many times each session's module is held, counted over the programme's held sessions.
    counted = held.add_columns(func.count().over(partition_by=TrainingSession.module_id).label("times")).subquery()
    return (select(counted.c.id, counted.c.module_id, counted.c.day_id)
            .where(counted.c.times == 1 if sessions == "one" else counted.c.times > 1).subquery())


def _from_held(held, sessions: str) -> tuple:
    """For the modules held more than once (usually none): the day marks' day among the held
    ones' (implied by the join, but it lets the planner start from them, not from every
    participant)."""
    return (DayAttendance.day_id.in_(select(held.c.day_id)),) if sessions != "any" else ()


def _expected(programme_id):
    """The expected participants' (id, team), as a subquery: _participants_of's rows, without
    its join to users (there only for the order of names: every membership has its user, a
    foreign key that is not null), which the planner cannot drop and the reports that count
    the register would pay for at every use."""
    return select(Membership.id, Membership.team).where(*_expected_where(programme_id)).subquery()


def module_register(programme_id, *, sessions: str = "any"):
    """``module_attendance`` as a SQL subquery, for reports that count its answers rather than
    read them: a row (module_id, membership_id, team, attended: 1 or 0) per module and expected
    participant whose attendance of it is known, under the same rule. ``sessions="several"``
    keeps only the modules held more than once (``module_register_tally`` reads the others
    from the marks without a row per participant).

    Built from the marks themselves (a day's mark for each of its held sessions, unless the
    session has its own; a session's own mark without a day mark), so a large cohort costs one
    pass over its marks rather than a row per participant and session.
    """
    held = _held(programme_id, sessions=sessions)
    # Only the expected participants' marks, each with the participant's team.
    expected = _expected(programme_id)
    own = SessionAttendance
    by_day = (select(held.c.module_id, DayAttendance.membership_id, expected.c.team,
                     func.coalesce(own.status, DayAttendance.status).label("status"))
              .join(DayAttendance, DayAttendance.day_id == held.c.day_id)
              .join(expected, expected.c.id == DayAttendance.membership_id)
              .outerjoin(own, and_(own.session_id == held.c.id,
                                   own.membership_id == DayAttendance.membership_id))
              .where(*_from_held(held, sessions)))
    by_session_only = (select(held.c.module_id, own.membership_id, expected.c.team, own.status)
                       .join(own, own.session_id == held.c.id)
                       .join(expected, expected.c.id == own.membership_id)
                       .where(~exists().where(DayAttendance.day_id == held.c.day_id,
                                              DayAttendance.membership_id == own.membership_id)))
    marks = union_all(by_day, by_session_only).subquery()
    counted = (select(held.c.module_id, func.count().label("sessions"))
               .group_by(held.c.module_id).subquery())
    per_person = (select(marks.c.module_id, marks.c.membership_id, marks.c.team,
                         func.max(_is(marks.c.status, ATTENDED)).label("attended"),
                         func.count().label("marked"))
                  .group_by(marks.c.module_id, marks.c.membership_id, marks.c.team).subquery())
    return (select(per_person.c.module_id, per_person.c.membership_id, per_person.c.team,
                   per_person.c.attended)
            .join(counted, counted.c.module_id == per_person.c.module_id)
            # Missed only when every held session of the module is marked.
            .where(or_(per_person.c.attended == 1, per_person.c.marked == counted.c.sessions)))


def _one_of(status, statuses):
    """``status`` IN ``statuses``, each a bound value of its own: not an expanding parameter,
    which SQLAlchemy renders into the statement's text again at every execution (the ratings
    report's statement has nine of them, and its text is long)."""
    return status.in_([literal(s) for s in statuses])


def _is(status, statuses):
    """1 when ``status`` is one of ``statuses``, else 0 (also when there is no mark)."""
    return case((_one_of(status, statuses), 1), else_=0)


def module_register_tally(programme_id) -> tuple[list, object]:
    """``module_register`` counted per module and team, as SELECTs of (module_id, team,
    attended, missed) whose rows add up, per module and team, to how many expected
    participants attended it and how many missed it (a row may be a correction: negative);
    and its rows with attended 0, as a subquery of (module_id, membership_id, team): the
    expected participants who missed a module.

    A module held once has one mark per participant at most (the session's own, else its
    day's), so its counts come from the day marks counted per day and team, corrected by the
    sessions' own marks (few): no row per participant. Modules held more than once are counted
    from ``module_register``'s rows. Who missed a module held once is read straight from the
    marks that say so (few), without the register's other rows. The held sessions and the
    per-participant rows are common tables, read by several parts of the statement.
    """
    once = _held(programme_id, sessions="one").element.cte("held_once")
    expected = _expected(programme_id)
    own = SessionAttendance
    per_day = (select(DayAttendance.day_id, expected.c.team,
                      func.sum(_is(DayAttendance.status, ATTENDED)).label("attended"),
                      func.sum(_is(DayAttendance.status, MISSED)).label("missed"))
               .join(expected, expected.c.id == DayAttendance.membership_id)
               .group_by(DayAttendance.day_id, expected.c.team).subquery())
    day_marks = (select(once.c.module_id, per_day.c.team, per_day.c.attended, per_day.c.missed)
                 .join(per_day, per_day.c.day_id == once.c.day_id))
    # A session's own mark counts instead of its day's mark (if any).
    own_marks = (select(once.c.module_id, expected.c.team,
                        func.sum(_is(own.status, ATTENDED) - _is(DayAttendance.status, ATTENDED)).label("attended"),
                        func.sum(_is(own.status, MISSED) - _is(DayAttendance.status, MISSED)).label("missed"))
                 .join(own, own.session_id == once.c.id)
                 .join(expected, expected.c.id == own.membership_id)
                 .outerjoin(DayAttendance, and_(DayAttendance.day_id == once.c.day_id,
                                                DayAttendance.membership_id == own.membership_id))
                 .group_by(once.c.module_id, expected.c.team))
    several = module_register(programme_id, sessions="several").cte("register_several")
    per_person = (select(several.c.module_id, several.c.team,
                         func.count().filter(several.c.attended == 1).label("attended"),
                         func.count().filter(several.c.attended == 0).label("missed"))
                  .group_by(several.c.module_id, several.c.team))
    by_day = (select(once.c.module_id, DayAttendance.membership_id, expected.c.team)
              .join(DayAttendance, DayAttendance.day_id == once.c.day_id)
              .join(expected, expected.c.id == DayAttendance.membership_id)
              .where(_one_of(DayAttendance.status, MISSED),
                     ~exists().where(own.session_id == once.c.id,
                                     own.membership_id == DayAttendance.membership_id)))
    by_session = (select(once.c.module_id, own.membership_id, expected.c.team)
                  .join(own, own.session_id == once.c.id)
                  .join(expected, expected.c.id == own.membership_id)
                  .where(_one_of(own.status, MISSED)))
    by_person = (select(several.c.module_id, several.c.membership_id, several.c.team)
                 .where(several.c.attended == 0))
    return [day_marks, own_marks, per_person], union_all(by_day, by_session, by_person).subquery()


def day_register(programme_id, *, cte: str | None = None):
    """``day_attendance`` as a SQL subquery, for pages that count its answers rather than read
    them: a row (membership_id, day_id, attended: 1 or 0) per held training day and expected
    participant marked at it, under the same rule. ``programme_id`` is a value or a bind
    parameter; with ``cte``, a common table of that name instead, for a statement that reads
    the register more than once.

    Attended: at a day without sessions, the day's mark is present or late; at a day with
    sessions, a session's own mark is, or the day's mark is and some session has no mark of its
    own. Session marks without a day mark, marks at cancelled days and marks of people not
    expected (the comparison arm, other roles, other programmes) are left out. Per held day its
    sessions, and per participant and held day their sessions' own marks, are joined rather than
    correlated: one pass over each table.
    """
    held = and_(TrainingDay.programme_id == programme_id, TrainingDay.cancelled.is_(False))
    sessions = (select(TrainingSession.day_id, func.count().label("n")).join(TrainingDay).where(held)
                .group_by(TrainingSession.day_id).subquery())
    own = (select(SessionAttendance.membership_id, TrainingSession.day_id, func.count().label("n"),
                  func.count(case((SessionAttendance.status.in_(ATTENDED), 1))).label("came"))
           .join(TrainingSession).join(TrainingDay).where(held)
           .group_by(SessionAttendance.membership_id, TrainingSession.day_id).subquery())
    attended = case((sessions.c.n.is_(None), DayAttendance.status.in_(ATTENDED)),
                    else_=or_(func.coalesce(own.c.came, 0) > 0,
                              and_(func.coalesce(own.c.n, 0) < sessions.c.n, DayAttendance.status.in_(ATTENDED))))
    register = (select(DayAttendance.membership_id, DayAttendance.day_id,
                       case((attended, 1), else_=0).label("attended"))
                .join(TrainingDay, TrainingDay.id == DayAttendance.day_id)
                .join(Membership, Membership.id == DayAttendance.membership_id)
                .outerjoin(sessions, sessions.c.day_id == DayAttendance.day_id)
                .outerjoin(own, and_(own.c.membership_id == DayAttendance.membership_id,
                                     own.c.day_id == DayAttendance.day_id))
                .where(held, Membership.programme_id == programme_id, Membership.role == "participant",
                       Membership.arm == "intervention")
                # OFFSET 0 keeps the marks a query of their own, read from the programme's days:
                # merged into a grouping by participant, SQLite would read every programme's marks.
                .offset(0))
    return register.cte(cte) if cte else register.subquery()


def day_attendance(programme: Programme) -> list[tuple[TrainingDay, dict[int, bool]]]:
    """Per held training day in date order, per expected participant marked: did they attend?

    A day is attended when the participant attended any of its sessions (a session's own mark
    overrides the day's; present or late), or, for a day without sessions, when the day's mark
    is present or late. Participants without a day mark are left out (not recorded).
    """
    days, expected, marks, overrides = _marks(programme)
    result = []
    for day in days:
        known = {}
        day_id, held = day.id, [s.id for s in day.sessions]
        for mid in expected:
            if (day_id, mid) not in marks:
                continue
            statuses = ([overrides.get((sid, mid)) or marks[(day_id, mid)] for sid in held]
                        or [marks[(day_id, mid)]])
            known[mid] = any(status in ATTENDED for status in statuses)
        result.append((day, known))
    return result


def days_attended(programme: Programme, held: list | None = None) -> dict[int, int]:
    """Per expected participant (membership id), how many held training days they attended.

    ``held`` is ``day_attendance(programme)`` when the caller already has it (saves reloading).
    """
    counts = dict.fromkeys(db.session.scalars(_participants(programme).with_only_columns(Membership.id)), 0)
    for _, known in (day_attendance(programme) if held is None else held):
        for mid, attended in known.items():
            counts[mid] += attended
    return counts


def _check_apology(membership: Membership, day: TrainingDay, today: date) -> None:
    if (membership.role != "participant" or membership.programme_id != day.programme_id
            or membership.arm != "intervention"):
        raise PermissionDenied("Only participants expected at this day can send apologies.")
    if day.cancelled:
        raise RuleViolation("This day is cancelled")
    if day.day <= today:
        raise RuleViolation("Apologies can be sent before the day only; tell your trainer instead",
                            field="reason")


def _save_session_marks(actor: User, session_marks: dict[tuple[int, int], str],
                        marks: dict[int, str]) -> None:
    existing = {(r.session_id, r.membership_id): r for r in db.session.scalars(
        select(SessionAttendance).where(SessionAttendance.session_id.in_(
            {sid for sid, _ in session_marks})))} if session_marks else {}
    for key, status in session_marks.items():
        row = existing.get(key)
        if not status or status == marks.get(key[1]):
            if row is not None:
                db.session.delete(row)
            continue
        row = row or SessionAttendance(session_id=key[0], membership_id=key[1])
        row.status, row.recorded_by_id = status, actor.id
        db.session.add(row)


def tell_leads_if_missed_two(programme: Programme, membership: Membership) -> None:
    """Queue (once) a message to each lead if the participant has now missed two days (no commit)."""
    if missed_days(membership) < 2:
        return
    leads = db.session.scalars(select(Membership).where(
        Membership.programme_id == programme.id, Membership.role == "lead")
        .options(selectinload(Membership.user)))
    for lead in leads:
        outbox.enqueue(
            dedupe_key=f"missed-two:{membership.id}:{lead.user_id}", kind="missed-two", to=lead.user,
            subject=f"A participant has missed two training days: {programme.name}",
            body=f"Hello {lead.user.display_name},\n\n{membership.user.display_name} "
                 f"({membership.user.email}) has now missed two training days of {programme.name}. "
                 "You may want to get in touch with them.\n")
