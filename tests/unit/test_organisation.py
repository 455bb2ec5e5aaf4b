"""Organisation settings: defaults, saving, retention, the safety net's default resources."""
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from tests.factories import make_member, make_outcome_waves, make_programme, make_user
from trainer.errors import RuleViolation
from trainer.extensions import db
from trainer.models import InstrumentItemText, OrganisationSettings
from trainer.services.outcomes import outcomes
from trainer.services.system import organisation

NOW = datetime(2026, 9, 10, 9, 0, tzinfo=timezone.utc)


def test_settings_have_defaults_before_anyone_saves_them_and_reading_writes_nothing(app):
    assert organisation.organisation_name() == ""
    assert organisation.retention_months() == 36
    assert organisation.default_support_resources() == []
    assert db.session.scalar(select(func.count(OrganisationSettings.id))) == 0


def test_an_admin_saves_the_settings_in_one_row(app):
    admin = make_user(is_admin=True)
    organisation.update_settings(admin, name=" Northshire County Council ", now=NOW,
                                 support_resources="Staff counselling\nCall 0800 111 222",
                                 retention_months=24)
    organisation.update_settings(admin, name="Northshire Council", now=NOW, support_resources="",
                                 retention_months=12)
    assert db.session.scalar(select(func.count(OrganisationSettings.id))) == 1
    assert organisation.organisation_name() == "Northshire Council"
    assert organisation.retention_months() == 12


@pytest.mark.parametrize("months", (0, -3, 601, None))
def test_the_retention_period_must_be_between_1_and_600_months(app, months):
    with pytest.raises(RuleViolation) as caught:
        organisation.update_settings(make_user(is_admin=True), name="X", support_resources="",
                                     retention_months=months, now=NOW)
    assert caught.value.field == "retention_months"
    assert organisation.retention_months() == 36


def test_resources_parse_into_titles_and_details():
    text = "EAP\r\nCall 0800 000 000\r\nany time\r\n\r\n\r\nYour GP"
    assert organisation.parse_resources(text) == [
        organisation.Resource("EAP", "Call 0800 000 000\nany time"), organisation.Resource("Your GP", "")]


def _high_risk_result(programme):
    waves = make_outcome_waves(programme, ("proqol5",))
    member = make_member(programme)
    for n in range(1, 31):
        db.session.add(InstrumentItemText(instrument_key="proqol5", number=n, text=f"Item {n}"))
    outcomes.save_answers(member, waves["baseline"].id, "proqol5", {i: 5 for i in range(1, 31)},
                          submit=True, now=NOW)
    return outcomes.result_for(member, waves["baseline"].id, "proqol5")


def test_the_safety_net_offers_the_organisation_default_when_a_programme_has_none(app):
    organisation.update_settings(make_user(is_admin=True), name="Northshire", now=NOW,
                                 support_resources="Staff counselling\nCall 0800 111 222",
                                 retention_months=36)
    result = _high_risk_result(make_programme())
    assert [(r.title, r.details) for r in result.resources] == [("Staff counselling", "Call 0800 111 222")]


def test_a_programme_s_own_resources_override_the_organisation_default(app):
    organisation.update_settings(make_user(is_admin=True), name="Northshire", now=NOW,
                                 support_resources="Staff counselling", retention_months=36)
    programme = make_programme()
    outcomes.save_support_resources(programme, "Team EAP\nAsk your manager")
    assert [r.title for r in _high_risk_result(programme).resources] == ["Team EAP"]
