"""Malformed input found by the fuzzer, pinned: each is a 4xx or a field error, never a 500."""
import io
from datetime import date

import pytest
from sqlalchemy import select

from tests.factories import make_goal, make_member, make_outcome_waves, make_programme, make_user
from trainer.extensions import db
from trainer.models import Goal, Membership, OutcomeResponse


@pytest.mark.parametrize("number", ["2147483648", "9223372036854775808", "1" + "0" * 40])
def test_an_id_beyond_any_id_column_is_404(client, auth, app, number):
    make_user("me@example.org", is_admin=True)
    auth.login("me@example.org")
    assert client.get(f"/programmes/{number}").status_code == 404
    assert client.get(f"/programmes/{number}/my/goals/1").status_code == 404
    assert client.post(f"/admin/users/{number}/disable").status_code == 404


def test_a_questionnaire_answer_of_a_single_space_is_left_unanswered(client, auth, app):
    today = date.today()
    programme = make_programme(start=today.replace(year=today.year - 1), end=today.replace(year=today.year + 1))
    waves = make_outcome_waves(programme, ("brs",), baseline=(today, today))
    make_member(programme, user=make_user("pat@example.org"))
    auth.login("pat@example.org")
    url = f"/programmes/{programme.id}/questionnaires/{waves['baseline'].id}/brs"
    response = client.post(url, data={"item_1": " ", "item_2": "3"})
    assert response.status_code == 302
    answers = db.session.scalar(select(OutcomeResponse.answers))
    assert answers == {"2": 3}


def test_a_nul_character_in_a_form_is_refused_before_it_reaches_the_database(client, auth, app):
    programme = make_programme()
    make_member(programme, user=make_user("pat@example.org"))
    auth.login("pat@example.org")
    url = f"/programmes/{programme.id}/my/goals/new"
    response = client.post(url, data={"what": "Rest\x00", "measure": "x"})
    assert response.status_code == 400
    assert "a character that cannot be saved" in response.get_data(as_text=True)
    assert db.session.scalar(select(Goal.id)) is None


def test_nul_characters_in_an_uploaded_csv_are_dropped(client, auth, app):
    programme = make_programme(status="draft")
    make_member(programme, "lead", user=make_user("lead@example.org"))
    auth.login("lead@example.org")
    csv = "name,email,arm\nAna\x00 Ames,ana@example.org,intervention\n".encode()
    response = client.post(f"/programmes/{programme.id}/cohort/import",
                           data={"file": (io.BytesIO(csv), "cohort.csv")}, content_type="multipart/form-data")
    assert response.status_code == 200
    member = db.session.scalar(select(Membership).where(Membership.role == "participant"))
    assert member.user.display_name == "Ana Ames"


def test_an_impossible_date_is_a_field_error(client, auth, app):
    programme = make_programme()
    me = make_member(programme, user=make_user("pat@example.org"))
    goal = make_goal(me)
    auth.login("pat@example.org")
    response = client.post(f"/programmes/{programme.id}/my/goals/{goal.id}/edit",
                           data={"what": "Rest", "target_on": "2026-02-30"})
    assert response.status_code == 200 and "govuk-error-message" in response.get_data(as_text=True)
