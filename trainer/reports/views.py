"""Report pages for leads: module ratings dashboard, printable report, CSV exports, comparison."""
from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required

from trainer.clock import utcnow
from trainer.reports.forms import ExportForm
from trainer.services import ratings_compare, ratings_export, ratings_report, report_tables

bp = Blueprint("reports", __name__)


def _report(programme_id: int):
    return ratings_report.programme_report(
        current_user, programme_id, now=utcnow(), wave_id=request.args.get("wave", type=int),
        team=request.args.get("team") or None)


@bp.get("/programmes/<int:programme_id>/ratings/report")
@login_required
def dashboard(programme_id: int):
    """Leads of the programme (and admins): module ratings with charts, tables and filters."""
    return render_template("reports/dashboard.html", report=_report(programme_id), form=ExportForm())


@bp.get("/programmes/<int:programme_id>/ratings/report/print")
@login_required
def printable(programme_id: int):
    """Leads of the programme (and admins): the same report laid out for printing or PDF."""
    return render_template("reports/print.html", report=_report(programme_id), printed_at=utcnow())


@bp.get("/programmes/<int:programme_id>/ratings/report.csv")
@login_required
def table(programme_id: int):
    """Leads of the programme (and admins): the report's own tables as CSV, for the same wave
    and team, under the same rules as the page (no row per person)."""
    result = report_tables.ratings_table(
        current_user, programme_id, now=utcnow(), wave_id=request.args.get("wave", type=int),
        team=request.args.get("team") or None)
    return Response(result.text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{result.filename}"'})


@bp.post("/programmes/<int:programme_id>/ratings/export/<kind>")
@login_required
def export(programme_id: int, kind: str):
    """Leads of the programme (and admins): a CSV file; each download is audited."""
    if not ExportForm().validate_on_submit():
        abort(400)
    result = ratings_export.export(current_user, programme_id, kind, slug_date=utcnow().date())
    return Response(result.text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{result.filename}"'})


@bp.get("/ratings/compare")
@login_required
def compare():
    """Leads and admins: modules compared across the programmes they lead, and pooled."""
    programmes, rows = ratings_compare.compare_programmes(current_user, now=utcnow())
    return render_template("reports/compare.html", programmes=programmes, rows=rows)
