"""Consent, information, consent register and "Your data and consent": what each role sees."""
import io
import json
import zipfile
from datetime import date, timedelta

import pytest

from tests.factories import (make_assignment, make_log, make_member, make_outcome_waves, make_programme,
                             make_scores, make_user)
from trainer.extensions import db
from trainer.models import Membership
from trainer.services.privacy import consent


@pytest.fixture
def study(app, modules):
    today = date.today()
    programme = make_programme(start=today - timedelta(days=30), end=today + timedelta(days=300), status="running")
    waves = make_outcome_waves(programme, ("brs",), baseline=(today - timedelta(days=5), today + timedelta(days=5)),
                               post=(today + timedelta(days=60), today + timedelta(days=70)),
                               follow_up=(today + timedelta(days=200), today + timedelta(days=210)))
    people = {"lead": make_member(programme, "lead", user=make_user("lead@example.org")),
              "trainer": make_member(programme, "trainer", user=make_user("trainer@example.org")),
              "pat": make_member(programme, user=make_user("pat@example.org", name="Pat Person")),
              "new": make_member(programme, user=make_user("new@example.org", name="Nia New"), consent=()),
              "kim": make_member(programme, user=make_user("kim@example.org", name="Kim Other"))}
    assignment = make_assignment(programme, modules["mindfulness"].activities[0])
    make_log(assignment, people["pat"], private_note="PATS-PRIVATE-NOTE")
    make_log(assignment, people["kim"], private_note="KIMS-PRIVATE-NOTE")
    make_scores(people["pat"], waves["baseline"], "brs", {"total": 3.5})
    make_user("admin@example.org", is_admin=True)
    db.session.commit()
    return programme, waves, people


def test_a_participant_sees_the_information_and_consents_before_anything_else(client, auth, study):
    programme, _waves, _people = study
    auth.login("new@example.org")
    for path in ("/", f"/programmes/{programme.id}/questionnaires"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith(
            f"/programmes/{programme.id}/consent")
    page = client.get(f"/programmes/{programme.id}/consent").get_data(as_text=True)
    assert "Before you start" in page and "Participant information (version 1)" in page
    page = client.post(f"/programmes/{programme.id}/consent", data={"evaluation": "y"}).get_data(as_text=True)
    assert "There is a problem" in page and "you need to agree to taking part" in page
    response = client.post(f"/programmes/{programme.id}/consent", data={"programme": "y", "evaluation": "y"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert client.get(f"/programmes/{programme.id}/questionnaires").status_code == 200


def test_a_participant_without_evaluation_consent_is_shown_no_questionnaires(client, auth, study):
    programme, waves, _people = study
    auth.login("new@example.org")
    client.post(f"/programmes/{programme.id}/consent", data={"programme": "y"})
    page = client.get(f"/programmes/{programme.id}/questionnaires").get_data(as_text=True)
    assert f"/questionnaires/{waves['baseline'].id}/brs" not in page
    response = client.get(f"/programmes/{programme.id}/questionnaires/{waves['baseline'].id}/brs")
    assert response.status_code == 409 and "not agreed" in response.get_data(as_text=True)


def test_an_information_edit_asks_participants_to_confirm_the_new_version(client, auth, study):
    programme, _waves, _people = study
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}/information").get_data(as_text=True)
    assert "This is version 1" in page
    client.post(f"/programmes/{programme.id}/information", data={"text": "New: we also ask about sleep."})
    assert "This is version 2" in client.get(f"/programmes/{programme.id}/information").get_data(as_text=True)
    auth.logout()
    auth.login("pat@example.org")
    response = client.get("/")
    assert response.headers["Location"].endswith(f"/programmes/{programme.id}/consent")
    page = client.get(f"/programmes/{programme.id}/consent").get_data(as_text=True)
    assert "The information has changed" in page and "we also ask about sleep" in page
    client.post(f"/programmes/{programme.id}/consent", data={"programme": "y", "evaluation": "y"})
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("email,status", [("lead@example.org", 200), ("admin@example.org", 403),
                                          ("trainer@example.org", 403), ("pat@example.org", 403)])
def test_only_leads_edit_the_information_and_see_the_consent_register(client, auth, study, email, status):
    programme, _waves, _people = study
    auth.login(email)
    assert client.get(f"/programmes/{programme.id}/information").status_code == status
    assert client.get(f"/programmes/{programme.id}/consents").status_code == status


def test_a_lead_records_consent_given_on_paper(client, auth, study):
    programme, _waves, people = study
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}/consents").get_data(as_text=True)
    assert "Nia New" in page and "Not given" in page
    response = client.post(f"/programmes/{programme.id}/consents", data={
        "membership_id": people["new"].id, "given_on": (date.today() + timedelta(days=3)).isoformat(),
        "programme": "y"})
    assert "must not be in the future" in response.get_data(as_text=True)
    client.post(f"/programmes/{programme.id}/consents", data={
        "membership_id": people["new"].id, "given_on": date.today().isoformat(), "programme": "y",
        "evaluation": "y"})
    page = client.get(f"/programmes/{programme.id}/consents").get_data(as_text=True)
    assert "on paper, version 1" in page
    assert not consent.needs_consent(db.session.get(Membership, people["new"].id))


def test_my_data_shows_what_was_agreed_and_withdrawal_reaches_the_flow(client, auth, study):
    programme, waves, _people = study
    auth.login("pat@example.org")
    page = client.get("/my-data").get_data(as_text=True)
    assert "Your data and consent" in page and "Agreed on" in page and "information version 1" in page
    url, prefix = f"/my-data/programmes/{programme.id}/withdraw", f"p{programme.id}-"
    bad = client.post(url, data={prefix + "scope": "evaluation"})
    assert bad.status_code == 400 and "Choose what happens to your answers" in bad.get_data(as_text=True)
    client.post(url, data={prefix + "scope": "evaluation", prefix + "answers": "keep"})
    page = client.get("/my-data").get_data(as_text=True)
    assert "You withdrew from the evaluation" in page and "still used in the evaluation" in page
    auth.logout()
    auth.login("lead@example.org")
    flow = client.get(f"/programmes/{programme.id}/outcomes/flow").get_data(as_text=True)
    assert f"Withdrew before the end of: {waves['baseline'].label}" in flow
    register = client.get(f"/programmes/{programme.id}/consents").get_data(as_text=True)
    assert "(answers kept)" in register


def test_the_download_holds_my_private_note_and_nothing_of_anyone_else(client, auth, study):
    auth.login("pat@example.org")
    assert client.get("/my-data/download").status_code == 405
    response = client.post("/my-data/download")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    assert {"my-data.json", "profile.csv", "activity_logs.csv", "scores.csv", "consents.csv",
            "audit_events.csv", "messages.csv"} <= names
    everything = "\n".join(archive.read(n).decode("utf-8") for n in names)
    assert "PATS-PRIVATE-NOTE" in everything and "pat@example.org" in everything
    for other in ("KIMS-PRIVATE-NOTE", "kim@example.org", "Kim Other", "Nia New", "lead@example.org"):
        assert other not in everything
    data = json.loads(archive.read("my-data.json"))
    assert data["scores"][0]["score"] == 3.5
    assert any(e["action"] == "data.downloaded" for e in json.loads(
        zipfile.ZipFile(io.BytesIO(client.post("/my-data/download").data)).read("my-data.json"))["audit_events"])
