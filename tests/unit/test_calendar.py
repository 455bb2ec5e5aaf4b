"""Calendar feeds: valid iCalendar in the programme's zone, stable UIDs, SEQUENCE, token reset."""
from datetime import date, datetime, time, timedelta, timezone

import icalendar
import pytest

from tests.factories import make_day, make_member, make_programme, make_session
from tests.conftest import MODULES_DIR
from trainer.services.scheduling import calendar, curriculum, programmes, scheduling
from trainer.services.scheduling.scheduling import DayInput

NOW = datetime(2026, 8, 1, 9, tzinfo=timezone.utc)


@pytest.fixture
def plan(app, modules):
    programme = make_programme("Berlin group", start=date(2026, 6, 1), end=date(2026, 12, 31),
                               tz="Europe/Berlin", status="scheduled")
    trainer = make_member(programme, "trainer")
    participant = make_member(programme)
    day = make_day(programme, date(2026, 7, 1), starts=time(9), ends=time(17), venue="Rathaus")
    session = make_session(day, modules["mindfulness"], starts=time(10), ends=time(12), trainers=[trainer])
    return programme, trainer, participant, day, session


def _events(user):
    cal = icalendar.Calendar.from_ical(calendar.build_feed(user, now=NOW))
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}, cal


def test_a_participants_feed_has_their_days_in_the_programmes_zone(plan):
    programme, trainer, participant, day, _ = plan
    events, cal = _events(participant.user)
    event = events[f"day-{day.id}@resilience-trainer"]
    assert event.start == datetime(2026, 7, 1, 9, tzinfo=event.start.tzinfo)
    assert str(event.start.tzinfo) == "Europe/Berlin"
    assert event.start.astimezone(timezone.utc).hour == 7  # CEST is UTC+2 in July
    assert "TZID=Europe/Berlin" in calendar.build_feed(participant.user, now=NOW).decode()
    assert [c["TZID"] for c in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert str(event["LOCATION"]) == "Rathaus" and "Mindfulness" in str(event["DESCRIPTION"])
    assert len(events) == 1


def test_a_trainers_feed_adds_the_sessions_they_run(plan):
    _, trainer, _, day, session = plan
    events, _ = _events(trainer.user)
    assert set(events) == {f"day-{day.id}@resilience-trainer", f"session-{session.id}@resilience-trainer"}


def test_uids_stay_and_sequence_increments_when_the_plan_changes(plan):
    programme, trainer, participant, day, session = plan
    before, _ = _events(participant.user)
    uid = f"day-{day.id}@resilience-trainer"
    scheduling.update_day(trainer.user, day, DayInput(date(2026, 7, 2), time(9), time(17), "Rathaus"))
    after, _ = _events(participant.user)
    assert set(after) == set(before)
    assert after[uid]["SEQUENCE"] > before[uid]["SEQUENCE"]
    assert after[uid].start.date() == date(2026, 7, 2)
    scheduling.cancel_day(trainer.user, day)
    cancelled, _ = _events(participant.user)
    assert str(cancelled[uid]["STATUS"]) == "CANCELLED" and cancelled[uid]["SEQUENCE"] > after[uid]["SEQUENCE"]


def test_draft_programmes_and_the_comparison_arm_are_not_in_participants_feeds(plan):
    programme, *_ = plan
    comparison = make_member(programme, arm="comparison")
    assert _events(comparison.user)[0] == {}
    programme.status = "draft"
    participant = make_member(programme)
    assert _events(participant.user)[0] == {}


def test_resetting_the_token_kills_the_old_one(plan):
    _, _, participant, *_ = plan
    assert calendar.feed_token(participant.user) is None
    first = calendar.reset_token(participant.user)
    assert calendar.user_for_token(first) == participant.user
    second = calendar.reset_token(participant.user)
    assert second != first and len(second) >= 40
    assert calendar.user_for_token(first) is None
    assert calendar.user_for_token(second) == participant.user


def test_removing_a_trainer_from_the_team_updates_their_sessions_in_every_feed(plan):
    programme, trainer, participant, day, session = plan
    lead = make_member(programme, "lead")
    uid = f"day-{day.id}@resilience-trainer"
    before, _ = _events(participant.user)
    assert trainer.user.display_name in str(before[uid]["DESCRIPTION"])
    assert f"session-{session.id}@resilience-trainer" in _events(trainer.user)[0]
    programmes.remove_team_member(lead.user, programme, trainer.id)
    after, _ = _events(participant.user)
    assert after[uid]["SEQUENCE"] > before[uid]["SEQUENCE"]
    assert trainer.user.display_name not in str(after[uid]["DESCRIPTION"])
    assert session.sequence == 1 and session.trainers == []


def test_renaming_a_programme_or_changing_its_zone_updates_every_event(plan):
    programme, trainer, participant, day, session = plan
    lead = make_member(programme, "lead")
    day_uid, session_uid = f"day-{day.id}@resilience-trainer", f"session-{session.id}@resilience-trainer"
    before, _ = _events(trainer.user)
    same = programmes.ProgrammeInput(programme.name, programme.organisation, programme.timezone,
                                     programme.start_date, programme.end_date, "New description")
    programmes.update_programme(lead.user, programme, same)
    unchanged, _ = _events(trainer.user)
    assert unchanged[day_uid]["SEQUENCE"] == before[day_uid]["SEQUENCE"]  # nothing the feed shows
    moved = programmes.ProgrammeInput("Vienna group", programme.organisation, "Europe/Vienna",
                                      programme.start_date, programme.end_date)
    programmes.update_programme(lead.user, programme, moved)
    after, _ = _events(trainer.user)
    for uid in (day_uid, session_uid):
        assert after[uid]["SEQUENCE"] > before[uid]["SEQUENCE"]
    assert "Vienna group" in str(after[day_uid]["SUMMARY"])
    assert str(after[day_uid].start.tzinfo) == "Europe/Vienna"


def test_a_new_module_title_updates_the_sessions_that_run_it(plan, tmp_path):
    programme, trainer, participant, day, session = plan
    source = MODULES_DIR / "mindfulness.toml"
    for path in MODULES_DIR.glob("*.toml"):
        text = path.read_text()
        if path == source:
            text = text.replace(f'title = "{session.module.title}"', 'title = "Mindful practice"', 1)
        (tmp_path / path.name).write_text(text)
    before, _ = _events(participant.user)
    curriculum.load_modules(tmp_path)
    after, _ = _events(participant.user)
    uid = f"day-{day.id}@resilience-trainer"
    assert "Mindful practice" in str(after[uid]["DESCRIPTION"])
    assert after[uid]["SEQUENCE"] > before[uid]["SEQUENCE"]


def test_the_feed_address_is_built_on_the_public_base_url():
    assert calendar.feed_url("abc", base_url="https://trainer.example.org/") == \
        "https://trainer.example.org/calendar/abc.ics"


def _status(user, uid, now=NOW):
    cal = icalendar.Calendar.from_ical(calendar.build_feed(user, now=now))
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    event = events.get(f"{uid}@resilience-trainer")
    return (str(event["STATUS"]), int(event["SEQUENCE"])) if event is not None else None


def test_a_removed_session_stays_cancelled_with_a_higher_sequence_for_90_days(plan):
    programme, trainer, participant, day, session = plan
    uid, before = f"session-{session.id}", _status(trainer.user, f"session-{session.id}")
    assert before[0] == "CONFIRMED"
    scheduling.delete_session(trainer.user, session)
    status, sequence = _status(trainer.user, uid, now=datetime.now(timezone.utc))
    assert status == "CANCELLED" and sequence > before[1]
    later = datetime.now(timezone.utc) + calendar.KEEP_CANCELLED + timedelta(days=1)
    assert _status(trainer.user, uid, now=later) is None


def test_a_trainer_taken_off_the_team_sees_the_days_and_sessions_cancelled(plan):
    programme, trainer, participant, day, session = plan
    lead = make_member(programme, "lead")
    day_before = _status(trainer.user, f"day-{day.id}")
    programmes.remove_team_member(lead.user, programme, trainer.id)
    now = datetime.now(timezone.utc)
    status, sequence = _status(trainer.user, f"day-{day.id}", now=now)
    assert status == "CANCELLED" and sequence > day_before[1]
    assert _status(trainer.user, f"session-{session.id}", now=now)[0] == "CANCELLED"


def test_a_cancelled_day_stays_cancelled_until_90_days_after_it(plan):
    programme, trainer, participant, day, _ = plan
    before = _status(participant.user, f"day-{day.id}")
    scheduling.cancel_day(trainer.user, day)
    status, sequence = _status(participant.user, f"day-{day.id}")
    assert status == "CANCELLED" and sequence > before[1]
    assert _status(participant.user, f"day-{day.id}", now=datetime(2026, 9, 29, tzinfo=timezone.utc))
    assert _status(participant.user, f"day-{day.id}", now=datetime(2026, 9, 30, tzinfo=timezone.utc)) is None


def test_days_after_a_participant_left_arrive_cancelled(plan):
    programme, trainer, participant, day, _ = plan
    later = make_day(programme, date(2026, 9, 1))
    participant.in_post, participant.left_on = False, date(2026, 7, 15)
    assert _status(participant.user, f"day-{day.id}")[0] == "CONFIRMED"
    status, sequence = _status(participant.user, f"day-{later.id}")
    assert status == "CANCELLED" and sequence == later.sequence + 1
    assert _status(participant.user, f"day-{later.id}", now=datetime(2026, 10, 14, tzinfo=timezone.utc)) is None
