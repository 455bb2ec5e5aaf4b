"""Each role's home page, who may reach programme pages, error pages and the health check."""
from datetime import date

import pytest

from tests.factories import make_day, make_member, make_programme, make_session, make_user


def test_anonymous_visitors_see_a_welcome_and_a_sign_in_link(client):
    page = client.get("/").get_data(as_text=True)
    assert "Resilience Trainer" in page and 'href="/login"' in page


@pytest.fixture
def programme_with_roles(app, modules):
    """A programme with a lead, a trainer and participants in both arms, and one planned day."""
    programme = make_programme("Spring cohort")
    people = {
        "lead": make_member(programme, "lead", user=make_user("lead@example.org", name="Lee Lead")),
        "trainer": make_member(programme, "trainer", user=make_user("trainer@example.org")),
        "participant": make_member(programme, user=make_user("p@example.org"), arm="intervention"),
        "comparison": make_member(programme, user=make_user("c@example.org"), arm="comparison"),
    }
    day = make_day(programme, date(2099, 3, 4), venue="Civic Centre")
    make_session(day, modules["mindfulness"], trainers=[people["trainer"]])
    return programme, people


def test_participant_home_shows_the_next_training_day(client, auth, programme_with_roles):
    auth.login("p@example.org")
    page = client.get("/").get_data(as_text=True)
    assert "Spring cohort" in page and "intervention group" in page
    assert "Wednesday 4 March 2099" in page and "Civic Centre" in page
    assert "Mindfulness and relaxation" in page
    assert "Your calendar" in page


def test_the_next_day_comes_with_its_sessions_in_order_in_one_statement(client, auth, programme_with_roles,
                                                                         modules):
    """The participant's next day, its sessions (in time order) and their modules are read by one
    statement, not one for the day and one each for its sessions and their modules."""
    from datetime import time

    from sqlalchemy import select

    from tests.conftest import statements_of
    from trainer.extensions import db
    from trainer.models import TrainingDay

    programme, _people = programme_with_roles
    day = db.session.scalar(select(TrainingDay).where(TrainingDay.programme_id == programme.id))
    make_session(day, modules["peer-support"], starts=time(8, 45), ends=time(9, 15))
    db.session.commit()
    auth.login("p@example.org")
    statements = statements_of(client, "/")
    page = client.get("/").get_data(as_text=True)
    assert "08:45: " + modules["peer-support"].title in page
    assert page.index("08:45: ") < page.index("09:30: Mindfulness and relaxation")
    reading_days = [s for s in statements if "training_sessions" in s and "training_days" in s]
    assert len(reading_days) == 1 and "modules" in reading_days[0]
    assert not [s for s in statements if s.lstrip().startswith("SELECT training_sessions")]


def test_comparison_participant_home_shows_no_training_material(client, auth, programme_with_roles):
    auth.login("c@example.org")
    page = client.get("/").get_data(as_text=True)
    assert "comparison group" in page
    assert "Civic Centre" not in page and "Mindfulness" not in page
    assert "Your calendar" not in page, "no training days, so nothing to subscribe to"


@pytest.mark.parametrize("email, role_word", [("lead@example.org", "Lead"),
                                              ("trainer@example.org", "Trainer")])
def test_staff_home_lists_their_programmes(client, auth, programme_with_roles, email, role_word):
    auth.login(email)
    page = client.get("/").get_data(as_text=True)
    assert "Programmes you lead or train" in page and role_word in page and "Spring cohort" in page
    assert 'href="/programmes/"' in page


def test_admin_home_has_administration_links(client, auth):
    make_user("root@example.org", is_admin=True)
    auth.login("root@example.org")
    page = client.get("/").get_data(as_text=True)
    assert "Administration" in page and 'href="/admin/users"' in page and 'href="/admin/outbox"' in page


@pytest.mark.parametrize("email, status", [
    ("lead@example.org", 200), ("trainer@example.org", 200), ("p@example.org", 403),
    ("c@example.org", 403), ("stranger@example.org", 403), ("root@example.org", 403)])
def test_programme_page_is_for_its_leads_and_trainers_not_admins(client, auth, programme_with_roles,
                                                              email, status):
    make_user("stranger@example.org")
    make_user("root@example.org", is_admin=True)
    programme, _ = programme_with_roles
    auth.login(email)
    response = client.get(f"/programmes/{programme.id}")
    assert response.status_code == status
    if status == 403:
        assert "ask the lead of your programme" in response.get_data(as_text=True)
    else:
        assert "Mindfulness and relaxation" in response.get_data(as_text=True)


def test_a_participant_is_refused_another_programmes_pages(client, auth, programme_with_roles):
    other = make_programme("Other cohort")
    make_member(other, "lead")
    auth.login("p@example.org")
    assert client.get(f"/programmes/{other.id}").status_code == 403


def test_programme_page_lists_modules_not_yet_scheduled(client, auth, programme_with_roles):
    programme, _ = programme_with_roles
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}").get_data(as_text=True)
    section = page.split("Modules not yet scheduled")[1]
    assert "Peer support and coaching" in section and "Mindfulness and relaxation" not in section


def test_unknown_pages_get_a_404_that_explains_itself(client, auth):
    make_user("amy@example.org")
    auth.login("amy@example.org")
    response = client.get("/programmes/99999")
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)
    assert client.get("/no-such-page").status_code == 404


def test_unexpected_errors_show_a_500_page_without_a_stack_trace(app, client, auth, monkeypatch):
    from trainer.services.system import home
    make_user("amy@example.org")
    auth.login("amy@example.org")

    def explode(*_a, **_k):
        raise RuntimeError("boom: secret internals")

    monkeypatch.setattr(home, "home_for", explode)
    response = client.get("/")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body


def test_health_check_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert {k: response.get_json()[k] for k in ("status", "database")} == {"status": "ok", "database": "ok"}


def test_navigation_shows_only_what_the_role_can_use(client, auth, programme_with_roles):
    auth.login("p@example.org")
    page = client.get("/").get_data(as_text=True)
    assert 'href="/programmes/"' not in page and 'href="/admin/users"' not in page
    assert 'href="/modules/"' in page


def test_the_roles_come_with_the_signed_in_user_and_a_role_given_shows_on_the_next_page(
        client, auth, programme_with_roles):
    """On a GET the user's roles (for the navigation and the consent gate) are read inside the
    statement that loads the user, not by one of their own; the next request reads them afresh."""
    from tests.conftest import statements_of
    from trainer.extensions import db

    auth.login("c@example.org")
    statements = statements_of(client, "/")
    roles = [s for s in statements if "GROUP BY memberships.role" in s]
    assert len(roles) == 1 and "FROM users" in roles[0]
    assert 'href="/programmes/"' not in client.get("/").get_data(as_text=True)
    make_member(programme_with_roles[0], "lead", user=programme_with_roles[1]["comparison"].user)
    db.session.commit()
    assert 'href="/programmes/"' in client.get("/").get_data(as_text=True)


def test_a_lead_of_many_programmes_sees_them_25_a_page_each_with_its_own_next_day(client, auth, app):
    lead = make_user("many@example.org")
    for n in range(1, 31):
        programme = make_programme(f"Cohort {n:02d}")
        make_member(programme, "lead", user=lead)
        make_day(programme, date(2099, 1, n), venue="Hall")
        make_day(programme, date(2020, 1, 1))
        cancelled = make_day(programme, date(2098, 12, 31))
        cancelled.cancelled = True
    auth.login("many@example.org")
    first = client.get("/").get_data(as_text=True)
    assert "Cohort 01" in first and "Cohort 25" in first and "Cohort 26" not in first
    assert "Showing 1 to 25 of 30 programmes." in first and "1 January 2099" in first
    assert "31 December 2098" not in first, "a cancelled day is never the next day"
    assert "Compare module ratings across the programmes you lead" in first
    second = client.get("/?page=2").get_data(as_text=True)
    assert "Cohort 26" in second and "Cohort 30" in second and "Cohort 25" not in second
    assert "Showing 26 to 30 of 30 programmes." in second and "30 January 2099" in second
    assert "Showing 26 to 30" in client.get("/?page=99").get_data(as_text=True)
