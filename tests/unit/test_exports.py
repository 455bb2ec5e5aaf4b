"""Outcome exports: long CSV readable with the codebook's columns, no names or e-mails."""
import csv
import io
from datetime import datetime, timezone

from tests.factories import make_member, make_outcome_waves, make_programme, make_user
from trainer.services.outcomes import exports, outcomes

NOW = datetime(2026, 9, 10, 9, 0, tzinfo=timezone.utc)


def test_export_is_long_pseudonymous_and_matches_the_codebook(app):
    programme = make_programme()
    waves = make_outcome_waves(programme, ("brs",))
    user = make_user("=cmd@example.org", name="+Danger Name")
    member = make_member(programme, user=user, arm="comparison")
    outcomes.save_answers(member, waves["baseline"].id, "brs", {i: 4 for i in range(1, 7)}, submit=True, now=NOW)
    text = exports.long_csv(programme)
    assert "example.org" not in text and "Danger" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    codebook = list(csv.DictReader(io.StringIO(exports.codebook_csv())))
    documented = [r["column"] for r in codebook if "/" not in r["column"]]
    assert list(rows[0].keys()) == documented
    score = next(r for r in rows if r["kind"] == "score")
    assert score == {"code": member.code, "arm": "comparison", "in_post": "1", "left_on": "",
                     "wave": "baseline", "instrument": "brs", "instrument_version": "BRS 2008",
                     "measure": "total", "kind": "score", "value": "3", "band": "Normal resilience"}
    items = [r for r in rows if r["kind"] == "item"]
    assert [r["measure"] for r in items] == [f"item_{i}" for i in range(1, 7)]
    assert any(r["column"] == "brs/total" for r in codebook)


def test_cells_starting_with_formula_characters_are_neutralised():
    assert exports.neutralise("=SUM(A1)") == "'=SUM(A1)"
    assert exports.neutralise("+1") == "'+1" and exports.neutralise("@x") == "'@x"
    assert exports.neutralise("-2") == "'-2" and exports.neutralise("P001") == "P001"


def test_syntax_files_read_the_export_and_label_every_column():
    r, spss = exports.r_syntax(), exports.spss_syntax()
    assert 'read.csv("outcomes.csv"' in r and "GET DATA /TYPE=TXT" in spss
    for column in exports.COLUMNS:
        assert f"  {column} = " in r and f"  {column} \"" in spss
