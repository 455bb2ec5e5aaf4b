"""Report pages: module ratings dashboard and printable report (leads and evaluators), the
evaluator's record-level CSV exports, and the comparison across programmes."""
from typing import NamedTuple

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required
from markupsafe import Markup

from trainer.clock import today_in, utcnow
from trainer.forms_support import list_args
from trainer.reports.forms import ExportForm
from trainer.services.privacy import disclosure
from trainer.services.ratings import ratings_compare, ratings_export, ratings_report, report_tables
from trainer.services.system import memo
from trainer.services.system.listing import ListPage

bp = Blueprint("reports", __name__)


class _Wave(NamedTuple):
    id: int
    label: str


class _Shown(NamedTuple):
    """The ratings report as its pages show it: the filters' choices and the figures, rendered."""

    waves: list[_Wave]
    teams: list[tuple[str, str]]
    wave_id: int | None
    team: str | None
    team_label: str | None
    body: Markup


def _report(programme_id: int) -> tuple[disclosure.Reader, _Shown]:
    """The reader (leads and evaluators only) and the report for the wave and team asked for,
    remembered against the programme's data and ratings versions (``memo.remembered``) for the
    reader's rights and the programme's date."""
    reader = disclosure.reader(current_user, programme_id)
    programme, now = reader.programme, utcnow()
    wave_id, team = request.args.get("wave", type=int), request.args.get("team") or None

    def compute() -> _Shown:
        report = ratings_report.programme_report(current_user, programme_id, now=now, wave_id=wave_id,
                                                 team=team, reader=reader)
        return _Shown([_Wave(w.id, w.label) for w in report.waves], report.teams, report.wave_id, report.team,
                      report.team_label, Markup(render_template("reports/_body.html", report=report)))

    key = ("ratings report", wave_id, team, today_in(programme.timezone, now), reader.live)
    return reader, memo.remembered(programme_id, key, compute, ratings=True)


@bp.get("/programmes/<int:programme_id>/ratings/report")
@login_required
def dashboard(programme_id: int):
    """Its leads and evaluators: module ratings with charts, tables and filters; the evaluator
    also finds the record-level exports here."""
    reader, report = _report(programme_id)  # refuses anyone but the programme's leads and evaluators
    return render_template("reports/dashboard.html", programme=reader.programme, report=report,
                           form=ExportForm(), evaluator=reader.access.has("evaluator"))


@bp.get("/programmes/<int:programme_id>/ratings/report/print")
@login_required
def printable(programme_id: int):
    """Its leads and evaluators: the same report laid out for printing or PDF."""
    reader, report = _report(programme_id)
    return render_template("reports/print.html", programme=reader.programme, report=report,
                           printed_at=utcnow())


@bp.get("/programmes/<int:programme_id>/ratings/report.csv")
@login_required
def table(programme_id: int):
    """Its leads and evaluators: the report's own tables as CSV, for the same wave
    and team, under the same rules as the page (no row per person)."""
    result = report_tables.ratings_table(
        current_user, programme_id, now=utcnow(), wave_id=request.args.get("wave", type=int),
        team=request.args.get("team") or None)
    return Response(result.text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{result.filename}"'})


@bp.post("/programmes/<int:programme_id>/ratings/export/<kind>")
@login_required
def export(programme_id: int, kind: str):
    """Its evaluators only: a record-level CSV file with codes; each download is audited."""
    if not ExportForm().validate_on_submit():
        abort(400)
    result = ratings_export.export(current_user, programme_id, kind, slug_date=utcnow().date())
    return Response(result.text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{result.filename}"'})


class _Compared(NamedTuple):
    """The comparison as its page shows it: where the page is (its items the programmes' ids),
    whether any module has ratings, and its tables, rendered."""

    result: ListPage
    rated: bool
    tables: Markup


@bp.get("/ratings/compare")
@login_required
def compare():
    """Leads and evaluators: modules compared across the programmes they lead or evaluate, and
    pooled; remembered against the versions of every one of those programmes and their dates."""
    now, page = utcnow(), list_args(request.args, {}).page
    places = ratings_compare.reader_places(current_user)  # refuses anyone who leads or evaluates none

    def compute() -> _Compared:
        result, rows = ratings_compare.compare_page(current_user, now=now, page=page, places=places)
        return _Compared(ListPage([p.id for p in result.items], result.total, result.page, result.per_page),
                         bool(rows), Markup(render_template("reports/_compare_tables.html",
                                                            programmes=result.items, rows=rows)))

    key = ratings_compare.remembered_as(places, now)
    shown = memo.remembered_under(None if key is None else ("compare", page, key), compute)
    return render_template("reports/compare.html", shown=shown, result=shown.result)


