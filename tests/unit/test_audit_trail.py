"""The audit trail: a hash chain that `flask audit verify` checks, filtered reading, CSV export."""
import csv
import io
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from tests.factories import make_member, make_programme, make_user
from trainer.errors import PermissionDenied
from trainer.extensions import db
from trainer.models import AuditEvent
from trainer.services.privacy import audit, audit_trail


@pytest.fixture
def trail(app):
    """Two programmes with a lead each, and five events."""
    one, two = make_programme("One"), make_programme("Two")
    lead_one = make_member(one, "lead", user=make_user("lead1@example.org", name="Lee One"))
    lead_two = make_member(two, "lead", user=make_user("lead2@example.org", name="Lou Two"))
    pat = make_member(one, user=make_user("pat@example.org", name="Pat Person"))
    audit.record(lead_one.user_id, "consent.recorded_on_paper", pat, programme_id=one.id, purposes=["programme"])
    audit.record(pat.user_id, "participant.withdrawn", pat, programme_id=one.id, scope="evaluation")
    audit.record(lead_two.user_id, "programme.updated", two, programme_id=two.id)
    audit.record(pat.user_id, "data.downloaded", pat.user)
    audit.record(None, "user.invited", lead_two.user)
    db.session.commit()
    return one, two, lead_one, lead_two, pat


def test_every_row_carries_the_hash_of_the_row_before(trail):
    rows = list(db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id)))
    assert rows[0].prev_hash is None
    assert all(b.prev_hash == a.row_hash for a, b in zip(rows, rows[1:]))
    assert audit_trail.verify() == (5, [])


def test_verify_reports_an_edited_row(trail, runner):
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    db.session.execute(text("UPDATE audit_events SET action = 'nothing.happened' WHERE id = 2"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "row 2: its content was changed" in result.output


def test_verify_reports_a_deleted_row(trail, runner):
    db.session.execute(text("DELETE FROM audit_events WHERE id = 3"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "row 4: the row before it was changed or removed" in result.output


def test_verify_reports_a_rehashed_edit_at_the_next_row(trail):
    """Someone who edits a row and recomputes its hash still breaks the next row's link."""
    event = db.session.get(AuditEvent, 2)
    event.detail = {"scope": "programme"}
    event.row_hash = audit.row_hash(event)
    db.session.commit()
    assert audit_trail.verify()[1] == ["row 3: the row before it was changed or removed"]


def test_admins_read_everything_and_leads_only_their_programmes(trail):
    one, _two, lead_one, lead_two, _pat = trail
    admin = make_user(is_admin=True)
    assert audit_trail.page_of(admin, audit_trail.Filters()).total == 5
    lead_page = audit_trail.page_of(lead_one.user, audit_trail.Filters())
    assert {r.event.action for r in lead_page.rows} == {"consent.recorded_on_paper", "participant.withdrawn"}
    with pytest.raises(PermissionDenied):
        audit_trail.page_of(_pat.user, audit_trail.Filters())


def test_filters_by_person_action_and_date(trail):
    admin = make_user(is_admin=True)
    by_person = audit_trail.page_of(admin, audit_trail.Filters(person="pat person"))
    assert {r.event.action for r in by_person.rows} == {"consent.recorded_on_paper", "participant.withdrawn",
                                                        "data.downloaded"}
    assert [r.subject for r in by_person.rows if r.event.action == "participant.withdrawn"] == ["Pat Person"]
    assert audit_trail.page_of(admin, audit_trail.Filters(action="consent.")).total == 1
    today = datetime.now(timezone.utc).date()
    assert audit_trail.page_of(admin, audit_trail.Filters(since=today, until=today)).total == 5
    assert audit_trail.page_of(admin, audit_trail.Filters(until=today - timedelta(days=1))).total == 0


def test_pages_hold_fifty_events_newest_first(trail):
    admin = make_user(is_admin=True)
    for n in range(60):
        audit.record(admin.id, "programme.updated", admin, n=n)
    db.session.commit()
    first, last = audit_trail.page_of(admin, audit_trail.Filters()), audit_trail.page_of(admin, audit_trail.Filters(), 2)
    assert (first.total, first.pages, len(first.rows), len(last.rows)) == (65, 2, 50, 15)
    assert first.rows[0].event.detail == {"n": 59}


def test_the_csv_export_is_recorded_and_neutralised(trail):
    _one, _two, lead_one, _lead_two, _pat = trail
    body = audit_trail.export_csv(lead_one.user, audit_trail.Filters())
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["action"] for r in rows] == ["consent.recorded_on_paper", "participant.withdrawn"]
    assert rows[0]["by"] == "Lee One" and rows[0]["about"] == "Pat Person"
    admin = make_user(is_admin=True)
    assert audit_trail.page_of(admin, audit_trail.Filters(action="audit.exported")).total == 1
    assert audit_trail.verify()[1] == []
