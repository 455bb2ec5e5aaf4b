"""Report pages: module ratings dashboard and printable report (leads and evaluators), the
evaluator's record-level CSV exports, and the comparison across programmes."""
from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required

from trainer.clock import utcnow
from trainer.forms_support import list_args
from trainer.reports.forms import ExportForm
from trainer.services.ratings import ratings_compare, ratings_export, ratings_report, report_tables

bp = Blueprint("reports", __name__)


def _report(programme_id: int):
    return ratings_report.programme_report(
        current_user, programme_id, now=utcnow(), wave_id=request.args.get("wave", type=int),
        team=request.args.get("team") or None)


@bp.get("/programmes/<int:programme_id>/ratings/report")
@login_required
def dashboard(programme_id: int):
    """Its leads and evaluators: module ratings with charts, tables and filters; the evaluator
    also finds the record-level exports here."""
    report = _report(programme_id)  # refuses anyone but the programme's leads and evaluators
    return render_template("reports/dashboard.html", report=report, form=ExportForm(),
                           evaluator=report.evaluator)


@bp.get("/programmes/<int:programme_id>/ratings/report/print")
@login_required
def printable(programme_id: int):
    """Its leads and evaluators: the same report laid out for printing or PDF."""
    return render_template("reports/print.html", report=_report(programme_id), printed_at=utcnow())


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


@bp.get("/ratings/compare")
@login_required
def compare():
    """Leads and evaluators: modules compared across the programmes they lead or evaluate, and pooled."""
    result, rows = ratings_compare.compare_page(current_user, now=utcnow(),
                                                page=list_args(request.args, {}).page)
    return render_template("reports/compare.html", programmes=result.items, result=result, rows=rows)


