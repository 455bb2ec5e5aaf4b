"""In a real browser at phone width: a participant logs an activity and finds it in their history."""
from datetime import date, timedelta

from tests.e2e.conftest import sign_in
from tests.factories import PASSWORD, make_assignment, make_member, make_programme, make_user
from trainer.clock import today_in
from trainer.extensions import db


def test_participant_logs_an_activity_on_a_phone_and_sees_it_in_history(live_server, browser, modules):
    programme = make_programme("Phone cohort", start=date(2025, 1, 1))
    make_member(programme, user=make_user("phone@example.org", name="Phoebe Phone"))
    make_assignment(programme, modules["mindfulness"].activities[0], due_on=today_in("Europe/London") + timedelta(days=3))
    db.session.commit()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, "phone@example.org", PASSWORD)
        page.wait_for_url(f"{live_server}/")
        page.get_by_role("link", name="Mindfulness or relaxation practice").first.click()
        page.get_by_label("Breathing space (3 minutes)").check()
        page.get_by_label("How long did you practise for?").fill("500")
        page.get_by_role("button", name="Save entry").click()
        assert page.locator(".govuk-error-summary").is_visible()
        assert "between 1 and 120" in page.locator(".govuk-error-summary").inner_text()
        page.get_by_label("How long did you practise for?").fill("12")
        page.get_by_label("4", exact=True).check()
        page.get_by_label("Private reflective note").fill("Calmer than I expected")
        page.get_by_role("button", name="Save entry").click()
        page.wait_for_url("**/my/assignments/*")
        history = page.locator("main").inner_text()
        assert "Breathing space (3 minutes)" in history and "12" in history
        assert "Calmer than I expected" in history
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
    finally:
        context.close()
