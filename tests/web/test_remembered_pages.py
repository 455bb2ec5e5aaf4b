"""The evaluation, the participant flow and retention are remembered against their programme's data
version: a remembered page is the page computed afresh, for every reader and date, and a write
shows at the next request."""
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tests.conftest import page_afresh, page_text, remembered_reads
from tests.factories import make_member, make_outcome_waves, make_programme, make_scores, make_user
from trainer.extensions import db
from trainer.models import Membership
from trainer.outcomes import views
from trainer.services.system import memo


@pytest.fixture
def scored(app):
    """Six participants an arm with baseline and post scores; the post wave closes today, so the
    lead sees its figures tomorrow and the evaluator now."""
    today = date.today()
    programme = make_programme(start=today - timedelta(days=90), end=today + timedelta(days=200))
    waves = make_outcome_waves(programme, ("brs", "wemwbs"), baseline=(today - timedelta(days=80),) * 2,
                               post=(today - timedelta(days=5), today),
                               follow_up=(today + timedelta(days=100),) * 2)
    make_member(programme, "lead", user=make_user("lead@example.org"))
    make_member(programme, "evaluator", user=make_user("eve@example.org"))
    for i in range(6):
        for arm in ("intervention", "comparison"):
            person = make_member(programme, arm=arm, team=f"Team {i % 2}")
            make_scores(person, waves["baseline"], "brs", {"total": 3 + i / 10})
            make_scores(person, waves["post"], "brs", {"total": 3.2 + i / 10 + (0.4 if arm == "intervention" else 0)})
    db.session.commit()
    return programme, waves




def test_each_reader_gets_the_page_computed_afresh_whoever_was_remembered_first(app, client, auth, scored):
    programme, _ = scored
    memo._PAGES.clear()
    urls = [f"/programmes/{programme.id}/outcomes/", f"/programmes/{programme.id}/outcomes/?scale=brs/total",
            f"/programmes/{programme.id}/outcomes/?scale=wemwbs/total"]
    pages = {}
    for email in ("eve@example.org", "lead@example.org", "eve@example.org", "lead@example.org"):
        auth.login(email)
        client.get("/")  # shows the sign-in's message, so that neither page below has it
        for url in urls:
            remembered, afresh = page_text(client, url), page_afresh(app, client, url)
            assert remembered == afresh
            pages[email, url] = remembered
        auth.logout()
    # The evaluator sees the post wave while it is open, the lead not yet; only the evaluator exports.
    evaluator, lead = pages["eve@example.org", urls[1]], pages["lead@example.org", urls[1]]
    assert "0.40" in evaluator and "0.40" not in lead and "results appear when the wave closes" in lead
    assert "Export for analysis" in evaluator and "Export for analysis" not in lead


def test_a_new_answer_shows_at_the_next_request(app, client, auth, scored):
    programme, waves = scored
    url = f"/programmes/{programme.id}/outcomes/?scale=brs/total"
    auth.login("eve@example.org")
    client.get("/")
    before = page_text(client, url)
    assert page_text(client, url) == before
    assert "n = 12" in before or ">6<" in before
    person = make_member(programme, arm="comparison")
    make_scores(person, waves["baseline"], "brs", {"total": 1.0})
    make_scores(person, waves["post"], "brs", {"total": 5.0})
    db.session.commit()
    after = page_text(client, url)
    assert after != before and after == page_afresh(app, client, url)


def test_the_day_after_a_wave_closes_the_lead_sees_it_without_any_write(app, client, auth, scored, monkeypatch):
    programme, _ = scored
    url = f"/programmes/{programme.id}/outcomes/?scale=brs/total"
    auth.login("lead@example.org")
    client.get("/")
    assert "0.40" not in page_text(client, url)
    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)
    monkeypatch.setattr(views, "utcnow", lambda: tomorrow)
    page = page_text(client, url)
    assert "0.40" in page and page == page_afresh(app, client, url)


@pytest.mark.parametrize("email", ["eve@example.org", "lead@example.org"])
@pytest.mark.parametrize("page", ["", "flow", "retention"])
def test_what_a_page_remembers_is_read_only_from_tables_whose_writes_move_the_version(
        app, client, auth, scored, email, page):
    programme, _ = scored
    auth.login(email)
    url = f"/programmes/{programme.id}/outcomes/{page}"
    read, second = remembered_reads(client, url)
    assert "memberships" in read and read <= memo.VERSIONED_TABLES
    # The remembered page reads the version and none of its figures' rows.
    assert any("programme_versions" in statement for statement in second)
    assert not any(re.search(r"\b(outcome_responses|outcome_scores)\b", statement) for statement in second)
    if page != "retention":
        assert "outcome_responses" in read


@pytest.mark.parametrize("page", ["flow", "retention"])
def test_flow_and_retention_remembered_are_the_pages_computed_afresh_for_each_reader(
        app, client, auth, scored, page):
    programme, _ = scored
    url = f"/programmes/{programme.id}/outcomes/{page}"
    memo._PAGES.clear()
    for email in ("eve@example.org", "lead@example.org", "eve@example.org", "lead@example.org"):
        auth.login(email)
        client.get("/")
        assert page_text(client, url) == page_afresh(app, client, url)
        auth.logout()


def test_a_recorded_leaver_shows_on_retention_at_once(app, client, auth, scored):
    programme, _ = scored
    url = f"/programmes/{programme.id}/outcomes/retention"
    auth.login("lead@example.org")
    before = page_text(client, url)
    leaver = db.session.scalars(select(Membership).where(Membership.programme_id == programme.id,
                                                         Membership.role == "participant")).first()
    response = client.post(f"{url}/record", data={"membership_id": leaver.id,
                                                  "left_on": date.today().isoformat(), "reason": "Moved away",
                                                  "category": "other_unknown"})
    assert response.status_code == 302
    after = page_text(client, url)
    assert after != before and after == page_afresh(app, client, url)
