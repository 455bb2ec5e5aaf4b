"""Cohort pages: the participants of a programme, enrolment, CSV import, randomisation, waitlist."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from trainer.clock import utcnow
from trainer.cohort.forms import EnrolForm, ImportForm, RandomiseForm, WaitlistForm
from trainer.errors import RuleViolation
from trainer.forms_support import already_sent, apply_violation, as_choices, list_args, run_once, uploaded_text
from trainer.services.accounts import access
from trainer.services.scheduling import cohort
from trainer.wording import plural

bp = Blueprint("cohort", __name__, url_prefix="/programmes/<int:programme_id>/cohort")


@bp.route("/", methods=["GET", "POST"])
@login_required
def index(programme_id: int):
    """Leads and trainers see the cohort; leads enrol one participant at a time."""
    acc = access.require_membership(current_user, programme_id, ("lead", "trainer"))
    form, link = EnrolForm(), None
    if form.validate_on_submit():
        access.require_membership(current_user, programme_id, ("lead",))
        try:
            outcome = run_once(form, lambda: cohort.enrol_participant(
                current_user, acc.programme, name=form.name.data, email=form.email.data,
                arm=None if form.arm.data == "none" else form.arm.data, team=form.team.data,
                base_url=current_app.config["BASE_URL"], now=utcnow()),
                lambda _enrolled: url_for("cohort.index", programme_id=programme_id))
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            if not outcome.created:
                return already_sent(outcome)
            membership, link = outcome.result
            arm = membership.arm or "to be randomised"
            flash(f"{membership.user.display_name} is enrolled ({arm}).", "success")
            form = EnrolForm(formdata=None)
    return render_template("cohort/index.html", access=acc, programme=acc.programme, form=form,
                           link=link, **_participant_list(acc.programme))


def _participant_list(programme) -> dict:
    """The list's query string (search, arm, team, page) read, and the page of participants."""
    teams = [team or cohort.NO_TEAM for team, _ in cohort.participant_teams(programme)]
    args = list_args(request.args, {"arm": cohort.ARM_FILTERS, "team": tuple(teams)})
    result = cohort.participant_page(programme, q=args.q, page=args.page, arm=args.filters.get("arm"),
                                     team=args.filters.get("team"))
    return {"args": args, "result": result,
            "team_choices": [(t, "No team" if t == cohort.NO_TEAM else t) for t in teams]}


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_file(programme_id: int):
    """Leads: import participants from a CSV file, checked whole before anything is saved."""
    acc = access.require_membership(current_user, programme_id, ("lead",))
    form, problems, enrolled = ImportForm(), [], None
    if form.validate_on_submit():
        text = uploaded_text(form.file.data)
        try:
            outcome = run_once(form, lambda: cohort.import_cohort(
                current_user, acc.programme, text, base_url=current_app.config["BASE_URL"], now=utcnow()),
                lambda _enrolled: url_for("cohort.index", programme_id=programme_id))
        except cohort.CohortImportError as exc:
            problems = exc.problems
            form.file.errors = [exc.message]
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            if not outcome.created:
                return already_sent(outcome)
            enrolled = outcome.result
    return render_template("cohort/import.html", programme=acc.programme, form=form,
                           problems=problems, enrolled=enrolled)


@bp.route("/randomise", methods=["GET", "POST"])
@login_required
def randomise(programme_id: int):
    """Leads: randomise everyone, some teams or chosen people into arms, stratified by team."""
    acc = access.require_membership(current_user, programme_id, ("lead",))
    form, members = RandomiseForm(), cohort.participants(acc.programme)
    form.membership_ids.choices = as_choices([(m.id, m.user.display_name + (f" ({m.team})" if m.team else ""))
                                              for m in members])
    if not form.is_submitted():
        form.scope.data = cohort.suggested_scope(members)
    form.teams.choices = as_choices([(team, f"{team or 'No team'} ({plural(n, 'participant')})")
                                     for team, n in cohort.participant_teams(acc.programme)])
    if form.validate_on_submit():
        selection = cohort.Selection(form.scope.data, tuple(form.teams.data or ()),
                                     tuple(form.membership_ids.data or ()))
        try:
            outcome = run_once(form, lambda: cohort.randomise(current_user, acc.programme, selection,
                                                              seed=form.seed.data),
                               lambda _record: url_for("cohort.randomise", programme_id=programme_id))
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            if not outcome.created:
                return already_sent(outcome)
            record = outcome.result
            flash(f"{plural(len(record.allocation), 'participant')} randomised with seed {record.seed}.",
                  "success")
            return redirect(outcome.url)
    return render_template("cohort/randomise.html", programme=acc.programme, form=form,
                           allowed=acc.programme.status in cohort.RANDOMISABLE_STATUSES,
                           history=[(r, cohort.allocation_list(r))
                                    for r in cohort.randomisations(acc.programme)])


@bp.route("/waitlist", methods=["GET", "POST"])
@login_required
def waitlist(programme_id: int):
    """Leads: once the evaluation is closed, enrol the comparison group in a later programme."""
    acc = access.require_membership(current_user, programme_id, ("lead",))
    form = WaitlistForm()
    form.target_id.choices = as_choices([(0, "Choose a programme")] + [
        (p.id, p.name) for p in cohort.waitlist_targets(current_user, acc.programme)])
    if form.validate_on_submit():
        try:
            target = access.require_membership(current_user, form.target_id.data, ("lead",)).programme
            count = cohort.offer_waitlist(current_user, acc.programme, target)
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            places = "has a place" if count == 1 else "have places"
            flash(f"{plural(count, 'comparison participant')} now {places} on {target.name}.", "success")
            return redirect(url_for("cohort.index", programme_id=target.id))
    return render_template("cohort/waitlist.html", programme=acc.programme, form=form)
