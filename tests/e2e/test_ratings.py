"""In a real browser: a participant completes a rating wave; the lead sees that they answered but,
while the wave is open, no figure of the answers."""
import pytest
from sqlalchemy import select

from tests.e2e.conftest import sign_in
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import Programme, User
from trainer import demo
from trainer.services.ratings import ratings_report


@pytest.fixture
def demo_data(app, modules):
    demo.seed(modules_dir=None, now=utcnow(), base_url="http://localhost")
    db.session.commit()


def _answered(programme_id: int) -> int:
    lead = db.session.scalar(select(User).where(User.email == "lead@demo.test"))
    return ratings_report.programme_report(lead, programme_id, now=utcnow()).wave_reports[0].answered


def test_participant_completes_a_wave_and_the_lead_sees_it(live_server, page, demo_data, modules):
    programme_id = db.session.scalar(select(Programme.id).where(Programme.status != "closed"))
    before = _answered(programme_id)
    module_ids = {key: m.id for key, m in modules.items()}
    db.session.commit()  # end the test's transaction: the server needs the SQLite write lock

    sign_in(page, live_server, "participant@demo.test", demo.DEMO_PASSWORD)
    page.get_by_role("link", name="Rate the modules").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("How useful was the training?")
    for module_id in module_ids.values():
        page.check(f"input[name='m{module_id}_score'][value='5']")
    page.fill(f"#m{module_ids['peer-support']}_comment", "The peer group kept me going.")
    page.get_by_role("button", name="Submit my ratings").click()
    assert "your ratings are submitted" in page.locator(".govuk-notification-banner").inner_text()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "lead@demo.test", demo.DEMO_PASSWORD)
    page.goto(f"{live_server}/programmes/{programme_id}/ratings/report")
    assert f"{before + 1} have answered" in page.get_by_test_id("responded").first.inner_text()
    assert "results appear here after it closes" in page.get_by_test_id("results-pending").first.inner_text()
    assert "The peer group kept me going." not in page.content()
    assert "Usefulness by module" not in page.content()
