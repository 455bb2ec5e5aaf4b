"""Intention-to-treat export: one row per allocated participant per outcome wave, with its codebook."""
import textwrap
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from trainer.clock import today_in
from trainer.extensions import db
from trainer.models import (ActivityLog, Consent, Membership, OutcomeResponse, OutcomeWave,
                            PeerGroupMember, PeerMeeting, Programme, Randomisation)
from trainer.services.outcomes import instruments, outcomes
from trainer.services.scheduling import attendance
from trainer.services.privacy.consent import PURPOSE_LABELS
from trainer.services.outcomes.retention import CATEGORY_LABELS

MISSING = "blank"


@dataclass(frozen=True)
class Column:
    """One column of the export as the codebook describes it."""

    name: str
    description: str
    type: str  # text, integer, number or date
    values: str = ""
    missing: str = ""
    reverse_keyed: str = ""
    levels: tuple[str, ...] = ()  # a text column's categories, in the order R's factor takes them
    labels: tuple[tuple[int, str], ...] = ()  # a coded number column's value labels


FIXED = [
    Column("code", "Random pseudonymous participant code, unique within the programme, derived "
           "from nothing about the person", "text", "", "never missing"),
    Column("arm", "Group the participant was allocated to", "text", "intervention; comparison",
           "never missing", levels=("comparison", "intervention")),
    Column("stratum", "Stratum of the randomisation (the team it was stratified by)", "text", "",
           "blank: not allocated by a stratified randomisation in the app"),
    Column("team", "Team or locality recorded for the participant", "text", "", "blank: not recorded"),
    Column("allocation_date", "Date of the randomisation that allocated the participant (UTC)",
           "date", "YYYY-MM-DD", "blank: the arm was set by hand, not by a randomisation in the app"),
    *[Column(f"consent_{purpose}", f"Consent: {label}", "text", "given; withdrawn; not given",
             "never missing", levels=("given", "withdrawn", "not given"))
      for purpose, label in PURPOSE_LABELS.items()],
    Column("withdrawn_on", "Date the participant withdrew", "date", "YYYY-MM-DD",
           "blank: has not withdrawn"),
    Column("withdrawn_from", "What the participant withdrew from", "text",
           "evaluation; programme", "blank: has not withdrawn", levels=("evaluation", "programme")),
    Column("answers_kept", "Whether answers given before withdrawing may still be used", "integer",
           "1 = kept, marked withdrawn; 0 = deleted at the participant's request",
           "blank: has not withdrawn", labels=((1, "Kept, marked withdrawn"), (0, "Deleted"))),
    Column("withdrawal_status", "The withdrawal as a marker on every row of the participant",
           "text", "withdrawn from YYYY-MM-DD", "blank: has not withdrawn"),
    Column("wave", "Outcome wave of this row", "text", "baseline; post; follow-up", "never missing",
           levels=("baseline", "post", "follow-up")),
    Column("wave_opens_on", "Date the wave opened", "date", "YYYY-MM-DD", "never missing"),
    Column("wave_closes_on", "Date the wave closed", "date", "YYYY-MM-DD", "never missing"),
    Column("response_status", "Whether the participant answered in this wave", "text",
           "answered (every questionnaire submitted); partly answered; not answered; "
           "withdrawn, answers deleted", "never missing",
           levels=("answered", "partly answered", "not answered", "withdrawn, answers deleted")),
    Column("days_attended", "Training days attended (present or late; cancelled days left out)",
           "integer", "0 or more", "blank: not invited to the training (comparison group, or "
           "withdrawn from the programme)"),
    Column("practice_minutes", "Minutes of self-directed practice the participant logged",
           "integer", "0 or more", "never missing"),
    Column("peer_meetings", "Peer-coaching meetings logged for the participant's peer group",
           "integer", "0 or more", "never missing"),
    Column("left_on", "Date the participant left post", "date", "YYYY-MM-DD",
           "blank: still in post as last recorded"),
    Column("leaver_category", "Where the leaver went (national children's social work workforce "
           "statistics)", "text", "; ".join(f"{k} = {v}" for k, v in CATEGORY_LABELS.items()),
           "blank: still in post", levels=tuple(CATEGORY_LABELS)),
]


def _options(instrument: instruments.Instrument) -> str:
    return "; ".join(f"{value} = {label}" for value, label in instrument.options)


def instrument_columns(instrument: instruments.Instrument) -> list[Column]:
    """The columns of one questionnaire: its submission date, each scale's score, each item."""
    key = instrument.key.replace("-", "_")
    columns = [Column(f"{key}_submitted_on", f"{instrument.title}: date the answers were submitted "
                      "(local to the programme)", "date", "YYYY-MM-DD", "blank: not submitted")]
    for scale in instrument.scales:
        size = 1 if scale.method == "mean" else len(scale.items)
        columns.append(Column(
            f"{key}_{scale.key.replace('-', '_')}",
            f"{instrument.title}: {scale.title} score ({scale.method} of items "
            f"{', '.join(map(str, scale.items))}, reverse-keyed items reversed; higher is "
            f"{scale.higher_is})", "number", f"{instrument.low * size:g} to {instrument.high * size:g}",
            f"blank: not submitted, or more than {scale.max_missing} of its items unanswered"))
    for number in range(1, instrument.item_count + 1):
        reverse = number in instrument.reverse
        columns.append(Column(
            f"{key}_item_{number}", f"{instrument.title}: item {number}, the answer as given "
            "(before reverse keying)", "integer", _options(instrument), "blank: not answered",
            "yes" if reverse else "no", labels=tuple(instrument.options)))
    return columns


def columns(programme: Programme) -> list[Column]:
    """Every column of the programme's export, in order."""
    return FIXED + [c for i in outcomes.chosen_instruments(programme) for c in instrument_columns(i)]


def _allocations(programme: Programme) -> dict[int, tuple[date, str]]:
    """membership id -> (allocation date, stratum) from the newest randomisation that placed them."""
    result = {}
    for r in db.session.scalars(select(Randomisation).where(Randomisation.programme_id == programme.id)
                                .order_by(Randomisation.created_at)):
        strata = {int(s["membership_id"]): s.get("stratum") or "" for s in (r.sequence or [])}
        for mid in r.allocation:
            result[int(mid)] = (r.created_at.date(), strata.get(int(mid), ""))
    return result


def _consents(programme: Programme) -> dict[int, dict[str, str]]:
    result: dict[int, dict[str, str]] = {}
    for c in db.session.scalars(select(Consent).join(Membership).where(
            Membership.programme_id == programme.id)):
        result.setdefault(c.membership_id, {})[c.purpose] = "withdrawn" if c.withdrawn_on else "given"
    return result


def _minutes(programme: Programme) -> dict[int, int]:
    return {mid: int(total) for mid, total in db.session.execute(
        select(ActivityLog.membership_id, func.coalesce(func.sum(ActivityLog.minutes), 0))
        .join(Membership).where(Membership.programme_id == programme.id)
        .group_by(ActivityLog.membership_id))}


def _meetings(programme: Programme) -> dict[int, int]:
    return {mid: n for mid, n in db.session.execute(
        select(PeerGroupMember.membership_id, func.count(PeerMeeting.id))
        .join(PeerMeeting, PeerMeeting.group_id == PeerGroupMember.group_id)
        .where(PeerGroupMember.programme_id == programme.id)
        .group_by(PeerGroupMember.membership_id))}


def _responses(programme: Programme) -> dict[tuple[int, int], dict[str, OutcomeResponse]]:
    result: dict[tuple[int, int], dict[str, OutcomeResponse]] = {}
    for r in db.session.scalars(select(OutcomeResponse).join(OutcomeWave).where(
            OutcomeWave.programme_id == programme.id, OutcomeResponse.submitted_at.is_not(None))
            .options(selectinload(OutcomeResponse.scores))):
        result.setdefault((r.membership_id, r.wave_id), {})[r.instrument_key] = r
    return result


def allocated(programme: Programme) -> list[Membership]:
    """The allocated participants (an arm set), by code: everyone the export has rows for."""
    return list(db.session.scalars(select(Membership).where(
        Membership.programme_id == programme.id, Membership.role == "participant",
        Membership.arm.is_not(None)).order_by(Membership.code, Membership.id)))


def _status(chosen, answered: dict, member: Membership) -> str:
    if member.withdrawn_on and not member.answers_kept and not answered:
        return "withdrawn, answers deleted"
    if not answered:
        return "not answered"
    return "answered" if all(i.key in answered for i in chosen) else "partly answered"


def rows(programme: Programme) -> tuple[list[Column], list[list]]:
    """The codebook's columns and the rows: one per allocated participant per outcome wave,
    present when nothing was answered. Identifies people by their code only (no names, no
    e-mail addresses). Answers kept after a withdrawal carry "withdrawn from <date>"; a
    participant whose answers were deleted keeps their rows, marked withdrawn, with none."""
    chosen, wave_list = outcomes.chosen_instruments(programme), outcomes.waves(programme)
    cols = columns(programme)
    allocation, consents = _allocations(programme), _consents(programme)
    days = attendance.days_attended(programme)
    minutes, meetings, responses = _minutes(programme), _meetings(programme), _responses(programme)
    body = []
    for m in allocated(programme):
        when, stratum = allocation.get(m.id, (None, ""))
        given = consents.get(m.id, {})
        person = [m.code, m.arm, stratum, m.team or "", when,
                  *[given.get(p, "not given") for p in PURPOSE_LABELS],
                  m.withdrawn_on, m.withdrawn_from or "",
                  None if m.answers_kept is None else int(m.answers_kept),
                  f"withdrawn from {m.withdrawn_on.isoformat()}" if m.withdrawn_on else ""]
        activity = [days.get(m.id) if m.arm == "intervention" else None, minutes.get(m.id, 0),
                    meetings.get(m.id, 0), m.left_on, _category(m)]
        for wave in wave_list:
            answered = responses.get((m.id, wave.id), {})
            row = person + [wave.kind, wave.opens_on, wave.closes_on, _status(chosen, answered, m)]
            row += activity
            for instrument in chosen:
                row += _answers(programme, instrument, answered.get(instrument.key))
            body.append(row)
    return cols, body


def _category(m: Membership) -> str:
    return "" if m.in_post else (m.leaver_category or "other_unknown")


def _answers(programme: Programme, instrument: instruments.Instrument,
             response: OutcomeResponse | None) -> list:
    if response is None:
        return [None] * (1 + len(instrument.scales) + instrument.item_count)
    scores = {s.scale_key: s.value for s in response.scores}
    answers = {int(k): v for k, v in response.answers.items()}
    return ([today_in(programme.timezone, response.submitted_at)]
            + [scores.get(s.key) for s in instrument.scales]
            + [answers.get(n) for n in range(1, instrument.item_count + 1)])


def cell(value) -> str | int | float:
    """A value as the CSV writes it: dates as YYYY-MM-DD, missing as blank, others as they are."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return value


R_CLASSES = {"text": "character", "integer": "integer", "number": "numeric", "date": "character"}


def _by_labels(cols: list[Column]) -> dict[tuple, list[str]]:
    """Columns that share value labels (an instrument's items), grouped in column order."""
    groups: dict[tuple, list[str]] = {}
    for c in cols:
        if c.labels:
            groups.setdefault(c.labels, []).append(c.name)
    return groups


def _wrapped(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, 96, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


def r_syntax(cols: list[Column], filename: str) -> str:
    """A base-R script that reads the export as the codebook says: each column with its type
    (blank is NA), dates as dates, categories as factors, value labels on coded numbers (as a
    "labels" attribute) and variable labels (as a "label" attribute)."""
    classes = ",\n".join(f'  {c.name} = "{R_CLASSES[c.type]}"' for c in cols)
    dates = ", ".join(f'"{c.name}"' for c in cols if c.type == "date")
    levels = ",\n".join(f"  {c.name} = c({', '.join(_r_string(v) for v in c.levels)})"
                        for c in cols if c.levels)
    value_labels = "\n".join(
        "for (column in c(\n" + _wrapped(", ".join(f'"{n}"' for n in names)) + "\n))\n"
        + "  attr(itt[[column]], \"labels\") <- c(\n"
        + ",\n".join(f"    {_r_string(label)} = {value}L" for value, label in labels) + ")"
        for labels, names in _by_labels(cols).items())
    labels = ",\n".join(f"  {c.name} = {_r_string(c.description)}" for c in cols)
    return f"""# Reads the intention-to-treat export, types and labels it as its codebook says. Base R only.
# Run from the folder holding the export.
classes <- c(
{classes}
)
itt <- read.csv("{filename}", colClasses = classes, na.strings = "", fileEncoding = "UTF-8")
for (column in c({dates})) itt[[column]] <- as.Date(itt[[column]])
levels <- list(
{levels}
)
for (column in names(levels)) itt[[column]] <- factor(itt[[column]], levels = levels[[column]])
{value_labels}
labels <- list(
{labels}
)
for (column in names(labels)) attr(itt[[column]], "label") <- labels[[column]]
str(itt)
"""


def _r_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


SPSS_FORMATS = {"text": "A80", "integer": "F8.0", "number": "F8.3", "date": "SDATE10"}


def spss_syntax(cols: list[Column], filename: str) -> str:
    """SPSS syntax (PSPP runs it too) that reads the export with each column's format (a blank
    number or date is system-missing) and labels its variables and coded values."""
    variables = "\n  ".join(f"{c.name} {SPSS_FORMATS[c.type]}" for c in cols)
    labels = "\n".join(f'  {c.name} "{_spss_label(c.description)}"' for c in cols)
    value_labels = "\n  /".join(
        _wrapped(" ".join(names)).lstrip() + "".join(
            f'\n    {value} "{_quote(label)}"' for value, label in labels)
        for labels, names in _by_labels(cols).items())
    return f"""* Reads the intention-to-treat export and labels its variables and values.
* Set the path to the file first.
GET DATA /TYPE=TXT /FILE="{filename}" /ENCODING='UTF8' /DELIMITERS=","
  /QUALIFIER='"' /ARRANGEMENT=DELIMITED /FIRSTCASE=2
  /VARIABLES=
  {variables}.
VARIABLE LABELS
{labels}.
VALUE LABELS
  {value_labels}.
EXECUTE.
"""


def _spss_label(text: str) -> str:
    # SPSS keeps at most 255 bytes of a variable label.
    return _quote(text).encode()[:250].decode(errors="ignore")


def _quote(text: str) -> str:
    return text.replace('"', "'")


def codebook_rows(cols: list[Column]) -> list[tuple]:
    """The codebook: a header, then one row per column of the export."""
    return [("column", "description", "type", "values", "missing", "reverse_keyed")] + [
        (c.name, c.description, c.type, c.values, c.missing, c.reverse_keyed) for c in cols]
