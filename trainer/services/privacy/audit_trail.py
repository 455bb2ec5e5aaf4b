"""Reading the audit trail: filtered pages for admins and leads, CSV, and verifying the chain."""
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, or_, select

from trainer.errors import PermissionDenied
from trainer.extensions import db
from trainer.models import AuditEvent, Membership, Programme, User
from trainer.services.accounts import access
from trainer.services.privacy import audit
from trainer.services.outcomes.exports import neutralise
from trainer.services.system import listing

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    """What the reader asked for: a person (name or e-mail, in part), an action, a date range."""

    person: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Row:
    """One event as shown: who acted, on whom (for a person or a membership), in which programme."""

    event: AuditEvent
    actor: str
    subject: str
    programme: str


@dataclass(frozen=True)
class Page:
    """One page of events, newest first."""

    rows: list[Row]
    total: int
    number: int
    pages: int


def _query(user: User, filters: Filters):
    """Events ``user`` may read (admins: all; leads: their programmes'), with the filters."""
    query = select(AuditEvent)
    if not user.is_admin:
        led = [p.id for p in access.programmes_for(user, "lead")]
        if not led:
            raise PermissionDenied("Only administrators and programme leads can read the audit trail.")
        query = query.where(AuditEvent.programme_id.in_(led))
    if filters.action:
        query = query.where(AuditEvent.action.startswith(filters.action.strip()))
    if filters.since:
        query = query.where(AuditEvent.at >= datetime.combine(filters.since, time(), timezone.utc))
    if filters.until:
        query = query.where(AuditEvent.at < datetime.combine(filters.until + timedelta(days=1), time(),
                                                             timezone.utc))
    if filters.person.strip():
        pattern = f"%{filters.person.strip().lower()}%"
        people = select(User.id).where(or_(func.lower(User.display_name).like(pattern),
                                           func.lower(User.email).like(pattern)))
        query = query.where(or_(
            AuditEvent.actor_id.in_(people),
            (AuditEvent.object_type == "User") & AuditEvent.object_id.in_(people),
            (AuditEvent.object_type == "Membership") & AuditEvent.object_id.in_(
                select(Membership.id).where(Membership.user_id.in_(people)))))
    return query


def _rows(events: list[AuditEvent]) -> list[Row]:
    """Names for actors and subjects, and programme names, in three queries."""
    member_ids = {e.object_id for e in events if e.object_type == "Membership"}
    members = {m.id: m.user_id for m in db.session.scalars(
        select(Membership).where(Membership.id.in_(member_ids)))}
    user_ids = {e.actor_id for e in events} | {e.object_id for e in events if e.object_type == "User"}
    user_ids |= set(members.values())
    names = {u.id: u.display_name for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    programmes = {p.id: p.name for p in db.session.scalars(select(Programme).where(
        Programme.id.in_({e.programme_id for e in events})))}

    def subject(e: AuditEvent) -> str:
        if e.object_type == "User":
            return names.get(e.object_id, "")
        if e.object_type == "Membership":
            return names.get(members.get(e.object_id), "")
        return ""
    return [Row(e, names.get(e.actor_id, "The system") if e.actor_id else "The system", subject(e),
                programmes.get(e.programme_id, "")) for e in events]


def page_of(user: User, filters: Filters, number: int = 1) -> Page:
    """Admins and leads: one page of the events they may read, newest first."""
    result = listing.paginate(_query(user, filters).order_by(AuditEvent.id.desc()), page=number,
                              per_page=PAGE_SIZE)
    return Page(_rows(result.items), result.total, result.page, result.pages)


def export_csv(user: User, filters: Filters) -> str:
    """Admins and leads: every event they may read with the filters, as CSV; the export is itself
    recorded. Commits."""
    events = list(db.session.scalars(_query(user, filters).order_by(AuditEvent.id)))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "at", "by", "action", "about", "object", "object_id", "programme", "detail"])
    for r in _rows(events):
        e = r.event
        detail = ", ".join(f"{k}={v}" for k, v in sorted((e.detail or {}).items()))
        writer.writerow([neutralise(v) for v in (e.id, e.at.isoformat(), r.actor, e.action, r.subject,
                                                 e.object_type, e.object_id, r.programme, detail)])
    audit.record(user.id, "audit.exported", user, rows=len(events),
                 filters={k: str(v) for k, v in vars(filters).items() if v})
    db.session.commit()
    return buffer.getvalue()


def verify() -> tuple[int, list[str]]:
    """Walk the chain in id order; return (rows checked, problems). A changed row no longer
    matches its hash; a removed row breaks the next row's link. Rows written before the chain
    existed (no hash) are skipped at the start."""
    problems, checked, previous = [], 0, None
    chained = False
    for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        if event.row_hash is None and not chained:
            continue
        chained = True
        checked += 1
        if event.prev_hash != previous:
            problems.append(f"row {event.id}: the row before it was changed or removed")
        if event.row_hash != audit.row_hash(event):
            problems.append(f"row {event.id}: its content was changed")
        previous = event.row_hash
    return checked, problems
