"""The ratings report and the comparison across programmes are remembered against their
programmes' data and ratings versions: a remembered page is the page computed afresh, for every
reader, filter and date, and a changed rating shows at the next request."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from tests.conftest import page_afresh, page_text, remembered_reads
from tests.factories import (make_day, make_member, make_programme, make_rating, make_session, make_user,
                             make_wave)
from trainer.clock import today_in, utcnow
from trainer.extensions import db
from trainer.models import ModuleRating
from trainer.reports import views
from trainer.services.ratings import rating_summaries
from trainer.services.system import memo


@pytest.fixture
def rated(app, modules):
    """Twelve participants in two teams who rated two modules in a wave that closed last week,
    and in a second wave that closes tomorrow (the lead sees it then, the evaluator now); the
    lead leads a second programme with its own ratings."""
    today = today_in("Europe/London", utcnow())
    programme = make_programme("Spring cohort", status="follow-up")
    lead = make_user("lead@example.org")
    make_member(programme, "lead", user=lead)
    make_member(programme, "evaluator", user=make_user("eve@example.org"))
    day = make_day(programme, today - timedelta(days=40))
    for key in ("peer-support", "mindfulness"):
        make_session(day, modules[key])
    first = make_wave(programme, "One week", offset_days=7, opens_on=today - timedelta(days=30))
    second = make_wave(programme, "Eight weeks", offset_days=56, opens_on=today - timedelta(days=13))
    for i in range(12):
        person = make_member(programme, team=("North", "South")[i % 2])
        for wave, shift in ((first, 0), (second, 1)):
            make_rating(wave, person, modules["peer-support"], 1 + (i + shift) % 5, comment=f"Note {i}")
            make_rating(wave, person, modules["mindfulness"], 1 + (i * 2 + shift) % 5)
    other = make_programme("Autumn cohort", status="follow-up")
    make_member(other, "lead", user=lead)
    other_wave = make_wave(other, "One week", opens_on=today - timedelta(days=30))
    for i in range(6):
        make_rating(other_wave, make_member(other), modules["peer-support"], 2 + i % 3)
    db.session.commit()
    return programme, first, second




def _urls(programme, first) -> list[str]:
    report = f"/programmes/{programme.id}/ratings/report"
    return [report, f"{report}?wave={first.id}", f"{report}?team=North", f"{report}?wave={first.id}&team=South",
            f"{report}/print", f"{report}/print?team=North", "/ratings/compare"]


def test_each_reader_gets_the_pages_computed_afresh_whoever_was_remembered_first(app, client, auth, rated):
    programme, first, _ = rated
    memo._PAGES.clear()
    pages = {}
    for email in ("eve@example.org", "lead@example.org", "eve@example.org", "lead@example.org"):
        auth.login(email)
        client.get("/")  # shows the sign-in's message, so that no page below has it
        for url in _urls(programme, first):
            remembered, afresh = page_text(client, url), page_afresh(app, client, url)
            assert remembered == afresh
            pages[email, url] = remembered
        auth.logout()
    report = _urls(programme, first)[0]
    evaluator, lead = pages["eve@example.org", report], pages["lead@example.org", report]
    # The evaluator sees the second wave while it is open, the lead not yet; only the evaluator exports.
    assert evaluator.count("Usefulness by module</caption>") == 2 and "Export for analysis" in evaluator
    assert lead.count("Usefulness by module</caption>") == 1 and "Export for analysis" not in lead
    assert "Autumn cohort" in pages["lead@example.org", "/ratings/compare"]
    assert "Autumn cohort" not in pages["eve@example.org", "/ratings/compare"]


def test_a_changed_rating_shows_at_the_next_request(app, client, auth, rated, modules):
    programme, first, _ = rated
    report = f"/programmes/{programme.id}/ratings/report?wave={first.id}"
    auth.login("lead@example.org")
    client.get("/")
    before = {url: page_text(client, url) for url in (report, "/ratings/compare")}
    assert {url: page_text(client, url) for url in before} == before
    db.session.execute(update(ModuleRating).where(ModuleRating.wave_id == first.id,
                                                  ModuleRating.module_id == modules["peer-support"].id)
                       .values(usefulness=5, comment="Changed my mind"))
    rating_summaries.refresh([first.id])  # as the rating form does after its upsert
    db.session.commit()
    for url, page in before.items():
        after = page_text(client, url)
        assert after != page and "5.00" in after and after == page_afresh(app, client, url)
    assert "Changed my mind" in page_text(client, report)


def test_the_day_after_a_wave_closes_the_lead_sees_it_without_any_write(app, client, auth, rated, monkeypatch):
    programme, _, second = rated
    url = f"/programmes/{programme.id}/ratings/report?wave={second.id}"
    auth.login("lead@example.org")
    client.get("/")
    assert "results-pending" in page_text(client, url)
    tomorrow = datetime.now(timezone.utc) + timedelta(days=1)
    monkeypatch.setattr(views, "utcnow", lambda: tomorrow)
    page = page_text(client, url)
    assert "results-pending" not in page and "Usefulness by module</caption>" in page
    assert page == page_afresh(app, client, url)


@pytest.mark.parametrize("email", ["eve@example.org", "lead@example.org"])
@pytest.mark.parametrize("page", ["report", "print", "compare"])
def test_what_a_ratings_page_remembers_is_read_only_from_tables_whose_writes_move_its_versions(
        app, client, auth, rated, email, page):
    programme, *_ = rated
    auth.login(email)
    url = {"report": f"/programmes/{programme.id}/ratings/report",
           "print": f"/programmes/{programme.id}/ratings/report/print", "compare": "/ratings/compare"}[page]
    read, second = remembered_reads(client, url)
    assert "memberships" in read and read <= memo.VERSIONED_TABLES | memo.RATINGS_TABLES | {"rating_summaries"}
    assert ("rating_summaries" in read) == (page == "compare")
    # The remembered page reads the versions and none of the ratings.
    assert any("programme_versions" in statement for statement in second)
    assert not any(re.search(r"\b(module_ratings|rating_summaries|rating_responses)\b", statement)
                   for statement in second)


def test_leads_of_different_programmes_each_get_their_own_comparison(app, client, auth, rated, modules):
    programme, *_ = rated
    make_member(programme, "lead", user=make_user("colead@example.org"))
    db.session.commit()
    memo._PAGES.clear()
    pages = {}
    for email in ("lead@example.org", "colead@example.org", "lead@example.org"):
        auth.login(email)
        client.get("/")
        pages[email] = page_text(client, "/ratings/compare")
        assert pages[email] == page_afresh(app, client, "/ratings/compare")
        auth.logout()
    assert "Autumn cohort" in pages["lead@example.org"] and "Autumn cohort" not in pages["colead@example.org"]
