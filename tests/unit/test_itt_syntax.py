"""The intention-to-treat and long-format exports' R and SPSS syntax, run for real in R (Rscript) and PSPP."""
import csv
import io
import shutil
import subprocess
from datetime import date, datetime, timezone
from statistics import mean

import pytest

from tests.factories import UNALLOCATED, make_member, make_outcome_waves, make_programme, make_user
from trainer.extensions import db
from trainer.models import InstrumentItemText
from trainer.services.outcomes import exports, itt_export, outcomes
from trainer.services.privacy import withdrawal
from trainer.services.scheduling import cohort

BASELINE = datetime(2026, 9, 10, 9, 0, tzinfo=timezone.utc)
POST = datetime(2026, 12, 10, 9, 0, tzinfo=timezone.utc)
NUMERIC = ("integer", "number", "date")


def _interpreter(name: str, package: str) -> str:
    """The interpreter's path; a missing one fails the test (it is needed, never optional)."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} not found: the R and SPSS syntax tests FAIL without it "
                    f"(apt-get install {package}, or `make tools` as root)", pytrace=False)
    return path


@pytest.fixture
def export(app, tmp_path):
    """Ten participants randomised by team into a programme measuring the BRS and the GHQ-12
    (its wording loaded by a licence holder, its answers coded from 0).
    Eight answered at baseline (one left a BRS item blank, one a GHQ item, so that GHQ total is
    not scored), two answered after the training, one withdrew keeping their answers. The export,
    its R and SPSS syntax are written to ``tmp_path``; returns (columns, CSV rows, folder)."""
    programme = make_programme(status="draft")
    lead = make_member(programme, "lead")
    people = [make_member(programme, arm=UNALLOCATED, team=("North", "South")[i % 2],
                          user=make_user(f"p{i}@example.org")) for i in range(10)]
    cohort.randomise(lead.user, programme, cohort.Selection("unallocated"), seed="syntax")
    db.session.add_all(InstrumentItemText(instrument_key="ghq12", number=n, text=f"Item {n}")
                       for n in range(1, 13))
    waves = make_outcome_waves(programme, ("brs", "ghq12"))
    for i, person in enumerate(people[:8]):
        brs = {n: 1 + (i + n) % 5 for n in range(1, 7)}
        ghq = {n: (i * n) % 4 for n in range(1, 13)}
        brs[3] = None if i == 0 else brs[3]
        ghq[12] = None if i == 1 else ghq[12]
        outcomes.save_answers(person, waves["baseline"].id, "brs", brs, submit=True, now=BASELINE)
        outcomes.save_answers(person, waves["baseline"].id, "ghq12", ghq, submit=True, now=BASELINE)
    for person in people[2:4]:
        outcomes.save_answers(person, waves["post"].id, "brs", {n: 4 for n in range(1, 7)},
                              submit=True, now=POST)
    withdrawal.withdraw(people[5], scope="evaluation", keep_answers=True, today=date(2026, 10, 5),
                        actor_id=None)
    cols = itt_export.columns(programme)
    (tmp_path / "itt.csv").write_text(exports.itt_csv(programme), encoding="utf-8")
    (tmp_path / "itt.R").write_text(itt_export.r_syntax(cols, "itt.csv"), encoding="utf-8")
    (tmp_path / "itt.sps").write_text(itt_export.spss_syntax(cols, "itt.csv"), encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(exports.itt_csv(programme))))
    # The long-format export (one row per score and per item answer) and its syntax, beside it.
    (tmp_path / "outcomes.csv").write_text(exports.long_csv(programme), encoding="utf-8")
    (tmp_path / "outcomes.R").write_text(exports.r_syntax("outcomes.csv"), encoding="utf-8")
    (tmp_path / "outcomes.sps").write_text(exports.spss_syntax("outcomes.csv"), encoding="utf-8")
    return cols, rows, tmp_path


def _run(command: list[str], folder) -> str:
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    output = (done.stdout + done.stderr).lower()
    assert "error" not in output and "warning" not in output, done.stdout + done.stderr
    return done.stdout


def _blanks(rows: list[dict], column: str) -> int:
    return sum(r[column] == "" for r in rows)


R_PROBE = """source("itt.R")
cat("@rows", nrow(itt), "\\n", sep = "\\t")
for (column in names(itt)) {
  x <- itt[[column]]
  cat("@column", column, class(x)[1], sum(is.na(x)), attr(x, "label"), "\\n", sep = "\\t")
  if (is.factor(x)) cat("@levels", column, levels(x), "\\n", sep = "\\t")
  labels <- attr(x, "labels")
  if (!is.null(labels)) cat("@labels", column, paste(labels, names(labels), sep = "="), "\\n", sep = "\\t")
}
cat("@mean", mean(itt$brs_total, na.rm = TRUE), "\\n", sep = "\\t")
"""


def _r_report(stdout: str) -> dict:
    report = {"column": {}, "levels": {}, "labels": {}}
    for line in stdout.splitlines():
        if not line.startswith("@"):
            continue
        key, *fields = line.rstrip("\t").split("\t")
        if key in ("@rows", "@mean"):
            report[key[1:]] = float(fields[0])
        else:
            report[key[1:]][fields[0]] = fields[1:]
    return report


def test_r_reads_the_export_with_the_types_factors_labels_and_missing_codes_of_the_codebook(export):
    cols, rows, folder = export
    (folder / "probe.R").write_text(R_PROBE)
    report = _r_report(_run([_interpreter("Rscript", "r-base-core"), "probe.R"], folder))

    assert report["rows"] == len(rows) == 10 * 3
    r_class = {"text": "character", "integer": "integer", "number": "numeric", "date": "Date"}
    for c in cols:
        kind, missing, label = report["column"][c.name]
        assert kind == ("factor" if c.levels else r_class[c.type]), c.name
        # Blank is the codebook's only missing code: every blank cell, and nothing else, is NA.
        assert int(missing) == _blanks(rows, c.name), c.name
        assert label == c.description
        if c.levels:
            assert report["levels"][c.name] == list(c.levels)
        if c.labels:
            assert report["labels"][c.name] == [f"{v}={label}" for v, label in c.labels]
    assert report["levels"]["arm"] == ["comparison", "intervention"]
    assert report["labels"]["ghq12_item_1"][0] == "0=Better than usual / not at all"
    assert report["column"]["brs_item_3"][1] == str(_blanks(rows, "brs_item_3")) != "0"
    assert report["mean"] == pytest.approx(mean(float(r["brs_total"]) for r in rows if r["brs_total"]),
                                           abs=1e-5)


def _spss_probe(cols: list[itt_export.Column]) -> str:
    numeric = [c.name for c in cols if c.type in NUMERIC]
    counts = " ".join(f"/m{i} = NUMISS({name})" for i, name in enumerate(numeric))
    return f"""INSERT FILE="itt.sps".
STRING brs_label kept_label (A40).
COMPUTE brs_label = VALUELABEL(brs_item_2).
COMPUTE kept_label = VALUELABEL(answers_kept).
LIST /VARIABLES=brs_item_2 brs_label answers_kept kept_label.
COMPUTE one = 1.
AGGREGATE OUTFILE=* /BREAK=one /rows = N {counts} /brs_mean = MEAN(brs_total).
FORMATS brs_mean (F10.6).
LIST.
"""


def _listings(stdout: str) -> list[list[dict]]:
    """The rows of each LIST in PSPP's CSV output."""
    blocks = [b.partition("\n")[2] for b in stdout.strip().split("\n\n")
              if b.startswith("Table: Data List")]
    return [list(csv.DictReader(io.StringIO(b))) for b in blocks]


def test_pspp_reads_the_export_with_the_formats_value_labels_and_missing_codes_of_the_codebook(export):
    cols, rows, folder = export
    (folder / "probe.sps").write_text(_spss_probe(cols))
    stdout = _run([_interpreter("pspp", "pspp"), "-O", "format=csv", "probe.sps"], folder)
    listed, (summary,) = _listings(stdout)

    assert int(float(summary["rows"])) == len(rows) == 10 * 3
    numeric = [c.name for c in cols if c.type in NUMERIC]
    for i, name in enumerate(numeric):
        # A blank number or date is system-missing; nothing else is missing.
        assert int(float(summary[f"m{i}"])) == _blanks(rows, name), name
    assert float(summary["brs_mean"]) == pytest.approx(
        mean(float(r["brs_total"]) for r in rows if r["brs_total"]), abs=1e-5)
    brs = dict(next(c for c in cols if c.name == "brs_item_2").labels)
    answered = [r for r in listed if r["brs_item_2"].strip() not in (".", "")]
    assert len(answered) == len(rows) - _blanks(rows, "brs_item_2") > 0
    assert all(r["brs_label"].strip() == brs[int(r["brs_item_2"])] for r in answered)
    kept = [r for r in listed if r["answers_kept"].strip() == "1"]
    assert len(kept) == 3 and {r["kept_label"].strip() for r in kept} == {"Kept, marked withdrawn"}


def _long_rows(folder) -> list[dict]:
    return list(csv.DictReader(io.StringIO((folder / "outcomes.csv").read_text(encoding="utf-8"))))


LONG_R_PROBE = """source("outcomes.R")
cat("@rows", nrow(outcomes), nrow(scores), "\\n", sep = "\\t")
cat("@value", class(outcomes$value), sum(is.na(outcomes$value)), mean(outcomes$value, na.rm = TRUE), "\\n", sep = "\\t")
cat("@wave", levels(outcomes$wave), "\\n", sep = "\\t")
cat("@wavecounts", table(outcomes$wave), "\\n", sep = "\\t")
cat("@left_on", class(outcomes$left_on), "\\n", sep = "\\t")
cat("@label", attr(outcomes$code, "label"), "\\n", sep = "\\t")
"""


def test_r_reads_the_long_outcomes_export_with_its_types_and_labels(export):
    _cols, _rows, folder = export
    long = _long_rows(folder)
    (folder / "probe.R").write_text(LONG_R_PROBE)
    stdout = _run([_interpreter("Rscript", "r-base-core"), "--vanilla", "probe.R"], folder)
    report = {line.split("\t")[0]: line.rstrip("\t").split("\t")[1:]
              for line in stdout.splitlines() if line.startswith("@")}
    values = [float(r["value"]) for r in long if r["value"] != ""]
    assert [int(n) for n in report["@rows"]] == [len(long), sum(r["kind"] == "score" for r in long)]
    assert report["@value"][0] == "numeric"
    assert int(report["@value"][1]) == len(long) - len(values) > 0  # blank answers and unscored totals
    assert float(report["@value"][2]) == pytest.approx(mean(values), abs=1e-5)
    assert report["@wave"] == ["baseline", "post", "follow-up"]
    assert [int(n) for n in report["@wavecounts"]] == [
        sum(r["wave"] == kind for r in long) for kind in ("baseline", "post", "follow-up")]
    assert report["@left_on"] == ["Date"]
    assert report["@label"] and report["@label"][0]


def test_pspp_reads_the_long_outcomes_export_with_its_formats_and_missing_values(export):
    _cols, _rows, folder = export
    long = _long_rows(folder)
    values = [float(r["value"]) for r in long if r["value"] != ""]
    (folder / "probe.sps").write_text("""INSERT FILE="outcomes.sps".
COMPUTE one = 1.
AGGREGATE OUTFILE=* /BREAK=one /rows = N /missing = NUMISS(value) /scored = NU(value)
  /value_mean = MEAN(value) /in_post = SUM(in_post).
FORMATS value_mean (F10.6).
LIST.
""")
    stdout = _run([_interpreter("pspp", "pspp"), "-O", "format=csv", "probe.sps"], folder)
    (summary,) = _listings(stdout)[-1]
    assert int(float(summary["rows"])) == len(long)
    assert int(float(summary["missing"])) == len(long) - len(values) > 0
    assert int(float(summary["scored"])) == len(values)
    assert float(summary["value_mean"]) == pytest.approx(mean(values), abs=1e-5)
    assert int(float(summary["in_post"])) == sum(int(r["in_post"]) for r in long)
