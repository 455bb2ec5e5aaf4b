"""Retention: recording and importing leaving, survival in post per arm against SciPy."""
from datetime import date, timedelta

import numpy as np
import pytest
from scipy import stats as sps

from tests.factories import make_member, make_programme, make_user
from trainer.errors import NotFound, RuleViolation
from trainer.extensions import db
from trainer.models import AuditEvent
from trainer.services.outcomes import retention

TODAY = date(2027, 9, 1)


def test_record_leaving_sets_the_facts_and_is_audited(app):
    programme = make_programme()
    member = make_member(programme)
    lead = make_user()
    retention.record_leaving(lead, programme, member.id, date(2027, 2, 1), "Moved to another council", today=TODAY)
    assert not member.in_post and member.left_on == date(2027, 2, 1)
    assert member.leaving_reason == "Moved to another council"
    assert db.session.query(AuditEvent).filter_by(action="retention.recorded").count() == 1
    retention.record_leaving(lead, programme, member.id, None, "", today=TODAY)
    assert member.in_post and member.left_on is None


def test_leaving_dates_must_be_within_the_programme_and_not_future(app):
    programme = make_programme()
    member = make_member(programme)
    lead = make_user()
    with pytest.raises(RuleViolation, match="future"):
        retention.record_leaving(lead, programme, member.id, TODAY + timedelta(1), "", today=TODAY)
    with pytest.raises(RuleViolation, match="before the programme"):
        retention.record_leaving(lead, programme, member.id, date(2026, 1, 1), "", today=TODAY)
    with pytest.raises(NotFound):
        retention.record_leaving(lead, make_programme(), member.id, TODAY, "", today=TODAY)


def test_csv_import_applies_all_rows_or_none(app):
    programme = make_programme()
    a, b = make_member(programme), make_member(programme, arm="comparison")
    lead = make_user()
    good = f"email,left_on,reason\n{a.user.email.upper()},2027-03-01,Promotion elsewhere\n{b.user.email},,\n"
    assert retention.import_csv(lead, programme, good, today=TODAY) == 2
    assert a.left_on == date(2027, 3, 1) and b.in_post
    bad = f"email,left_on,reason\n{b.user.email},2027-04-01,Left\nnobody@example.org,2027-04-01,x\n"
    with pytest.raises(RuleViolation, match="Line 3: no participant has the e-mail address 'nobody@example.org'"):
        retention.import_csv(lead, programme, bad, today=TODAY)
    assert b.in_post
    with pytest.raises(RuleViolation, match="Line 2: left_on must be a date"):
        retention.import_csv(lead, programme, f"email,left_on,reason\n{b.user.email},March,x\n", today=TODAY)
    with pytest.raises(RuleViolation, match="header row"):
        retention.import_csv(lead, programme, "code,left_on,reason\nK7QX2M,,\n", today=TODAY)


def test_kaplan_meier_per_arm_matches_scipy_with_censoring(app):
    programme = make_programme(start=date(2026, 9, 1))
    rng = np.random.default_rng(3)
    for arm in ("intervention", "comparison"):
        for _ in range(12):
            m = make_member(programme, arm=arm)
            if rng.random() < 0.5:
                m.in_post, m.left_on = False, programme.start_date + timedelta(int(rng.integers(10, 360)))
    db.session.flush()
    arms = retention.retention(programme, TODAY)
    for arm in arms:
        members = [m for m in programme.memberships if m.arm == arm.arm]
        durations = [((m.left_on or TODAY) - programme.start_date).days for m in members]
        observed = [not m.in_post for m in members]
        x, obs = np.array(durations), np.array(observed)
        ref = sps.ecdf(sps.CensoredData(uncensored=x[obs], right=x[~obs])).sf
        assert arm.n == 12 and arm.left == int(obs.sum())
        assert arm.survival.survival[-1] == pytest.approx(ref.evaluate(max(x[obs])))
        six = dict(arm.at_milestones)["6 months"]
        assert six == pytest.approx(float(ref.evaluate(182)))
        assert arm.survival.at_risk[0] == int((x >= arm.survival.times[0]).sum())
    chart = retention.chart(arms)
    assert [d["label"] for d in chart["datasets"]] == ["Intervention", "Comparison"]


def test_small_arms_are_shown_in_full_because_leaving_post_is_something_people_did(app):
    programme = make_programme()
    for _ in range(3):
        make_member(programme, arm="comparison")
    for _ in range(5):
        make_member(programme, arm="intervention")
    arms = {a.arm: a for a in retention.retention(programme, TODAY)}
    assert arms["comparison"].n == 3 and arms["comparison"].at_milestones[0][1] is not None
    assert arms["intervention"].n == 5
    assert [d["label"] for d in retention.chart(list(arms.values()))["datasets"]] == ["Intervention", "Comparison"]

def test_leaving_records_the_national_leaver_category(app):
    programme = make_programme()
    member = make_member(programme)
    lead = make_user()
    retention.record_leaving(lead, programme, member.id, date(2027, 2, 1), "", today=TODAY, category="agency")
    assert member.leaver_category == "agency"
    with pytest.raises(RuleViolation, match="Choose where they went") as caught:
        retention.record_leaving(lead, programme, member.id, date(2027, 2, 1), "", today=TODAY, category="moon")
    assert caught.value.field == "category"
    retention.record_leaving(lead, programme, member.id, None, "", today=TODAY)
    assert member.leaver_category is None


def test_csv_import_takes_the_category_by_key_or_label_and_blank_is_unknown(app):
    programme = make_programme()
    a, b, c = (make_member(programme), make_member(programme, arm="comparison"), make_member(programme))
    lead = make_user()
    text = ("email,left_on,reason,category\n"
            f"{a.user.email},2027-03-01,,Moved to another local authority\n"
            f"{b.user.email},2027-03-02,,left_profession\n"
            f"{c.user.email},2027-03-03,,\n")
    assert retention.import_csv(lead, programme, text, today=TODAY) == 3
    assert (a.leaver_category, b.leaver_category, c.leaver_category) == (
        "another_la", "left_profession", "other_unknown")
    bad = f"email,left_on,reason,category\n{a.user.email},2027-03-01,,Retired\n"
    with pytest.raises(RuleViolation, match="Line 2: category must be one of"):
        retention.import_csv(lead, programme, bad, today=TODAY)
    assert a.leaver_category == "another_la"
    old = f"email,left_on,reason\n{a.user.email},2027-03-05,x\n"
    assert retention.import_csv(lead, programme, old, today=TODAY) == 1
    assert a.leaver_category == "other_unknown"


def test_retention_by_category_counts_every_leaver_per_arm(app):
    programme = make_programme()
    lead = make_user()
    for arm, category in (("intervention", "agency"), ("intervention", "agency"),
                          ("comparison", "another_la"), ("comparison", "left_profession")):
        member = make_member(programme, arm=arm)
        retention.record_leaving(lead, programme, member.id, date(2027, 1, 5), "", today=TODAY,
                                 category=category)
    make_member(programme)
    rows = dict(retention.overview(programme, TODAY).categories)
    assert rows["Moved to agency work"] == {"intervention": 2, "comparison": 0}
    assert rows["Moved to another local authority"] == {"intervention": 0, "comparison": 1}
    assert rows["Left children's social work"] == {"intervention": 0, "comparison": 1}
    assert rows["Other or unknown"] == {"intervention": 0, "comparison": 0}
    assert rows["Still in post"] == {"intervention": 1, "comparison": 0}


def test_the_kaplan_meier_table_s_text_is_its_numbers_as_the_page_writes_them(app):
    """table_text is table with the day whole and S and its CI to 2 places ("S (low to high)", or S
    alone where the CI is undefined), on random leaving dates including everyone leaving (S = 0)."""
    rng = np.random.default_rng(11)
    for trial in range(4):
        programme = make_programme(start=date(2026, 9, 1))
        for arm in ("intervention", "comparison"):
            for _ in range(int(rng.integers(1, 30))):
                m = make_member(programme, arm=arm)
                if trial == 3 or rng.random() < 0.6:
                    m.in_post, m.left_on = False, programme.start_date + timedelta(int(rng.integers(0, 300)))
        db.session.flush()
        seen_undefined = False
        for arm in retention.retention(programme, TODAY):
            expected = []
            for day, at_risk, left, p, low, high in arm.table:
                text = "%.2f" % p + ("" if low is None else " (%.2f to %.2f)" % (low, high))
                expected.append((int(day), at_risk, left, text))
                seen_undefined |= low is None
            assert arm.table_text == expected
        if trial == 3:
            assert seen_undefined


def test_the_lead_s_list_is_the_names_statement_s_rows_with_their_field_names(app):
    """The page of names comes as named tuples holding the rows of the names statement, field for
    field, by name, paged as the statement is."""
    from trainer.services.system import listing

    programme = make_programme()
    lead = make_user()
    people = [make_member(programme, arm=("intervention", "comparison")[i % 2],
                          user=make_user(name=f"Person {60 - i:02d}")) for i in range(60)]
    retention.record_leaving(lead, programme, people[3].id, date(2027, 1, 5), "Moved", today=TODAY,
                             category="agency")
    for number in (1, 2, 3):
        page = retention.overview(programme, TODAY, page=number).members
        rows = listing.paginate(retention._NAMES.params(programme_id=programme.id), page=number, rows=True)
        assert (page.total, page.page, page.per_page) == (rows.total, rows.page, rows.per_page) == (60, min(number, 2), 50)
        assert [tuple(m) for m in page.items] == [tuple(r) for r in rows.items]
        assert [m._asdict() for m in page.items] == [dict(r._mapping) for r in rows.items]
    left = next(m for m in retention.overview(programme, TODAY, page=2).members.items if m.id == people[3].id)
    assert (left.in_post, left.left_on, left.leaver_category, left.leaving_reason) == \
        (False, date(2027, 1, 5), "agency", "Moved")
