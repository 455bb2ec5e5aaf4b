"""Smoke test in a real browser: every demo user signs in and sees their role's home page."""
import pytest

from tests.e2e.conftest import sign_in
from trainer.clock import utcnow
from trainer.extensions import db
from trainer import demo


@pytest.fixture
def demo_data(app, modules):
    demo.seed(modules_dir=None, now=utcnow(), base_url="http://localhost")
    db.session.commit()


@pytest.mark.parametrize("email, expected", [
    ("admin@demo.test", "Administration"),
    ("lead@demo.test", "Programmes you lead or train"),
    ("trainer@demo.test", "Programmes you lead or train"),
    ("participant@demo.test", "Your next training day"),
])
def test_each_demo_user_signs_in_and_sees_their_home(live_server, page, demo_data, email, expected):
    sign_in(page, live_server, email, demo.DEMO_PASSWORD)
    page.wait_for_url(f"{live_server}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Hello,")
    assert expected in page.content()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server}/login")
    assert "You have signed out" in page.content()


def test_wrong_password_shows_the_error_summary(live_server, page, demo_data):
    sign_in(page, live_server, "lead@demo.test", "not the password")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "not right" in summary.inner_text()
