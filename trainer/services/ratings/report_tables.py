"""Leads' downloads: a report's own aggregate tables as CSV, under the same disclosure rules as
the page (one row per group, never one per person)."""
import csv
import io
from dataclasses import dataclass
from datetime import datetime

from trainer.clock import today_in
from trainer.services.outcomes import evaluation, outcomes
from trainer.services.privacy import disclosure
from trainer.services.ratings import ratings_report
from trainer.services.outcomes.exports import neutralise
from trainer.services.ratings.ratings import SCALE

RATINGS_COLUMNS = (["wave", "team", "module", "raters", "mean", "sd", "median", "ci_low", "ci_high"]
                   + [f"rated_{level}" for level in SCALE]
                   + ["said_did_not_attend", "asked", "answered_wave", "response_rate", "attended",
                      "missed", "missed_but_rated", "not_shown_because"])
EVALUATION_COLUMNS = ["instrument", "scale", "wave", "group", "n", "mean", "sd", "ci_low", "ci_high",
                      "pairs_with_baseline", "mean_change", "change_ci_low", "change_ci_high",
                      "welch_p", "hedges_g", "ancova_estimate", "not_shown_because"]


@dataclass(frozen=True)
class Table:
    """A CSV file to download: its name and text."""

    filename: str
    text: str


def _number(value) -> str:
    # Numbers are written as they are (negative values must survive); only text is neutralised.
    if value is None:
        return ""
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _csv(header: list[str], rows: list[list]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_number(v) if isinstance(v, (int, float)) and not isinstance(v, bool)
                         else neutralise(v) for v in row])
    return buffer.getvalue()


def ratings_table(user, programme_id: int, *, now: datetime, wave_id: int | None = None,
                  team: str | None = None) -> Table:
    """The ratings report's tables for the same wave and team as the page, one row per wave
    and module, with exactly the figures the page shows (ratings_report.programme_report)."""
    report = ratings_report.programme_report(user, programme_id, now=now, wave_id=wave_id, team=team)
    team_label = report.team_label or "All teams"
    rows = []
    for wr in report.wave_reports:
        for m in wr.modules:
            s, att = m.summary, m.attendance
            counts = dict(m.distribution)
            rows.append([wr.wave.label, team_label, m.module.title, m.n,
                         s and s.mean, s and s.sd, s and s.median, s and s.ci_low, s and s.ci_high,
                         *[counts.get(level) for level in SCALE], m.did_not_attend, wr.invited,
                         wr.answered, m.response_rate, att.attended, att.missed,
                         att.missed_but_rated, m.reason])
    return Table(f"ratings-report-{report.programme.id}.csv", _csv(RATINGS_COLUMNS, rows))


def evaluation_table(user, programme_id: int, *, now: datetime) -> Table:
    """The outcomes evaluation's tables for every scale of every chosen questionnaire: per
    group and wave, change from baseline, and the between-group comparison, with exactly the
    figures the page shows (evaluation.evaluate under disclosure's rules)."""
    reader = disclosure.reader(user, programme_id)
    programme = reader.programme
    today = today_in(programme.timezone, now)
    rows = []
    for instrument in outcomes.chosen_instruments(programme):
        for scale in instrument.scales:
            result = evaluation.evaluate(programme, instrument.key, scale.key, today=today,
                                         live=reader.live)
            rows += _evaluation_rows(result)
    return Table(f"outcomes-evaluation-{programme.id}.csv", _csv(EVALUATION_COLUMNS, rows))


def _evaluation_rows(result: evaluation.ScaleEvaluation) -> list[list]:
    rows = []
    head = [result.instrument.title, result.scale.title]
    for wave in result.waves:
        for arm in evaluation.ARMS:
            cell, change = result.cells[(arm, wave.id)], result.changes.get((arm, wave.id))
            d, c = cell.desc, change.diff if change else None
            rows.append([*head, wave.label, arm, cell.n, d and d.mean, d and d.sd, d and d.ci_low,
                         d and d.ci_high, change.pairs if change else None, c and c.mean_diff,
                         c and c.ci_low, c and c.ci_high, None, None, None,
                         cell.reason or (change.reason if change else "")])
    for comp in result.comparisons:
        w, g, a = comp.welch, comp.g, comp.ancova
        rows.append([*head, comp.wave.label, "intervention minus comparison", None, None, None,
                     None, None, None, w and w.diff, w and w.ci_low, w and w.ci_high, w and w.p,
                     g and g.g, a and a.estimate, comp.reason])
    return rows
