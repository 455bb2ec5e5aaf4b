"""Subject access: everything the app holds about one person, as a ZIP of JSON and CSV files."""
import csv
import io
import json
import zipfile
from datetime import date, datetime, time

from sqlalchemy import or_, select

from trainer.extensions import db
from trainer.models import (ActivityLog, Apology, AuditEvent, Consent, DayAttendance, Goal,
                            Membership, ModuleRating, OutboxMessage, OutcomeResponse, PeerMeeting,
                            SessionAttendance, User)
from trainer.services.privacy import audit
from trainer.services.outcomes.exports import neutralise


def _value(value):
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    return value


def _rows(objects, columns: dict) -> list[dict]:
    return [{name: _value(get(o)) for name, get in columns.items()} for o in objects]


def collect(user: User) -> dict[str, list[dict]]:
    """Every record about ``user``, section by section; each section is a list of flat rows.

    Only the person's own rows: a peer meeting appears if they wrote it, an audit event if it is
    about their account or one of their memberships (the actor is given as an id, not a name).
    """
    members = list(db.session.scalars(select(Membership).where(Membership.user_id == user.id)
                                      .order_by(Membership.id)))
    ids = [m.id for m in members]
    mine = {m.id: m for m in members}
    where = lambda column: db.session.scalars(select(column.class_).where(column.in_(ids)))  # noqa: E731
    goals = list(where(Goal.membership_id))
    responses = list(where(OutcomeResponse.membership_id))
    return {
        "profile": [{"email": user.email, "name": user.display_name,
                     "created_at": _value(user.created_at), "last_sign_in": _value(user.last_login_at),
                     "administrator": user.is_admin, "account_enabled": user.is_enabled}],
        "memberships": _rows(members, {
            "programme": lambda m: m.programme.name, "role": lambda m: m.role, "group": lambda m: m.arm,
            "team": lambda m: m.team, "participant_code": lambda m: m.code,
            "in_post": lambda m: m.in_post, "left_on": lambda m: m.left_on,
            "leaving_reason": lambda m: m.leaving_reason, "withdrawn_on": lambda m: m.withdrawn_on,
            "withdrawn_from": lambda m: m.withdrawn_from, "answers_kept": lambda m: m.answers_kept,
            "joined_at": lambda m: m.created_at}),
        "consents": _rows(where(Consent.membership_id), {
            "programme": lambda c: mine[c.membership_id].programme.name, "purpose": lambda c: c.purpose,
            "given_on": lambda c: c.given_on, "how": lambda c: c.method,
            "information_version": lambda c: c.information_version,
            "withdrawn_on": lambda c: c.withdrawn_on}),
        "attendance": _rows(where(DayAttendance.membership_id), {
            "date": lambda a: a.day.day, "session": lambda a: "", "status": lambda a: a.status})
        + _rows(where(SessionAttendance.membership_id), {
            "date": lambda a: a.session.day.day, "session": lambda a: a.session.module.title,
            "status": lambda a: a.status}),
        "apologies": _rows(where(Apology.membership_id), {
            "date": lambda a: a.day.day, "reason": lambda a: a.reason, "sent_at": lambda a: a.sent_at}),
        "activity_logs": _rows(where(ActivityLog.membership_id), {
            "activity": lambda a: a.assignment.activity.title, "status": lambda a: a.status,
            "done_on": lambda a: a.done_on, "minutes": lambda a: a.minutes,
            "values": lambda a: json.dumps(a.values, sort_keys=True),
            "private_note": lambda a: a.private_note}),
        "goals": _rows(goals, {
            "goal_id": lambda g: g.id, "what": lambda g: g.what, "why": lambda g: g.why,
            "measure": lambda g: g.measure, "target_on": lambda g: g.target_on, "status": lambda g: g.status,
            "shared_with_trainer": lambda g: g.shared_with_trainer, "created_at": lambda g: g.created_at}),
        "goal_reviews": _rows([r for g in goals for r in g.reviews], {
            "goal_id": lambda r: r.goal_id, "reviewed_on": lambda r: r.reviewed_on,
            "progress": lambda r: r.progress, "note": lambda r: r.note}),
        "peer_meetings": _rows(where(PeerMeeting.author_id), {
            "met_on": lambda p: p.met_on, "minutes": lambda p: p.minutes, "agenda": lambda p: p.agenda,
            "private_note": lambda p: p.private_note}),
        "ratings": _rows(where(ModuleRating.membership_id), {
            "round": lambda r: r.wave.label, "module": lambda r: r.module.title,
            "usefulness": lambda r: r.usefulness, "did_not_attend": lambda r: r.did_not_attend,
            "comment": lambda r: r.comment, "submitted_at": lambda r: r.submitted_at}),
        "questionnaire_answers": _rows(responses, {
            "wave": lambda r: r.wave.label, "questionnaire": lambda r: r.instrument_key,
            "answers": lambda r: json.dumps(r.answers, sort_keys=True),
            "submitted_at": lambda r: r.submitted_at}),
        "scores": _rows([s for r in responses for s in r.scores], {
            "wave": lambda s: s.response.wave.label, "questionnaire": lambda s: s.response.instrument_key,
            "scale": lambda s: s.scale_key, "score": lambda s: s.value, "band": lambda s: s.band}),
        "messages": _rows(db.session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)
                                             .order_by(OutboxMessage.id)), {
            "created_at": lambda m: m.created_at, "sent_at": lambda m: m.sent_at,
            "to": lambda m: m.to_address,
            "subject": lambda m: m.subject, "body": lambda m: m.body}),
        "audit_events": _rows(db.session.scalars(select(AuditEvent).where(or_(
            (AuditEvent.object_type == "User") & (AuditEvent.object_id == user.id),
            (AuditEvent.object_type == "Membership") & AuditEvent.object_id.in_(ids)))
            .order_by(AuditEvent.id)), {
            "at": lambda e: e.at, "action": lambda e: e.action, "by_user_id": lambda e: e.actor_id,
            "detail": lambda e: json.dumps(e.detail, sort_keys=True)}),
    }


def _csv(rows: list[dict]) -> str:
    if not rows:
        return "(nothing held)\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(rows[0]))
    for row in rows:
        writer.writerow([neutralise(v) for v in row.values()])
    return buffer.getvalue()


def download(user: User) -> bytes:
    """The person's data as a ZIP: ``my-data.json`` with every section and one CSV per section.
    Records the download in the audit trail and commits."""
    sections = collect(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("my-data.json", json.dumps(sections, indent=2, ensure_ascii=False))
        for name, rows in sections.items():
            archive.writestr(f"{name}.csv", "\ufeff" + _csv(rows))
    audit.record(user.id, "data.downloaded", user)
    db.session.commit()
    return buffer.getvalue()
