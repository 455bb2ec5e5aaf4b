"""Lists that scale: search, filters and pages on accounts and the outbox; retrying a failed message."""
import pytest
from sqlalchemy import insert, select

from tests.conftest import count_statements
from tests.factories import make_user
from trainer.extensions import db
from trainer.models import OutboxMessage, User
from trainer.services.system import outbox


@pytest.fixture
def admin(client, auth):
    make_user("root@example.org", is_admin=True, name="Root Admin")
    auth.login("root@example.org")


def _bulk_users(n: int, start: int = 0) -> None:
    db.session.execute(insert(User), [
        {"email": f"bulk{i}@example.org", "display_name": f"Bulk Person {i:05d}", "is_admin": False,
         "is_enabled": i % 7 != 0, "password_hash": None if i % 3 == 0 else "x", "session_version": 1}
        for i in range(start, start + n)])
    db.session.commit()


def test_accounts_are_searched_filtered_and_paged(client, admin):
    _bulk_users(120)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Showing 1 to 50 of 121 accounts" in page and 'aria-label="Page 3"' in page
    page = client.get("/admin/users?page=3").get_data(as_text=True)
    assert "Showing 101 to 121 of 121 accounts" in page and 'rel="prev"' in page
    page = client.get("/admin/users?q=person+00042").get_data(as_text=True)
    assert "Showing 1 to 1 of 1 account" in page and "bulk42@example.org" in page
    page = client.get("/admin/users?status=disabled&q=bulk").get_data(as_text=True)
    assert "of 18 accounts" in page and "bulk7@example.org" in page and "bulk8@example.org" not in page
    assert "No accounts match the search" in client.get("/admin/users?q=nobody").get_data(as_text=True)
    page = client.get("/admin/users?status=nonsense&page=999").get_data(as_text=True)
    assert "Showing 101 to 121 of 121 accounts" in page


def test_the_accounts_page_runs_as_many_statements_for_10000_users_as_for_10(client, admin):
    _bulk_users(10)
    small = count_statements(client, "/admin/users?page=1")
    _bulk_users(9_990, start=10)
    assert count_statements(client, "/admin/users?page=100") == small
    assert "Showing 4,951 to 5,000 of 10,001 accounts" in client.get("/admin/users?page=100").get_data(as_text=True)


def test_the_outbox_filters_by_status_and_retries_a_failed_message(client, admin):
    db.session.add_all([
        OutboxMessage(dedupe_key="a", kind="invite", to_address="ok@example.org", subject="Sent one", body="b"),
        OutboxMessage(dedupe_key="b", kind="invite", to_address="bad@example.org", subject="Failed one",
                      body="b", attempts=5, last_error="SMTPRecipientsRefused: no such user"),
        OutboxMessage(dedupe_key="c", kind="reminder", to_address="w@example.org", subject="Waiting one", body="b")])
    db.session.commit()
    db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == "a")).sent_at = \
        db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == "a")).created_at
    db.session.commit()
    page = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "Failed one" in page and "Sent one" not in page and "Waiting one" not in page
    assert "after 5 tries" in page and "Try again" in page
    assert "Sent one" in client.get("/admin/outbox?status=sent").get_data(as_text=True)
    assert "Waiting one" in client.get("/admin/outbox?q=reminder").get_data(as_text=True)
    failed = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == "b"))
    page = client.post(f"/admin/outbox/{failed.id}/retry", follow_redirects=True).get_data(as_text=True)
    assert "will be sent again" in page and "No messages match the search" in page
    db.session.refresh(failed)
    assert (failed.attempts, failed.last_error, failed.next_attempt_at) == (0, None, None)
    assert outbox.status_of(failed) == "waiting"
    sent = db.session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == "a"))
    page = client.post(f"/admin/outbox/{sent.id}/retry", follow_redirects=True).get_data(as_text=True)
    assert "This message was sent already" in page


def test_only_admins_reach_the_retry(client, auth):
    make_user("plain@example.org")
    auth.login("plain@example.org")
    db.session.add(OutboxMessage(dedupe_key="x", kind="k", to_address="a@example.org", subject="s",
                                 body="b", last_error="boom"))
    db.session.commit()
    message_id = db.session.scalar(select(OutboxMessage.id))
    assert client.post(f"/admin/outbox/{message_id}/retry").status_code == 403
    assert db.session.get(OutboxMessage, message_id).last_error == "boom"


def test_the_cohort_is_searched_filtered_by_arm_and_team_and_paged(client, auth):
    from tests.factories import UNALLOCATED, make_member, make_programme

    programme = make_programme(status="draft")
    make_member(programme, "lead", user=make_user("lead@example.org"))
    for i in range(60):
        make_member(programme, user=make_user(f"p{i}@example.org", name=f"Person {i:02d}"),
                    arm=("intervention", "comparison", UNALLOCATED)[i % 3], team="North" if i % 2 else None)
    db.session.commit()
    auth.login("lead@example.org")
    base = f"/programmes/{programme.id}/cohort/"
    page = client.get(base).get_data(as_text=True)
    assert "Showing 1 to 50 of 60 participants" in page and 'aria-label="Page 2"' in page
    page = client.get(base + "?arm=none&team=North").get_data(as_text=True)
    assert "of 10 participants" in page and "Person 05" in page and "Person 02" not in page
    page = client.get(base + "?team=(none)&q=person+1").get_data(as_text=True)
    assert "Person 10" in page and "Person 11" not in page
    assert count_statements(client, base + "?page=2") == count_statements(client, base + "?page=1")


def test_a_lead_enrols_someone_to_be_randomised_from_the_cohort_page(client, auth):
    from tests.factories import make_member, make_programme

    programme = make_programme(status="draft")
    make_member(programme, "lead", user=make_user("lead@example.org"))
    db.session.commit()
    auth.login("lead@example.org")
    page = client.post(f"/programmes/{programme.id}/cohort/", data={
        "name": "Fay Field", "email": "fay@example.org", "arm": "none"}).get_data(as_text=True)
    assert "Fay Field is enrolled (to be randomised)" in page and "To be randomised</strong>" in page
