"""In a real browser: the demo's board report prints on one A4 page with every part on it."""
import re

import pytest
from sqlalchemy import select

from tests.e2e.conftest import SCREENSHOTS, sign_in
from trainer import demo
from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import Programme

# A page object of the PDF, not the /Pages tree that holds them.
PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
# Tables wider than the column (or page) they sit in: on paper they would be cut off.
CLIPPED = """[...document.querySelectorAll('.app-board .app-table-scroll')]
  .filter(box => box.offsetParent !== null && box.scrollWidth > box.clientWidth + 1)
  .map(box => box.getAttribute('aria-label') || box.querySelector('table').getAttribute('data-testid'))"""
SECTIONS = ("The evaluation plan", "Participant flow", "Were the groups alike at baseline?",
            "Primary outcome", "Secondary outcomes", "Reliable change", "Retention", "Costs")


@pytest.fixture
def board_url(app, modules, live_server):
    """The demo seeded; the URL of its running programme's board report."""
    demo.seed(modules_dir=None, now=utcnow(), base_url="http://localhost")
    db.session.commit()
    programme = db.session.scalar(select(Programme).where(Programme.status != "closed"))
    url = f"{live_server}/programmes/{programme.id}/outcomes/board"
    db.session.rollback()  # end the read so the server can write
    return url


@pytest.mark.parametrize("reader", ["lead", "evaluator"])
def test_the_demos_board_report_prints_on_one_a4_page_with_every_section(live_server, page, board_url,
                                                                         reader):
    sign_in(page, live_server, f"{reader}@demo.test", demo.DEMO_PASSWORD)
    page.wait_for_url(f"{live_server}/")
    page.goto(board_url)
    pdf = page.pdf(format="A4")
    pages = len(PDF_PAGE.findall(pdf))
    if pages != 1:
        SCREENSHOTS.mkdir(exist_ok=True)
        (SCREENSHOTS / f"board-report-{reader}.pdf").write_bytes(pdf)
    assert pages == 1, f"the board report prints on {pages} pages (test-results/board-report-{reader}.pdf)"
    # The page as printed: A4's width less the margins (96 px an inch), the print stylesheet on.
    page.set_viewport_size({"width": 726, "height": 1000})
    page.emulate_media(media="print")
    assert page.evaluate(CLIPPED) == []
    for heading in SECTIONS:
        assert page.get_by_role("heading", name=heading, exact=True).is_visible(), heading
    assert not page.get_by_role("navigation", name="Outcomes").is_visible()
    assert not page.get_by_role("link", name="Sign out").is_visible()
