"""Programme, cohort and schedule pages: what leads, trainers and participants see, and who may not."""
import io
from datetime import date, time

import icalendar
import pytest
from sqlalchemy import func, select

from tests.conftest import count_statements, statements_of
from tests.factories import UNALLOCATED, make_day, make_mark, make_member, make_programme, make_session, make_user
from trainer.extensions import db
from trainer.models import DayAttendance, Membership, OutboxMessage, TrainingDay
from trainer.services.scheduling import calendar


@pytest.fixture
def world(app, modules):
    """A programme with a lead, a trainer, two participants, a past day and a future day."""
    programme = make_programme("Spring cohort", start=date(2020, 1, 1), end=date(2099, 12, 31),
                               status="running")
    people = {
        "lead": make_member(programme, "lead", user=make_user("lead@example.org")),
        "trainer": make_member(programme, "trainer", user=make_user("trainer@example.org", name="Tia Trainer")),
        "participant": make_member(programme, user=make_user("p@example.org", name="Pia Part")),
        "comparison": make_member(programme, user=make_user("c@example.org"), arm="comparison"),
    }
    past = make_day(programme, date(2021, 3, 4), venue="Civic Centre")
    make_session(past, modules["mindfulness"], trainers=[people["trainer"]])
    make_session(past, modules["goal-setting"], starts=time(13), ends=time(15))
    future = make_day(programme, date(2099, 3, 4), venue="Town Hall")
    other = make_programme("Other county")
    outsiders = {"other-trainer": make_member(other, "trainer", user=make_user("ot@example.org")),
                 "other-participant": make_member(other, user=make_user("op@example.org")),
                 "other-lead": make_member(other, "lead", user=make_user("ol@example.org"))}
    return programme, people, past, future, outsiders


def _pages(programme, past, future):
    session = past.sessions[0]
    return [f"/programmes/{programme.id}", f"/programmes/{programme.id}/edit",
            f"/programmes/{programme.id}/team", f"/programmes/{programme.id}/copy",
            f"/programmes/{programme.id}/cohort/", f"/programmes/{programme.id}/cohort/import",
            f"/programmes/{programme.id}/cohort/randomise", f"/programmes/{programme.id}/cohort/waitlist",
            f"/programmes/{programme.id}/days/new", f"/days/{past.id}/edit", f"/days/{past.id}/cancel",
            f"/days/{past.id}/sessions/new", f"/sessions/{session.id}/edit",
            f"/days/{past.id}/attendance", f"/days/{past.id}/agenda", f"/days/{future.id}/apology"]


@pytest.mark.parametrize("email", ["ot@example.org", "op@example.org", "ol@example.org"])
def test_people_of_another_programme_reach_none_of_these_pages(client, auth, world, email):
    programme, _, past, future, _ = world
    auth.login(email)
    for url in _pages(programme, past, future):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/days/{past.id}/attendance", data={}).status_code == 403
    assert client.post(f"/sessions/{past.sessions[0].id}/delete").status_code == 403


def test_missing_objects_are_404(client, auth, world):
    auth.login("lead@example.org")
    for url in ["/days/9999/edit", "/sessions/9999/edit", "/days/9999/agenda",
                "/programmes/9999/cohort/", "/calendar/not-a-token.ics"]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("email, allowed", [
    ("lead@example.org", True), ("trainer@example.org", False), ("p@example.org", False)])
def test_only_leads_manage_the_programme_and_its_cohort(client, auth, world, email, allowed):
    programme, *_ = world
    auth.login(email)
    for url in [f"/programmes/{programme.id}/edit", f"/programmes/{programme.id}/team",
                f"/programmes/{programme.id}/cohort/import", f"/programmes/{programme.id}/cohort/randomise"]:
        assert (client.get(url).status_code == 200) is allowed, url


def test_participants_see_agendas_but_not_the_staff_pages(client, auth, world):
    programme, _, past, future, _ = world
    auth.login("p@example.org")
    assert "Civic Centre" in client.get(f"/days/{past.id}/agenda").get_data(as_text=True)
    for url in [f"/programmes/{programme.id}", f"/days/{past.id}/attendance", f"/days/{past.id}/edit"]:
        assert client.get(url).status_code == 403
    auth.logout()
    auth.login("c@example.org")
    assert client.get(f"/days/{past.id}/agenda").status_code == 403
    assert client.get(f"/days/{future.id}/apology").status_code == 403
    assert client.post(f"/days/{future.id}/apology", data={"reason": "x"}).status_code == 403


def test_the_programme_page_shows_timetable_links_next_steps_and_attendance(client, auth, world):
    programme, people, past, *_ = world
    db.session.add(DayAttendance(day_id=past.id, membership_id=people["participant"].id, status="late"))
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert "Add a training day" in page and f"/days/{past.id}/attendance" in page
    assert "Per training day" in page and "Per module" in page
    assert "Move to follow-up" in page and "Cohort" in page


def test_a_trainer_adds_a_day_and_a_session_with_errors_shown_beside_fields(client, auth, world, modules):
    programme, people, *_ = world
    auth.login("trainer@example.org")
    bad = client.post(f"/programmes/{programme.id}/days/new",
                      data={"day": "2099-05-01", "starts_at": "16:00", "ends_at": "09:00", "venue": "Hall"})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "There is a problem" in page and "end time must be after" in page
    assert 'value="Hall"' in page
    response = client.post(f"/programmes/{programme.id}/days/new",
                           data={"day": "2099-05-01", "starts_at": "09:00", "ends_at": "16:00", "venue": "Hall"})
    day = db.session.scalar(select(TrainingDay).where(TrainingDay.day == date(2099, 5, 1)))
    assert response.headers["Location"].endswith(f"/days/{day.id}/sessions/new")
    form = {"starts_at": "08:00", "ends_at": "10:00", "module_id": modules["mindfulness"].id,
            "trainer_ids": [people["trainer"].id], "room": "A"}
    assert "within the day&#39;s hours" in client.post(f"/days/{day.id}/sessions/new", data=form).get_data(as_text=True)
    form["starts_at"] = "09:00"
    assert client.post(f"/days/{day.id}/sessions/new", data=form).status_code == 302
    db.session.expire_all()
    assert [s.room for s in db.session.get(TrainingDay, day.id).sessions] == ["A"]


def test_a_trainer_marks_attendance_on_one_screen(client, auth, world):
    programme, people, past, *_ = world
    auth.login("trainer@example.org")
    page = client.get(f"/days/{past.id}/attendance").get_data(as_text=True)
    assert "Pia Part" in page and "Same as the day" in page
    mid = people["participant"].id
    afternoon = past.sessions[1]
    response = client.post(f"/days/{past.id}/attendance",
                           data={f"day-{mid}": "present", f"s-{afternoon.id}-{mid}": "absent"})
    assert response.status_code == 302
    assert db.session.scalar(select(DayAttendance.status)) == "present"
    page = client.get(f"/days/{past.id}/attendance", follow_redirects=True).get_data(as_text=True)
    assert 'value="absent" selected' in page


def test_attendance_for_a_future_day_is_refused_with_a_message(client, auth, world):
    programme, people, past, future, _ = world
    auth.login("trainer@example.org")
    page = client.post(f"/days/{future.id}/attendance",
                       data={f"day-{people['participant'].id}": "present"}).get_data(as_text=True)
    assert "on or after the day" in page
    assert db.session.scalar(select(func.count(DayAttendance.id))) == 0


def test_a_participant_sends_apologies_from_the_home_page(client, auth, world):
    programme, people, past, future, _ = world
    auth.login("p@example.org")
    home = client.get("/").get_data(as_text=True)
    assert f"/days/{future.id}/apology" in home and "Get my calendar address" in home
    assert client.post(f"/days/{future.id}/apology", data={"reason": "Court"}).status_code == 302
    page = client.get(f"/days/{future.id}/apology").get_data(as_text=True)
    assert "Court" in page and "I can come after all" in page


def test_the_calendar_feed_is_reached_by_token_and_a_reset_kills_the_old_url(client, auth, world):
    programme, people, past, future, _ = world
    auth.login("p@example.org")
    client.post("/calendar/reset")
    token = calendar.feed_token(people["participant"].user)
    assert token in client.get("/").get_data(as_text=True)
    auth.logout()
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    events = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
    assert {str(e["LOCATION"]) for e in events} == {"Civic Centre", "Town Hall"}
    auth.login("p@example.org")
    client.post("/calendar/reset")
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    # The home page shows the new address at once; the token is read with the session's user.
    new = calendar.feed_token(people["participant"].user)
    home = client.get("/").get_data(as_text=True)
    assert new != token and new in home and token not in home
    reading = [s for s in statements_of(client, "/") if "calendar_feeds" in s]
    assert len(reading) == 1 and "FROM users" in reading[0]


def test_cancelling_a_day_asks_first_then_tells_participants(client, auth, world):
    programme, people, past, future, _ = world
    auth.login("lead@example.org")
    assert "Cancel the training day" in client.get(f"/days/{future.id}/cancel").get_data(as_text=True)
    client.post(f"/days/{future.id}/cancel")
    assert db.session.get(TrainingDay, future.id).cancelled
    assert db.session.scalar(select(OutboxMessage.to_address).where(OutboxMessage.kind == "day-cancelled")) \
        == "p@example.org"


def test_a_lead_starts_a_programme_and_moves_it_through_its_statuses(client, auth, world):
    auth.login("lead@example.org")
    assert "Start a programme" in client.get("/programmes/").get_data(as_text=True)
    bad = client.post("/programmes/new", data={"name": "New", "organisation": "Org", "timezone": "Nowhere/Zone",
                                               "start_date": "2030-01-01", "end_date": "2030-12-31"})
    assert "Choose a time zone" in bad.get_data(as_text=True)
    response = client.post("/programmes/new", data={"name": "New", "organisation": "Org",
                                                    "timezone": "Europe/London", "start_date": "2030-01-01",
                                                    "end_date": "2030-12-31"})
    new_id = int(response.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/programmes/{new_id}").get_data(as_text=True)
    assert "What to do next" in page and "Add at least one training day" in page
    page = client.post(f"/programmes/{new_id}/status", data={"status": "scheduled"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Add at least one training day" in page and "Draft" in page


def test_a_lead_adds_a_trainer_and_enrols_participants(client, auth, world):
    programme, *_ = world
    auth.login("lead@example.org")
    page = client.post(f"/programmes/{programme.id}/team",
                       data={"email": "newt@example.org", "name": "Newt", "role": "trainer"}).get_data(as_text=True)
    assert "/set-password/" in page and "Newt" in page
    page = client.post(f"/programmes/{programme.id}/cohort/",
                       data={"name": "Ed", "email": "ed@example.org", "arm": "comparison"}).get_data(as_text=True)
    assert "Ed is enrolled (comparison)" in page


def test_a_lead_invites_an_evaluator_who_can_hold_no_other_role_there(client, auth, world):
    programme, *_ = world
    auth.login("lead@example.org")
    page = client.post(f"/programmes/{programme.id}/team", data={
        "email": "eve@example.org", "name": "Eve Analyst", "role": "evaluator"},
        follow_redirects=True).get_data(as_text=True)
    assert "/set-password/" in page and "Eve Analyst is now an evaluator" in page
    assert "Evaluator" in page.split("Leads, trainers and evaluators")[1].split("</table>")[0]
    page = client.post(f"/programmes/{programme.id}/team", data={
        "email": "lead@example.org", "role": "evaluator"}).get_data(as_text=True)
    assert "an evaluator can hold no other role in it" in page and "govuk-error-summary" in page
    page = client.post(f"/programmes/{programme.id}/cohort/", data={
        "name": "Eve", "email": "eve@example.org", "arm": "comparison"}).get_data(as_text=True)
    assert "an evaluator can hold no other role in it" in page
    assert db.session.scalar(select(func.count(Membership.id)).join(Membership.user).where(
        Membership.programme_id == programme.id, Membership.user.has(email="eve@example.org"))) == 1


def test_a_bad_csv_file_shows_every_problem_and_imports_nothing(client, auth, world):
    programme, *_ = world
    auth.login("lead@example.org")
    text = b"name,email,arm\nAl,al@example.org,intervention\nBo,bad,intervention\nCy,cy@example.org,placebo\n"
    page = client.post(f"/programmes/{programme.id}/cohort/import",
                       data={"file": (io.BytesIO(text), "cohort.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Nothing was imported" in page and "not a valid email" in page and "placebo" in page
    assert db.session.scalar(select(func.count(Membership.id)).where(Membership.programme_id == programme.id)) == 4
    good = b"name,email,arm\nAl,al@example.org,intervention\nCy,cy@example.org,comparison\n"
    page = client.post(f"/programmes/{programme.id}/cohort/import",
                       data={"file": (io.BytesIO(good), "cohort.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "2 participants enrolled" in page and "/set-password/" in page


def test_randomising_from_the_page_records_the_seed(client, auth, app, modules):
    programme = make_programme(status="draft")
    make_member(programme, "lead", user=make_user("l2@example.org"))
    members = [make_member(programme) for _ in range(4)]
    auth.login("l2@example.org")
    page = client.post(f"/programmes/{programme.id}/cohort/randomise",
                       data={"scope": "chosen", "membership_ids": [m.id for m in members], "seed": "s1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "4 participants randomised with seed s1" in page
    assert "stratified-permuted-blocks" in page and "Allocation list" in page
    assert members[0].user.display_name in page and "Intervention" in page and "Comparison" in page


def test_the_randomise_form_is_offered_only_before_training_starts(client, auth, app, modules):
    programme = make_programme(status="draft")
    make_member(programme, "lead", user=make_user("l3@example.org"))
    make_member(programme, arm=UNALLOCATED, team="North")
    make_member(programme, arm=UNALLOCATED, team="North")
    auth.login("l3@example.org")
    page = client.get(f"/programmes/{programme.id}/cohort/").get_data(as_text=True)
    assert "To be randomised" in page and "Randomise participants into arms" in page
    page = client.get(f"/programmes/{programme.id}/cohort/randomise").get_data(as_text=True)
    assert "Everyone without an arm yet" in page and "North (2 participants)" in page
    assert client.post(f"/programmes/{programme.id}/cohort/randomise",
                       data={"scope": "teams", "teams": ["North"]}).status_code == 302
    page = client.get(f"/programmes/{programme.id}/cohort/randomise").get_data(as_text=True)
    assert 'value="all" checked' in page  # nobody is left without an arm
    programme.status = "running"
    db.session.commit()
    page = client.get(f"/programmes/{programme.id}/cohort/randomise").get_data(as_text=True)
    assert "Training has started" in page and 'name="scope"' not in page
    assert "Randomise participants into arms</a>" not in client.get(
        f"/programmes/{programme.id}/cohort/").get_data(as_text=True)


def test_the_calendar_address_shown_is_on_the_public_base_url(app, client, auth, world, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", "https://training.example.gov.uk/")
    auth.login("p@example.org")
    client.post("/calendar/reset")
    token = calendar.feed_token(world[1]["participant"].user)
    page = client.get("/").get_data(as_text=True)  # the request itself comes to http://localhost
    assert f"https://training.example.gov.uk/calendar/{token}.ics" in page
    assert "http://localhost/calendar" not in page
    assert client.get(f"/calendar/{token}.ics").status_code == 200  # the same path the app serves


def test_the_add_session_form_starts_where_the_previous_session_ends(client, auth, world, modules):
    programme, people, past, future, _ = world
    auth.login("trainer@example.org")
    page = client.get(f"/days/{past.id}/sessions/new").get_data(as_text=True)
    assert 'value="15:00"' in page  # the goal-setting session ends at 15:00
    assert 'value="16:30"' in page  # 90 minutes later is past the day's end: capped
    first = client.get(f"/days/{future.id}/sessions/new").get_data(as_text=True)
    assert 'value="09:30"' in first and 'value="11:00"' in first
    # Mindfulness and goal setting are scheduled: peer support, first in the curriculum, comes next.
    assert f'<option value="{modules["peer-support"].id}" selected>' in first


def test_the_programme_page_runs_as_many_statements_for_twice_the_people_and_days(client, auth, world, modules):
    programme, people, past, *_ = world
    auth.login("lead@example.org")

    def grow(n):
        for i in range(n):
            trainer = make_member(programme, "trainer", user=make_user(f"t{n}-{i}@example.org"))
            participant = make_member(programme, user=make_user(f"p{n}-{i}@example.org"))
            day = make_day(programme, date(2022, 1 + n, 1 + i))
            make_session(day, modules["mindfulness"], trainers=[trainer])
            make_mark(day, participant, "present")
            make_mark(past, participant, "late", session=past.sessions[0])
    grow(2)
    before = count_statements(client, f"/programmes/{programme.id}")
    grow(4)
    assert count_statements(client, f"/programmes/{programme.id}") == before


def test_a_future_days_register_is_read_only_with_the_reason(client, auth, world):
    programme, people, past, future, _ = world
    auth.login("trainer@example.org")
    page = client.get(f"/days/{future.id}/attendance").get_data(as_text=True)
    assert "Attendance can be taken on or after the day" in page and "Pia Part" in page
    assert 'type="radio"' not in page and "Save attendance" not in page


def test_mark_everyone_present_prefills_without_saving_and_a_refusal_keeps_the_marks(client, auth, world):
    programme, people, past, future, _ = world
    second = make_member(programme, user=make_user("q@example.org", name="Quinn Quest"))
    auth.login("trainer@example.org")
    page = client.post(f"/days/{past.id}/attendance",
                       data={"action": "everyone-present", f"day-{second.id}": "late"}).get_data(as_text=True)
    assert "Everyone is marked present" in page
    assert f'id="day-{people["participant"].id}-present" name="day-{people["participant"].id}" type="radio" value="present" checked' in page
    assert f'id="day-{second.id}-late" name="day-{second.id}" type="radio" value="late" checked' in page
    assert db.session.scalar(select(func.count(DayAttendance.id))) == 0
    db.session.get(TrainingDay, past.id).cancelled = True
    page = client.post(f"/days/{past.id}/attendance",
                       data={f"day-{second.id}": "late"}).get_data(as_text=True)
    assert "This day was cancelled" in page
    assert f'id="day-{second.id}-late" name="day-{second.id}" type="radio" value="late" checked' in page


def test_a_leaver_is_listed_apart_and_not_on_the_register(client, auth, world):
    programme, people, past, future, _ = world
    people["participant"].in_post, people["participant"].left_on = False, date(2021, 1, 1)
    auth.login("trainer@example.org")
    page = client.get(f"/days/{past.id}/attendance").get_data(as_text=True)
    assert "Not expected at this day" in page and "Pia Part: Left on 1 January 2021" in page
    assert f'name="day-{people["participant"].id}"' not in page


def test_a_large_register_pages_by_name_and_saves_the_page_shown(client, auth, world):
    programme, people, past, *_ = world
    extra = [make_member(programme, user=make_user(f"x{n:02}@example.org", name=f"Zed {n:02}"))
             for n in range(55)]
    db.session.commit()
    auth.login("trainer@example.org")
    page = client.get(f"/days/{past.id}/attendance").get_data(as_text=True)
    assert "56 participants expected" in page and "This page shows 1 to 50" in page
    assert "Pia Part" in page and "Zed 48" in page and "Zed 49" not in page
    assert 'aria-label="Page 2"' in page
    second = client.get(f"/days/{past.id}/attendance?page=2").get_data(as_text=True)
    assert "This page shows 51 to 56" in second and "Zed 49" in second and "Pia Part" not in second
    last = extra[-1].id
    response = client.post(f"/days/{past.id}/attendance?page=2", data={f"day-{last}": "late"})
    assert response.status_code == 302 and response.headers["Location"].endswith("page=2")
    assert dict(db.session.execute(select(DayAttendance.membership_id, DayAttendance.status)).all()) \
        == {last: "late"}


def test_the_register_writes_each_line_s_choices_with_its_own_names_and_marks(client, auth, world):
    """The register writes each variant of the radio group and of a session's choice once and
    puts each line's membership id in: on random marks (day marks, sessions' own marks, none),
    every line's radios and selects carry that line's names and ids, check and select exactly
    its marks, and a module title with markup in it is escaped, not mistaken for a name."""
    import random
    import re

    programme, people, past, *_ = world
    past.sessions[1].module.title = "Goals <& plans>"
    rng = random.Random(3)
    statuses = ("present", "late", "absent", "excused")
    members = [people["participant"]] + [make_member(programme) for _ in range(6)]
    expected = {}
    for m in members:
        day_mark = rng.choice((None,) + statuses)
        own = {}
        if day_mark:
            make_mark(past, m, day_mark)
            for session in past.sessions:
                if rng.random() < .5:
                    own[session.id] = rng.choice(statuses)
                    make_mark(past, m, own[session.id], session=session)
        expected[m.id] = (day_mark, own)
    db.session.commit()
    auth.login("trainer@example.org")
    page = client.get(f"/days/{past.id}/attendance").get_data(as_text=True)
    assert "Goals &lt;&amp; plans&gt;" in page and "<& plans>" not in page
    for mid, (day_mark, own) in expected.items():
        radios = re.findall(rf'<input class="app-register__input" id="day-{mid}-(\w+)" name="day-{mid}" '
                            rf'type="radio" value="(\w+)"( checked)?>', page)
        assert [(i, v) for i, v, _ in radios] == [(s, s) for s in statuses]
        assert [v for _, v, checked in radios if checked] == ([day_mark] if day_mark else [])
        for session in past.sessions:
            select_ = re.search(rf'<select class="govuk-select" id="s-{session.id}-{mid}" '
                                rf'name="s-{session.id}-{mid}">(.*?)</select>', page, re.S)
            chosen = re.findall(r'<option value="(\w*)" selected>', select_.group(1))
            assert chosen == ([own[session.id]] if session.id in own else [])
        assert (f'id="name-{mid}"' in page) and page.count(f'for="s-{past.sessions[0].id}-{mid}"') == 1
    assert "\0" not in page and "@field@" not in page
