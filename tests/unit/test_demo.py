"""The demo seed: the study's shape, live dates, and refusals."""
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from trainer.extensions import db
from trainer.models import (ActivityLog, CalendarFeed, DayAttendance, Membership, ModuleRating,
                            OutboxMessage, Programme, RatingWave, TrainingDay, User)
from trainer import demo

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc)


def test_demo_has_the_study_shape_with_the_last_day_ten_days_ago(app, modules):
    demo.seed(modules_dir=None, now=NOW, base_url="http://x")
    programme = db.session.scalars(select(Programme).where(Programme.status != "closed")).one()
    arms = dict(db.session.execute(select(Membership.arm, func.count()).where(
        Membership.role == "participant", Membership.programme_id == programme.id)
        .group_by(Membership.arm)).all())
    assert arms == {"intervention": 25, "comparison": 31}
    roles = dict(db.session.execute(select(Membership.role, func.count())
                                    .where(Membership.programme_id == programme.id)
                                    .group_by(Membership.role)).all())
    assert roles["trainer"] == 2 and roles["lead"] == 1
    days = list(db.session.scalars(select(TrainingDay).where(TrainingDay.programme_id == programme.id)
                                   .order_by(TrainingDay.day)))
    assert len(days) == 3
    assert days[-1].day == NOW.date() - timedelta(days=10)
    assert (days[-1].day - days[0].day).days == 56
    assert {s.module.key for d in days for s in d.sessions} == set(modules)
    one_week = db.session.scalars(select(RatingWave).where(
        RatingWave.offset_days == 7, RatingWave.programme_id == programme.id)).one()
    assert one_week.opens_on <= NOW.date() < one_week.closes_on
    assert db.session.scalar(select(func.count(ActivityLog.id))) > 0
    assert db.session.scalar(select(func.count(ModuleRating.id))) > 0
    assert programme.memberships


def test_demo_evaluator_evaluates_both_programmes_and_holds_no_other_role(app, modules):
    demo.seed(modules_dir=None, now=NOW, base_url="http://x")
    roles = db.session.execute(select(Membership.programme_id, Membership.role).join(User)
                               .where(User.email == "evaluator@demo.test")).all()
    assert sorted(role for _p, role in roles) == ["evaluator", "evaluator"]
    assert {p for p, _r in roles} == set(db.session.scalars(select(Programme.id)))


def test_demo_participant_has_not_rated_yet_so_they_can_try_it(app, modules):
    demo.seed(modules_dir=None, now=NOW, base_url="http://x")
    rated = db.session.scalar(
        select(func.count(ModuleRating.id)).join(Membership).join(Membership.user)
        .where(Membership.user.has(email="participant@demo.test")))
    assert rated == 0


def test_seed_demo_command_refuses_a_second_run(app, runner, modules):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "participant@demo.test" in first.output and "demo-password" in first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code != 0 and "already has programmes" in second.output
    assert db.session.scalar(select(func.count(Programme.id))) == 2
    quiet = runner.invoke(args=["seed-demo", "--if-empty"])
    assert quiet.exit_code == 0 and "not loaded" in quiet.output


def test_seed_demo_refuses_in_production(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "TRAINER_ENV", "production")
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "production" in result.output
    assert db.session.scalar(select(func.count(Programme.id))) == 0


def test_demo_participant_has_work_due_overdue_and_a_goal_to_review(app, modules):
    from trainer.clock import today_in
    from trainer.models import PeerGroupMember, User
    from trainer.services.participation import activity_logs, progress

    demo.seed(modules_dir=None, now=NOW, base_url="http://x")
    user = db.session.scalars(select(User).where(User.email == "participant@demo.test")).one()
    member = db.session.scalars(select(Membership).where(Membership.user_id == user.id)).one()
    summary = activity_logs.summary_for(member, today_in("Europe/London", NOW))
    assert summary.due_soon and summary.overdue and summary.goals_to_review
    assert db.session.scalar(select(func.count(PeerGroupMember.id))) == 25
    assert progress.shared_goals(member.programme)

def test_demo_has_outcomes_for_both_arms_with_an_effect_on_self_compassion_only(app, modules):
    from trainer.services.outcomes import evaluation, retention
    demo.seed(modules_dir=None, now=NOW, base_url="http://x")
    programme = db.session.scalars(select(Programme).where(Programme.status != "closed")).one()
    # The post wave is still open: an evaluator sees it live, a lead once it has closed.
    assert evaluation.evaluate(programme, "scs-sf", "total", today=NOW.date()).comparisons[0].suppressed
    scs = evaluation.evaluate(programme, "scs-sf", "total", today=NOW.date(), live=True).comparisons[0]
    burnout = evaluation.evaluate(programme, "proqol5", "burnout", today=NOW.date(), live=True).comparisons[0]
    assert not scs.suppressed and scs.g.g > 0.3
    assert not burnout.suppressed and abs(burnout.g.g) < scs.g.g
    arms = retention.retention(programme, NOW.date())
    assert sum(a.left for a in arms) == 9 and all(a.n >= 5 for a in arms)


def test_demo_has_attendance_with_someone_who_missed_two_days_and_calendar_feeds(app, modules):
    demo.seed(modules_dir=None, now=NOW, base_url="http://x")
    live = db.session.scalar(select(Programme).where(Programme.status == "follow-up"))
    days = db.session.scalars(select(TrainingDay).where(TrainingDay.programme_id == live.id)).all()
    members = db.session.scalars(select(Membership).where(Membership.programme_id == live.id,
                                                          Membership.arm == "intervention")).all()
    expected = sum(1 for d in days for m in members if m.left_on is None or m.left_on >= d.day)
    assert 3 * 25 > expected > 3 * 20
    assert db.session.scalar(select(func.count(DayAttendance.id)).join(TrainingDay)
                             .where(TrainingDay.programme_id == live.id)) == expected
    assert db.session.scalar(select(func.count(DayAttendance.id)).where(DayAttendance.status == "absent")) >= 2
    assert db.session.scalar(select(OutboxMessage.to_address).where(OutboxMessage.kind == "missed-two")) \
        == "lead@demo.test"
    assert db.session.scalar(select(func.count(CalendarFeed.id))) == 3


def test_demo_has_one_withdrawal_keeping_answers_and_one_with_answers_deleted(app, modules):
    from trainer.models import Membership, OutcomeResponse
    demo.seed(modules_dir=None, now=NOW, base_url="http://x")
    withdrawn = list(db.session.scalars(select(Membership).where(Membership.withdrawn_on.is_not(None))))
    assert sorted((m.arm, m.answers_kept) for m in withdrawn) == [("comparison", False), ("intervention", True)]
    answers = {m.answers_kept: db.session.scalar(select(func.count(OutcomeResponse.id)).where(
        OutcomeResponse.membership_id == m.id)) for m in withdrawn}
    assert answers[True] > 0 and answers[False] == 0


def test_demo_records_nothing_after_today_nor_after_a_leavers_leaving_date(app, modules):
    from trainer.models import GoalReview, Goal, PeerMeeting, SessionAttendance, TrainingSession

    demo.seed(modules_dir=None, now=NOW, base_url="http://x")
    today = NOW.date()
    assert db.session.scalar(select(func.max(ActivityLog.done_on))) <= today
    assert db.session.scalar(select(func.max(GoalReview.reviewed_on))) <= today
    leavers = db.session.scalars(select(Membership).where(Membership.left_on.is_not(None))).all()
    assert len(leavers) == 9 and all(m.left_on <= today for m in leavers)
    for member in leavers:
        assert not db.session.scalar(select(func.count(ActivityLog.id)).where(
            ActivityLog.membership_id == member.id, ActivityLog.done_on > member.left_on))
        assert not db.session.scalar(select(func.count(DayAttendance.id)).join(TrainingDay).where(
            DayAttendance.membership_id == member.id, TrainingDay.day > member.left_on))
        assert not db.session.scalar(select(func.count(SessionAttendance.id)).join(TrainingSession)
                                     .join(TrainingDay).where(SessionAttendance.membership_id == member.id,
                                                              TrainingDay.day > member.left_on))
        assert not db.session.scalar(select(func.count(GoalReview.id)).join(Goal).where(
            Goal.membership_id == member.id, GoalReview.reviewed_on > member.left_on))
        assert not db.session.scalar(select(func.count(PeerMeeting.id)).where(
            PeerMeeting.author_id == member.id, PeerMeeting.met_on > member.left_on))
    # Most leavers left before the last day, so the register shows some apart.
    assert any(m.left_on < db.session.scalar(select(func.max(TrainingDay.day))) for m in leavers)


def test_demo_has_a_comparison_arm_sign_in_listed_in_its_output_and_the_readme(app, modules):
    from pathlib import Path

    text = demo.seed(modules_dir=None, now=NOW, base_url="http://x")
    member = db.session.scalars(select(Membership).join(Membership.user).where(
        Membership.arm == "comparison", Membership.user.has(email="comparison@demo.test"))).one()
    assert member.in_post and "comparison@demo.test" in text
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "`comparison@demo.test`" in readme


def test_demo_leavers_carry_the_national_leaver_categories(app, modules):
    from trainer.services.outcomes import retention

    demo.seed(modules_dir=None, now=NOW, base_url="http://x")
    leavers = db.session.scalars(select(Membership).where(Membership.left_on.is_not(None))).all()
    assert len(leavers) == 9 and all(m.leaver_category in retention.CATEGORY_LABELS for m in leavers)
    assert len({m.leaver_category for m in leavers}) >= 2
    for m in leavers:
        if m.leaving_reason == "Agency work":
            assert m.leaver_category == "agency"
