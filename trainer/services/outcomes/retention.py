"""Retention: who is still in post, leaving recorded or imported, survival in post per arm."""
import csv
import io
from dataclasses import dataclass
from datetime import date
from math import ceil
from typing import NamedTuple

from sqlalchemy import Integer, bindparam, case, func, or_, select
from sqlalchemy.orm import selectinload

from trainer import stats
from trainer.errors import NotFound, RuleViolation
from trainer.extensions import db
from trainer.models import Membership, Programme, User
from trainer.models.programme import LEAVER_CATEGORIES
from trainer.services.privacy import audit, consent
from trainer.services.system import listing
from trainer.services.system.rows import plain_rows

ARMS = ("intervention", "comparison")
MILESTONES = ((182, "6 months"), (365, "12 months"))
CSV_COLUMNS = ("email", "left_on", "reason")
# Labels as in the Department for Education's children's social work workforce statistics.
CATEGORY_LABELS = {
    "another_la": "Moved to another local authority",
    "agency": "Moved to agency work",
    "left_profession": "Left children's social work",
    "other_unknown": "Other or unknown",
}
UNKNOWN = "other_unknown"


def leaver_category(text: str) -> str | None:
    """The category key for ``text`` (a key or its label, any case); "other or unknown" for blank;
    None when it is neither."""
    text = " ".join(text.split()).lower().replace("’", "'")
    if not text:
        return UNKNOWN
    for key, label in CATEGORY_LABELS.items():
        if text in (key, label.lower()):
            return key
    return None


def _participant(programme: Programme, membership_id: int) -> Membership:
    member = db.session.get(Membership, membership_id)
    if member is None or member.programme_id != programme.id or member.role != "participant":
        raise NotFound("No such participant.")
    return member


def _set_leaving(member: Membership, programme: Programme, left_on: date | None, reason: str,
                 today: date, field: str = "left_on", category: str = UNKNOWN) -> None:
    if left_on is None:
        member.in_post, member.left_on, member.leaving_reason = True, None, None
        member.leaver_category = None
        return
    if left_on > today:
        raise RuleViolation("The date they left must not be in the future", field=field)
    if left_on < programme.start_date:
        raise RuleViolation("The date they left must not be before the programme started", field=field)
    if category not in LEAVER_CATEGORIES:
        raise RuleViolation("Choose where they went", field="category" if field == "left_on" else field)
    member.in_post, member.left_on = False, left_on
    member.leaving_reason = reason.strip()[:200] or None
    member.leaver_category = category


def record_leaving(actor: User, programme: Programme, membership_id: int, left_on: date | None,
                   reason: str, *, today: date, category: str = UNKNOWN) -> Membership:
    """Record that a participant left post on ``left_on`` (None: they are back in post), and where
    they went (a key of CATEGORY_LABELS). Commits."""
    member = _participant(programme, membership_id)
    if not tracked(member):
        raise RuleViolation("This participant withdrew consent to retention tracking", field="left_on")
    _set_leaving(member, programme, left_on, reason, today, category=category)
    audit.record(actor.id, "retention.recorded", member, programme_id=programme.id,
                 left_on=left_on.isoformat() if left_on else None,
                 category=member.leaver_category)
    db.session.commit()
    return member


def import_csv(actor: User, programme: Programme, text: str, *, today: date) -> int:
    """Import leaving dates from CSV with columns email, left_on (YYYY-MM-DD, blank: in post),
    reason, and optionally category (a key or label of CATEGORY_LABELS; blank: other or unknown).
    All rows are checked first; any problem imports nothing. Returns rows applied.

    People are matched by e-mail address: leaving post is something they did, which the lead
    records by name; participant codes belong to the evaluator alone."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if reader.fieldnames is None or not set(CSV_COLUMNS) <= {f.strip() for f in reader.fieldnames}:
        raise RuleViolation("The file needs a header row with the columns email, left_on, reason",
                            field="file")
    by_email = {m.user.email.lower(): m for m in db.session.scalars(
        select(Membership).where(Membership.programme_id == programme.id, Membership.role == "participant")
        .options(selectinload(Membership.user)))}
    rows = []
    for line, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        member = by_email.get(row["email"].lower())
        if member is None:
            raise RuleViolation(f"Line {line}: no participant has the e-mail address {row['email']!r}",
                                field="file")
        try:
            left_on = date.fromisoformat(row["left_on"]) if row["left_on"] else None
        except ValueError:
            raise RuleViolation(f"Line {line}: left_on must be a date like 2027-03-31",
                                field="file") from None
        category = leaver_category(row.get("category", ""))
        if category is None:
            raise RuleViolation(f"Line {line}: category must be one of: "
                                f"{'; '.join(CATEGORY_LABELS.values())}", field="file")
        rows.append((line, member, left_on, row["reason"], category))
    for line, member, left_on, reason, category in rows:
        try:
            _set_leaving(member, programme, left_on, reason, today, field="file", category=category)
        except RuleViolation as exc:
            db.session.rollback()
            raise RuleViolation(f"Line {line}: {exc.message}", field="file") from None
    audit.record(actor.id, "retention.imported", programme, programme_id=programme.id, rows=len(rows))
    db.session.commit()
    return len(rows)


@dataclass
class ArmRetention:
    """One arm's survival in post since the programme started."""

    arm: str
    n: int
    left: int
    survival: stats.Survival
    at_milestones: list[tuple[str, float | None]]  # label, S(t)

    @property
    def table(self) -> list[tuple]:
        """The Kaplan-Meier table's rows: (day, number at risk, left that day, S, CI low, CI high)."""
        s = self.survival
        return list(zip(s.times, s.at_risk, s.events, s.survival, s.ci_low, s.ci_high))

    @property
    def table_text(self) -> list[tuple[int, int, int, str]]:
        """The Kaplan-Meier table's rows as the page shows them: (whole day, number at risk, left
        that day, "S (CI low to CI high)" to 2 places, or S alone where the CI is undefined)."""
        return [(int(day), at_risk, left, f"{p:.2f}" if low is None else f"{p:.2f} ({low:.2f} to {high:.2f})")
                for day, at_risk, left, p, low, high in self.table]


def retention(programme: Programme, today: date) -> list[ArmRetention]:
    """Kaplan-Meier survival in post per arm from the programme's start; people still in post are
    censored today. Leaving post is something people did, so nothing is suppressed
    (trainer.services.disclosure hides only what people said)."""
    return _survival(programme, leaving(programme), today)


def facts(programme: Programme) -> list:
    """Each participant's id, arm and leaving facts (in post, left on, leaver category) as plain
    rows: what the survival, the categories and the cost of retention read; no names."""
    return db.session.execute(select(Membership.id, Membership.arm, Membership.in_post, Membership.left_on,
                                     Membership.leaver_category)
                              .where(Membership.programme_id == programme.id,
                                     Membership.role == "participant")).all()


def _leaving_statement():
    """Participants counted per arm, leaving facts and whether their retention is still tracked
    (``untracked_ids``' rule), built once: rows per distinct leaving date, not per person."""
    stopped = or_(consent.tracking_stopped(), func.coalesce(Membership.withdrawn_from, "") == "programme")
    people = select(Membership.arm, Membership.in_post, Membership.left_on, Membership.leaver_category,
                    case((stopped, 1), else_=0).label("stopped")).where(
        Membership.programme_id == bindparam("programme_id"), Membership.role == "participant").subquery()
    return select(*people.c, func.count().label("people")).group_by(*people.c)


_LEAVING = _leaving_statement()


def leaving(programme: Programme) -> list:
    """The programme's participants counted per (arm, in post, left on, leaver category,
    untracked): rows with those fields and ``people``, how many share them. What the survival
    and the categories read, in one statement whose rows do not grow with the cohort."""
    return plain_rows(_LEAVING, {"programme_id": programme.id})


def _survival(programme: Programme, groups: list, today: date) -> list[ArmRetention]:
    """Survival per arm of the tracked participants of ``groups`` (``leaving``); people still in
    post (or with no leaving date) are censored today."""
    result = []
    start = programme.start_date
    # The groups' rows are unpacked (arm, in post, left on, category, stopped, people), not read by
    # attribute: a Row's attribute costs far more than its place.
    for arm in ARMS:
        durations, observed, counts = [], [], []
        for group_arm, in_post, left_on, _, stopped, people in groups:
            if group_arm != arm or stopped:
                continue
            end = left_on if not in_post and left_on else today
            durations.append(max(0, (end - start).days))
            observed.append(not in_post and left_on is not None)
            counts.append(people)
        survival = stats.kaplan_meier_counts(durations, observed, counts)
        result.append(ArmRetention(
            arm, sum(counts), sum(n for n, left in zip(counts, observed) if left), survival,
            [(label, stats.survival_at(survival, days)) for days, label in MILESTONES]))
    return result


def chart(arms: list[ArmRetention]) -> dict:
    """Kaplan-Meier step curves per arm for <canvas data-chart> (arms with nobody left out)."""
    datasets = []
    for a in arms:
        if not a.n:
            continue
        s = a.survival
        points = [{"x": 0, "y": 1.0}] + [{"x": t, "y": round(v, 4)} for t, v in zip(s.times, s.survival)]
        if s.last_time is not None and (not s.times or s.last_time > s.times[-1]):
            points.append({"x": s.last_time, "y": points[-1]["y"]})
        datasets.append({"label": a.arm.capitalize(), "data": points, "stepped": "after",
                         "showLine": True, "fill": False, "pointRadius": 0})
    return {"type": "scatter", "datasets": datasets, "options": {
        "scales": {"x": {"title": {"display": True, "text": "Days since the programme started"}},
                   "y": {"min": 0, "max": 1, "title": {"display": True, "text": "Proportion still in post"}}}}}


def untracked_ids(programme: Programme) -> set[int]:
    """Participants whose retention is no longer tracked: they withdrew consent to follow-up and
    retention tracking (or from the programme), so they leave the survival analysis."""
    return set(db.session.scalars(select(Membership.id).where(
        Membership.programme_id == programme.id, Membership.role == "participant",
        consent.tracking_stopped() | (Membership.withdrawn_from == "programme"))))


def tracked(member: Membership) -> bool:
    """False once the participant has withdrawn consent to follow-up and retention tracking."""
    return member.id not in untracked_ids(member.programme)


def by_category(groups: list) -> list[tuple[str, dict[str, int]]]:
    """Leavers per category and arm, (label, {arm: count}) in CATEGORY_LABELS' order, then the
    participants still in post, from ``leaving``'s groups. Counts of what people did: nothing is
    suppressed. People whose retention is no longer tracked are left out, as in the survival."""
    rows = [(label, {arm: 0 for arm in ARMS}) for label in CATEGORY_LABELS.values()]
    rows.append(("Still in post", {arm: 0 for arm in ARMS}))
    keys = list(CATEGORY_LABELS)
    for arm, in_post, _, category, stopped, people in groups:
        if arm not in ARMS or stopped:
            continue
        index = len(keys) if in_post else keys.index(category or UNKNOWN)
        rows[index][1][arm] += people
    return rows


@dataclass
class Overview:
    """The lead's retention page: a page of the participants, survival in post per arm, its chart,
    and the leavers per category and arm."""

    members: listing.ListPage | None
    arms: list[ArmRetention]
    chart: dict
    categories: list[tuple[str, dict[str, int]]]


class Named(NamedTuple):
    """A participant on the lead's list: their name and leaving facts."""

    id: int
    display_name: str
    arm: str | None
    in_post: bool
    left_on: date | None
    leaver_category: str | None
    leaving_reason: str | None


# The lead's list: names and leaving facts as plain rows, by name (read as ``Named``); and a page
# of it, with its size and start bound too, so a page only binds values (see docs/architecture.md).
_NAMES = (select(Membership.id, User.display_name, Membership.arm, Membership.in_post, Membership.left_on,
                 Membership.leaver_category, Membership.leaving_reason).join(User)
          .where(Membership.programme_id == bindparam("programme_id"), Membership.role == "participant")
          .order_by(User.display_name, Membership.id))
_NAMES_PAGE = _NAMES.limit(bindparam("per_page", type_=Integer)).offset(bindparam("offset", type_=Integer))


@dataclass
class Figures:
    """Retention's figures, which name nobody: survival in post per arm, its chart, the leavers
    per category and arm, and how many participants the lead's list has."""

    arms: list[ArmRetention]
    chart: dict
    categories: list[tuple[str, dict[str, int]]]
    participants: int


def figures(programme: Programme, today: date) -> Figures:
    """``Figures`` of the programme on local date ``today``, from participants counted per
    leaving facts in SQL (``leaving``): the same statements however large the cohort."""
    groups = leaving(programme)
    arms = _survival(programme, groups, today)
    return Figures(arms, chart(arms), by_category(groups), sum(people for *_, people in groups))


def overview(programme: Programme, today: date, *, page: int = 1, names: bool = True,
             known: Figures | None = None) -> Overview:
    """A page of the participants (rows with ``display_name`` and the leaving facts, by name;
    None when ``names`` is false, for an evaluator), survival in post per arm, and leavers by
    category: the programme's ``figures`` (``known``, when the caller has them) and one
    statement for the page of names.
    """
    shown = figures(programme, today) if known is None else known
    members = None
    if names:
        total, per_page = shown.participants, listing.PER_PAGE
        page = min(max(1, page), max(1, ceil(total / per_page)))  # clamped, as listing.paginate does
        # As named tuples: the page and the form read each row's fields, and a Row's attribute
        # costs far more than a named tuple's.
        items = [Named(*row) for row in plain_rows(_NAMES_PAGE, {
            "programme_id": programme.id, "per_page": per_page, "offset": (page - 1) * per_page})]
        members = listing.ListPage(items, total, page, per_page)
    return Overview(members, shown.arms, shown.chart, shown.categories)


def choice(programme: Programme, membership_id: int | None) -> list[tuple[int, str]]:
    """The "record leaving" form's one valid choice for ``membership_id``: (id, name) when it is
    a participant of the programme, else nothing, so the form refuses it. The form offers a page
    of the participants; checking the one posted keeps the cost the same for any cohort."""
    if membership_id is None:
        return []
    return [tuple(row) for row in db.session.execute(
        select(Membership.id, User.display_name).join(User).where(
            Membership.id == membership_id, Membership.programme_id == programme.id,
            Membership.role == "participant"))]
