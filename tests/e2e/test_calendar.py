"""In a real browser: a participant gets their calendar address as a webcal:// link, and copies it."""
from datetime import date

import icalendar
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, make_day, make_member, make_programme, make_user
from trainer.extensions import db


def test_a_participant_adds_the_calendar_with_the_webcal_link(live_server, browser, modules):
    programme = make_programme("Calendar cohort", start=date(2026, 1, 1), end=date(2099, 12, 31),
                               status="running")
    make_member(programme, user=make_user("pat@example.org", name="Pat Part"))
    day_id = make_day(programme, date(2099, 3, 4)).id
    db.session.commit()  # and touch no model after this: the live server needs the write lock

    context = browser.new_context(viewport={"width": 390, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    sign_in(page, live_server, "pat@example.org", PASSWORD)
    page.get_by_role("button", name="Get my calendar address").click()
    link = page.get_by_role("link", name="add them to your calendar")
    href = link.get_attribute("href")
    address = page.locator("#calendar-url").inner_text()
    assert address.startswith("http://localhost/calendar/")  # the tests' BASE_URL
    assert href == "webcal://" + address.removeprefix("http://")
    page.get_by_role("button", name="Copy the address").click()
    expect(page.get_by_role("status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == address
    feed = page.request.get(live_server + address.removeprefix("http://localhost"))
    events = icalendar.Calendar.from_ical(feed.body()).walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [f"day-{day_id}@resilience-trainer"]
    context.close()
