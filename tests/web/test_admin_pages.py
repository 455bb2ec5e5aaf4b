"""Administration pages: accounts, invitations and the outbox; admins only."""
import pytest
from sqlalchemy import select

from tests.factories import make_member, make_programme, make_user
from trainer.extensions import db
from trainer.models import AuditEvent, User


@pytest.fixture
def admin(client, auth):
    make_user("root@example.org", is_admin=True, name="Root Admin")
    auth.login("root@example.org")


def test_admin_invites_someone_and_sees_the_link(client, admin):
    page = client.post("/admin/users/invite", data={"display_name": "Nia New",
                                                    "email": "nia@example.org"}).get_data(as_text=True)
    assert "Account created" in page and "/set-password/" in page
    outbox = client.get("/admin/outbox").get_data(as_text=True)
    assert "nia@example.org" in outbox and "Waiting" in outbox
    assert "Nia New" in client.get("/admin/users").get_data(as_text=True)


def test_invite_form_keeps_input_and_explains_errors(client, admin):
    make_user("taken@example.org")
    page = client.post("/admin/users/invite", data={"display_name": "Dup",
                                                    "email": "taken@example.org"}).get_data(as_text=True)
    assert "already has an account" in page and 'value="Dup"' in page
    page = client.post("/admin/users/invite", data={"display_name": "",
                                                    "email": "nope"}).get_data(as_text=True)
    assert "Enter the person" in page and "govuk-error-summary" in page


def test_admin_disables_an_account_which_ends_its_sessions(app, client, admin):
    make_user("amy@example.org")
    amy = app.test_client()
    amy.post("/login", data={"email": "amy@example.org", "password": "correct-horse-battery"})
    user_id = db.session.scalar(select(User.id).where(User.email == "amy@example.org"))
    response = client.post(f"/admin/users/{user_id}/disable", follow_redirects=True)
    assert "account is now disabled" in response.get_data(as_text=True)
    assert amy.get("/modules/").status_code == 302


@pytest.mark.parametrize("path", ["/admin/users", "/admin/users/invite", "/admin/outbox"])
def test_non_admins_are_refused_admin_pages(client, auth, path):
    make_user("amy@example.org")
    auth.login("amy@example.org")
    assert client.get(path).status_code == 403
    assert client.post("/admin/users/invite", data={"display_name": "X",
                                                    "email": "x@example.org"}).status_code == 403


def test_outbox_hides_set_password_links_from_admins(client, admin):
    page = client.post("/admin/users/invite", data={"display_name": "Nia New",
                                                    "email": "nia@example.org"}).get_data(as_text=True)
    token = page.split("/set-password/")[1].split("<")[0]
    outbox = client.get("/admin/outbox").get_data(as_text=True)
    assert "nia@example.org" in outbox and "/set-password/[hidden: sent to the person only]" in outbox
    assert token not in outbox


def test_accounts_page_buttons_post_with_a_token_and_no_duplicate_ids(app, client, admin, monkeypatch):
    import re
    from tests.conftest import csrf_token_from
    for n in range(3):
        make_user(f"person{n}@example.org")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    page = client.get("/admin/users").get_data(as_text=True)
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "every id on the page is unique"
    assert page.count('name="csrf_token"') >= 4
    user_id = db.session.scalar(select(User.id).where(User.email == "person0@example.org"))
    response = client.post(f"/admin/users/{user_id}/disable", data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert not db.session.get(User, user_id).is_enabled


def test_an_admin_reaches_a_programme_only_after_giving_themselves_a_role(client, admin):
    programme = make_programme("Coastal cohort")
    make_member(programme, "lead", user=make_user("lee@example.org", name="Lee Lead"))
    root = db.session.scalar(select(User).where(User.email == "root@example.org"))
    assert client.get(f"/programmes/{programme.id}").status_code == 403
    assert "Coastal cohort" not in client.get("/programmes/").get_data(as_text=True)
    page = client.get("/admin/roles").get_data(as_text=True)
    # People are named by address, never listed: an organisation has thousands of accounts.
    assert "Coastal cohort" in page and "lee@example.org" not in page
    assert 'value="lee@example.org"' in client.get("/admin/roles?email=lee@example.org").get_data(as_text=True)
    assert "/admin/roles?email=lee@example.org" in client.get("/admin/users").get_data(as_text=True)
    response = client.post("/admin/roles", data={"programme_id": programme.id, "email": "ROOT@example.org",
                                                  "role": "lead"}, follow_redirects=True)
    assert "Root Admin is now a lead of Coastal cohort" in response.get_data(as_text=True)
    assert client.get(f"/programmes/{programme.id}").status_code == 200
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "role.granted")).one()
    assert event.actor_id == root.id and event.programme_id == programme.id
    team = client.get(f"/programmes/{programme.id}/team").get_data(as_text=True)
    assert f"Granted by admin Root Admin on {event.at:%-d %B %Y}" in team
    assert team.count("Granted by admin") == 1


def test_the_grant_form_explains_a_refusal_and_keeps_the_choice(client, admin):
    programme = make_programme("Coastal cohort")
    lead = make_member(programme, "lead", user=make_user("lee@example.org", name="Lee Lead"))
    page = client.post("/admin/roles", data={"programme_id": programme.id, "email": "lee@example.org",
                                             "role": "evaluator"}).get_data(as_text=True)
    assert "govuk-error-summary" in page and "an evaluator can hold no other role" in page
    assert 'value="lee@example.org"' in page and 'href="#email"' in page
    page = client.post("/admin/roles", data={"programme_id": programme.id, "email": "nobody@example.org",
                                             "role": "trainer"}).get_data(as_text=True)
    assert "No enabled account has that e-mail address" in page and 'value="nobody@example.org"' in page
    page = client.post("/admin/roles", data={"programme_id": programme.id}).get_data(as_text=True)
    assert "Enter the e-mail address of the person" in page and "Choose a role" in page


def test_only_admins_give_programme_roles(client, auth):
    programme = make_programme()
    lead = make_member(programme, "lead", user=make_user("lee@example.org"))
    auth.login("lee@example.org")
    assert client.get("/admin/roles").status_code == 403
    assert client.post("/admin/roles", data={"programme_id": programme.id, "email": "lee@example.org",
                                             "role": "trainer"}).status_code == 403


def test_inviting_again_renews_the_link_and_says_so(client, admin):
    client.post("/admin/users/invite", data={"display_name": "Nia New", "email": "nia@example.org"})
    page = client.post("/admin/users/invite", data={"display_name": "Nia New",
                                                    "email": "nia@example.org"}).get_data(as_text=True)
    assert "New link sent" in page and "Account created" not in page and "no new account" in page


def test_inviting_someone_into_a_programme_with_a_role_in_one_step(client, admin):
    from tests.factories import make_programme
    from trainer.models import Membership

    programme = make_programme("Autumn cohort")
    db.session.commit()
    page = client.get("/admin/users/invite").get_data(as_text=True)
    assert "Autumn cohort" in page and "Participant, comparison arm" in page
    page = client.post("/admin/users/invite", data={
        "display_name": "Tom Trainer", "email": "tom@example.org",
        "programme_id": str(programme.id)}).get_data(as_text=True)
    assert "Choose the person" in page and 'value="Tom Trainer"' in page
    assert db.session.scalar(select(User.id).where(User.email == "tom@example.org")) is None
    page = client.post("/admin/users/invite", data={
        "display_name": "Tom Trainer", "email": "tom@example.org",
        "programme_id": str(programme.id), "role": "trainer"}).get_data(as_text=True)
    assert "Account created" in page and "is now a trainer in Autumn cohort" in page
    member = db.session.scalars(select(Membership).where(Membership.programme_id == programme.id)).one()
    assert (member.role, member.user.email) == ("trainer", "tom@example.org")
