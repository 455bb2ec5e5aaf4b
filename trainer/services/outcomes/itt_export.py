"""Intention-to-treat export: one row per allocated participant per outcome wave, with its codebook."""
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


FIXED = [
    Column("code", "Random pseudonymous participant code, unique within the programme, derived "
           "from nothing about the person", "text", "", "never missing"),
    Column("arm", "Group the participant was allocated to", "text", "intervention; comparison",
           "never missing"),
    Column("stratum", "Stratum of the randomisation (the team it was stratified by)", "text", "",
           "blank: not allocated by a stratified randomisation in the app"),
    Column("team", "Team or locality recorded for the participant", "text", "", "blank: not recorded"),
    Column("allocation_date", "Date of the randomisation that allocated the participant (UTC)",
           "date", "YYYY-MM-DD", "blank: the arm was set by hand, not by a randomisation in the app"),
    *[Column(f"consent_{purpose}", f"Consent: {label}", "text", "given; withdrawn; not given",
             "never missing") for purpose, label in PURPOSE_LABELS.items()],
    Column("withdrawn_on", "Date the participant withdrew", "date", "YYYY-MM-DD",
           "blank: has not withdrawn"),
    Column("withdrawn_from", "What the participant withdrew from", "text",
           "evaluation; programme", "blank: has not withdrawn"),
    Column("answers_kept", "Whether answers given before withdrawing may still be used", "integer",
           "1 = kept, marked withdrawn; 0 = deleted at the participant's request",
           "blank: has not withdrawn"),
    Column("withdrawal_status", "The withdrawal as a marker on every row of the participant",
           "text", "withdrawn from YYYY-MM-DD", "blank: has not withdrawn"),
    Column("wave", "Outcome wave of this row", "text", "baseline; post; follow-up", "never missing"),
    Column("wave_opens_on", "Date the wave opened", "date", "YYYY-MM-DD", "never missing"),
    Column("wave_closes_on", "Date the wave closed", "date", "YYYY-MM-DD", "never missing"),
    Column("response_status", "Whether the participant answered in this wave", "text",
           "answered (every questionnaire submitted); partly answered; not answered; "
           "withdrawn, answers deleted", "never missing"),
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
           "blank: still in post"),
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
            "yes" if reverse else "no"))
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


def r_syntax(cols: list[Column], filename: str) -> str:
    """An R script that reads the export, types its columns and labels them."""
    dates = ", ".join(f'"{c.name}"' for c in cols if c.type == "date")
    labels = ",\n".join(f'  {c.name} = "{_quote(c.description)}"' for c in cols)
    return f"""# Reads the intention-to-treat export and labels its variables. Run from the folder holding it.
itt <- read.csv("{filename}", stringsAsFactors = FALSE, na.strings = "")
itt$arm <- factor(itt$arm, levels = c("comparison", "intervention"))
itt$wave <- factor(itt$wave, levels = c("baseline", "post", "follow-up"))
for (column in c({dates})) itt[[column]] <- as.Date(itt[[column]])
labels <- list(
{labels}
)
for (column in names(labels)) attr(itt[[column]], "label") <- labels[[column]]
str(itt)
"""


SPSS_FORMATS = {"text": "A80", "integer": "F8.0", "number": "F8.3", "date": "SDATE10"}


def spss_syntax(cols: list[Column], filename: str) -> str:
    """SPSS syntax that reads the export and labels its variables."""
    variables = "\n  ".join(f"{c.name} {SPSS_FORMATS[c.type]}" for c in cols)
    labels = "\n".join(f'  {c.name} "{_quote(c.description)[:250]}"' for c in cols)
    return f"""* Reads the intention-to-treat export and labels its variables. Set the path to the file first.
GET DATA /TYPE=TXT /FILE="{filename}" /ENCODING='UTF8' /DELIMITERS=","
  /QUALIFIER='"' /ARRANGEMENT=DELIMITED /FIRSTCASE=2
  /VARIABLES=
  {variables}.
VARIABLE LABELS
{labels}.
VALUE LABELS answers_kept 1 'Kept, marked withdrawn' 0 'Deleted'.
EXECUTE.
"""


def _quote(text: str) -> str:
    return text.replace('"', "'")


def codebook_rows(cols: list[Column]) -> list[tuple]:
    """The codebook: a header, then one row per column of the export."""
    return [("column", "description", "type", "values", "missing", "reverse_keyed")] + [
        (c.name, c.description, c.type, c.values, c.missing, c.reverse_keyed) for c in cols]
