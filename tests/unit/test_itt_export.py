"""Intention-to-treat export: a row per allocated participant per wave, withdrawals, codebook."""
import csv
import io
from datetime import date, datetime, timezone

import pytest

from tests.factories import (UNALLOCATED, make_assignment, make_day, make_log, make_mark, make_member,
                             make_outcome_waves, make_programme, make_user)
from trainer.extensions import db
from trainer.services.outcomes import exports, itt_export, outcomes, retention
from trainer.services.participation import peers
from trainer.services.privacy import withdrawal
from trainer.services.scheduling import cohort

NOW = datetime(2026, 9, 10, 9, 0, tzinfo=timezone.utc)
TODAY = date(2027, 6, 15)


@pytest.fixture
def trial(app, modules):
    """Eight participants randomised by team, a ninth enrolled but not allocated, three waves of
    the BRS; some answered, one kept answers on withdrawing, one had them deleted, one left."""
    programme = make_programme(status="draft")
    lead = make_member(programme, "lead")
    people = [make_member(programme, arm=UNALLOCATED, team="North" if i % 2 else "South",
                          user=make_user(f"p{i}@example.org", name=f"Person {i}")) for i in range(8)]
    record = cohort.randomise(lead.user, programme, cohort.Selection("unallocated"), seed="itt")
    make_member(programme, arm=UNALLOCATED, user=make_user("late@example.org"))
    waves = make_outcome_waves(programme, ("brs",))
    for person in people[:6]:
        outcomes.save_answers(person, waves["baseline"].id, "brs", {i: 4 for i in range(1, 7)},
                              submit=True, now=NOW)
    keep, gone, leaver = people[0], people[1], people[2]
    withdrawal.withdraw(keep, scope="evaluation", keep_answers=True, today=date(2026, 10, 5), actor_id=None)
    withdrawal.withdraw(gone, scope="programme", keep_answers=False, today=date(2026, 10, 6), actor_id=None)
    retention.record_leaving(lead.user, programme, leaver.id, date(2027, 1, 31), "", today=TODAY,
                             category="agency")
    return programme, people, record, waves


def _rows(programme):
    return list(csv.DictReader(io.StringIO(exports.itt_csv(programme))))


def test_one_row_per_allocated_participant_per_wave_even_without_answers(trial):
    programme, people, record, waves = trial
    rows = _rows(programme)
    allocated = {db.session.get(type(people[0]), int(mid)).code: arm for mid, arm in record.allocation.items()}
    assert len(rows) == len(allocated) * len(waves) == 24
    assert {(r["code"], r["wave"]) for r in rows} == {(c, w) for c in allocated for w in waves}
    assert {r["code"]: r["arm"] for r in rows} == allocated
    silent = [r for r in rows if r["code"] == people[7].code]
    assert [r["response_status"] for r in silent] == ["not answered"] * 3
    assert all(r["brs_total"] == "" and r["brs_item_1"] == "" for r in silent)
    first = next(r for r in rows if r["code"] == people[3].code and r["wave"] == "baseline")
    assert first["response_status"] == "answered" and first["brs_submitted_on"] == "2026-09-10"
    assert first["brs_total"] == "3" and first["brs_item_2"] == "4"
    assert first["allocation_date"] == record.created_at.date().isoformat()
    assert first["stratum"] == first["team"] == people[3].team
    assert first["consent_evaluation"] == "given" and first["withdrawal_status"] == ""


def test_withdrawn_rows_keep_or_lose_their_answers_and_leavers_carry_their_category(trial):
    programme, people, _, _ = trial
    rows = {(r["code"], r["wave"]): r for r in _rows(programme)}
    kept = rows[(people[0].code, "baseline")]
    assert kept["withdrawal_status"] == "withdrawn from 2026-10-05" and kept["answers_kept"] == "1"
    assert kept["brs_total"] == "3" and kept["consent_evaluation"] == "withdrawn"
    assert kept["consent_programme"] == "given" and kept["withdrawn_from"] == "evaluation"
    for wave in ("baseline", "post", "follow-up"):
        gone = rows[(people[1].code, wave)]
        assert gone["withdrawal_status"] == "withdrawn from 2026-10-06" and gone["answers_kept"] == "0"
        assert gone["response_status"] == "withdrawn, answers deleted" and gone["brs_total"] == ""
        assert gone["consent_programme"] == "withdrawn"
    left = rows[(people[2].code, "post")]
    assert (left["left_on"], left["leaver_category"]) == ("2027-01-31", "agency")


def test_attendance_practice_and_peer_meetings_are_counted_per_participant(trial, modules):
    programme, people, _, _ = trial
    arm = {p.id: p.arm for p in people}
    trained = [p for p in people if arm[p.id] == "intervention" and p.withdrawn_on is None]
    other = next(p for p in people if arm[p.id] == "comparison")
    day = make_day(programme, date(2026, 9, 15))
    make_mark(day, trained[0], "present")
    assignment = make_assignment(programme, modules["mindfulness"].activities[0])
    make_log(assignment, trained[0], minutes=20)
    make_log(assignment, trained[0], minutes=25)
    db.session.commit()
    peers.form_group(make_user(), programme, [trained[0].id, trained[1].id])
    peers.log_meeting(trained[1], date(2026, 9, 20), 30, "Check-in", "", today=TODAY)
    rows = {r["code"]: r for r in _rows(programme) if r["wave"] == "post"}
    assert rows[trained[0].code]["days_attended"] == "1"
    assert rows[trained[0].code]["practice_minutes"] == "45"
    assert rows[trained[0].code]["peer_meetings"] == rows[trained[1].code]["peer_meetings"] == "1"
    assert rows[other.code]["days_attended"] == "" and rows[other.code]["peer_meetings"] == "0"


def test_the_codebook_documents_every_column_and_every_item(trial):
    programme, _, _, _ = trial
    header = exports.itt_csv(programme).splitlines()[0].split(",")
    codebook = list(csv.DictReader(io.StringIO(exports.itt_codebook_csv(programme))))
    assert [r["column"] for r in codebook] == header
    assert all(r["description"] and r["type"] in ("text", "integer", "number", "date") and r["missing"]
               for r in codebook)
    item_2 = next(r for r in codebook if r["column"] == "brs_item_2")
    assert item_2["reverse_keyed"] == "yes" and "1 = Strongly disagree" in item_2["values"]
    assert next(r for r in codebook if r["column"] == "brs_item_1")["reverse_keyed"] == "no"
    assert next(r for r in codebook if r["column"] == "brs_total")["values"] == "1 to 5"


def test_the_export_holds_codes_not_names_or_emails_and_the_syntax_loads_every_column(trial):
    programme, _, _, _ = trial
    text = exports.itt_csv(programme)
    assert "@" not in text and "Person" not in text
    cols = itt_export.columns(programme)
    r, spss = itt_export.r_syntax(cols, "itt.csv"), itt_export.spss_syntax(cols, "itt.csv")
    assert 'read.csv("itt.csv"' in r and "GET DATA /TYPE=TXT" in spss
    for c in cols:
        assert f"  {c.name} = " in r and f"  {c.name} " in spss
    assert '"allocation_date"' in r and "allocation_date SDATE10" in spss


def test_text_cells_are_neutralised_and_negative_numbers_survive(trial):
    programme, people, _, waves = trial
    people[3].team = "=HYPERLINK(1)"
    db.session.commit()
    row = next(r for r in _rows(programme) if r["code"] == people[3].code)
    assert row["team"] == "'=HYPERLINK(1)"
    assert exports._number(-0.5) == "-0.5"
