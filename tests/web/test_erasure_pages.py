"""Erasure through the admin's pages: a confirmation step, then the name is on no page or export."""
import pytest
from sqlalchemy import text

from tests.factories import make_user
from tests.web.test_access_matrix import _build, _downloads, _pages, signed_in
from trainer.extensions import db


@pytest.fixture
def cast(app, modules):
    world = _build("Alpha", modules, "a", marked=True)
    make_user("root@example.org", name="Root Admin", is_admin=True)
    db.session.commit()
    return world


def test_an_erased_persons_name_and_email_are_on_no_page_export_or_outbox_and_they_cannot_sign_in(app, cast):
    me = cast.people["participant"].user
    name, email, user_id = me.display_name, me.email, me.id
    db.session.execute(text("INSERT INTO outbox_messages (dedupe_key, kind, user_id, to_address, subject, body, "
                            "created_at, attempts) VALUES ('k1', 'test', :uid, :email, 'Hi', :body, "
                            "CURRENT_TIMESTAMP, 0)"), {"uid": user_id, "email": email, "body": f"Hello {name}"})
    db.session.commit()
    theirs = signed_in(app, email)
    admin = signed_in(app, "root@example.org")
    plan = admin.get(f"/admin/users/{user_id}/erase").get_data(as_text=True)
    assert "What will go" in plan and "1 activity log with their private notes" in plan
    assert signed_in(app, email).get("/").status_code == 200  # the GET changed nothing
    response = admin.post(f"/admin/users/{user_id}/erase")
    assert response.status_code == 302
    # Their open session ended, and they cannot sign in again.
    assert theirs.get("/my-data").status_code == 302
    assert app.test_client().post("/login", data={"email": email, "password": "correct-horse-battery"}).status_code != 302
    bodies = []
    for role in ("lead", "trainer", "peer", "evaluator"):
        client = signed_in(app, cast.people[role].user.email)
        bodies += _pages(app, cast, client)
        if role == "evaluator":  # record-level exports are the evaluator's alone
            bodies += _downloads(app, cast, client)
    bodies += _pages(app, cast, admin)
    for path in ("/admin/users", "/admin/outbox", "/audit"):
        bodies.append((path, admin.get(path).get_data(as_text=True)))
    bodies.append(("outbox table", " ".join(db.session.scalars(text(
        "SELECT to_address || ' ' || subject || ' ' || body FROM outbox_messages")))))
    leaks = [url for url, body in bodies if name in body or email in body or name.lstrip("=") in body]
    assert not leaks, leaks
    assert "person.erased" in admin.get("/audit").get_data(as_text=True)


@pytest.mark.parametrize("role", ("lead", "trainer", "participant"))
def test_only_admins_may_erase(app, cast, role):
    target = cast.people["peer"].user_id
    client = signed_in(app, cast.people[role].user.email)
    assert client.get(f"/admin/users/{target}/erase").status_code == 403
    assert client.post(f"/admin/users/{target}/erase").status_code == 403
