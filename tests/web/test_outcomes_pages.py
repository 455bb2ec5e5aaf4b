"""Outcome pages: what each role sees, and who may not see it."""
import csv
import io
import re
from datetime import date, timedelta

import numpy as np
import pytest
from scipy import stats as sps
from sqlalchemy import func, select

from tests.conftest import count_statements
from tests.factories import (make_day, make_mark, make_member, make_outcome_waves, make_programme,
                             make_scores, make_session, make_user)
from trainer.extensions import db
from trainer.models import InstrumentItemText, Membership, ScoreSharing
from trainer.services.outcomes import outcomes


@pytest.fixture
def study(app):
    """A programme whose baseline wave is open today, with one of each role."""
    today = date.today()
    programme = make_programme(start=today.replace(year=today.year - 1), end=today.replace(year=today.year + 1))
    waves = make_outcome_waves(programme, ("brs", "proqol5"), baseline=(today, today),
                               post=(today.replace(year=today.year + 1), today.replace(year=today.year + 1)),
                               follow_up=(today.replace(year=today.year + 1), today.replace(year=today.year + 1)))
    outcomes.save_support_resources(programme, "Employee Assistance Programme\nCall 0800 123 456.")
    for n in range(1, 31):
        db.session.add(InstrumentItemText(instrument_key="proqol5", number=n, text=f"ProQOL statement {n}"))
    people = {"lead": make_member(programme, "lead", user=make_user("lead@example.org")),
              "trainer": make_member(programme, "trainer", user=make_user("trainer@example.org")),
              "participant": make_member(programme, user=make_user("pat@example.org", name="Pat Person")),
              "comparison": make_member(programme, arm="comparison", user=make_user("cam@example.org")),
              "evaluator": make_member(programme, "evaluator", user=make_user("eve@example.org"))}
    make_user("admin@example.org", is_admin=True)
    make_user("stranger@example.org")
    return programme, waves, people


def _submit_high_burnout(client, programme, waves):
    data = {f"item_{i}": "5" for i in range(1, 31)}
    data["action"] = "submit"
    return client.post(f"/programmes/{programme.id}/questionnaires/{waves['baseline'].id}/proqol5", data=data)


def test_participant_answers_one_item_per_row_and_sees_their_scores(client, auth, study):
    programme, waves, _ = study
    auth.login("pat@example.org")
    page = client.get(f"/programmes/{programme.id}/questionnaires").get_data(as_text=True)
    assert "Brief Resilience Scale" in page and "To do" in page
    url = f"/programmes/{programme.id}/questionnaires/{waves['baseline'].id}/brs"
    form = client.get(url).get_data(as_text=True)
    assert form.count('type="radio"') == 6 * 5 and "I tend to bounce back quickly after hard times." in form
    assert client.post(url, data={"item_1": "4", "action": "save"}).status_code == 302
    assert 'value="4" checked' in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"item_2": "2"}, headers={"X-Autosave": "1"}).status_code == 204
    response = client.post(url, data={"item_3": "4", "item_4": "2", "item_5": "4", "item_6": "2",
                                      "action": "submit"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Thank you" in page and "4.00" in page and "Normal resilience" in page
    assert "Support is available" not in page


def test_bad_answer_re_renders_with_an_error_not_a_500(client, auth, study):
    programme, waves, _ = study
    auth.login("pat@example.org")
    url = f"/programmes/{programme.id}/questionnaires/{waves['baseline'].id}/brs"
    response = client.post(url, data={"item_1": "9", "item_2": "3", "action": "save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "There is a problem" in page
    assert 'value="3" checked' in page


def test_safety_net_is_shown_to_the_participant_alone(client, auth, study):
    programme, waves, people = study
    auth.login("pat@example.org")
    page = _submit_high_burnout(client, programme, waves)
    page = client.get(page.headers["Location"]).get_data(as_text=True)
    assert "Support is available" in page and "Employee Assistance Programme" in page
    assert "secondary traumatic stress" in page and "Nobody else has been told" in page
    result_url = f"/programmes/{programme.id}/questionnaires/{waves['baseline'].id}/proqol5/done"
    for email in ("lead@example.org", "trainer@example.org", "admin@example.org", "cam@example.org",
                  "eve@example.org"):
        auth.logout()
        auth.login(email)
        assert client.get(result_url).status_code in (403, 404)
        for path in ("outcomes/", "outcomes/flow", "outcomes/retention", "outcomes/shared", ""):
            response = client.get(f"/programmes/{programme.id}/{path}")
            text = response.get_data(as_text=True)
            assert "Support is available" not in text and "Pat Person" not in text or path == "outcomes/retention"
            assert "High" not in text or path != "outcomes/shared"


def test_coach_sees_scores_only_after_the_participant_opts_in(client, auth, study):
    programme, waves, people = study
    make_scores(people["participant"], waves["baseline"], "brs", {"total": 3.5})
    auth.login("trainer@example.org")
    url = f"/programmes/{programme.id}/outcomes/shared"
    assert "No participant has shared" in client.get(url).get_data(as_text=True)
    auth.logout()
    auth.login("pat@example.org")
    client.post(f"/programmes/{programme.id}/questionnaires/sharing", data={"share": "y"})
    auth.logout()
    auth.login("trainer@example.org")
    page = client.get(url).get_data(as_text=True)
    assert "Pat Person" in page and "3.50" in page


@pytest.mark.parametrize("email, pages, setup, exports", [
    ("lead@example.org", 200, 200, 403), ("eve@example.org", 200, 403, 200),
    ("admin@example.org", 403, 403, 403), ("trainer@example.org", 403, 403, 403),
    ("pat@example.org", 403, 403, 403), ("stranger@example.org", 403, 403, 403)])
def test_evaluation_pages_are_for_the_lead_and_evaluator_and_exports_for_the_evaluator_alone(
        client, auth, study, email, pages, setup, exports):
    programme, _, _ = study
    auth.login(email)
    for path in ("outcomes/", "outcomes/flow", "outcomes/retention"):
        assert client.get(f"/programmes/{programme.id}/{path}").status_code == pages, path
    assert client.get(f"/programmes/{programme.id}/outcomes/setup").status_code == setup
    for name in ("outcomes.csv", "codebook.csv", "outcomes.R", "outcomes.sps"):
        path = f"/programmes/{programme.id}/outcomes/export/{name}"
        assert client.post(path).status_code == exports, path


def test_evaluator_sees_survival_but_no_names_and_no_forms_on_retention(client, auth, study):
    programme, _, people = study
    auth.login("eve@example.org")
    page = client.get(f"/programmes/{programme.id}/outcomes/retention").get_data(as_text=True)
    assert "Who stayed in post?" in page and "Still in post" in page
    assert "Pat Person" not in page and "Record leaving" not in page and 'name="left_on"' not in page
    assert "Import from a spreadsheet" not in page and people["participant"].code not in page
    evaluate = client.get(f"/programmes/{programme.id}/outcomes/").get_data(as_text=True)
    assert "Scores and answers (CSV)" in evaluate and "Questionnaires, waves and support" not in evaluate


@pytest.mark.parametrize("email, status", [
    ("pat@example.org", 200), ("cam@example.org", 200), ("lead@example.org", 403),
    ("trainer@example.org", 403), ("admin@example.org", 403), ("stranger@example.org", 403)])
def test_questionnaires_are_for_participants_of_both_arms(client, auth, study, email, status):
    programme, _, _ = study
    auth.login(email)
    assert client.get(f"/programmes/{programme.id}/questionnaires").status_code == status


def test_comparison_participant_sees_questionnaires_but_not_training(client, auth, study):
    programme, _, _ = study
    auth.login("cam@example.org")
    home = client.get("/").get_data(as_text=True)
    assert "Your wellbeing questionnaires" in home and "Your next training day" not in home
    assert client.get(f"/programmes/{programme.id}").status_code == 403


def test_missing_programme_is_404_and_other_programmes_wave_is_404(client, auth, study):
    programme, waves, _ = study
    other = make_programme()
    other_waves = make_outcome_waves(other, ("brs",))
    auth.login("pat@example.org")
    assert client.get("/programmes/9999/questionnaires").status_code == 404
    assert client.get(f"/programmes/{programme.id}/questionnaires/{other_waves['baseline'].id}/brs").status_code == 404


def _scored_study(study):
    programme, waves, people = study
    for i in range(6):
        for arm in ("intervention", "comparison"):
            m = make_member(programme, arm=arm)
            make_scores(m, waves["baseline"], "brs", {"total": 3 + i / 10})
            make_scores(m, waves["post"], "brs", {"total": 3.2 + i / 10 + (0.3 if arm == "intervention" else 0)})
    db.session.commit()
    return programme, waves


def _close_waves(waves, *kinds):
    for kind in kinds:
        waves[kind].opens_on = waves[kind].closes_on = date.today() - timedelta(days=1)
    db.session.commit()


def test_evaluation_page_shows_nothing_of_open_waves_to_the_lead(client, auth, study):
    programme, waves = _scored_study(study)
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}/outcomes/?scale=brs/total").get_data(as_text=True)
    assert "Not shown: results appear when the wave closes" in page and "0.30" not in page
    assert ("Not in the chart or the table: Before training (baseline), both groups (results appear "
            "when the wave closes)") in page


def test_evaluation_page_shows_tables_chart_caveats_and_small_groups_in_words(client, auth, study):
    programme, waves = _scored_study(study)
    _close_waves(waves, "baseline", "post")
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}/outcomes/?scale=brs/total").get_data(as_text=True)
    assert "data-chart=" in page and "Hedges" in page and "not randomly allocated" in page
    assert "Exploratory" in page and "0.30" in page and "&lt;5" not in page
    assert "both groups (results appear when the wave closes)." in page  # the follow-up
    page = client.get(f"/programmes/{programme.id}/outcomes/?scale=proqol5/burnout").get_data(as_text=True)
    assert "Not shown: fewer than 5 responses" in page


def test_lead_downloads_the_evaluation_tables_as_csv(client, auth, study):
    programme, waves = _scored_study(study)
    _close_waves(waves, "baseline", "post")
    auth.login("lead@example.org")
    response = client.get(f"/programmes/{programme.id}/outcomes/evaluation.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    post = next(r for r in rows if r["scale"] == "Resilience" and r["wave"] == waves["post"].label
                and r["group"] == "intervention") if any(r["scale"] == "Resilience" for r in rows) else next(
        r for r in rows if r["wave"] == waves["post"].label and r["group"] == "intervention")
    assert post["n"] == "6" and post["pairs_with_baseline"] == "6"
    assert any(r["not_shown_because"] == "fewer than 5 responses" and r["n"] == "" for r in rows)
    assert "Pat Person" not in str(rows) and study[2]["participant"].code not in str(rows)
    auth.logout()
    auth.login("trainer@example.org")
    assert client.get(f"/programmes/{programme.id}/outcomes/evaluation.csv").status_code == 403


def test_setup_saves_instruments_waves_and_support(client, auth, study):
    programme, _, _ = study
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}/outcomes/setup").get_data(as_text=True)
    assert "Self-Compassion Scale" in page and "Employee Assistance Programme" in page
    bad = {"form": "setup", "setup-instruments": ["gse"], "setup-baseline_opens": "2026-09-01",
           "setup-baseline_closes": "2026-08-01", "setup-post_opens": "2026-12-01",
           "setup-post_closes": "2026-12-31", "setup-follow_up_opens": "2027-05-01",
           "setup-follow_up_closes": "2027-05-31"}
    response = client.post(f"/programmes/{programme.id}/outcomes/setup", data=bad)
    assert "The closing date must not be before the opening date" in response.get_data(as_text=True)
    good = dict(bad, **{"setup-baseline_closes": "2026-09-30", "setup-instruments": ["gse", "brs"]})
    assert client.post(f"/programmes/{programme.id}/outcomes/setup", data=good).status_code == 302
    assert [i.key for i in outcomes.chosen_instruments(programme)] == ["gse", "brs"]
    client.post(f"/programmes/{programme.id}/outcomes/setup",
                data={"form": "support", "support-resources": "Helpline\nRing 111"})
    assert [r.title for r in outcomes.support_resources(programme)] == ["Helpline"]


def test_retention_page_records_and_imports_leaving(client, auth, study):
    programme, _, people = study
    auth.login("lead@example.org")
    url = f"/programmes/{programme.id}/outcomes/retention"
    page = client.get(url).get_data(as_text=True)
    assert "Number at risk" not in page and "Kaplan" in page
    participant = people["participant"]
    bad = client.post(url + "/record", data={"membership_id": participant.id, "left_on": "2999-01-01"})
    assert bad.status_code == 400 and "must not be in the future" in bad.get_data(as_text=True)
    client.post(url + "/record", data={"membership_id": participant.id,
                                       "left_on": date.today().isoformat(), "reason": "New job"})
    assert db.session.get(Membership, participant.id).in_post is False
    assert "Pat Person" in page and people["participant"].code not in page
    csv_text = f"email,left_on,reason\ncam@example.org,{date.today().isoformat()},Moved\n"
    client.post(url + "/import", data={"file": (io.BytesIO(csv_text.encode()), "r.csv")},
                content_type="multipart/form-data")
    assert db.session.get(Membership, people["comparison"].id).leaving_reason == "Moved"
    response = client.post(url + "/import", data={"file": (io.BytesIO(b"x,y\n"), "r.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "header row" in response.get_data(as_text=True)


def test_retention_page_takes_and_shows_the_leaver_category(client, auth, study):
    programme, _, people = study
    auth.login("lead@example.org")
    url = f"/programmes/{programme.id}/outcomes/retention"
    page = client.get(url).get_data(as_text=True)
    assert "Moved to agency work" in page and 'name="category"' in page
    response = client.post(url + "/record", data={"membership_id": people["participant"].id,
                                                  "left_on": date.today().isoformat(), "category": "agency"})
    assert response.status_code == 302
    assert db.session.get(Membership, people["participant"].id).leaver_category == "agency"
    bad = client.post(url + "/record", data={"membership_id": people["participant"].id,
                                             "left_on": date.today().isoformat(), "category": "moon"})
    assert bad.status_code == 400 and "Not a valid choice" in bad.get_data(as_text=True)
    auth.logout()
    auth.login("eve@example.org")
    page = client.get(url).get_data(as_text=True)
    row = page.split("Moved to agency work</th>")[1].split("</tr>")[0]
    assert re.findall(r">(\d+)<", row) == ["1", "0"] and "Pat Person" not in page


def test_export_downloads_have_no_names_or_emails(client, auth, study):
    programme, waves, people = study
    make_scores(people["participant"], waves["baseline"], "brs", {"total": 3.5})
    auth.login("eve@example.org")
    response = client.post(f"/programmes/{programme.id}/outcomes/export/outcomes.csv")
    text = response.get_data(as_text=True)
    assert "attachment" in response.headers["Content-Disposition"]
    assert people["participant"].code in text and "Pat" not in text and "@" not in text
    assert client.post(f"/programmes/{programme.id}/outcomes/export/secrets.txt").status_code == 404


def test_downloading_the_scores_is_audited_and_the_syntax_files_are_not(client, auth, study):
    from trainer.models import AuditEvent
    programme, _, _ = study
    auth.login("eve@example.org")
    for name in ("codebook.csv", "outcomes.R", "outcomes.sps"):
        assert client.post(f"/programmes/{programme.id}/outcomes/export/{name}").status_code == 200
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0
    assert client.post(f"/programmes/{programme.id}/outcomes/export/outcomes.csv").status_code == 200
    audited = db.session.scalars(select(AuditEvent)).one()
    assert (audited.action, audited.programme_id, audited.detail) == (
        "outcomes.exported", programme.id, {"file": "outcomes.csv"})


def test_itt_export_is_for_the_evaluator_alone_audited_and_has_every_allocated_participant(
        client, auth, study):
    from trainer.models import AuditEvent
    programme, waves, people = study
    auth.login("lead@example.org")
    assert client.post(f"/programmes/{programme.id}/outcomes/export/itt.csv").status_code == 403
    auth.logout()
    auth.login("eve@example.org")
    page = client.get(f"/programmes/{programme.id}/outcomes/").get_data(as_text=True)
    assert "Intention to treat: one row per participant per wave (CSV)" in page
    response = client.post(f"/programmes/{programme.id}/outcomes/export/itt.csv")
    text = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2 * len(waves) and "Pat" not in text and "@" not in text
    assert {r["code"] for r in rows} == {people["participant"].code, people["comparison"].code}
    audited = db.session.scalars(select(AuditEvent)).one()
    assert (audited.action, audited.detail) == ("outcomes.exported", {"file": "itt.csv"})
    codebook = client.post(f"/programmes/{programme.id}/outcomes/export/itt-codebook.csv")
    assert codebook.status_code == 200 and "reverse_keyed" in codebook.get_data(as_text=True)


def test_export_buttons_post_with_a_csrf_token(app, client, auth, study, monkeypatch):
    from tests.conftest import csrf_token_from
    programme, _, _ = study
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    auth_page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": "eve@example.org", "password": "correct-horse-battery",
                                "csrf_token": csrf_token_from(auth_page)})
    page = client.get(f"/programmes/{programme.id}/outcomes/").get_data(as_text=True)
    assert f'action="/programmes/{programme.id}/outcomes/export/outcomes.csv"' in page
    path = f"/programmes/{programme.id}/outcomes/export/outcomes.csv"
    assert client.post(path).status_code == 400
    assert client.post(path, data={"csrf_token": csrf_token_from(page)}).status_code == 200


@pytest.fixture
def attended_study(app, modules):
    """Six intervention participants with baseline and post scores who attended 1-3 of three
    training days (one day's register not taken), five comparison participants, and a lead."""
    programme = make_programme()
    # Both waves closed (the post wave before today), so the lead sees their results.
    waves = make_outcome_waves(programme, ("brs",), post=(date(2026, 11, 6), date(2026, 11, 7)))
    lead = make_member(programme, "lead", user=make_user("lead@example.org"))
    days = []
    for d in (date(2026, 9, 10), date(2026, 10, 8), date(2026, 11, 5)):
        day = make_day(programme, d)
        make_session(day, modules["mindfulness"])
        days.append(day)
    people = [make_member(programme) for _ in range(6)]
    for person, came, post in zip(people, (2, 2, 1, 2, 0, 1), (3.0, 3.4, 2.6, 3.6, 2.2, 2.8)):
        make_scores(person, waves["baseline"], "brs", {"total": 2.5})
        make_scores(person, waves["post"], "brs", {"total": post})
        for i, day in enumerate(days[:2]):
            make_mark(day, person, "late" if i < came else "absent")
    for _ in range(5):
        make_member(programme, arm="comparison")
    db.session.commit()
    return programme, lead


def test_flow_shows_each_training_day_for_the_intervention_arm_only(client, auth, attended_study):
    programme, _ = attended_study
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}/outcomes/flow").get_data(as_text=True)
    assert "not shown here yet" not in page
    for stage, count in (("Attended training day 1 (10 September 2026)", "5"),
                         ("Attended training day 2 (8 October 2026)", "3"),
                         ("Attended training day 3 (5 November 2026)", "Not recorded yet")):
        box = page.split(stage)[1].split("</li>")[0]
        text = " ".join(re.sub(r"<[^>]+>", " ", box).split())
        assert text == f"Intervention {count} Comparison Not invited"


def test_dose_response_shows_training_days_attended_beside_practice(client, auth, attended_study):
    programme, _ = attended_study
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}/outcomes/").get_data(as_text=True)
    assert "not included yet" not in page
    assert "Practice minutes logged" in page and "Training days attended" in page
    ref = sps.pearsonr([2, 2, 1, 2, 0, 1], np.array([3.0, 3.4, 2.6, 3.6, 2.2, 2.8]) - 2.5)
    assert f"Pearson's r = {ref.statistic:.2f}" in page and f"p = {ref.pvalue:.3f}, n = 6" in page
    # Nobody logged practice: no correlation, said in words.
    assert "No correlation to show: everyone had the same practice minutes logged" in page


def _add_sharing_participants(programme, waves, n: int) -> None:
    for i in range(n):
        for arm in ("intervention", "comparison"):
            m = make_member(programme, arm=arm)
            make_scores(m, waves["baseline"], "brs", {"total": 3 + i / 10})
            make_scores(m, waves["post"], "brs", {"total": 3.2 + i / 10})
            db.session.add(ScoreSharing(membership_id=m.id, share_with_coach=True))


@pytest.mark.parametrize("email, path", [
    ("lead@example.org", "outcomes/?scale=brs/total"), ("lead@example.org", "outcomes/retention"),
    ("trainer@example.org", "outcomes/shared")])
def test_outcome_pages_run_as_many_statements_for_twice_the_participants(client, auth, study, email, path):
    programme, waves, _ = study
    url = f"/programmes/{programme.id}/{path}"
    auth.login(email)
    _add_sharing_participants(programme, waves, 6)
    few = count_statements(client, url)
    _add_sharing_participants(programme, waves, 6)
    assert count_statements(client, url) == few


def test_before_setup_the_lead_is_sent_to_set_up_and_the_evaluator_to_the_flow(client, auth):
    programme = make_programme()
    make_member(programme, "lead", user=make_user("lead@example.org"))
    make_member(programme, "evaluator", user=make_user("eve@example.org"))
    for email, target in (("lead@example.org", "/outcomes/setup"), ("eve@example.org", "/outcomes/flow")):
        auth.login(email)
        response = client.get(f"/programmes/{programme.id}/outcomes/")
        assert response.status_code == 302 and response.headers["Location"].endswith(target)
        assert client.get(response.headers["Location"]).status_code == 200
        auth.logout()


def test_a_questionnaire_without_its_wording_is_not_offered_and_the_lead_is_told_how_to_load_it(
        client, auth, study):
    programme, waves, _ = study
    auth.login("pat@example.org")
    assert "ProQOL" in client.get(f"/programmes/{programme.id}/questionnaires").get_data(as_text=True)
    db.session.execute(InstrumentItemText.__table__.delete())
    db.session.commit()
    page = client.get(f"/programmes/{programme.id}/questionnaires").get_data(as_text=True)
    assert "Brief Resilience Scale" in page and "ProQOL" not in page
    auth.logout()
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}/outcomes/setup").get_data(as_text=True)
    assert "Questionnaires that need their wording loaded" in page
    assert "flask load-instrument-items FILE" in page and "key <code>proqol5</code>" in page


def _stage_counts(html: str, pattern: str) -> dict[tuple[str, str], str]:
    return {(stage, arm): count.strip().lower() for stage, arm, count in re.findall(pattern, html)}


def test_consort_svg_numbers_equal_the_flow_tables(client, auth, attended_study):
    programme, lead = attended_study
    members = list(db.session.scalars(select(Membership).where(
        Membership.programme_id == programme.id, Membership.role == "participant")))
    from trainer.services.outcomes import retention
    from trainer.services.privacy import withdrawal
    retention.record_leaving(lead.user, programme, members[7].id, date(2026, 10, 1), "", today=date.today(),
                             category="another_la")
    withdrawal.withdraw(members[0], scope="evaluation", keep_answers=True, today=date(2026, 10, 2), actor_id=None)
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}/outcomes/flow").get_data(as_text=True)
    svg = page.split("<svg")[1].split("</svg>")[0]
    assert "style=" not in svg and "<script" not in svg
    drawn = _stage_counts(svg, r'data-stage="([^"]+)" data-arm="([^"]+)">([^<]+)</tspan>')
    listed = _stage_counts(page, r'data-stage="([^"]+)" data-arm="([^"]+)" data-count="([^"]+)"')
    assert drawn == listed
    assert drawn[("enrolled", "all")] == "11" and drawn[("allocated", "intervention")] == "6"
    assert drawn[("trained", "intervention")] == "5" and drawn[("trained", "comparison")] == "not invited"
    assert drawn[("withdrawn_kept", "intervention")] == "1"
    assert drawn[("lost", "comparison")] == "5" and drawn[("lost_another_la", "comparison")] == "1"
    assert drawn[("lost_no_answer", "comparison")] == "4" and drawn[("analysed", "intervention")] == "6"


def test_retention_pages_the_names_but_counts_everyone_in_the_survival(client, auth, study):
    programme, _, people = study
    for n in range(52):
        member = make_member(programme, user=make_user(f"r{n:02}@example.org", name=f"Rae {n:02}"))
        if n == 51:
            member.in_post, member.left_on = False, date.today()
    db.session.commit()
    auth.login("lead@example.org")
    url = f"/programmes/{programme.id}/outcomes/retention"
    page = client.get(url).get_data(as_text=True)
    assert "Showing 1 to 50 of 54 participants" in page and "Pat Person" in page
    assert "Rae 48" in page and "Rae 49" not in page and 'aria-label="Page 2"' in page
    pat, cam = (f'<option value="{people[k].id}"' for k in ("participant", "comparison"))
    assert pat in page and cam not in page  # "Record leaving" offers the page's people
    second = client.get(url + "?page=2").get_data(as_text=True)
    assert "Showing 51 to 54" in second and "Rae 51" in second and "Pat Person" not in second
    assert cam in second
    # The survival still counts every participant: 53 intervention, 1 left; the table shows both arms.
    assert re.search(r"Intervention</th>\s*<td[^>]*>53</td>\s*<td[^>]*>1</td>", page)
    assert re.search(r"Intervention</th>\s*<td[^>]*>53</td>\s*<td[^>]*>1</td>", second)


def test_record_leaving_takes_any_participant_of_the_programme_and_refuses_anyone_else(client, auth, study):
    programme, _, people = study
    for n in range(52):
        make_member(programme, user=make_user(f"r{n:02}@example.org", name=f"Rae {n:02}"))
    elsewhere = make_member(make_programme())
    db.session.commit()
    auth.login("lead@example.org")
    url = f"/programmes/{programme.id}/outcomes/retention"
    page = client.get(url).get_data(as_text=True)
    later = db.session.scalar(select(Membership).join(Membership.user).where(
        Membership.programme_id == programme.id, Membership.user.has(email="r51@example.org")))
    assert "Rae 51" not in page  # on page 2, yet the form takes them (a list on a later page posts it)
    response = client.post(url + "/record", data={"membership_id": later.id, "left_on": date.today().isoformat(),
                                                  "category": "agency"})
    assert response.status_code == 302 and db.session.get(Membership, later.id).leaver_category == "agency"
    for wrong in (people["lead"].id, elsewhere.id, "x", ""):
        response = client.post(url + "/record", data={"membership_id": wrong, "left_on": date.today().isoformat()})
        text = response.get_data(as_text=True)
        assert response.status_code == 400 and "There is a problem" in text, wrong
        assert "Not a valid choice" in text or "Choose a participant" in text
    assert db.session.get(Membership, elsewhere.id).in_post and db.session.get(Membership, people["lead"].id).in_post


def test_retention_shows_kaplan_meier_rows_for_every_leaving_day_counted_together(client, auth, study):
    """Leavers on the same day are counted together: one row per day, with its number at risk."""
    programme, _, _ = study
    start = programme.start_date
    for n, days in enumerate((30, 30, 30, 90)):
        member = make_member(programme, user=make_user(f"l{n}@example.org", name=f"Lee {n}"))
        member.in_post, member.left_on = False, start + timedelta(days)
    db.session.commit()
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}/outcomes/retention").get_data(as_text=True)
    table = page.split("Kaplan–Meier: intervention group")[1].split("</table>")[0]
    cells = [re.findall(r">([^<]*)</td>", row) for row in table.split("</tr>")[1:-1]]
    # 5 intervention participants (Pat and the four leavers); 3 leave on day 30, 1 on day 90.
    assert [c[:3] for c in cells] == [["30", "5", "3"], ["90", "2", "1"]]
    assert cells[0][3].startswith("0.40") and cells[1][3].startswith("0.20")


def test_each_scale_link_on_the_evaluation_page_is_url_for_of_that_scale(app, client, auth, study):
    from flask import url_for

    from trainer.services.outcomes import instruments
    programme, _, _ = study
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}/outcomes/?scale=proqol5/burnout").get_data(as_text=True)
    links = re.findall(r'href="([^"]*\?scale=[^"]*)"', page)
    with app.test_request_context():
        expected = [url_for("outcomes.evaluate", programme_id=programme.id, scale=f"{key}/{s.key}")
                    for key in ("brs", "proqol5") for s in instruments.get(key).scales]
    assert links == expected
    assert '?scale=proqol5/burnout" aria-current="page"><strong>Burnout</strong>' in page
