"""Consent per purpose: the information's versions, the gate, paper consent, what consent allows."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from tests.factories import make_member, make_outcome_waves, make_programme, make_user, make_wave
from trainer.errors import PermissionDenied, RuleViolation
from trainer.extensions import db
from trainer.models import AuditEvent, OutboxMessage
from trainer.services.outcomes import outcomes
from trainer.services.privacy import consent
from trainer.services.ratings import ratings

NOW = datetime(2026, 9, 10, 9, 0, tzinfo=timezone.utc)  # inside the baseline wave
TODAY = date(2026, 9, 10)


@pytest.fixture
def programme(app):
    return make_programme(status="running")


def test_the_standard_text_is_version_1_and_each_edit_makes_a_new_version(programme):
    lead = make_member(programme, "lead")
    assert consent.current_information(programme).version == 1
    assert consent.save_information(lead.user, programme, "New wording").version == 2
    assert consent.save_information(lead.user, programme, "Newer wording").version == 3
    assert consent.current_information(programme).text == "Newer wording"
    with pytest.raises(RuleViolation, match="unchanged"):
        consent.save_information(lead.user, programme, "Newer wording")
    with pytest.raises(PermissionDenied):
        consent.save_information(make_member(programme).user, programme, "Mine")


def test_a_participant_without_consent_is_stopped_at_the_gate_until_they_agree(programme):
    member = make_member(programme, consent=())
    assert consent.consent_gate(member.user, programme.id) == programme.id
    assert consent.consent_gate(member.user, None) == programme.id
    with pytest.raises(RuleViolation, match="take part"):
        consent.give_consent(member, {"evaluation"}, today=TODAY)
    consent.give_consent(member, {"programme", "evaluation"}, today=TODAY)
    assert consent.consent_gate(member.user, programme.id) is None
    given = consent.consents_of(member)
    assert set(given) == {"programme", "evaluation"}
    assert (given["evaluation"].given_on, given["evaluation"].method,
            given["evaluation"].information_version) == (TODAY, "online", 1)
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_id == member.id)) == "consent.given"


def test_an_information_edit_asks_those_who_agreed_to_an_older_version_to_confirm(programme):
    lead = make_member(programme, "lead")
    member = make_member(programme)
    assert consent.consent_gate(member.user, programme.id) is None
    consent.save_information(lead.user, programme, "Version two of the information")
    assert consent.needs_consent(member)
    assert consent.consent_gate(member.user, None) == programme.id
    consent.give_consent(member, {"programme", "evaluation"}, today=TODAY)
    assert not consent.needs_consent(member)
    assert consent.consents_of(member)["programme"].information_version == 2
    # Leaving the optional purpose unticked on re-confirmation withdraws it.
    assert consent.consents_of(member)["follow_up"].withdrawn_on == TODAY


def test_roles_read_with_the_consent_due_give_the_gate_s_answer_in_one_statement(programme):
    """places_and_consent_due + first_due answer as consent_gate does, for any programme or none:
    staff places, a participant who agreed, one who did not, one asked to re-confirm."""
    person = make_member(programme, "lead").user
    agreed, pending, reconfirm = (make_programme(status="running") for _ in range(3))
    make_member(agreed, user=person)
    make_member(pending, user=person, consent=())
    make_member(reconfirm, user=person)
    consent.save_information(make_member(reconfirm, "lead").user, reconfirm, "Version two")
    places, due = consent.places_and_consent_due(person)
    assert sorted(places) == sorted([("lead", None), ("participant", "intervention"),
                                     ("participant", "intervention"), ("participant", "intervention")])
    assert due == [pending.id, reconfirm.id]
    for programme_id in (None, programme.id, agreed.id, pending.id, reconfirm.id):
        assert consent.first_due(due, programme_id) == consent.consent_gate(person, programme_id)
    assert consent.first_due(due, None) == pending.id and consent.first_due(due, agreed.id) is None


def test_the_roles_read_with_the_session_s_user_answer_as_their_own_statement_does(programme):
    """PLACES_TEXT (a column of the statement that loads the session's user on a GET) gives
    places_and_consent_due's answer, in enrolment order: for a person with staff places,
    participant places agreed, pending and to re-confirm, a comparison arm, and for nobody."""
    person = make_member(programme, "lead").user
    agreed, pending, reconfirm, comparison = (make_programme(status="running") for _ in range(4))
    make_member(pending, user=person, consent=())
    make_member(agreed, user=person)
    make_member(comparison, user=person, arm="comparison")
    make_member(reconfirm, user=person)
    make_member(agreed, "trainer", user=make_member(pending, "lead").user)
    consent.save_information(make_member(reconfirm, "lead").user, reconfirm, "Version two")
    db.session.commit()
    nobody = make_user("nobody@example.org")
    db.session.commit()
    for user in (person, nobody, make_member(agreed, "trainer").user):
        text = db.session.scalar(select(consent.PLACES_TEXT), {"user_id": user.id})
        assert consent.places_from_text(text) == consent.places_and_consent_due(user)
    assert consent.places_from_text(None) == ([], [])
    places, due = consent.places_from_text(db.session.scalar(select(consent.PLACES_TEXT), {"user_id": person.id}))
    assert due == [pending.id, reconfirm.id]
    assert ("participant", "comparison") in places and places[0] == ("lead", None)


def test_staff_are_never_stopped_at_the_gate(programme):
    lead = make_member(programme, "lead")
    assert consent.consent_gate(lead.user, programme.id) is None


def test_a_lead_records_consent_given_on_paper_and_it_is_audited(programme):
    lead = make_member(programme, "lead")
    member = make_member(programme, consent=())
    consent.record_paper_consent(lead.user, programme, member.id, {"programme", "evaluation"},
                                 date(2026, 9, 1), today=TODAY)
    given = consent.consents_of(member)
    assert given["evaluation"].method == "paper" and given["evaluation"].recorded_by_id == lead.user_id
    assert given["evaluation"].given_on == date(2026, 9, 1)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "consent.recorded_on_paper"))
    assert event.actor_id == lead.user_id and event.object_id == member.id
    with pytest.raises(RuleViolation, match="future"):
        consent.record_paper_consent(lead.user, programme, member.id, {"programme"}, date(2026, 9, 11),
                                     today=TODAY)
    with pytest.raises(PermissionDenied):
        consent.record_paper_consent(member.user, programme, member.id, {"programme"}, TODAY, today=TODAY)


def test_no_questionnaire_is_asked_of_or_accepted_from_someone_without_evaluation_consent(programme):
    waves = make_outcome_waves(programme, ("brs",))
    agreed = make_member(programme)
    only_taking_part = make_member(programme, consent=("programme",))
    db.session.commit()
    assert outcomes.questionnaires_for(agreed, TODAY)
    assert outcomes.questionnaires_for(only_taking_part, TODAY) == []
    with pytest.raises(RuleViolation, match="not agreed"):
        outcomes.save_answers(only_taking_part, waves["baseline"].id, "brs", {1: 4}, submit=False, now=NOW)
    outcomes.send_invitations(NOW, base_url="http://x")
    db.session.commit()
    invited = set(db.session.scalars(select(OutboxMessage.user_id)))
    assert invited == {agreed.user_id}


def test_no_rating_is_asked_of_or_accepted_from_someone_without_evaluation_consent(programme, modules):
    wave = make_wave(programme, opens_on=date(2026, 9, 5))
    agreed = make_member(programme)
    refused = make_member(programme, consent=("programme",))
    db.session.commit()
    assert ratings.open_waves_for(agreed, TODAY) and ratings.open_waves_for(refused, TODAY) == []
    with pytest.raises(PermissionDenied):
        ratings.require_rater(refused.user, programme.id, wave.id)
    with pytest.raises(RuleViolation, match="not agreed"):
        ratings.save_ratings(refused, wave, {}, finish=False, now=NOW)
    assert [m.id for m in ratings._invited_members(programme.id)] == [agreed.id]


def test_the_migration_turns_existing_consent_dates_into_consents_on_version_1(tmp_path):
    """Run the real migrations on a fresh SQLite file: a participant written before them with a
    consent date has consented to taking part and to the evaluation, on version 1."""
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    from trainer import create_app

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    other = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with other.app_context():
        upgrade(revision="d6de681ad201")
        engine = create_engine(url)
        with engine.begin() as c:
            c.execute(text("INSERT INTO users (id, email, display_name, is_admin, is_enabled, session_version, "
                           "created_at) VALUES (1, 'a@example.org', 'A', 0, 1, 1, '2026-08-01')"))
            c.execute(text("INSERT INTO programmes (id, name, organisation, timezone, start_date, end_date, "
                           "description, status, created_at) VALUES (1, 'P', 'O', 'Europe/London', "
                           "'2026-09-01', '2027-06-30', '', 'running', '2026-08-01')"))
            c.execute(text("INSERT INTO memberships (id, programme_id, user_id, role, arm, consent_date, "
                           "in_post, created_at) VALUES (1, 1, 1, 'participant', 'intervention', "
                           "'2026-08-20', 1, '2026-08-01'), (2, 1, 1, 'lead', NULL, NULL, 1, '2026-08-01')"))
        upgrade()
        with engine.connect() as c:
            rows = c.execute(text("SELECT membership_id, purpose, given_on, information_version "
                                  "FROM consents ORDER BY purpose")).all()
        engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "evaluation", "2026-08-20", 1), (1, "programme", "2026-08-20", 1)]
