"""The audit trail: filtered and paginated, with a CSV export that is itself recorded."""
from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required

from trainer.audit import forms
from trainer.services.privacy import audit_trail

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _filters(form: forms.FilterForm) -> audit_trail.Filters:
    if not form.validate():
        return audit_trail.Filters()
    return audit_trail.Filters(form.person.data or "", form.action.data or "", form.since.data,
                               form.until.data)


@bp.get("")
@login_required
def index():
    """Admins: every event; leads: their programmes' events. Filter by person, action and date."""
    form = forms.FilterForm(request.args)
    filters = _filters(form)
    page = audit_trail.page_of(current_user, filters, 1 if form.errors else form.page.data or 1)
    return render_template("audit/index.html", form=form, page=page, export=forms.ExportForm(),
                           query={k: v for k, v in request.args.items() if k != "page" and v})


@bp.post("/export.csv")
@login_required
def export():
    """Admins and leads: the filtered events as CSV (recorded in the trail)."""
    form = forms.FilterForm(request.form)
    body = audit_trail.export_csv(current_user, _filters(form))
    return Response("\ufeff" + body, mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit-trail.csv"})
