"""In a real browser: a participant withdraws from the evaluation and downloads their data; the
lead's participant flow and consent register show the withdrawal."""
import io
import json
import zipfile
from pathlib import Path

import pytest

from tests.e2e.conftest import sign_in
from trainer.clock import utcnow
from trainer.extensions import db
from trainer import demo


@pytest.fixture
def demo_data(app, modules):
    demo.seed(modules_dir=None, now=utcnow(), base_url="http://localhost")
    db.session.commit()


def _withdrawn_intervention(page) -> int:
    """The participant flow's withdrawals in the intervention arm, summed over time points."""
    return page.evaluate("""() => [...document.querySelectorAll('.app-flow__stage')]
        .filter(s => s.querySelector('h2').textContent.startsWith('Withdrew'))
        .map(s => parseInt(s.querySelector('.app-flow__box').textContent.replace('Intervention', '')))
        .reduce((a, b) => a + b, 0)""")


def test_participant_withdraws_and_downloads_and_the_lead_sees_it(live_server, page, browser, demo_data):
    lead = browser.new_context().new_page()
    sign_in(lead, live_server, "lead@demo.test", demo.DEMO_PASSWORD)
    lead.wait_for_url(f"{live_server}/")
    programme_link = lead.get_by_role("link", name="ASYE resilience programme (demo)").first
    programme_url = programme_link.get_attribute("href")
    lead.goto(f"{live_server}{programme_url}/outcomes/flow")
    before = _withdrawn_intervention(lead)

    sign_in(page, live_server, "participant@demo.test", demo.DEMO_PASSWORD)
    page.get_by_role("link", name="Your data").click()
    assert page.get_by_role("heading", name="Your data and consent").is_visible()
    assert "Agreed on" in page.content()
    page.get_by_label("The evaluation only", exact=False).check()
    page.get_by_label("They may still be used in the evaluation", exact=False).check()
    page.get_by_role("button", name="Withdraw", exact=True).click()
    assert page.get_by_text("You have withdrawn.").is_visible()
    assert page.get_by_text("You withdrew from the evaluation on").is_visible()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download my data").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(info.value.path()).read_bytes()))
    data = json.loads(archive.read("my-data.json"))
    assert data["profile"][0]["email"] == "participant@demo.test"
    assert [m["withdrawn_from"] for m in data["memberships"] if m["role"] == "participant"] == ["evaluation"]
    assert "activity_logs.csv" in archive.namelist()

    lead.reload()
    assert _withdrawn_intervention(lead) == before + 1
    lead.goto(f"{live_server}{programme_url}/consents")
    row = lead.get_by_role("row", name="Pat Participant")
    assert "(answers kept)" in row.inner_text()
    lead.context.close()
