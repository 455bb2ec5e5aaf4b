"""The demo's ratings report as its lead sees it: whole distributions for closed waves, small
teams together as "Other teams", attendance as it is, and nothing of an open wave's answers."""
import csv
import io
import re

import pytest
from sqlalchemy import select

from trainer.clock import utcnow
from trainer.extensions import db
from trainer.models import Programme, RatingWave
from trainer import demo
from trainer.services.ratings import ratings


@pytest.fixture
def demo_data(app, modules):
    demo.seed(modules_dir=None, now=utcnow(), base_url="http://localhost")
    db.session.commit()
    closed = db.session.scalar(select(Programme).where(Programme.status == "closed"))
    running = db.session.scalar(select(Programme).where(Programme.status != "closed"))
    return closed, running


def _lead(auth):
    auth.login("lead@demo.test", demo.DEMO_PASSWORD)


def _table(page, marker):
    return page.split(marker)[1].split("</table>")[0]


def _cells(row):
    return [re.sub(r"<[^>]+>", "", c.split(">", 1)[1]).strip() for c in row.split("<td")[1:]]


def test_closed_waves_show_whole_distributions_other_teams_and_plain_attendance(client, auth, demo_data):
    closed, _running = demo_data
    _lead(auth)
    page = client.get(f"/programmes/{closed.id}/ratings/report").get_data(as_text=True)
    assert "&lt;5" not in page and "(hidden)" not in page
    assert '<option value="*other">Other teams</option>' in page
    distributions = page.split("Number of participants giving each rating")[1:]
    assert len(distributions) == 2  # both waves
    for table in distributions:
        rows = table.split("</table>")[0].split("<tr")[2:]
        assert len(rows) == 6  # every module of the demo has 5 or more raters
        for row in rows:
            counts = [int(c) for c in _cells(row)]
            assert sum(counts[:5]) == counts[5] >= 5
    for row in _table(page, 'data-testid="attendance"').split("<tr")[2:]:
        attended, missed, *_ = _cells(row)
        assert attended.isdigit() and missed.isdigit()
    other = client.get(f"/programmes/{closed.id}/ratings/report?team=*other").get_data(as_text=True)
    assert "Other teams" in other and "&lt;5" not in other


def test_in_the_open_wave_the_lead_sees_who_answered_and_no_statistic(client, auth, demo_data):
    _closed, running = demo_data
    _lead(auth)
    page = client.get(f"/programmes/{running.id}/ratings/report").get_data(as_text=True)
    responded = re.search(r'data-testid="responded">(\d+) participants asked, (\d+) have answered', page)
    assert responded and int(responded.group(2)) > 0
    assert "results appear here after it closes" in page
    assert "Usefulness by module" not in page and "data-chart=" not in page
    assert "<h3 class=\"govuk-heading-m\">Comments</h3>" not in page


def _visible(client, programme_id):
    """Everything of the report the lead can see: the page (without the answered count) and the
    CSV (without the asked and answered columns)."""
    page = client.get(f"/programmes/{programme_id}/ratings/report").get_data(as_text=True)
    page = page.split("<h1", 1)[1]  # from the heading on: no sign-in banner
    page = re.sub(r'data-testid="responded">[^<]*|nonce="[^"]*"|name="csrf_token"[^>]*', "", page)
    rows = list(csv.reader(io.StringIO(client.get(
        f"/programmes/{programme_id}/ratings/report.csv").get_data(as_text=True))))
    return page, [r[:15] + r[17:] for r in rows]


def test_a_rating_submitted_in_an_open_wave_changes_no_figure_the_lead_can_see(
        app, client, auth, demo_data, modules):
    _closed, running = demo_data
    wave = db.session.scalar(select(RatingWave).where(RatingWave.programme_id == running.id)
                             .order_by(RatingWave.offset_days))
    assert ratings.wave_state(wave, utcnow().date()) == "open"
    _lead(auth)
    before = _visible(client, running.id)
    answered = client.get(f"/programmes/{running.id}/ratings/report").get_data(as_text=True)
    auth.logout()
    auth.login("participant@demo.test", demo.DEMO_PASSWORD)
    form = {f"m{m.id}_score": "1" for m in modules.values()} | {"finish": "y"}
    form[f"m{modules['peer-support'].id}_comment"] = "Not for me at all."
    response = client.post(f"/programmes/{running.id}/ratings/{wave.id}", data=form, follow_redirects=True)
    assert "your ratings are submitted" in response.get_data(as_text=True)
    auth.logout()
    _lead(auth)
    assert _visible(client, running.id) == before
    after = client.get(f"/programmes/{running.id}/ratings/report").get_data(as_text=True)
    count = re.compile(r"(\d+) have answered")
    assert int(count.search(after).group(1)) == int(count.search(answered).group(1)) + 1
    assert "Not for me at all." not in after


@pytest.mark.parametrize("email", ["trainer@demo.test", "participant@demo.test"])
def test_only_leads_download_the_reports_tables(client, auth, demo_data, email):
    closed, running = demo_data
    auth.login(email, demo.DEMO_PASSWORD)
    for programme in (closed, running):
        assert client.get(f"/programmes/{programme.id}/ratings/report.csv").status_code in (403, 404)
        assert client.get(f"/programmes/{programme.id}/outcomes/evaluation.csv").status_code in (403, 404)
