"""Training days and sessions: every validation rule, moves, cancellations and their notices."""
from datetime import date, time

import pytest
from sqlalchemy import select

from tests.factories import make_day, make_member, make_programme, make_session, make_user
from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.models import OutboxMessage
from trainer.services.scheduling import scheduling
from trainer.services.scheduling.scheduling import DayInput, SessionInput


@pytest.fixture
def plan(app, modules):
    programme = make_programme(start=date(2026, 9, 1), end=date(2026, 12, 31), status="draft")
    lead = make_member(programme, "lead")
    trainer = make_member(programme, "trainer")
    participant = make_member(programme)
    day = make_day(programme, date(2026, 10, 5), starts=time(9, 30), ends=time(16, 30))
    return programme, lead, trainer, participant, day, modules


def _session(modules, start, end, trainers=(), key="mindfulness"):
    return SessionInput(starts_at=start, ends_at=end, module_id=modules[key].id,
                        trainer_ids=tuple(t.id for t in trainers))


def test_a_day_outside_the_programme_dates_is_refused(plan):
    programme, lead, *_ = plan
    with pytest.raises(RuleViolation, match="within the programme's dates") as exc:
        scheduling.add_day(lead.user, programme, DayInput(date(2027, 1, 4), time(9), time(16)))
    assert exc.value.field == "day"


def test_a_day_ending_before_it_starts_is_refused(plan):
    programme, lead, *_ = plan
    with pytest.raises(RuleViolation, match="end time must be after") as exc:
        scheduling.add_day(lead.user, programme, DayInput(date(2026, 10, 12), time(16), time(9)))
    assert exc.value.field == "ends_at"


def test_two_days_on_one_date_are_refused(plan):
    programme, lead, *_ = plan
    with pytest.raises(RuleViolation, match="already has a training day"):
        scheduling.add_day(lead.user, programme, DayInput(date(2026, 10, 5), time(9), time(16)))


def test_a_session_outside_its_days_hours_is_refused(plan):
    *_, day, modules = plan
    with pytest.raises(RuleViolation, match="within the day's hours") as exc:
        scheduling.add_session(day.programme.memberships[0].user, day,
                               _session(modules, time(8), time(10)))
    assert exc.value.field == "starts_at"


def test_a_session_ending_before_it_starts_is_refused(plan):
    *_, day, modules = plan
    with pytest.raises(RuleViolation, match="end time must be after"):
        scheduling.add_session(day.programme.memberships[0].user, day,
                               _session(modules, time(12), time(11)))


def test_overlapping_sessions_in_a_day_are_refused(plan):
    programme, lead, trainer, _, day, modules = plan
    scheduling.add_session(lead.user, day, _session(modules, time(9, 30), time(12, 30), [trainer]))
    with pytest.raises(RuleViolation, match="overlaps the session 09:30 to 12:30"):
        scheduling.add_session(lead.user, day, _session(modules, time(12), time(14), key="goal-setting"))
    scheduling.add_session(lead.user, day, _session(modules, time(12, 30), time(14), key="goal-setting"))
    assert len(day.sessions) == 2


def test_a_trainer_booked_in_another_programme_at_the_same_time_is_refused(plan):
    programme, lead, trainer, _, day, modules = plan
    other = make_programme("Other county", start=date(2026, 9, 1), end=date(2026, 12, 31))
    also = make_member(other, "trainer", user=trainer.user)
    other_day = make_day(other, date(2026, 10, 5), starts=time(9), ends=time(17))
    make_session(other_day, modules["peer-support"], starts=time(11), ends=time(12), trainers=[also])
    with pytest.raises(RuleViolation, match="already booked then.*Other county") as exc:
        scheduling.add_session(lead.user, day, _session(modules, time(9, 30), time(11, 30), [trainer]))
    assert exc.value.field == "trainer_ids"
    scheduling.add_session(lead.user, day, _session(modules, time(12), time(13), [trainer]))


def test_trainer_clash_is_judged_in_real_time_across_time_zones(plan):
    programme, lead, trainer, _, day, modules = plan
    other = make_programme("Dublin-time", start=date(2026, 9, 1), end=date(2026, 12, 31), tz="Europe/Berlin")
    also = make_member(other, "trainer", user=trainer.user)
    # 10:30-11:30 in Berlin is 09:30-10:30 in London in October.
    other_day = make_day(other, date(2026, 10, 5), starts=time(9), ends=time(17))
    make_session(other_day, modules["peer-support"], starts=time(10, 30), ends=time(11, 30), trainers=[also])
    scheduling.add_session(lead.user, day, _session(modules, time(10, 30), time(11, 30), [trainer]))
    with pytest.raises(RuleViolation, match="already booked"):
        scheduling.add_session(lead.user, day, _session(modules, time(9, 30), time(10), [trainer],
                                                        key="goal-setting"))


def test_only_the_programmes_trainers_can_run_its_sessions(plan):
    programme, lead, *_, day, modules = plan
    outsider = make_member(make_programme(), "trainer")
    with pytest.raises(RuleViolation, match="trainers of this programme"):
        scheduling.add_session(lead.user, day, _session(modules, time(10), time(11), [outsider]))


def test_moving_a_day_keeps_sessions_that_fit_and_bumps_sequences(plan):
    programme, lead, trainer, _, day, modules = plan
    session = scheduling.add_session(lead.user, day, _session(modules, time(10), time(12), [trainer]))
    before = (day.sequence, session.sequence)
    scheduling.update_day(lead.user, day, DayInput(date(2026, 10, 6), time(9), time(16), "Hall"))
    assert day.day == date(2026, 10, 6) and day.sequence > before[0] and session.sequence > before[1]


def test_new_hours_that_would_strand_a_session_are_refused(plan):
    programme, lead, trainer, _, day, modules = plan
    scheduling.add_session(lead.user, day, _session(modules, time(14), time(16)))
    with pytest.raises(RuleViolation, match="outside the day's new hours"):
        scheduling.update_day(lead.user, day, DayInput(day.day, time(9, 30), time(13)))


def _notices():
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind.in_(("day-moved", "day-cancelled")))))


def test_moving_or_cancelling_a_draft_programmes_day_tells_nobody(plan):
    programme, lead, *_, day, _ = plan
    scheduling.update_day(lead.user, day, DayInput(date(2026, 10, 7), time(9, 30), time(16, 30)))
    scheduling.cancel_day(lead.user, day)
    assert _notices() == []


def test_moving_a_day_after_participants_were_told_queues_a_notice_each(plan):
    programme, lead, trainer, participant, day, _ = plan
    make_member(programme, arm="comparison")
    programme.status = "scheduled"
    scheduling.update_day(lead.user, day, DayInput(date(2026, 10, 7), time(9, 30), time(16, 30)))
    notices = _notices()
    assert [n.to_address for n in notices] == [participant.user.email]
    assert "Wednesday 7 October 2026" in notices[0].body


def test_cancelling_a_day_after_participants_were_told_queues_a_notice(plan):
    programme, lead, trainer, participant, day, _ = plan
    programme.status = "running"
    scheduling.cancel_day(lead.user, day)
    assert day.cancelled and [n.kind for n in _notices()] == ["day-cancelled"]
    with pytest.raises(RuleViolation, match="already cancelled"):
        scheduling.cancel_day(lead.user, day)


def test_editing_and_deleting_sessions(plan):
    programme, lead, trainer, _, day, modules = plan
    session = scheduling.add_session(lead.user, day, _session(modules, time(10), time(12), [trainer]))
    scheduling.update_session(lead.user, session, _session(modules, time(13), time(15), [],
                                                           key="goal-setting"))
    assert (session.starts_at, session.module.key, session.trainers) == (time(13), "goal-setting", [])
    scheduling.delete_session(lead.user, session)
    assert day.sessions == []


def test_an_unknown_user_cannot_be_a_trainer(plan):
    programme, lead, *_, day, modules = plan
    with pytest.raises(RuleViolation):
        scheduling.add_session(make_user(), day, SessionInput(time(10), time(11), 99999))


def test_moving_the_last_day_moves_rating_waves_that_have_not_opened(plan):
    from datetime import datetime, timezone
    from trainer.services.ratings import ratings
    programme, lead, _, _, day, _ = plan
    later = scheduling.add_day(lead.user, programme, DayInput(date(2026, 11, 2), time(9), time(16), "Hall"))
    waves = ratings.list_waves(programme)
    assert [(w.offset_days, w.opens_on) for w in waves] == [(7, date(2026, 11, 9)), (56, date(2026, 12, 28))]
    waves[0].opened_at = datetime(2026, 11, 9, 8, tzinfo=timezone.utc)
    db.session.commit()
    scheduling.update_day(lead.user, later, DayInput(date(2026, 11, 9), time(9), time(16), "Hall"))
    opened, unopened = ratings.list_waves(programme)
    assert opened.opens_on == date(2026, 11, 9), "an open wave keeps its dates"
    assert unopened.opens_on == date(2027, 1, 4) and unopened.closes_on == date(2027, 1, 18)
    scheduling.cancel_day(lead.user, later)
    assert ratings.list_waves(programme)[1].opens_on == date(2026, 11, 30), "back to 5 October + 56"


def test_a_new_session_starts_when_the_day_starts_and_runs_the_first_unscheduled_module(plan):
    *_, day, modules = plan
    first = min(modules.values(), key=lambda m: m.position)
    defaults = scheduling.session_defaults(day)
    assert defaults.starts_at == time(9, 30) and defaults.module_id == first.id
    assert defaults.ends_at == time(11, 0)  # 9:30 plus the module's 90 minutes


def test_the_next_session_starts_when_the_previous_one_ends_and_stops_at_the_days_end(plan):
    programme, lead, trainer, participant, day, modules = plan
    ordered = sorted(modules.values(), key=lambda m: m.position)
    scheduling.add_session(lead.user, day, SessionInput(time(9, 30), time(11), ordered[0].id))
    scheduling.add_session(lead.user, day, SessionInput(time(11, 15), time(12, 45), ordered[1].id))
    defaults = scheduling.session_defaults(day)
    assert (defaults.starts_at, defaults.module_id) == (time(12, 45), ordered[2].id)
    assert defaults.ends_at == time(14, 45)  # its 120 minutes
    scheduling.add_session(lead.user, day, SessionInput(time(13, 30), time(15, 45), ordered[2].id))
    late = scheduling.session_defaults(day)
    assert late.starts_at == time(15, 45) and late.ends_at == time(16, 30)  # capped at the day's end


def test_once_every_module_is_scheduled_a_new_session_repeats_the_last_ones_length(plan):
    programme, lead, trainer, participant, day, modules = plan
    other = make_day(programme, date(2026, 10, 6), starts=time(8), ends=time(20))
    for hour, module in zip(range(8, 20, 2), sorted(modules.values(), key=lambda m: m.position)):
        scheduling.add_session(lead.user, other, SessionInput(time(hour), time(hour + 1), module.id))
    scheduling.add_session(lead.user, day, SessionInput(time(10), time(10, 45), modules["mindfulness"].id))
    defaults = scheduling.session_defaults(day)
    assert defaults == scheduling.SessionDefaults(time(10, 45), time(11, 30), None)
