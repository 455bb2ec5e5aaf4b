"""Random participant codes, the evaluator's separation of duties, and admins' audited grants."""
import re
from datetime import datetime, timezone

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text

from tests.factories import make_member, make_programme, make_user
from trainer import create_app
from trainer.errors import NotFound, PermissionDenied, RuleViolation
from trainer.extensions import db
from trainer.models import AuditEvent, User
from trainer.services.accounts import access, grants
from trainer.services.scheduling import codes, programmes

CODE = re.compile(r"[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}")


def test_codes_are_six_unambiguous_characters_unique_within_the_programme(app):
    programme = make_programme()
    members = [make_member(programme, arm=("intervention", "comparison")[n % 2]) for n in range(60)]
    assert all(CODE.fullmatch(m.code) for m in members)
    assert len({m.code for m in members}) == 60
    assert not any(set(m.code) & set("01OIL") for m in members)


def test_two_programmes_enrolled_in_the_same_order_get_unrelated_codes(app):
    people = [make_user(name=f"Person {n}") for n in range(20)]
    first, second = make_programme("First"), make_programme("Second")
    a = [programmes.add_member(first, person, "participant", arm="intervention") for person in people]
    b = [programmes.add_member(second, person, "participant", arm="intervention") for person in people]
    assert [m.code for m in a] != [m.code for m in b]
    assert sum(x.code == y.code for x, y in zip(a, b)) == 0
    # Not in enrolment order: sorting the codes does not give back who enrolled first.
    assert [m.code for m in a] != sorted(m.code for m in a)
    assert [m.code for m in b] != sorted(m.code for m in b)


def test_new_code_never_repeats_a_code_already_taken(app):
    taken = {codes.random_code() for _ in range(200)}
    assert all(codes.new_code(1, taken) not in taken for _ in range(200))


def test_staff_and_leads_get_no_code(app):
    programme = make_programme()
    assert {make_member(programme, role).code for role in ("lead", "trainer", "evaluator")} == {None}


@pytest.mark.parametrize("first, second", [("lead", "evaluator"), ("trainer", "evaluator"),
                                           ("participant", "evaluator"), ("evaluator", "lead"),
                                           ("evaluator", "trainer"), ("evaluator", "participant")])
def test_the_evaluator_of_a_programme_holds_no_other_role_in_it(app, first, second):
    programme, person = make_programme(), make_user()
    make_member(programme, first, user=person)
    with pytest.raises(RuleViolation, match="evaluator can hold no other role"):
        make_member(programme, second, user=person)


def test_an_evaluator_may_hold_other_roles_in_other_programmes(app):
    person = make_user()
    make_member(make_programme(), "lead", user=person)
    evaluating = make_member(make_programme(), "evaluator", user=person)
    assert evaluating.role == "evaluator"


def test_an_admin_without_a_role_reaches_no_programme_data(app):
    programme, admin = make_programme(), make_user(is_admin=True)
    for roles in (("lead",), ("trainer",), ("evaluator",), ("participant",)):
        with pytest.raises(PermissionDenied):
            access.require_membership(admin, programme.id, roles)
    assert access.programmes_for(admin, "lead", "trainer", "evaluator") == []
    assert access.can_create_programmes(admin)


def test_an_admin_grants_a_role_audited_and_shown_on_the_team(app):
    programme = make_programme()
    admin = make_user(is_admin=True, name="Alex Admin")
    make_member(programme, "lead", user=make_user(name="Lee Lead"))
    membership = grants.grant_role(admin, programme.id, admin.id, "lead")
    assert access.require_membership(admin, programme.id, ("lead",)).programme == programme
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "role.granted")).one()
    assert (event.actor_id, event.object_id, event.programme_id, event.detail["role"]) == (
        admin.id, membership.id, programme.id, "lead")
    shown = {m.membership.user.display_name: (m.granted_by, m.granted_on) for m in programmes.team(programme)}
    assert shown["Alex Admin"] == ("Alex Admin", event.at.date())
    assert shown["Lee Lead"] == (None, None)


def test_grants_keep_the_rules_and_are_for_admins_only(app):
    programme = make_programme()
    admin, lead = make_user(is_admin=True), make_member(programme, "lead")
    with pytest.raises(RuleViolation) as refused:
        grants.grant_role(admin, programme.id, lead.user_id, "evaluator")
    assert refused.value.field == "user_id"
    with pytest.raises(RuleViolation):
        grants.grant_role(admin, programme.id, lead.user_id, "participant")
    with pytest.raises(NotFound):
        grants.grant_role(admin, 987654, lead.user_id, "lead")
    with pytest.raises(PermissionDenied):
        grants.grant_role(lead.user, programme.id, lead.user_id, "trainer")
    assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "role.granted")) is None


def test_the_migration_recodes_existing_participants_and_allows_evaluators(tmp_path):
    migrating = create_app({"TESTING": True, "SECRET_KEY": "x",
                            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'old.sqlite3'}"})
    with migrating.app_context():
        upgrade(revision="d6de681ad201")
        now = datetime(2026, 1, 1, tzinfo=timezone.utc).isoformat()
        for n in (1, 2):
            db.session.execute(text(
                "INSERT INTO programmes (id, name, organisation, timezone, start_date, end_date, description,"
                " status, created_at) VALUES (:n, 'P', 'O', 'Europe/London', '2026-01-01', '2026-12-31', '',"
                " 'draft', :now)"), {"n": n, "now": now})
        for n in range(1, 11):
            db.session.execute(text(
                "INSERT INTO users (id, email, display_name, is_admin, is_enabled, session_version, created_at)"
                " VALUES (:n, :e, 'U', 0, 1, 1, :now)"), {"n": n, "e": f"u{n}@example.org", "now": now})
            db.session.execute(text(
                "INSERT INTO memberships (programme_id, user_id, role, arm, code, in_post, created_at)"
                " VALUES (:p, :n, 'participant', 'intervention', :c, 1, :now)"),
                {"p": 1 + n % 2, "n": n, "c": f"P{n:03d}", "now": now})
        db.session.commit()
        upgrade()
        rows = db.session.execute(text("SELECT programme_id, code FROM memberships")).all()
        assert len(rows) == 10 and all(CODE.fullmatch(code) for _p, code in rows)
        assert len({(p, code) for p, code in rows}) == 10
        db.session.execute(text(
            "INSERT INTO memberships (programme_id, user_id, role, in_post, created_at)"
            " VALUES (1, 2, 'evaluator', 1, :now)"), {"now": now})
        db.session.commit()
        db.session.remove()


def test_the_comparison_covers_only_the_programmes_someone_leads_or_evaluates(app):
    from trainer.clock import utcnow
    from trainer.services.ratings import ratings_compare
    evaluated, led, other = make_programme("Evaluated"), make_programme("Led"), make_programme("Other")
    person = make_user()
    make_member(evaluated, "evaluator", user=person)
    make_member(led, "lead", user=person)
    make_member(other, "lead")
    programmes_shown, _rows = ratings_compare.compare_programmes(person, now=utcnow())
    assert {p.name for p in programmes_shown} == {"Evaluated", "Led"}
    with pytest.raises(PermissionDenied):
        ratings_compare.compare_programmes(make_user(is_admin=True), now=utcnow())


def test_a_day_and_its_programme_access_come_in_one_statement_with_the_same_rules(app):
    """``require_day`` answers as reading the day and then ``require_membership`` did: the day
    and the user's roles in its programme for someone holding one of the roles; NotFound for no
    such day; PermissionDenied for an admin or a member of another programme, and for a role not
    asked for. One statement, with the day's programme already on it."""
    from datetime import date

    from sqlalchemy import event

    from tests.factories import make_day

    programme, other = make_programme(), make_programme()
    trainer, participant = make_member(programme, "trainer"), make_member(programme)
    outsider, admin = make_member(other, "lead"), make_user(is_admin=True)
    day = make_day(programme, date(2026, 10, 5))
    db.session.commit()
    outsider_id = outsider.id
    user_ids = {m.id: m.user_id for m in (trainer, participant, outsider)} | {"admin": admin.id}
    day_id, name = day.id, programme.name
    db.session.expunge_all()  # nothing of the programme or the day is held before the call
    users = {mid: db.session.get(User, uid) for mid, uid in user_ids.items()}
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        found, held = access.require_day(users[trainer.id], day_id, ("lead", "trainer"))
        assert (found.id, found.programme.name, held.roles) == (day_id, name, {"trainer"})
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len([s for s in statements if "training_days" in s]) == 1 and len(statements) <= 2
    found, held = access.require_day(users[participant.id], day_id, ("lead", "trainer", "participant"))
    assert held.participant.id == participant.id
    with pytest.raises(PermissionDenied):
        access.require_day(users[participant.id], day_id, ("lead", "trainer"))
    for stranger in (users[outsider_id], users["admin"]):
        with pytest.raises(PermissionDenied):
            access.require_day(stranger, day_id, ("lead", "trainer", "participant"))
    with pytest.raises(NotFound):
        access.require_day(users[trainer.id], day_id + 1000, ("lead", "trainer"))
