"""In a real browser: a participant answers a questionnaire with the keyboard (autosaved), and the
lead's evaluation page draws its chart."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import sign_in
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import OutcomeResponse
from trainer import demo


@pytest.fixture
def demo_data(app, modules):
    demo.seed(modules_dir=None, now=utcnow(), base_url="http://localhost")
    db.session.commit()


def test_participant_answers_by_keyboard_with_autosave_then_submits(live_server, page, demo_data):
    sign_in(page, live_server, "participant@demo.test", demo.DEMO_PASSWORD)
    page.get_by_role("link", name="Your wellbeing questionnaires").click()
    page.get_by_role("link", name="Self-Compassion Scale, short form").click()
    first = page.get_by_role("group", name="1. When I fail at something important")
    first.get_by_label("Almost always").check()
    page.keyboard.press("ArrowLeft")  # moves to the previous option: "4"
    # The status reads "Saving…" until the latest change is stored, so this waits for both saves.
    page.wait_for_function(
        "() => document.getElementById('autosave-status').textContent === 'Your answers are saved.'")
    db.session.expire_all()
    saved = db.session.scalar(select(OutcomeResponse).where(OutcomeResponse.instrument_key == "scs-sf",
                                                           OutcomeResponse.submitted_at.is_(None)))
    assert saved.answers == {"1": 4}
    db.session.rollback()  # end the read so the server can write
    page.reload()
    assert page.get_by_role("group", name="1. When I fail").get_by_label("4").is_checked()
    for n in range(2, 13):
        page.locator(f"#item_{n}-2").check()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible(timeout=30_000)
    assert "Self-compassion" in page.content()


def test_lead_sees_evaluation_chart_flow_and_retention(live_server, page, demo_data):
    sign_in(page, live_server, "lead@demo.test", demo.DEMO_PASSWORD)
    page.wait_for_url(f"{live_server}/")
    page.get_by_role("link", name="ASYE resilience programme (demo)").first.click()
    page.get_by_role("link", name="Outcomes, participant flow and retention").click()
    # expect waits for the page (is_visible does not: under load it looked at the page before).
    expect(page.get_by_role("heading", name="Did it work?")).to_be_visible(timeout=30_000)
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart]'))")
    assert "Hedges" in page.content()
    page.get_by_role("link", name="Participant flow").click()
    expect(page.get_by_role("heading", name="Allocated")).to_be_visible(timeout=30_000)
    page.get_by_role("link", name="Retention").click()
    page.wait_for_function("() => window.Chart && Chart.getChart(document.querySelector('canvas[data-chart]'))")
    assert "Number at risk" in page.content()


def test_consort_diagram_draws_without_breaking_the_csp_and_prints_without_navigation(
        live_server, page, demo_data):
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in(page, live_server, "lead@demo.test", demo.DEMO_PASSWORD)
    page.wait_for_url(f"{live_server}/")
    page.get_by_role("link", name="ASYE resilience programme (demo)").first.click()
    page.get_by_role("link", name="Outcomes, participant flow and retention").click()
    page.get_by_role("link", name="Participant flow").click()
    diagram = page.get_by_role("img", name="CONSORT diagram of the participant flow")
    expect(diagram).to_be_visible(timeout=30_000)  # waits for the page, as is_visible does not
    assert diagram.bounding_box()["height"] > 300
    assert page.locator("svg tspan[data-stage='allocated'][data-arm='intervention']").text_content().isdigit()
    page.emulate_media(media="print")
    assert diagram.is_visible()
    assert not page.get_by_role("navigation", name="Outcomes").is_visible()
    assert violations == []
