"""The audit trail page: admins see all, leads their programmes, others nothing; CSV is a POST."""
import pytest

from tests.factories import make_member, make_programme, make_user
from trainer.extensions import db
from trainer.services.privacy import audit


@pytest.fixture
def trail(app):
    one, two = make_programme("One"), make_programme("Two")
    lead = make_member(one, "lead", user=make_user("lead@example.org", name="Lee Lead"))
    make_member(one, "trainer", user=make_user("trainer@example.org"))
    other = make_member(two, "lead", user=make_user("other@example.org", name="Olly Other"))
    pat = make_member(one, user=make_user("pat@example.org", name="Pat Person"))
    audit.record(pat.user_id, "participant.withdrawn", pat, programme_id=one.id, scope="evaluation")
    audit.record(other.user_id, "programme.updated", two, programme_id=two.id)
    make_user("admin@example.org", is_admin=True)
    db.session.commit()
    return one, two, lead


@pytest.mark.parametrize("email,status", [("admin@example.org", 200), ("lead@example.org", 200),
                                          ("trainer@example.org", 403), ("pat@example.org", 403)])
def test_who_may_read_the_audit_trail(client, auth, trail, email, status):
    auth.login(email)
    assert client.get("/audit").status_code == status
    assert client.post("/audit/export.csv").status_code == status


def test_a_lead_sees_their_programmes_events_only_and_filters_them(client, auth, trail):
    auth.login("lead@example.org")
    page = client.get("/audit").get_data(as_text=True)
    assert "participant.withdrawn" in page and "Pat Person" in page and "programme.updated" not in page
    assert "1 event." in page
    page = client.get("/audit?person=nobody").get_data(as_text=True)
    assert "No events match." in page
    page = client.get("/audit?since=not-a-date").get_data(as_text=True)
    assert "There is a problem" in page


def test_admins_see_everything_and_download_csv(client, auth, trail):
    auth.login("admin@example.org")
    page = client.get("/audit").get_data(as_text=True)
    assert "participant.withdrawn" in page and "programme.updated" in page
    response = client.post("/audit/export.csv", data={"action": "programme."})
    assert response.mimetype == "text/csv"
    body = response.get_data(as_text=True)
    assert "programme.updated" in body and "participant.withdrawn" not in body
    assert "audit.exported" in client.get("/audit").get_data(as_text=True)
