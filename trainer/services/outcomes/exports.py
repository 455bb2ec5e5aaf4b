"""Outcome exports: a long CSV with pseudonymous codes, its codebook, and R and SPSS syntax."""
import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from trainer.errors import NotFound
from trainer.extensions import db
from trainer.models import Membership, OutcomeResponse, OutcomeWave, Programme, User
from trainer.services.accounts import access
from trainer.services.outcomes import instruments, itt_export
from trainer.services.privacy import audit

COLUMNS = ("code", "arm", "in_post", "left_on", "wave", "instrument", "instrument_version",
           "measure", "kind", "value", "band")
CODEBOOK = [
    ("code", "Random pseudonymous participant code, unique within the programme, derived from "
     "nothing about the person", "text", ""),
    ("arm", "Group the participant was allocated to", "text", "intervention; comparison"),
    ("in_post", "Still in post at export", "integer", "1 = yes; 0 = no"),
    ("left_on", "Date the participant left post (blank: still in post)", "date", "YYYY-MM-DD"),
    ("wave", "Measurement wave", "text", "baseline; post; follow-up"),
    ("instrument", "Questionnaire key (see the app's instrument files)", "text", ""),
    ("instrument_version", "Version of the instrument that was answered and scored", "text", ""),
    ("measure", "Scale key for scores; item_N for item answers", "text", ""),
    ("kind", "Whether the row is a scale score or a raw item answer", "text", "score; item"),
    ("value", "Score (sum or mean as the instrument says) or the raw answer before reverse keying",
     "number", "blank: not scored under the missing-item rule"),
    ("band", "Published score band, where the instrument has bands", "text", ""),
]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula: text starting with = + - @ (or a
    tab or carriage return) gets a leading apostrophe; numbers are written as they are."""
    text = "" if value is None else str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _write(rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return buffer.getvalue()


def _number(value: float | None) -> str:
    # Numbers are written as they are (negative values must survive); only text is neutralised.
    return "" if value is None else f"{value:g}"


def long_rows(programme: Programme) -> list[tuple]:
    """Every submitted response as long-format rows: one per scale score and one per item answer.

    Identifies people by their pseudonymous code only: no names, no e-mail addresses.
    """
    responses = db.session.scalars(
        select(OutcomeResponse).join(OutcomeWave).join(Membership)
        .where(OutcomeWave.programme_id == programme.id, OutcomeResponse.submitted_at.is_not(None))
        .options(selectinload(OutcomeResponse.scores), selectinload(OutcomeResponse.wave),
                 selectinload(OutcomeResponse.membership))
        .order_by(Membership.code, OutcomeWave.opens_on, OutcomeResponse.instrument_key))
    rows = []
    for r in responses:
        m = r.membership
        version = r.scores[0].instrument_version if r.scores else instruments.get(r.instrument_key).version
        base = (m.code, m.arm, int(m.in_post), m.left_on.isoformat() if m.left_on else "",
                r.wave.kind, r.instrument_key, version)
        for s in r.scores:
            rows.append(base + (s.scale_key, "score", s.value, s.band or ""))
        for number, value in sorted(r.answers.items(), key=lambda kv: int(kv[0])):
            rows.append(base + (f"item_{number}", "item", value, ""))
    return rows


def long_csv(programme: Programme) -> str:
    """The long-format CSV (header row first); text cells neutralised, numbers kept as numbers."""
    body = [tuple(neutralise(v) for v in row[:-2]) + (_number(row[-2]), neutralise(row[-1]))
            for row in long_rows(programme)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(body)
    return buffer.getvalue()


def codebook_csv() -> str:
    """The codebook: one row per column of the long CSV, then one per scale of each instrument."""
    rows = [("column", "description", "type", "values")] + CODEBOOK
    for instrument in instruments.catalogue().values():
        for scale in instrument.scales:
            bands = "; ".join(f"{b.label} {b.low:g}-{b.high:g}" for b in scale.bands)
            rows.append((f"{instrument.key}/{scale.key}",
                         f"{instrument.title}: {scale.title} ({scale.method} of items "
                         f"{', '.join(map(str, scale.items))}; higher is {scale.higher_is})",
                         "score", bands))
    return _write(rows)


def r_syntax(filename: str = "outcomes.csv") -> str:
    """An R script that reads the long CSV and labels its variables."""
    labels = ",\n".join(f'  {col} = "{desc}"' for col, desc, _t, _v in CODEBOOK)
    return f"""# Reads the outcome export and labels its variables. Run from the folder holding the files.
outcomes <- read.csv("{filename}", stringsAsFactors = FALSE, na.strings = "")
outcomes$arm <- factor(outcomes$arm, levels = c("comparison", "intervention"))
outcomes$wave <- factor(outcomes$wave, levels = c("baseline", "post", "follow-up"))
outcomes$kind <- factor(outcomes$kind, levels = c("score", "item"))
outcomes$left_on <- as.Date(outcomes$left_on)
labels <- list(
{labels}
)
for (column in names(labels)) attr(outcomes[[column]], "label") <- labels[[column]]
scores <- subset(outcomes, kind == "score")
str(outcomes)
"""


def spss_syntax(filename: str = "outcomes.csv") -> str:
    """SPSS syntax that reads the long CSV and labels its variables and values."""
    labels = "\n".join(f'  {col} "{desc}"' for col, desc, _t, _v in CODEBOOK)
    return f"""* Reads the outcome export and labels its variables. Set the path to the file first.
GET DATA /TYPE=TXT /FILE="{filename}" /ENCODING='UTF8' /DELIMITERS=","
  /QUALIFIER='"' /ARRANGEMENT=DELIMITED /FIRSTCASE=2
  /VARIABLES=code A20 arm A20 in_post F1.0 left_on SDATE10 wave A20 instrument A40
  instrument_version A80 measure A40 kind A10 value F8.3 band A80.
VARIABLE LABELS
{labels}.
VALUE LABELS in_post 1 'Still in post' 0 'Left post'.
EXECUTE.
"""


@dataclass(frozen=True)
class ExportFile:
    """A file to download: its text, media type and file name."""

    text: str
    mimetype: str
    filename: str


def itt_csv(programme: Programme) -> str:
    """The intention-to-treat CSV (header row first): one row per allocated participant per wave."""
    cols, body = itt_export.rows(programme)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([c.name for c in cols])
    for row in body:
        # Numbers as they are (a negative score must survive); only text is neutralised.
        writer.writerow([_number(v) if isinstance(v, (int, float)) else neutralise(itt_export.cell(v))
                         for v in row])
    return buffer.getvalue()


def itt_codebook_csv(programme: Programme) -> str:
    """The codebook of the intention-to-treat CSV: every column's type, values and missing codes,
    and for items their range, anchors and reverse keying."""
    return _write(itt_export.codebook_rows(itt_export.columns(programme)))


# name -> (media type, holds participants' answers?, builder)
FILES = {
    "outcomes.csv": ("text/csv", True, lambda p: long_csv(p)),
    "codebook.csv": ("text/csv", False, lambda p: codebook_csv()),
    "outcomes.R": ("text/plain", False, lambda p: r_syntax(f"programme-{p.id}-outcomes.csv")),
    "outcomes.sps": ("text/plain", False, lambda p: spss_syntax(f"programme-{p.id}-outcomes.csv")),
    "itt.csv": ("text/csv", True, itt_csv),
    "itt-codebook.csv": ("text/csv", False, itt_codebook_csv),
    "itt.R": ("text/plain", False, lambda p: itt_export.r_syntax(
        itt_export.columns(p), f"programme-{p.id}-itt.csv")),
    "itt.sps": ("text/plain", False, lambda p: itt_export.spss_syntax(
        itt_export.columns(p), f"programme-{p.id}-itt.csv")),
}


def export_file(user: User, programme_id: int, name: str) -> ExportFile:
    """Evaluators of the programme only (record-level data never reaches leads): one outcome
    export file.

    NotFound for an unknown file name. A file that holds participants' answers is recorded as an
    audit event (and committed); the codebook and syntax files hold no data and are not.
    """
    programme = access.require_membership(user, programme_id, ("evaluator",)).programme
    if name not in FILES:
        raise NotFound("No such export.")
    mimetype, holds_data, build = FILES[name]
    text = build(programme)
    if holds_data:
        audit.record(user.id, "outcomes.exported", programme, programme_id=programme.id, file=name)
        db.session.commit()
    return ExportFile(text, mimetype, f"programme-{programme.id}-{name}")
