"""Rating pages: the participant's form, the lead's waves, responses, report, exports and who
may see each."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import count_statements, statements_of
from tests.factories import (make_day, make_mark, make_member, make_programme, make_rating,
                             make_session, make_user, make_wave)
from trainer.clock import today_in, utcnow
from trainer.extensions import db
from trainer.models import AuditEvent, Consent, Membership, ModuleRating, OutboxMessage, TrainingDay, User


@pytest.fixture
def open_wave(app, modules):
    """A programme whose one-week wave is open today: a lead, a trainer, another programme's
    lead, an intervention participant who has not rated, a comparison participant, and five
    others who rated both modules."""
    today = today_in("Europe/London", utcnow())
    programme = make_programme("Spring cohort", status="follow-up")
    make_member(programme, "lead", user=make_user("lead@example.org"))
    make_member(programme, "trainer", user=make_user("trainer@example.org"))
    make_member(make_programme("Elsewhere"), "lead", user=make_user("other@example.org"))
    make_member(programme, "evaluator", user=make_user("eve@example.org"))
    day = make_day(programme, today - timedelta(days=9))
    make_session(day, modules["peer-support"])
    make_session(day, modules["mindfulness"])
    wave = make_wave(programme, "One week", opens_on=today - timedelta(days=2))
    me = make_member(programme, user=make_user("p@example.org"), team="North")
    make_member(programme, user=make_user("c@example.org"), arm="comparison")
    for score in (3, 4, 4, 5, 5):
        rater = make_member(programme, team="North")
        make_rating(wave, rater, modules["peer-support"], score, comment=f"Helpful {score}")
        make_rating(wave, rater, modules["mindfulness"], 6 - score)
    db.session.commit()
    return programme, wave, me


def answer(modules, peer="4", mind="absent", **extra):
    return {f"m{modules['peer-support'].id}_score": peer, f"m{modules['mindfulness'].id}_score": mind,
            f"m{modules['peer-support'].id}_comment": "Loved it", **extra}


def test_participant_sees_the_open_wave_on_home_and_rates_every_module(client, auth, open_wave, modules):
    programme, wave, me = open_wave
    auth.login("p@example.org")
    home = client.get("/").get_data(as_text=True)
    assert f"/programmes/{programme.id}/ratings/{wave.id}" in home and "Rate the modules" in home
    form = client.get(f"/programmes/{programme.id}/ratings/{wave.id}").get_data(as_text=True)
    assert "Peer support" in form and "5 – extremely useful" in form and "I did not attend" in form
    page = client.post(f"/programmes/{programme.id}/ratings/{wave.id}",
                       data=answer(modules, finish="y"), follow_redirects=True).get_data(as_text=True)
    assert "your ratings are submitted" in page
    assert db.session.scalar(select(func.count(ModuleRating.id)).where(
        ModuleRating.membership_id == me.id)) == 2


def test_a_double_submission_leaves_one_row_per_module(client, auth, open_wave, modules):
    programme, wave, me = open_wave
    auth.login("p@example.org")
    for _ in range(2):
        client.post(f"/programmes/{programme.id}/ratings/{wave.id}", data=answer(modules, save="y"))
    assert db.session.scalar(select(func.count(ModuleRating.id)).where(
        ModuleRating.membership_id == me.id)) == 2


def test_submitting_with_a_module_unanswered_explains_and_keeps_what_was_typed(client, auth, open_wave, modules):
    programme, wave, _ = open_wave
    auth.login("p@example.org")
    page = client.post(f"/programmes/{programme.id}/ratings/{wave.id}",
                       data=answer(modules, mind="", finish="y")).get_data(as_text=True)
    assert "govuk-error-summary" in page and "or choose that you did not attend it" in page
    assert "Loved it" in page


def test_a_late_submission_is_refused_with_a_message(client, auth, open_wave, modules):
    programme, wave, me = open_wave
    wave.closes_on = wave.opens_on + timedelta(days=1)
    db.session.commit()
    auth.login("p@example.org")
    page = client.post(f"/programmes/{programme.id}/ratings/{wave.id}",
                       data=answer(modules, finish="y")).get_data(as_text=True)
    assert "This rating round ended on" in page and "were not saved" in page
    assert "This wave has closed" in page
    assert not db.session.scalar(select(ModuleRating.id).where(ModuleRating.membership_id == me.id))


@pytest.mark.parametrize("email, status", [("c@example.org", 403), ("lead@example.org", 403),
                                           ("other@example.org", 403)])
def test_only_intervention_participants_reach_the_form(client, auth, open_wave, email, status):
    programme, wave, _ = open_wave
    auth.login(email)
    assert client.get(f"/programmes/{programme.id}/ratings/{wave.id}").status_code == status


def _close(wave):
    wave.closed_at = utcnow()
    db.session.commit()


def test_while_the_wave_is_open_the_lead_sees_who_answered_and_no_statistic(client, auth, open_wave):
    programme, wave, _ = open_wave
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}/ratings/report").get_data(as_text=True)
    assert "5 participants asked, 5 have answered" in page
    assert "results appear here after it closes" in page
    assert f"/programmes/{programme.id}/waves/{wave.id}/responses" in page
    assert "4.20" not in page and "Helpful 5" not in page and "Usefulness by module" not in page
    assert "data-chart=" not in page


def test_once_the_wave_has_closed_the_lead_sees_statistics_chart_and_whole_distributions(
        client, auth, open_wave):
    programme, wave, _ = open_wave
    _close(wave)
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}/ratings/report").get_data(as_text=True)
    assert "Module ratings" in page and "data-chart=" in page
    assert "4.20" in page and "Helpful 5" in page  # peer support: mean of 3,4,4,5,5
    assert "&lt;5" not in page and "Not shown" not in page  # counts of 1 and 2 show in a group of 5
    assert "Secret" not in page
    printable = client.get(f"/programmes/{programme.id}/ratings/report/print").get_data(as_text=True)
    assert "module usefulness ratings" in printable and "4.20" in printable


def _usefulness_row(page, title):
    table = page.split("Usefulness by module</caption>")[1].split("</table>")[0]
    row = table.split(f">{title}</th>")[1].split("</tr>")[0]
    return [cell.split(">", 1)[1].rsplit("</td>", 1)[0].strip() for cell in row.split("<td")[1:]]


def test_small_teams_are_offered_only_together_as_other_teams(client, auth, open_wave, modules):
    # North has 6 intervention participants (5 rated), East 3 and West 2: East and West make
    # "Other teams" (5). Each part's figures show only with 5 or more raters in it.
    programme, wave, me = open_wave
    for team, scores in (("East", (1, 1, 2)), ("West", (2, 3))):
        for score in scores:
            make_rating(wave, make_member(programme, team=team), modules["peer-support"], score,
                        comment=f"{team} comment")
    _close(wave)
    auth.login("lead@example.org")
    url = f"/programmes/{programme.id}/ratings/report"
    everyone = client.get(url).get_data(as_text=True)
    assert '<option value="North"' in everyone and '<option value="*other">Other teams</option>' in everyone
    assert '<option value="East"' not in everyone
    assert _usefulness_row(everyone, "Peer support and coaching")[:2] == ["10", "3.00"]
    other = client.get(url + "?team=*other").get_data(as_text=True)
    assert _usefulness_row(other, "Peer support and coaching")[:2] == ["5", "1.80"]
    assert "East comment" in other and "Helpful 5" not in other
    north = client.get(url + "?team=North").get_data(as_text=True)
    assert _usefulness_row(north, "Peer support and coaching")[:2] == ["5", "4.20"]
    # Mindfulness: North's 5 raters and nobody else's, so "Other teams" shows nothing of it.
    assert "Not shown: fewer than 5 responses" in other
    assert "Not in the chart: Mindfulness and relaxation (fewer than 5 responses)." in other
    east = client.get(url + "?team=East").get_data(as_text=True)
    assert _usefulness_row(east, "Peer support and coaching")[0] == "10"  # not a part: all teams


def _attendance_row(page, title):
    table = page.split('data-testid="attendance"')[1].split("</table>")[0]
    row = table.split(f">{title}</th>")[1].split("</tr>")[0]
    return [cell.split(">", 1)[1].rsplit("</td>", 1)[0].strip() for cell in row.split("<td")[1:]]


def test_lead_sees_who_attended_each_module_and_whether_those_who_missed_it_rated_it(
        client, auth, open_wave, modules):
    programme, wave, me = open_wave
    day = db.session.scalar(select(TrainingDay).where(TrainingDay.programme_id == programme.id))
    peer_session = next(s for s in day.sessions if s.module.key == "peer-support")
    for person in db.session.scalars(select(Membership).where(
            Membership.programme_id == programme.id, Membership.arm == "intervention")):
        make_mark(day, person, "present")
    missed = []
    for _ in range(5):
        person = make_member(programme, team="North")
        make_mark(day, person, "present")
        missed.append(make_mark(day, person, "absent", session=peer_session))
        make_rating(wave, person, modules["peer-support"], 2)
        make_rating(wave, person, modules["mindfulness"], None)
    db.session.commit()
    auth.login("lead@example.org")
    url = f"/programmes/{programme.id}/ratings/report"
    page = client.get(url).get_data(as_text=True)
    # Open wave: the register shows, the answers beside it do not.
    assert _attendance_row(page, modules["peer-support"].title) == ["6", "5"]
    assert "What they answered about the modules appears when the wave closes." in page
    _close(wave)
    page = client.get(url).get_data(as_text=True)
    assert "Attendance and ratings" in page
    assert _attendance_row(page, modules["peer-support"].title) == ["6", "5", "5", "0"]
    assert _attendance_row(page, modules["mindfulness"].title) == ["11", "0", "0", "5"]
    missed[0].status = "present"
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert _attendance_row(page, modules["peer-support"].title) == ["7", "4", "4", "0"]  # 4 is shown as it is
    printable = client.get(f"{url}/print").get_data(as_text=True)
    assert _attendance_row(printable, modules["mindfulness"].title) == ["11", "0", "0", "5"]


def test_lead_downloads_the_reports_tables_as_csv_with_the_pages_rules(client, auth, open_wave):
    programme, wave, me = open_wave
    auth.login("lead@example.org")
    url = f"/programmes/{programme.id}/ratings/report.csv"
    during = client.get(url)
    assert during.status_code == 200 and during.mimetype == "text/csv"
    assert "attachment" in during.headers["Content-Disposition"]
    text = during.get_data(as_text=True)
    assert text.startswith("wave,team,module,raters,mean") and "results appear when the wave closes" in text
    assert ",4.2," not in text and me.code not in text
    _close(wave)
    text = client.get(url + "?team=North").get_data(as_text=True)  # one team only: no breakdown
    assert "One week,All teams,Peer support and coaching,5,4.2," in text
    assert me.code not in text and "example.org" not in text and "Helpful" not in text


@pytest.mark.parametrize("email", ["trainer@example.org", "p@example.org", "other@example.org"])
def test_only_the_programmes_leads_see_the_report_waves_and_exports(client, auth, open_wave, email):
    programme, wave, _ = open_wave
    auth.login(email)
    for url in (f"/programmes/{programme.id}/ratings/report",
                f"/programmes/{programme.id}/ratings/report/print",
                f"/programmes/{programme.id}/ratings/report.csv",
                f"/programmes/{programme.id}/waves",
                f"/programmes/{programme.id}/waves/{wave.id}/responses"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/programmes/{programme.id}/ratings/export/ratings").status_code == 403


def test_evaluator_exports_csv_with_codes_and_an_audit_event(client, auth, open_wave):
    programme, _wave, me = open_wave
    auth.login("eve@example.org")
    response = client.post(f"/programmes/{programme.id}/ratings/export/ratings")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    codes = set(db.session.scalars(select(Membership.code).where(Membership.programme_id == programme.id,
                                                                 Membership.code.is_not(None))))
    assert text.startswith("programme,participant_code,arm") and len(codes & set(re.findall(r"\b\w{6}\b", text))) == 5
    assert "example.org" not in text and "Test User" not in text
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.action == "ratings.exported.ratings"))
    assert client.post(f"/programmes/{programme.id}/ratings/export/secrets").status_code == 404


def test_lead_has_no_record_level_download_and_no_export_buttons(client, auth, open_wave):
    programme, _wave, _me = open_wave
    auth.login("lead@example.org")
    for kind in ("ratings", "dictionary", "comments"):
        assert client.post(f"/programmes/{programme.id}/ratings/export/{kind}").status_code == 403
    page = client.get(f"/programmes/{programme.id}/ratings/report").get_data(as_text=True)
    assert "/ratings/export/" not in page and "Rating waves and responses" in page
    auth.logout()
    auth.login("eve@example.org")
    page = client.get(f"/programmes/{programme.id}/ratings/report").get_data(as_text=True)
    assert "/ratings/export/ratings" in page and "Rating waves and responses" not in page
    assert client.get(f"/programmes/{programme.id}/waves").status_code == 403


def test_lead_tracks_responses_and_reminds_only_those_not_finished(client, auth, open_wave):
    programme, wave, me = open_wave
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}/waves/{wave.id}/responses").get_data(as_text=True)
    assert "Not responded" in page and "Finished" in page and "p@example.org" not in page
    client.post(f"/programmes/{programme.id}/waves/{wave.id}/remind")
    client.post(f"/programmes/{programme.id}/waves/{wave.id}/remind")
    reminded = list(db.session.scalars(select(OutboxMessage.user_id)))
    assert reminded == [me.user_id]


def test_responses_page_runs_as_many_statements_for_twice_the_participants(
        client, auth, open_wave, modules):
    programme, wave, _ = open_wave
    auth.login("lead@example.org")
    url = f"/programmes/{programme.id}/waves/{wave.id}/responses"
    before = count_statements(client, url)
    for score in (2, 3, 4, 5, 5, 1):
        make_rating(wave, make_member(programme, team="South"), modules["peer-support"], score)
    db.session.commit()
    assert count_statements(client, url) == before


def test_lead_adds_and_changes_waves_and_sees_errors(client, auth, open_wave):
    programme, wave, _ = open_wave
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}/waves").get_data(as_text=True)
    assert "One week" in page and "Add a wave" in page
    page = client.post(f"/programmes/{programme.id}/waves/new",
                       data={"label": "Six months", "offset_days": "182", "window_days": "14"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Six months" in page and "is saved" in page
    page = client.post(f"/programmes/{programme.id}/waves/new",
                       data={"label": "six months", "offset_days": "x", "window_days": "0"}
                       ).get_data(as_text=True)
    assert "govuk-error-summary" in page and 'value="six months"' in page
    page = client.post(f"/programmes/{programme.id}/waves/{wave.id}/edit",
                       data={"label": "Week", "offset_days": "8", "window_days": "14"}
                       ).get_data(as_text=True)
    assert "has opened" in page


def test_compare_page_for_leads_and_admins_only(client, auth, open_wave):
    _programme, wave, _ = open_wave
    auth.login("lead@example.org")
    page = client.get("/ratings/compare").get_data(as_text=True)
    assert "Spring cohort" in page and "4.20" not in page
    assert "Not shown: results appear when the wave closes" in page
    _close(wave)
    page = client.get("/ratings/compare").get_data(as_text=True)
    assert "Spring cohort" in page and "4.20" in page
    auth.logout()
    auth.login("p@example.org")
    assert client.get("/ratings/compare").status_code == 403


def test_lead_programme_page_links_to_ratings(client, auth, open_wave):
    programme, *_ = open_wave
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    assert f"/programmes/{programme.id}/ratings/report" in page


def test_response_tracking_is_searched_and_filtered_by_status(client, auth, open_wave, modules):
    programme, wave, me = open_wave
    make_member(programme, user=make_user("zed@example.org", name="Zed Zebra"), team="Far East")
    db.session.commit()
    auth.login("lead@example.org")
    url = f"/programmes/{programme.id}/waves/{wave.id}/responses"
    page = client.get(url + "?status=none").get_data(as_text=True)
    assert "Zed Zebra" in page and "Finished</td>" not in page
    page = client.get(url + "?q=far+east").get_data(as_text=True)
    assert "Showing 1 to 1 of 1 participant" in page and "Zed Zebra" in page
    assert "Zed Zebra" not in client.get(url + "?status=finished").get_data(as_text=True)


def test_compare_page_shows_twenty_programmes_a_page_and_pools_over_all(client, auth, open_wave, modules):
    programme, wave, _ = open_wave
    lead = db.session.scalars(select(User).where(User.email == "lead@example.org")).one()
    for n in range(21):
        other = make_programme(f"Older cohort {n:02}", start=date(2001, 1, 1) + timedelta(days=n))
        make_member(other, "lead", user=lead)
        old_wave = make_wave(other, "One week", opens_on=date(2001, 3, 1))
        _close(old_wave)
        for score in (1, 1, 1, 1, 1):
            make_rating(old_wave, make_member(other), modules["peer-support"], score)
    _close(wave)
    db.session.commit()
    auth.login("lead@example.org")
    page = client.get("/ratings/compare").get_data(as_text=True)
    assert "Showing programmes 1 to 20 of 22" in page and "Spring cohort" in page
    assert "Older cohort 20" in page and "Older cohort 02" in page and "Older cohort 01" not in page
    second = client.get("/ratings/compare?page=2").get_data(as_text=True)
    assert "Showing programmes 21 to 22 of 22" in second and "Older cohort 01" in second
    assert "Older cohort 00" in second and "Older cohort 02" not in second
    assert "Spring cohort" not in second
    # Pooled over all 22 programmes on every page: 21 x five 1s and Spring's 3, 4, 4, 5, 5.
    pooled = f"{(21 * 5 + 21) / 110:.2f}"
    assert "n = 110" in page and "n = 110" in second and pooled in page and pooled in second


def test_response_tracking_reads_access_once_and_counts_without_a_count_statement(client, auth, open_wave):
    """One GET checks the lead's access once (the view and the service share it) and takes the
    page's total from the counts by status; a search still counts what it matches."""
    programme, wave, _ = open_wave
    auth.login("lead@example.org")
    url = f"/programmes/{programme.id}/waves/{wave.id}/responses"
    seen = statements_of(client, url)
    assert sum("FROM programmes LEFT OUTER JOIN memberships" in s for s in seen) == 1
    assert not any(s.startswith("SELECT count(*)") for s in seen)
    page = client.get(url).get_data(as_text=True)
    assert "Showing 1 to 6 of 6 participants" in page
    page = client.get(url + "?status=finished").get_data(as_text=True)
    assert "Showing 1 to 5 of 5 participants" in page
    assert any(s.startswith("SELECT count(*)") for s in statements_of(client, url + "?q=north"))


def test_access_kept_for_one_get_is_read_afresh_by_the_next_request(client, auth, open_wave):
    """A lead whose role is taken away between two requests is refused on the second: what a
    request keeps of someone's access does not outlive it."""
    programme, wave, _ = open_wave
    auth.login("lead@example.org")
    url = f"/programmes/{programme.id}/waves/{wave.id}/responses"
    assert client.get(url).status_code == 200
    lead = db.session.scalars(select(User).where(User.email == "lead@example.org")).one()
    db.session.delete(db.session.scalars(select(Membership).where(
        Membership.user_id == lead.id, Membership.programme_id == programme.id)).one())
    db.session.commit()
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("how", ["no evaluation consent", "consent withdrawn", "left the evaluation"])
def test_a_participant_who_may_not_be_asked_sees_no_wave_and_is_refused_the_form(client, auth, open_wave, how):
    """The rating form and the home page read whether someone may be asked in the same
    statement as the wave: without evaluation consent, with it withdrawn, or after withdrawing
    from the evaluation, no wave shows at home and the form (and a submission) is refused."""
    programme, wave, _ = open_wave
    person = make_user("asked@example.org")
    member = make_member(programme, user=person, consent=("programme",) if how == "no evaluation consent"
                         else ("programme", "evaluation", "follow_up"))
    if how == "consent withdrawn":
        consent_row = db.session.scalars(select(Consent).where(Consent.membership_id == member.id,
                                                               Consent.purpose == "evaluation")).one()
        consent_row.withdrawn_on = date.today()
    elif how == "left the evaluation":
        member.withdrawn_on = date.today()
    db.session.commit()
    auth.login("asked@example.org")
    url = f"/programmes/{programme.id}/ratings/{wave.id}"
    assert url not in client.get("/").get_data(as_text=True)
    refused = client.get(url)
    assert refused.status_code == 403 and "no ratings are asked of you" in refused.get_data(as_text=True)
    assert client.post(url, data={"finish": "y"}).status_code == 403
    assert client.get(f"/programmes/{programme.id}/ratings/{wave.id + 1000}").status_code == 403
