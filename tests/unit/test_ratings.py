"""Rating waves: dates from training days, opening and closing by the job, invitations,
reminders, the rating form's rules, and the rating summaries kept in step with the ratings."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.conftest import statements_of
from tests.factories import make_day, make_member, make_programme, make_rating, make_session, make_user
from trainer import jobs
from trainer.errors import PermissionDenied, RuleViolation
from trainer.extensions import db
from trainer.models import ModuleRating, OutboxMessage, RatingResponse, RatingSummary, RatingWave
from trainer.services.privacy import erasure, withdrawal
from trainer.services.ratings import rating_summaries, ratings

LAST_DAY = date(2027, 3, 10)
OPENS = date(2027, 3, 17)  # the one-week wave's first day


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


@pytest.fixture
def cohort(app, modules):
    """A programme whose last day is LAST_DAY, two modules scheduled, a lead, 3 intervention
    participants and 2 comparison participants."""
    programme = make_programme("Cohort", status="running")
    lead = make_member(programme, "lead", user=make_user("lead@example.org"))
    first = make_day(programme, LAST_DAY - timedelta(weeks=4))
    make_session(first, modules["peer-support"])
    last = make_day(programme, LAST_DAY)
    make_session(last, modules["mindfulness"])
    cancelled = make_day(programme, LAST_DAY + timedelta(days=20))
    cancelled.cancelled = True
    make_session(cancelled, modules["critical-reflection"])
    people = [make_member(programme, arm="intervention", team="North") for _ in range(3)]
    others = [make_member(programme, arm="comparison") for _ in range(2)]
    db.session.commit()
    return programme, lead, people, others


def run_job(now):
    """Run the job's function and commit, keeping the test's objects attached to the session."""
    entry = next(j for j in jobs.JOBS if j.id == "rating-waves")
    result = entry.func(now)
    db.session.commit()
    return result


@pytest.fixture
def first_wave(cohort):
    """The cohort's one-week wave, opened (and its invitations queued) by the job on OPENS."""
    run_job(at(OPENS))
    return ratings.list_waves(cohort[0])[0]


def rate(member, wave, modules, scores: dict[str, str], *, finish: bool,
         on: date = OPENS + timedelta(days=1)):
    """Save ``member``'s scores (module key -> '1'-'5' or 'absent'), without comments, on ``on``."""
    return ratings.save_ratings(member, wave, {modules[key].id: (score, "") for key, score in scores.items()},
                                finish=finish, now=at(on))


def messages(kind=None):
    query = select(OutboxMessage)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def test_default_waves_are_7_and_56_days_after_the_last_non_cancelled_day(cohort):
    programme, *_ = cohort
    waves = ratings.sync_waves(programme)
    assert [(w.offset_days, w.opens_on, w.closes_on) for w in waves] == [
        (7, date(2027, 3, 17), date(2027, 3, 31)), (56, date(2027, 5, 5), date(2027, 5, 19))]


def test_moving_training_days_moves_waves_that_have_not_opened(cohort):
    programme, *_ = cohort
    first, second = ratings.sync_waves(programme)
    first.opened_at = at(first.opens_on)
    day = db.session.scalar(select(ratings.TrainingDay).where(ratings.TrainingDay.day == LAST_DAY))
    day.day = LAST_DAY + timedelta(days=3)
    ratings.sync_waves(programme)
    assert first.opens_on == date(2027, 3, 17)
    assert second.opens_on == date(2027, 5, 8)


def test_scheduled_modules_exclude_cancelled_days(cohort, modules):
    programme, *_ = cohort
    assert [m.key for m in ratings.scheduled_modules(programme.id)] == ["peer-support", "mindfulness"]


def test_the_job_opens_on_the_local_date_and_invites_once_each_when_run_twice(cohort):
    programme, _lead, people, others = cohort
    run_job(at(date(2027, 3, 16)))
    assert messages() == []
    people_ids = sorted(p.user_id for p in people)
    other_ids = {o.user_id for o in others}
    jobs.run_all(at(date(2027, 3, 17)))
    jobs.run_all(at(date(2027, 3, 17), 10))
    invitations = messages("rating-invitation")
    assert sorted(m.user_id for m in invitations) == people_ids
    assert not other_ids & {m.user_id for m in messages()}
    wave = db.session.scalars(select(RatingWave).order_by(RatingWave.offset_days)).first()
    assert wave.opened_at is not None and wave.closed_at is None


def test_the_job_uses_the_programmes_time_zone(cohort):
    programme, *_ = cohort
    programme.timezone = "Pacific/Auckland"
    db.session.commit()
    # 12:00 UTC on 16 March is already 17 March in New Zealand.
    run_job(datetime(2027, 3, 16, 12, tzinfo=timezone.utc))
    assert len(messages("rating-invitation")) == 3


def test_reminders_go_after_4_and_10_days_once_each_and_stop_when_finished(cohort, first_wave, modules):
    _programme, _lead, people, _ = cohort
    rate(people[0], first_wave, modules, {"peer-support": "4", "mindfulness": "absent"}, finish=True)
    for day in (date(2027, 3, 20), date(2027, 3, 21), date(2027, 3, 21), date(2027, 3, 27),
                date(2027, 3, 28), date(2027, 3, 30)):
        run_job(at(day))
    reminders = messages("rating-reminder")
    assert len(reminders) == 4
    assert people[0].user_id not in {m.user_id for m in reminders}


def test_the_job_closes_the_wave_on_its_closing_date(cohort):
    programme, *_ = cohort
    run_job(at(date(2027, 3, 17)))
    run_job(at(date(2027, 3, 31)))
    wave = ratings.list_waves(programme)[0]
    assert wave.closed_at is not None and ratings.wave_state(wave, date(2027, 3, 31)) == "closed"


def test_comparison_participants_are_not_asked_to_rate(cohort):
    programme, _lead, _people, others = cohort
    wave = ratings.sync_waves(programme)[0]
    db.session.commit()
    with pytest.raises(PermissionDenied):
        ratings.require_rater(others[0].user, programme.id, wave.id)


def test_partial_save_then_change_then_finish(cohort, first_wave, modules):
    _programme, _lead, people, _ = cohort
    wave = first_wave
    peer, mind = modules["peer-support"].id, modules["mindfulness"].id
    assert not ratings.save_ratings(people[0], wave, {peer: ("3", "Good")}, finish=False,
                                    now=at(date(2027, 3, 18)))
    sheet = ratings.rating_sheet(people[0], wave, date(2027, 3, 18))
    assert sheet.answers[peer].usefulness == 3 and not sheet.finished
    with pytest.raises(RuleViolation) as refused:
        ratings.save_ratings(people[0], wave, {}, finish=True, now=at(date(2027, 3, 18)))
    assert refused.value.field == f"m{mind}_score"
    assert ratings.save_ratings(people[0], wave, {peer: ("5", "Better"), mind: ("2", "")},
                                finish=True, now=at(date(2027, 3, 19)))
    sheet = ratings.rating_sheet(people[0], wave, date(2027, 3, 19))
    assert sheet.finished and sheet.answers[peer].usefulness == 5
    assert sheet.answers[peer].comment == "Better"
    # A later save without "finish" leaves the participant finished.
    assert ratings.save_ratings(people[0], wave, {peer: ("4", "")}, finish=False, now=at(date(2027, 3, 20)))


def test_double_submission_leaves_one_row(cohort, first_wave, modules):
    _programme, _lead, people, _ = cohort
    for _ in range(2):
        rate(people[0], first_wave, modules, {"peer-support": "4"}, finish=False)
    assert db.session.scalar(select(func.count(ModuleRating.id))) == 1
    assert db.session.scalar(select(func.count(RatingResponse.id)).where(
        RatingResponse.membership_id == people[0].id)) == 1


def test_late_submission_is_refused_with_a_clear_message(cohort, modules):
    programme, _lead, people, _ = cohort
    wave = ratings.sync_waves(programme)[0]
    db.session.commit()
    with pytest.raises(RuleViolation, match="ended on 30 March 2027"):
        ratings.save_ratings(people[0], wave, {modules["peer-support"].id: ("4", "")},
                             finish=False, now=at(date(2027, 3, 31)))
    assert db.session.scalar(select(func.count(ModuleRating.id))) == 0


def test_a_comment_needs_a_rating_and_scores_must_be_known(cohort, modules):
    programme, _lead, people, _ = cohort
    wave = ratings.sync_waves(programme)[0]
    db.session.commit()
    peer = modules["peer-support"].id
    for answer in ({peer: ("", "Nice")}, {peer: ("7", "")}):
        with pytest.raises(RuleViolation):
            ratings.save_ratings(people[0], wave, answer, finish=False, now=at(date(2027, 3, 18)))


def test_lead_edits_a_wave_until_it_opens(cohort):
    programme, lead, *_ = cohort
    first, second = ratings.sync_waves(programme)
    db.session.commit()
    ratings.save_wave(lead.user, programme, second.id, label="Two months", offset_days=60,
                      window_days=21, today=date(2027, 3, 1))
    assert (second.opens_on, second.closes_on) == (date(2027, 5, 9), date(2027, 5, 30))
    added = ratings.save_wave(lead.user, programme, None, label="Six months", offset_days=182,
                              window_days=14, today=date(2027, 3, 1))
    assert added.opens_on == LAST_DAY + timedelta(days=182)
    with pytest.raises(RuleViolation) as taken:
        ratings.save_wave(lead.user, programme, None, label="six MONTHS", offset_days=90,
                          window_days=14, today=date(2027, 3, 1))
    assert taken.value.field == "label"
    with pytest.raises(RuleViolation, match="opened"):
        ratings.save_wave(lead.user, programme, first.id, label="Week", offset_days=8,
                          window_days=14, today=date(2027, 3, 17))


def test_only_a_lead_edits_waves(cohort):
    programme, _lead, people, _ = cohort
    with pytest.raises(PermissionDenied):
        ratings.save_wave(people[0].user, programme, None, label="X", offset_days=90,
                          window_days=14, today=date(2027, 3, 1))


def test_lead_reminder_goes_to_non_respondents_only_once_a_day(cohort, first_wave, modules):
    programme, lead, people, _ = cohort
    wave = first_wave
    rate(people[0], wave, modules, {"peer-support": "4", "mindfulness": "4"}, finish=True)
    rate(people[1], wave, modules, {"peer-support": "4"}, finish=False)
    assert ratings.remind_non_respondents(lead.user, programme, wave, now=at(date(2027, 3, 18)),
                                          base_url="http://x") == 2
    assert ratings.remind_non_respondents(lead.user, programme, wave, now=at(date(2027, 3, 18), 15),
                                          base_url="http://x") == 0
    reminded = {m.user_id for m in messages("rating-reminder")}
    assert reminded == {people[1].user_id, people[2].user_id}
    tracking = ratings.response_tracking(lead.user, programme, wave)
    assert sorted(r.status for r in tracking.page.items) == ["Finished", "Not responded", "Started"]
    assert (tracking.finished, tracking.started, tracking.not_responded) == (1, 1, 1)
    assert [r.name for r in ratings.response_tracking(lead.user, programme, wave, status="started").page.items] \
        == [people[1].user.display_name]


def test_tracking_without_a_search_in_one_statement_equals_counting_and_paging_apart(cohort, first_wave,
                                                                                    modules):
    """The unsearched, unfiltered list reads its page with the counts in one statement: the same
    counts, pages and rows as counting first, for every page (past the end too), whoever has
    finished, started, not responded or may not be asked."""
    import random

    from trainer.services.system import listing

    programme, lead, people, _ = cohort
    chance = random.Random(12)
    people += [make_member(programme, arm="intervention", team=chance.choice(("North", "South", None)))
               for _ in range(117)]
    make_member(programme, arm="intervention", consent=("programme",))  # not asked
    db.session.commit()
    for member in people:
        state = chance.choice(("finished", "started", "none"))
        if state != "none":
            rate(member, first_wave, modules, {"peer-support": "3", "mindfulness": "absent"},
                 finish=state == "finished")
    by_status = {key: ratings.response_tracking(lead.user, programme, first_wave, status=key).page.total
                 for key in ratings.TRACKING_FILTERS}
    assert sum(by_status.values()) == len(people) and all(by_status.values())
    for page in (1, 2, 3, 4, 9):
        statements = statements_of_call(lambda: ratings.response_tracking(lead.user, programme, first_wave,
                                                                          page=page))
        one, count = statements
        # A search of nothing but spaces takes the two-statement path and must answer the same.
        two = ratings.response_tracking(lead.user, programme, first_wave, page=page, q="  ")
        assert (one.finished, one.started, one.not_responded) == (two.finished, two.started, two.not_responded) \
            == (by_status["finished"], by_status["started"], by_status["none"])
        assert one.page == two.page and one.page.page == min(page, 3)
        assert len(one.page.items) == (listing.PER_PAGE if page < 3 else len(people) - 2 * listing.PER_PAGE)
        assert count == (1 if page <= 3 else 3), "one statement unless the page is past the end"


def statements_of_call(function) -> tuple:
    """``function()``'s result and how many statements it ran that read the responses."""
    from sqlalchemy import event

    seen = []

    def record(_connection, _cursor, statement, *_args):
        if "rating_responses" in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        result = function()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return result, len(seen)


# Rating summaries: kept in step with the ratings by every write, and equal to a rebuild.

def _summaries() -> set[tuple]:
    return {(s.wave_id, s.module_id, s.programme_id, s.score_1, s.score_2, s.score_3, s.score_4, s.score_5)
            for s in db.session.scalars(select(RatingSummary))}


def _rebuilt_equals_incremental() -> set[tuple]:
    db.session.commit()
    incremental = _summaries()
    rating_summaries.rebuild()
    assert _summaries() == incremental
    return incremental


def test_a_submission_updates_the_counts_in_its_own_transaction(cohort, first_wave, modules):
    programme, _lead, people, _ = cohort
    wave, peer = first_wave, modules["peer-support"]
    rate(people[0], wave, modules, {"peer-support": "4", "mindfulness": "absent"}, finish=False)
    assert _summaries() == {(wave.id, peer.id, programme.id, 0, 0, 0, 1, 0)}
    rate(people[1], wave, modules, {"peer-support": "4", "mindfulness": "2"}, finish=True)
    rate(people[0], wave, modules, {"peer-support": "5"}, finish=False)  # a changed answer moves its count
    assert _summaries() == {(wave.id, peer.id, programme.id, 0, 0, 0, 1, 1),
                            (wave.id, modules["mindfulness"].id, programme.id, 0, 1, 0, 0, 0)}
    db.session.rollback()  # nothing was left uncommitted
    assert len(_summaries()) == 2


def test_rebuilt_equals_incremental_through_every_kind_of_write(cohort, first_wave, modules):
    programme, _lead, people, others = cohort
    wave = first_wave
    extra = [make_member(programme, arm="intervention", team="South") for _ in range(3)]
    db.session.commit()
    for person, score in zip(people + extra, "123455"):
        rate(person, wave, modules, {"peer-support": score, "mindfulness": "3"}, finish=True)
    assert _rebuilt_equals_incremental()
    # Rows written through the session (as the demo does) and a deleted one.
    make_rating(wave, others[0], modules["peer-support"], 5)  # comparison arm: never counted
    row = db.session.scalars(select(ModuleRating).where(ModuleRating.membership_id == extra[0].id,
                                                        ModuleRating.module_id == modules["mindfulness"].id)).one()
    row.usefulness = 1
    db.session.flush()
    db.session.delete(db.session.scalars(select(ModuleRating).where(
        ModuleRating.membership_id == extra[1].id, ModuleRating.module_id == modules["peer-support"].id)).one())
    counted = _rebuilt_equals_incremental()
    assert (wave.id, modules["peer-support"].id, programme.id, 1, 1, 1, 1, 1) in counted
    # Withdrawal with deletion, erasure, and a participant moved to the other arm.
    withdrawal.withdraw(people[0], scope="evaluation", keep_answers=False, today=OPENS, actor_id=None)
    erasure.erase(make_user(name="Admin", is_admin=True), people[1].user_id)
    extra[2].arm = "comparison"
    counted = _rebuilt_equals_incremental()
    # Left: people[1] (erased, answers kept by consent), people[2], extra[0] and extra[1].
    assert counted == {(wave.id, modules["peer-support"].id, programme.id, 0, 1, 1, 1, 0),
                       (wave.id, modules["mindfulness"].id, programme.id, 1, 0, 3, 0, 0)}


def test_the_comparison_reads_the_counts_not_the_ratings(cohort, first_wave, modules, client, auth):
    programme, _lead, people, _ = cohort
    extra = [make_member(programme, arm="intervention") for _ in range(3)]
    db.session.commit()
    for person in people + extra:
        rate(person, first_wave, modules, {"peer-support": "4", "mindfulness": "2"}, finish=True)
    run_job(at(date(2027, 4, 1)))  # the wave has closed: its results show to the lead
    auth.login("lead@example.org")
    statements = statements_of(client, "/ratings/compare")
    page = client.get("/ratings/compare").get_data(as_text=True)
    assert "n = 6" in page and "4.00" in page and "2.00" in page
    assert not [s for s in statements if "module_ratings" in s]
