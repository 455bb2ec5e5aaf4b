"""In a real browser: a trainer schedules a day with two sessions and marks attendance."""
from datetime import date

from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, make_member, make_programme, make_user
from trainer.clock import today_in, utcnow
from trainer.extensions import db


def test_a_trainer_schedules_a_day_with_two_sessions_and_marks_attendance(live_server, page, modules):
    today = today_in("Europe/London", utcnow())
    programme = make_programme("Browser cohort", start=date(today.year - 1, 1, 1),
                               end=date(today.year + 1, 12, 31), status="running")
    make_member(programme, "trainer", user=make_user("tina@example.org", name="Tina Trainer"))
    make_member(programme, user=make_user("ann@example.org", name="Ann Able"))
    make_member(programme, user=make_user("bob@example.org", name="Bob Brook"))
    programme_id = programme.id
    db.session.commit()  # and touch no model after this: the live server needs the write lock

    sign_in(page, live_server, "tina@example.org", PASSWORD)
    page.goto(f"{live_server}/programmes/{programme_id}")
    page.get_by_role("link", name="Add a training day").click()
    page.get_by_label("Date").fill(today.isoformat())
    page.get_by_label("Starts at").fill("09:30")
    page.get_by_label("Ends at").fill("16:30")
    page.get_by_label("Venue").fill("Civic Centre")
    page.get_by_role("button", name="Add day and continue to sessions").click()

    for start, end, module in (("09:30", "12:30", "Mindfulness and relaxation"),
                               ("13:30", "16:30", "Goal setting and personal organisation")):
        page.get_by_label("Starts at").fill(start)
        page.get_by_label("Ends at").fill(end)
        page.get_by_label("Module").select_option(label=module)
        page.get_by_label("Tina Trainer").check()
        page.get_by_role("button", name="Add session").click()
        assert "Session added" in page.content()
    page.get_by_role("link", name="Done: back to the timetable").click()
    timetable = page.locator("table.app-timetable")
    assert "Mindfulness and relaxation" in timetable.inner_text()
    assert "Goal setting" in timetable.inner_text()

    page.get_by_role("link", name="Attendance", exact=True).click()
    page.get_by_role("radiogroup", name="Ann Able").get_by_label("Present").check()
    page.get_by_role("radiogroup", name="Bob Brook").get_by_label("Late").check()
    page.get_by_role("button", name="Save attendance").click()
    assert "Attendance saved for 2 participants" in page.content()
    assert page.get_by_role("radiogroup", name="Bob Brook").get_by_label("Late").is_checked()


def test_a_lead_starts_a_programme_and_adds_sessions_one_after_another(live_server, page, modules):
    lead = make_user("lena@example.org", name="Lena Lead")
    earlier = make_programme("Earlier cohort", status="closed")
    make_member(earlier, "lead", user=lead)
    db.session.commit()  # and touch no model after this: the live server needs the write lock

    sign_in(page, live_server, "lena@example.org", PASSWORD)
    page.get_by_role("link", name="Start a programme").click()
    page.get_by_label("Name").fill("Autumn cohort")
    page.get_by_label("Organisation").fill("Test Council")
    page.get_by_label("Start date").fill("2030-09-01")
    page.get_by_label("End date").fill("2030-12-31")
    page.get_by_role("button", name="Create programme").click()
    assert "Add at least one training day" in page.content()
    page.get_by_role("link", name="Add a training day").click()
    page.get_by_label("Date").fill("2030-09-10")
    page.get_by_label("Starts at").fill("09:30")
    page.get_by_label("Ends at").fill("16:30")
    page.get_by_role("button", name="Add day and continue to sessions").click()

    # Each new session is suggested after the previous one, with the next unscheduled module.
    for _ in range(2):
        page.get_by_role("button", name="Add session").click()
        assert "Session added" in page.content()
    assert page.get_by_label("Starts at").input_value() == "12:30"
    assert page.get_by_label("Ends at").input_value() == "14:30"  # self-knowledge runs 120 minutes
    page.get_by_role("link", name="Done: back to the timetable").click()
    rows = page.locator("table.app-timetable tbody tr").all_inner_texts()
    assert rows[0].startswith("09:30 to 11:00") and "Peer support and coaching" in rows[0]
    assert rows[1].startswith("11:00 to 12:30") and "Goal setting" in rows[1]
