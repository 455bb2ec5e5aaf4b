"""Withdrawal: nothing more asked, answers kept or deleted in one go, the flow counts it."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import event, func, select

from tests.factories import (make_day, make_member, make_outcome_waves, make_programme, make_rating,
                             make_scores, make_wave)
from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.models import (AuditEvent, ModuleRating, OutboxMessage, OutcomeResponse, OutcomeScore,
                            RatingResponse)
from trainer.services.outcomes import evaluation, outcomes, retention
from trainer.services.privacy import consent, withdrawal
from trainer.services.ratings import ratings
from trainer.services.scheduling import reminders

NOW = datetime(2026, 9, 10, 9, 0, tzinfo=timezone.utc)  # inside the baseline wave
TODAY = date(2026, 9, 10)


@pytest.fixture
def study(app, modules):
    """A running programme with waves, and two participants with answers and ratings."""
    programme = make_programme(status="running")
    waves = make_outcome_waves(programme, ("brs",))
    wave = make_wave(programme, opens_on=date(2026, 9, 5))
    people = [make_member(programme), make_member(programme, arm="comparison"), make_member(programme)]
    for member in people:
        make_scores(member, waves["baseline"], "brs", {"total": 3.0})
    for member in (people[0], people[2]):
        make_rating(wave, member, modules["mindfulness"], 4, comment="Useful")
    db.session.commit()
    return programme, waves, wave, people


def _answers(member) -> tuple[int, int, int, int]:
    return (db.session.scalar(select(func.count(OutcomeResponse.id)).where(OutcomeResponse.membership_id == member.id)),
            db.session.scalar(select(func.count(OutcomeScore.id)).join(OutcomeResponse)
                              .where(OutcomeResponse.membership_id == member.id)),
            db.session.scalar(select(func.count(ModuleRating.id)).where(ModuleRating.membership_id == member.id)),
            db.session.scalar(select(func.count(RatingResponse.id)).where(RatingResponse.membership_id == member.id)))


def test_withdrawing_and_keeping_answers_keeps_them_marked_and_stops_asking(study):
    programme, waves, wave, people = study
    me = people[0]
    withdrawal.withdraw(me, scope="evaluation", keep_answers=True, today=TODAY, actor_id=me.user_id)
    assert _answers(me) == (1, 1, 1, 1)
    assert (me.withdrawn_on, me.withdrawn_from, me.answers_kept) == (TODAY, "evaluation", True)
    assert consent.consents_of(me)["evaluation"].withdrawn_on == TODAY
    assert not consent.may_ask(me) and outcomes.questionnaires_for(me, TODAY) == []
    assert me.id not in [m.id for m in ratings._invited_members(programme.id)]
    outcomes.send_invitations(NOW, base_url="http://x")
    db.session.commit()
    assert me.user_id not in set(db.session.scalars(select(OutboxMessage.user_id)))
    # Still on the programme: still reminded of training days.
    assert consent.consents_of(me)["programme"].withdrawn_on is None
    event_row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "participant.withdrawn"))
    assert event_row.detail == {"scope": "evaluation", "answers_kept": True}


def test_withdrawing_with_deletion_removes_every_answer_in_one_transaction(study):
    programme, waves, wave, people = study
    me, other = people[0], people[2]
    commits = []

    def count(_session):
        commits.append(1)
    event.listen(db.session(), "after_commit", count)
    try:
        deleted = withdrawal.withdraw(me, scope="evaluation", keep_answers=False, today=TODAY, actor_id=me.user_id)
    finally:
        event.remove(db.session(), "after_commit", count)
    assert len(commits) == 1
    assert deleted == {"scores": 1, "questionnaire_responses": 1, "ratings": 1, "rating_rounds": 1}
    assert _answers(me) == (0, 0, 0, 0) and _answers(other) == (1, 1, 1, 1)
    assert me.answers_kept is False


def test_a_failed_withdrawal_leaves_nothing_half_done(study, monkeypatch):
    programme, waves, wave, people = study
    me = people[0]

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(withdrawal.audit, "record", fail)
    with pytest.raises(RuntimeError):
        withdrawal.withdraw(me, scope="evaluation", keep_answers=False, today=TODAY, actor_id=None)
    db.session.rollback()
    assert _answers(me) == (1, 1, 1, 1)
    assert me.withdrawn_on is None and consent.consents_of(me)["evaluation"].withdrawn_on is None


def test_withdrawing_twice_or_undeleting_is_refused(study):
    _programme, _waves, _wave, people = study
    me = people[0]
    withdrawal.withdraw(me, scope="evaluation", keep_answers=False, today=TODAY, actor_id=None)
    with pytest.raises(RuleViolation, match="already withdrawn"):
        withdrawal.withdraw(me, scope="evaluation", keep_answers=True, today=TODAY, actor_id=None)
    with pytest.raises(RuleViolation, match="already been deleted"):
        withdrawal.withdraw(me, scope="programme", keep_answers=True, today=TODAY, actor_id=None)
    withdrawal.withdraw(me, scope="programme", keep_answers=False, today=TODAY, actor_id=None)
    assert me.withdrawn_from == "programme"


def test_withdrawing_from_the_programme_stops_training_reminders_and_retention_tracking(study):
    programme, _waves, _wave, people = study
    me, other = people[0], people[2]
    make_day(programme, date(2026, 9, 11))
    withdrawal.withdraw(me, scope="programme", keep_answers=True, today=TODAY, actor_id=None)
    reminders.queue_reminders(NOW)
    db.session.commit()
    reminded = set(db.session.scalars(select(OutboxMessage.user_id).where(OutboxMessage.kind == "reminder")))
    assert other.user_id in reminded and me.user_id not in reminded
    assert not retention.tracked(me) and retention.tracked(other)
    with pytest.raises(RuleViolation, match="retention tracking"):
        retention.record_leaving(programme.memberships[0].user, programme, me.id, TODAY, "", today=TODAY)


def test_withdrawing_follow_up_consent_alone_stops_retention_tracking(study):
    programme, _waves, _wave, people = study
    me = people[0]
    consent.give_consent(me, {"programme", "evaluation"}, today=TODAY)
    assert not retention.tracked(me)
    assert consent.may_ask(me)


def test_the_flow_counts_withdrawals_by_arm_and_time_point(study):
    programme, waves, _wave, people = study
    withdrawal.withdraw(people[0], scope="evaluation", keep_answers=True, today=TODAY, actor_id=None)
    withdrawal.withdraw(people[1], scope="evaluation", keep_answers=False, today=date(2026, 10, 5),
                        actor_id=None)
    boxes = {b.stage: b.counts for b in evaluation.flow(programme)}
    assert boxes["Withdrew before the end of: " + waves["baseline"].label] == {"intervention": 1, "comparison": 0}
    assert boxes["Withdrew before the end of: " + waves["post"].label] == {"intervention": 0, "comparison": 1}
    assert boxes["Withdrew after the last wave"] == {"intervention": 0, "comparison": 0}
    # The deleted answers count nowhere; the kept ones still count.
    assert boxes["Answered: " + waves["baseline"].label] == {"intervention": 2, "comparison": 0}


def test_deleted_answers_count_in_no_statistic_or_export_and_kept_ones_still_do(app):
    from trainer.services.outcomes import exports

    programme = make_programme(status="running")
    waves = make_outcome_waves(programme, ("brs",))
    people = [make_member(programme) for _ in range(7)]
    for n, member in enumerate(people):
        make_scores(member, waves["baseline"], "brs", {"total": 2.0 + n / 10})
    db.session.commit()

    def n_and_codes():
        cell = evaluation.evaluate(programme, "brs", "total", today=TODAY, live=True).cells[("intervention", waves["baseline"].id)]
        return cell.n, {row[0] for row in exports.long_rows(programme)}
    assert n_and_codes() == (7, {m.code for m in people})
    withdrawal.withdraw(people[0], scope="evaluation", keep_answers=False, today=TODAY, actor_id=None)
    withdrawal.withdraw(people[1], scope="evaluation", keep_answers=True, today=TODAY, actor_id=None)
    assert n_and_codes() == (6, {m.code for m in people[1:]})
