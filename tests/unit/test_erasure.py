"""Erasure: identity removed everywhere, notes and logs deleted, answers as consent allows."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from tests.factories import (make_assignment, make_goal, make_log, make_member, make_outcome_waves,
                             make_programme, make_scores, make_user)
from trainer.errors import NotFound, PermissionDenied, RuleViolation
from trainer.extensions import db
from trainer.models import ActivityLog, AuditEvent, Goal, OutboxMessage, OutcomeResponse, User
from trainer.services.accounts import accounts
from trainer.services.outcomes import outcomes
from trainer.services.privacy import erasure, withdrawal
from trainer.services.system import outbox


@pytest.fixture
def person(app, modules):
    programme = make_programme()
    waves = make_outcome_waves(programme, ("brs",))
    member = make_member(programme, user=make_user("erin@example.org", name="Erin Erased"), team="North")
    other = make_member(programme, user=make_user("olly@example.org", name="Olly Other"))
    assignment = make_assignment(programme, modules["mindfulness"].activities[0])
    make_log(assignment, member, private_note="ERIN-NOTE")
    make_log(assignment, other, private_note="OLLY-NOTE")
    make_goal(member)
    make_scores(member, waves["baseline"], "brs", {"total": 3.0})
    outbox.enqueue(dedupe_key="x1", kind="test", to=member.user, subject="Hello", body="Hello Erin Erased")
    outbox.enqueue(dedupe_key="x2", kind="test", to=other.user, subject="Peer",
                   body="Your peer Erin Erased (erin@example.org) logged a meeting.")
    admin = make_user("admin@example.org", is_admin=True)
    db.session.commit()
    return admin, member, other


def test_the_plan_says_exactly_what_will_go_and_changes_nothing(person):
    admin, member, _other = person
    plan = erasure.plan(admin, member.user_id)
    assert (plan.logs, plan.goals, plan.meetings, plan.answers_deleted, plan.answers_kept, plan.messages) == (
        1, 1, 0, 0, 1, 1)
    assert db.session.get(User, member.user_id).email == "erin@example.org"
    with pytest.raises(PermissionDenied):
        erasure.plan(member.user, member.user_id)
    with pytest.raises(RuleViolation):
        erasure.plan(admin, admin.id)


def test_erasure_removes_identity_notes_and_sign_in_and_keeps_consented_answers(person):
    admin, member, other = person
    version = member.user.session_version
    erasure.erase(admin, member.user_id)
    user = db.session.get(User, member.user_id)
    assert user.display_name == "Erased person" and user.email.endswith("@erased.invalid")
    assert not user.is_enabled and user.password_hash is None and user.session_version == version + 1
    assert accounts.authenticate("erin@example.org", "correct-horse-battery", ip="1.2.3.4",
                                 now=datetime.now(timezone.utc)) is None
    assert member.team is None
    assert db.session.scalar(select(func.count(ActivityLog.id)).where(ActivityLog.membership_id == member.id)) == 0
    assert db.session.scalar(select(func.count(Goal.id))) == 0
    assert db.session.scalar(select(func.count(ActivityLog.id))) == 1
    assert db.session.scalar(select(func.count(OutcomeResponse.id)).where(
        OutcomeResponse.membership_id == member.id)) == 1
    bodies = " ".join(m.to_address + m.subject + m.body for m in db.session.scalars(select(OutboxMessage)))
    assert "Erin" not in bodies and "erin@example.org" not in bodies
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "person.erased"))
    assert "Erin" not in str(event.detail) and event.detail["logs"] == 1
    with pytest.raises(NotFound):
        erasure.plan(admin, member.user_id)


def test_erasure_deletes_answers_the_person_did_not_let_stay(person):
    admin, member, _other = person
    withdrawal.withdraw(member, scope="evaluation", keep_answers=True, today=date(2026, 9, 10), actor_id=None)
    assert erasure.plan(admin, member.user_id).answers_kept == 1
    no_consent = make_member(member.programme, consent=("programme",))
    make_scores(no_consent, outcomes.waves(member.programme)[0], "brs", {"total": 2.0})
    db.session.commit()
    erasure.erase(admin, no_consent.user_id)
    assert db.session.scalar(select(func.count(OutcomeResponse.id)).where(
        OutcomeResponse.membership_id == no_consent.id)) == 0
