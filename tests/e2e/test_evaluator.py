"""In a real browser: the demo's evaluator opens the outcomes evaluation and downloads the
record-level export with random codes; the lead's cohort page shows names and no codes."""
import csv
import io
import re

import pytest
from sqlalchemy import select

from tests.e2e.conftest import sign_in
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import Membership, Programme
from trainer import demo

PROGRAMME = "ASYE resilience programme (demo)"


@pytest.fixture
def demo_data(app, modules):
    demo.seed(modules_dir=None, now=utcnow(), base_url="http://localhost")
    db.session.commit()
    programme_id = db.session.scalar(select(Programme.id).where(Programme.name == PROGRAMME))
    codes = set(db.session.scalars(select(Membership.code).where(
        Membership.programme_id == programme_id, Membership.code.is_not(None))))
    db.session.rollback()  # end the read so the server can write
    return programme_id, codes


def test_evaluator_opens_the_outcomes_and_downloads_the_export(live_server, page, demo_data):
    sign_in(page, live_server, "evaluator@demo.test", demo.DEMO_PASSWORD)
    page.wait_for_url(f"{live_server}/")
    assert page.get_by_role("heading", name="Programmes you evaluate").is_visible()
    page.get_by_role("link", name=f"Outcomes of {PROGRAMME}").click()
    assert page.get_by_role("heading", name="Did it work?").is_visible()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart]'))")
    with page.expect_download() as info:
        page.get_by_role("button", name="Scores and answers (CSV)").click()
    download = info.value
    assert re.fullmatch(r"programme-\d+-outcomes\.csv", download.suggested_filename)
    with open(download.path(), encoding="utf-8") as handle:
        rows = list(csv.DictReader(io.StringIO(handle.read())))
    programme_id, codes = demo_data
    assert rows and {r["code"] for r in rows} <= codes
    assert all(re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", r["code"]) for r in rows)
    assert "@demo.test" not in "".join(",".join(r.values()) for r in rows)
    # The evaluator is refused the pages with names.
    response = page.goto(f"{live_server}/programmes/{programme_id}/cohort/")
    assert response.status == 403 and page.get_by_role("heading", name="You cannot view this page").is_visible()


def test_lead_cohort_page_shows_names_but_no_codes(live_server, page, demo_data):
    sign_in(page, live_server, "lead@demo.test", demo.DEMO_PASSWORD)
    page.wait_for_url(f"{live_server}/")
    page.get_by_role("link", name=PROGRAMME).first.click()
    page.get_by_role("link", name=re.compile("^Cohort")).first.click()
    content = page.content()
    assert "Pat Participant" in content and "participant@demo.test" in content
    assert [code for code in demo_data[1] if code in content] == []
    assert page.get_by_role("columnheader", name="Code").count() == 0
