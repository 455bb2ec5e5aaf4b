"""Programme pages."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from trainer.services import access, programmes

bp = Blueprint("programmes", __name__, url_prefix="/programmes")


@bp.get("/")
@login_required
def index():
    """Leads, trainers and admins: the programmes they lead or train."""
    led = access.programmes_for(current_user, "lead")
    trained = [p for p in access.programmes_for(current_user, "trainer") if p not in led]
    return render_template("programmes/index.html", led=led, trained=trained)


@bp.get("/<int:programme_id>")
@login_required
def show(programme_id: int):
    """Its leads and trainers: the programme's plan as a timetable, and its cohort size."""
    acc = access.require_membership(current_user, programme_id, ("lead", "trainer"))
    return render_template("programmes/show.html", access=acc, programme=acc.programme,
                           plan=programmes.plan_overview(acc.programme))
