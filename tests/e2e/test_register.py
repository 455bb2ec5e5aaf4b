"""In a real browser: a trainer fills in a 25-person register in a few clicks, and keeps it when refused."""
from datetime import timedelta

from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, make_day, make_member, make_programme, make_session, make_user
from trainer.clock import today_in, utcnow
from trainer.extensions import db
from trainer.models import DayAttendance


def test_a_trainer_marks_25_people_in_three_clicks_plus_exceptions_and_a_refusal_keeps_them(
        live_server, browser, page, modules):
    today = today_in("Europe/London", utcnow())
    programme = make_programme("Big cohort", start=today - timedelta(days=60),
                               end=today + timedelta(days=60), status="running")
    make_member(programme, "trainer", user=make_user("tina@example.org", name="Tina Trainer"))
    make_member(programme, "trainer", user=make_user("theo@example.org", name="Theo Trainer"))
    people = [make_member(programme, user=make_user(f"p{i}@example.org", name=f"Person {i:02d}"))
              for i in range(25)]
    day = make_day(programme, today)
    make_session(day, modules["mindfulness"])
    day_id, ids = day.id, [p.id for p in people]
    db.session.commit()  # and touch no model after this: the live server needs the write lock

    sign_in(page, live_server, "tina@example.org", PASSWORD)
    page.goto(f"{live_server}/days/{day_id}/attendance")
    page.get_by_role("button", name="Mark everyone present").click()  # click 1
    page.get_by_role("radiogroup", name="Person 03").get_by_label("Absent").check()
    page.get_by_role("radiogroup", name="Person 17").get_by_label("Late").check()
    page.get_by_role("button", name="Save attendance").click()  # click 2: two plus the exceptions
    assert "Attendance saved for 25 participants" in page.content()
    assert page.get_by_role("radiogroup", name="Person 17").get_by_label("Late").is_checked()
    assert page.locator("input[type=radio]:checked").count() == 25

    # Theo cancels the day while Tina changes a mark: her save is refused and her marks stay.
    page.get_by_role("radiogroup", name="Person 20").get_by_label("Excused").check()
    other = browser.new_context(viewport={"width": 1200, "height": 900})
    theo = other.new_page()
    sign_in(theo, live_server, "theo@example.org", PASSWORD)
    theo.goto(f"{live_server}/days/{day_id}/cancel")
    theo.get_by_role("button", name="Cancel this day").click()
    other.close()
    page.get_by_role("button", name="Save attendance").click()
    assert "This day was cancelled" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_role("radiogroup", name="Person 20").get_by_label("Excused").is_checked()
    assert page.get_by_role("radiogroup", name="Person 03").get_by_label("Absent").is_checked()
    assert page.locator("input[type=radio]:checked").count() == 25
    statuses = dict(db.session.query(DayAttendance.membership_id, DayAttendance.status))
    assert statuses[ids[20]] == "present" and statuses[ids[3]] == "absent"
