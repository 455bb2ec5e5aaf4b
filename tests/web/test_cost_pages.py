"""Cost-consequence and board report pages: what the lead and the evaluator see; who is refused."""
from datetime import date, timedelta

import pytest
from sqlalchemy import delete

from tests.factories import make_day, make_mark, make_member, make_outcome_waves, make_programme, make_scores, make_user
from trainer.extensions import db
from trainer.models import OutcomeResponse
from trainer.services.outcomes import outcomes

FORM = {"trainer_days": "6", "trainer_day_rate": "500", "trainer_source": "Invoice 17", "trainer_year": "2026",
        "venue_cost": "400", "venue_source": "Room hire", "venue_year": "2026",
        "materials_cost": "100", "materials_source": "Print order", "materials_year": "2026",
        "coordination_cost": "250", "coordination_source": "Budget line 4", "coordination_year": "2026",
        "backfill_cost": "1000", "backfill_source": "Agency invoice", "backfill_year": "2026",
        "participant_hourly_cost": "30", "participant_source": "Pay scale", "participant_year": "2026",
        "replacement_cost": "2000", "replacement_source": "HR estimate", "replacement_year": "2026",
        "sensitivity_from": "1000", "sensitivity_to": "3000", "sensitivity_step": "1000"}


@pytest.fixture
def study(app):
    """A programme with six per arm; closed baseline and post waves of the BRS; one training day."""
    today = date.today()
    programme = make_programme(start=today - timedelta(days=200), end=today - timedelta(days=10))
    people = {"lead": make_member(programme, "lead", user=make_user("lead@example.org")),
              "trainer": make_member(programme, "trainer", user=make_user("trainer@example.org")),
              "participant": make_member(programme, user=make_user("pat@example.org", name="Pat Person")),
              "comparison": make_member(programme, arm="comparison", user=make_user("cam@example.org")),
              "evaluator": make_member(programme, "evaluator", user=make_user("eve@example.org"))}
    arms = {"intervention": [people["participant"]] + [make_member(programme) for _ in range(5)],
            "comparison": [people["comparison"]] + [make_member(programme, arm="comparison") for _ in range(5)]}
    waves = make_outcome_waves(programme, baseline=(today - timedelta(days=190), today - timedelta(days=180)),
                               post=(today - timedelta(days=60), today - timedelta(days=50)),
                               follow_up=(today + timedelta(days=100), today + timedelta(days=110)))
    day = make_day(programme, today - timedelta(days=120))
    for n, person in enumerate(arms["intervention"]):
        make_mark(day, person, "present")
        make_scores(person, waves["baseline"], "brs", {"total": 3.0 + n / 10})
        make_scores(person, waves["post"], "brs", {"total": 3.5 + n / 5})
    for n, person in enumerate(arms["comparison"]):
        make_scores(person, waves["baseline"], "brs", {"total": 3.0 + n / 10})
        make_scores(person, waves["post"], "brs", {"total": 3.1 + n / 8})
    db.session.commit()
    return programme, people


def test_lead_enters_sourced_costs_and_sees_the_cost_per_participant(client, auth, study):
    programme, _ = study
    auth.login("lead@example.org")
    empty = client.get(f"/programmes/{programme.id}/costs/").get_data(as_text=True)
    assert "No total yet" in empty and "participants&#39; hourly cost" in empty and "Incomplete" in empty
    form = client.get(f"/programmes/{programme.id}/costs/edit").get_data(as_text=True)
    assert 'name="venue_cost" type="text" value=""' in form or 'value=""' in form
    response = client.post(f"/programmes/{programme.id}/costs/edit", data=FORM)
    assert response.status_code == 302
    page = client.get(f"/programmes/{programme.id}/costs/").get_data(as_text=True)
    # 6 x 500 + 400 + 100 + 250 + 1000 + 6 people x 7 h x £30 (1260) = 6010; 6 allocated, 6 completers.
    assert "£6,010.00" in page and "£1,001.67" in page and "6 completers" in page
    assert "Invoice 17 (2026)" in page and "attended at least one training day" in page
    assert "Break-even: 3.00 leavers averted" in page and "£3,000.00" in page
    assert "Brief Resilience Scale" in page and "Welch p" in page


def test_a_figure_without_a_source_is_refused_with_the_form_kept(client, auth, study):
    programme, _ = study
    auth.login("lead@example.org")
    response = client.post(f"/programmes/{programme.id}/costs/edit",
                           data={**FORM, "venue_source": "", "materials_cost": "-3"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "Enter an amount from 0 to" in page and 'value="400' in page
    response = client.post(f"/programmes/{programme.id}/costs/edit", data={**FORM, "venue_source": ""})
    assert response.status_code == 400 and "Enter where this figure comes from" in response.get_data(as_text=True)


def test_evaluator_reads_costs_and_board_report_but_cannot_edit(client, auth, study):
    programme, _ = study
    auth.login("eve@example.org")
    page = client.get(f"/programmes/{programme.id}/costs/")
    assert page.status_code == 200 and "Enter or change the costs" not in page.get_data(as_text=True)
    assert client.get(f"/programmes/{programme.id}/costs/edit").status_code == 403
    assert client.post(f"/programmes/{programme.id}/costs/edit", data=FORM).status_code == 403
    assert client.get(f"/programmes/{programme.id}/outcomes/board").status_code == 200


@pytest.mark.parametrize("email", ["pat@example.org", "cam@example.org", "trainer@example.org"])
def test_participants_and_trainers_are_refused(client, auth, study, email):
    programme, _ = study
    auth.login(email)
    for url in ("costs/", "costs/edit", "outcomes/board"):
        assert client.get(f"/programmes/{programme.id}/{url}").status_code == 403
    assert client.post(f"/programmes/{programme.id}/costs/edit", data=FORM).status_code == 403


def test_board_report_shows_each_part_under_the_disclosure_rules(client, auth, study):
    programme, _ = study
    auth.login("lead@example.org")
    client.post(f"/programmes/{programme.id}/costs/edit", data=FORM)
    page = client.get(f"/programmes/{programme.id}/outcomes/board").get_data(as_text=True)
    for heading in ("board report", "Participant flow", "Primary outcome", "Retention", "Costs"):
        assert heading in page
    assert "css/board.css" in page and "style=" not in page
    assert "Allocated" in page and "£6,010.00" in page and "Pat Person" not in page
    # Post wave closed, 6 pairs per arm: the results show; the follow-up has not opened yet.
    assert "Welch p" in page and "Not shown: results appear when the wave closes" in page


def test_board_report_hides_results_of_groups_under_five(client, auth, study):
    """Two comparison participants' post answers removed: 4 pairs in that arm, so its change
    and the comparison between arms are not shown; the intervention's change still is."""
    programme, people = study
    post = next(w for w in outcomes.waves(programme) if w.kind == "post")
    comparison = [m.id for m in programme.memberships if m.arm == "comparison"][:2]
    db.session.execute(delete(OutcomeResponse).where(OutcomeResponse.wave_id == post.id,
                                                     OutcomeResponse.membership_id.in_(comparison)))
    db.session.commit()
    auth.login("lead@example.org")
    page = client.get(f"/programmes/{programme.id}/outcomes/board").get_data(as_text=True)
    assert "Not shown: fewer than 5 responses" in page and "n = 6" in page and "n = 4" not in page


def test_open_post_wave_hides_results_from_the_lead_but_not_the_evaluator(client, auth, study):
    programme, _ = study
    post = next(w for w in outcomes.waves(programme) if w.kind == "post")
    post.closes_on = date.today() + timedelta(days=5)
    db.session.commit()
    auth.login("lead@example.org")
    for url in ("outcomes/board", "costs/"):
        page = client.get(f"/programmes/{programme.id}/{url}").get_data(as_text=True)
        assert "n = 6" not in page and "Welch p" in page
    auth.logout()
    auth.login("eve@example.org")
    assert "n = 6" in client.get(f"/programmes/{programme.id}/outcomes/board").get_data(as_text=True)


@pytest.mark.parametrize("value", ["NaN", "sNaN", "Infinity", "1e400", "12.345.6", "-0.01"])
def test_odd_amounts_are_refused_with_a_message_never_a_500(client, auth, study, value):
    programme, _ = study
    auth.login("lead@example.org")
    response = client.post(f"/programmes/{programme.id}/costs/edit", data={**FORM, "venue_cost": value})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and ("Enter an amount, like 450" in page or "from 0 to" in page)


def test_board_report_follows_the_evaluation_plan_with_balance_and_reliable_change(client, auth, study):
    from datetime import datetime, timezone

    from trainer.services.outcomes import evaluation_plan

    programme, people = study
    auth.login("lead@example.org")
    before = client.get(f"/programmes/{programme.id}/outcomes/board").get_data(as_text=True)
    assert "The first listed scale is treated as primary" in before and "alike at baseline" not in before
    now = datetime.now(timezone.utc)
    evaluation_plan.save_version(programme, people["lead"].user, primary_outcome="brs/total",
                                 secondary_outcomes=[], timepoint="post", analysis="ANCOVA", alpha=0.05,
                                 missing_data="Complete cases; MICE as a sensitivity analysis", reason="",
                                 now=now)
    evaluation_plan.lock(programme, people["lead"].user, now=now)
    page = client.get(f"/programmes/{programme.id}/outcomes/board").get_data(as_text=True)
    assert "The evaluation plan" in page and "Locked" in page
    assert "Primary and secondary outcomes as the evaluation plan names them" in page
    assert "Were the groups alike at baseline?" in page and "Reliable change" in page
    assert "The first listed scale is treated as primary" not in page and "Pat Person" not in page
