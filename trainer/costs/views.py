"""The cost-consequence view: the lead enters sourced costs; the lead and the evaluator read it."""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from trainer.clock import today_in, utcnow
from trainer.costs import forms
from trainer.errors import RuleViolation
from trainer.forms_support import apply_violation
from trainer.services.accounts import access
from trainer.services.outcomes import costs
from trainer.services.privacy import disclosure

bp = Blueprint("costs", __name__, url_prefix="/programmes/<int:programme_id>/costs")


@bp.get("/")
@login_required
def view(programme_id: int):
    """Its lead and evaluator: costs, cost per participant and completer, outcomes, retention."""
    reader = disclosure.reader(current_user, programme_id)
    programme = reader.programme
    page = costs.page(programme, today=today_in(programme.timezone, utcnow()), live=reader.live)
    return render_template("costs/view.html", programme=programme, page=page,
                           evaluator=reader.access.has("evaluator"), completer=costs.COMPLETER)


@bp.route("/edit", methods=["GET", "POST"])
@login_required
def edit(programme_id: int):
    """Its lead: enter or change the cost figures, each with its source and price year."""
    programme = access.require_membership(current_user, programme_id, ("lead",)).programme
    form = forms.CostsForm()
    if request.method == "GET":
        form.fill(costs.costs_for(programme))
    elif form.validate_on_submit():
        try:
            costs.save_costs(current_user, programme, form.values())
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            return redirect(url_for("costs.view", programme_id=programme_id))
    return render_template("costs/edit.html", programme=programme, form=form), 400 if form.errors else 200
