"""Programme pages: the list, each programme's overview, its details, status, team and copies."""
from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from trainer.clock import today_in, utcnow
from trainer.errors import PermissionDenied, RuleViolation
from trainer.forms_support import already_sent, apply_violation, run_once, submit_once
from trainer.programmes.forms import ConfirmForm, CopyForm, ProgrammeForm, StatusForm, TeamForm
from trainer.services.accounts import access
from trainer.services.scheduling import programmes

bp = Blueprint("programmes", __name__, url_prefix="/programmes")


@bp.get("/")
@login_required
def index():
    """Anyone signed in: the programmes they lead, train or evaluate (none for an admin without
    a role in any programme)."""
    led = access.programmes_for(current_user, "lead")
    trained = [p for p in access.programmes_for(current_user, "trainer") if p not in led]
    return render_template("programmes/index.html", led=led, trained=trained,
                           evaluated=access.programmes_for(current_user, "evaluator"),
                           can_create=access.can_create_programmes(current_user))


@bp.get("/<int:programme_id>")
@login_required
def show(programme_id: int):
    """Its leads and trainers: the plan as a timetable, attendance, and what to do next."""
    acc = access.require_membership(current_user, programme_id, ("lead", "trainer"))
    page = programmes.programme_page(acc.programme, today=today_in(acc.programme.timezone, utcnow()))
    return render_template("programmes/show.html", access=acc, programme=acc.programme,
                           plan=page.plan, next_steps=page.next_steps, attendance=page.attendance,
                           form=StatusForm(), transitions=programmes.TRANSITIONS[acc.programme.status])


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Leads and admins: start a new draft programme, led by its creator."""
    if not access.can_create_programmes(current_user):
        raise PermissionDenied("Only programme leads and administrators can start programmes.")
    form = ProgrammeForm()
    if form.validate_on_submit():
        try:
            return submit_once(
                form, lambda: programmes.create_programme(current_user, _programme_input(form)),
                lambda programme: url_for("programmes.show", programme_id=programme.id),
                "Programme created. Next, add the team and training days.")
        except RuleViolation as exc:
            apply_violation(form, exc)
    return render_template("programmes/form.html", form=form, programme=None)


@bp.route("/<int:programme_id>/edit", methods=["GET", "POST"])
@login_required
def edit(programme_id: int):
    """Its leads: change the programme's details."""
    acc = access.require_membership(current_user, programme_id, ("lead",))
    form = ProgrammeForm(obj=acc.programme)
    if form.validate_on_submit():
        try:
            programmes.update_programme(current_user, acc.programme, _programme_input(form))
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            flash("Programme details saved.", "success")
            return redirect(url_for("programmes.show", programme_id=programme_id))
    return render_template("programmes/form.html", form=form, programme=acc.programme)


@bp.post("/<int:programme_id>/status")
@login_required
def change_status(programme_id: int):
    """Its leads: move the programme to its next status, if its checks pass."""
    acc = access.require_membership(current_user, programme_id, ("lead",))
    form = StatusForm()
    try:
        if not form.validate_on_submit():
            raise RuleViolation("The form had expired. Try again.")
        programmes.change_status(current_user, acc.programme, form.status.data,
                                 today=today_in(acc.programme.timezone, utcnow()))
    except RuleViolation as exc:
        flash(exc.message, "error")
    else:
        flash(f"The programme is now {acc.programme.status}.", "success")
    return redirect(url_for("programmes.show", programme_id=programme_id))


@bp.route("/<int:programme_id>/team", methods=["GET", "POST"])
@login_required
def team(programme_id: int):
    """Its leads: who leads, trains and evaluates; add someone (inviting them if new)."""
    acc = access.require_membership(current_user, programme_id, ("lead",))
    form, link = TeamForm(), None
    if form.validate_on_submit():
        try:
            outcome = run_once(form, lambda: programmes.add_team_member(
                current_user, acc.programme, email=form.email.data, name=form.name.data or "",
                role=form.role.data, base_url=current_app.config["BASE_URL"], now=utcnow()),
                lambda _added: url_for("programmes.team", programme_id=programme_id))
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            if not outcome.created:
                return already_sent(outcome)
            membership, link = outcome.result
            flash(f"{membership.user.display_name} is now {'an' if membership.role == 'evaluator' else 'a'} "
                  f"{membership.role} of this programme.", "success")
            if link is None:
                return redirect(url_for("programmes.team", programme_id=programme_id))
            form = TeamForm(formdata=None)
    return render_template("programmes/team.html", programme=acc.programme, form=form, link=link,
                           members=programmes.team(acc.programme), confirm=ConfirmForm())


@bp.post("/<int:programme_id>/team/<int:membership_id>/remove")
@login_required
def remove_member(programme_id: int, membership_id: int):
    """Its leads: take someone off the team."""
    acc = access.require_membership(current_user, programme_id, ("lead",))
    try:
        if not ConfirmForm().validate_on_submit():
            raise RuleViolation("The form had expired. Try again.")
        programmes.remove_team_member(current_user, acc.programme, membership_id)
    except RuleViolation as exc:
        flash(exc.message, "error")
    else:
        flash("Removed from the team.", "success")
    return redirect(url_for("programmes.team", programme_id=programme_id))


@bp.route("/<int:programme_id>/copy", methods=["GET", "POST"])
@login_required
def copy(programme_id: int):
    """Its leads: start a new programme from this one's plan, shifted to a new start date."""
    acc = access.require_membership(current_user, programme_id, ("lead",))
    form = CopyForm()
    if form.validate_on_submit():
        try:
            return submit_once(
                form, lambda: programmes.copy_plan(current_user, acc.programme, name=form.name.data,
                                                   start_date=form.start_date.data),
                lambda new_programme: url_for("programmes.show", programme_id=new_programme.id),
                "Plan copied. Check the days, then add trainers and the cohort.")
        except RuleViolation as exc:
            apply_violation(form, exc)
    return render_template("programmes/copy.html", form=form, programme=acc.programme)


def _programme_input(form: ProgrammeForm) -> programmes.ProgrammeInput:
    return programmes.ProgrammeInput(
        name=form.name.data, organisation=form.organisation.data, timezone=form.timezone.data.strip(),
        start_date=form.start_date.data, end_date=form.end_date.data,
        description=form.description.data or "")
