"""Self-directed activities, goals and peer coaching: participants' pages and trainers' pages."""
import random

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from trainer.activities import forms
from trainer.clock import today_in, utcnow
from trainer.errors import RuleViolation
from trainer.forms_support import apply_violation, list_args, submit_once
from trainer.services.accounts import access
from trainer.services.participation import activity_logs, assignments, goals, peers, progress
from trainer.services.participation.activity_logs import InvalidValues, LogEntry
from trainer.services.participation.goals import GoalText
from trainer.wording import plural

bp = Blueprint("activities", __name__, url_prefix="/programmes/<int:programme_id>")
STAFF = ("lead", "trainer")


@bp.before_request
@login_required
def _signed_in():
    """Every page here needs a signed-in user; each route checks their role."""


def _me(programme_id: int):
    membership = activity_logs.require_intervention_participant(current_user, programme_id)
    return membership, today_in(membership.programme.timezone, utcnow())


def _staff(programme_id: int):
    return access.require_membership(current_user, programme_id, STAFF).programme


def _show_errors(form, exc: RuleViolation) -> None:
    if isinstance(exc, InvalidValues):
        for name, message in exc.errors.items():
            form[forms.VALUE_PREFIX + name].errors = [message]
    else:
        apply_violation(form, exc)


def _entry(form) -> LogEntry:
    return LogEntry(form.status.data, form.done_on.data, form.minutes.data, form.raw_values(),
                    form.private_note.data or "")


@bp.get("/my/activities")
def my_activities(programme_id: int):
    """Intervention participants: their assignments by module, what is due and overdue."""
    me, today = _me(programme_id)
    return render_template("activities/mine.html", me=me, today=today,
                           work=activity_logs.work_for(me, today))


@bp.route("/my/assignments/<int:assignment_id>/log", methods=["GET", "POST"])
def log_new(programme_id: int, assignment_id: int):
    """Intervention participants: log an activity (the form follows the activity's fields)."""
    me, today = _me(programme_id)
    assignment = activity_logs.get_assignment_for(me, assignment_id)
    form = forms.log_form(assignment.activity.fields, data={"done_on": today})
    if form.validate_on_submit():
        try:
            return submit_once(
                form, lambda: activity_logs.log_activity(me, assignment, _entry(form), today=today),
                lambda _log: url_for(".history", programme_id=programme_id, assignment_id=assignment_id),
                f"Saved your entry for {assignment.activity.title}.")
        except RuleViolation as exc:
            _show_errors(form, exc)
    return render_template("activities/log_form.html", form=form, assignment=assignment, log=None)


@bp.get("/my/assignments/<int:assignment_id>")
def history(programme_id: int, assignment_id: int):
    """Intervention participants: their entries for one activity, newest first."""
    me, _ = _me(programme_id)
    assignment = activity_logs.get_assignment_for(me, assignment_id)
    return render_template("activities/history.html", assignment=assignment,
                           logs=activity_logs.history(me, assignment))


@bp.get("/my/modules/<module_key>")
def module_history(programme_id: int, module_key: str):
    """Intervention participants: their entries for every activity of one module."""
    me, today = _me(programme_id)
    return render_template("activities/module_history.html", me=me,
                           work=activity_logs.module_history(me, module_key, today))


@bp.route("/my/logs/<int:log_id>/edit", methods=["GET", "POST"])
def log_edit(programme_id: int, log_id: int):
    """The entry's author: change it."""
    me, today = _me(programme_id)
    log = activity_logs.get_own_log(me, log_id)
    form = forms.log_form(log.assignment.activity.fields, data=forms.log_form_data(log))
    if form.validate_on_submit():
        try:
            activity_logs.update_log(me, log, _entry(form), today=today)
        except RuleViolation as exc:
            _show_errors(form, exc)
        else:
            flash("Saved your changes.", "success")
            return redirect(url_for(".history", programme_id=programme_id, assignment_id=log.assignment_id))
    return render_template("activities/log_form.html", form=form, assignment=log.assignment, log=log,
                           delete_form=forms.ConfirmForm())


@bp.post("/my/logs/<int:log_id>/delete")
def log_delete(programme_id: int, log_id: int):
    """The entry's author: delete it."""
    me, _ = _me(programme_id)
    log = activity_logs.get_own_log(me, log_id)
    assignment_id = log.assignment_id
    if forms.ConfirmForm().validate_on_submit():
        activity_logs.delete_log(me, log)
        flash("Deleted the entry.", "success")
    return redirect(url_for(".history", programme_id=programme_id, assignment_id=assignment_id))


@bp.get("/my/goals")
def my_goals(programme_id: int):
    """Intervention participants: their goals, active first, those due a review marked."""
    me, today = _me(programme_id)
    return render_template("activities/goals.html", me=me, goals=goals.goal_list(me, today))


@bp.route("/my/goals/new", methods=["GET", "POST"])
def goal_new(programme_id: int):
    """Intervention participants: write a goal."""
    me, today = _me(programme_id)
    form = forms.GoalForm()
    if form.validate_on_submit():
        try:
            return submit_once(
                form, lambda: goals.create_goal(me, GoalText(**_goal_text(form)), today=today),
                lambda goal: url_for(".goal_show", programme_id=programme_id, goal_id=goal.id),
                "Saved your goal.")
        except RuleViolation as exc:
            apply_violation(form, exc)
    return render_template("activities/goal_form.html", form=form, goal=None)


def _goal_text(form) -> dict:
    return {"what": form.what.data or "", "why": form.why.data or "", "measure": form.measure.data or "",
            "target_on": form.target_on.data, "shared_with_trainer": form.shared_with_trainer.data}


@bp.route("/my/goals/<int:goal_id>/edit", methods=["GET", "POST"])
def goal_edit(programme_id: int, goal_id: int):
    """The goal's author: change its wording, date or sharing."""
    me, today = _me(programme_id)
    goal = goals.get_own_goal(me, goal_id)
    form = forms.GoalForm(obj=goal)
    if form.validate_on_submit():
        try:
            goals.update_goal(me, goal, GoalText(**_goal_text(form)), today=today)
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            flash("Saved your goal.", "success")
            return redirect(url_for(".goal_show", programme_id=programme_id, goal_id=goal.id))
    return render_template("activities/goal_form.html", form=form, goal=goal)


@bp.route("/my/goals/<int:goal_id>", methods=["GET", "POST"])
def goal_show(programme_id: int, goal_id: int):
    """The goal's author: the goal, its reviews, and a form to review progress."""
    me, today = _me(programme_id)
    goal = goals.get_own_goal(me, goal_id)
    form = forms.ReviewForm()
    if form.validate_on_submit():
        try:
            return submit_once(
                form, lambda: goals.review_goal(me, goal, form.progress.data, form.note.data or "",
                                                today=today),
                lambda _review: url_for(".goal_show", programme_id=programme_id, goal_id=goal_id),
                "Saved your review.")
        except RuleViolation as exc:
            apply_violation(form, exc)
    return render_template("activities/goal.html", goal=goal, form=form, confirm=forms.ConfirmForm())


@bp.post("/my/goals/<int:goal_id>/status")
def goal_status(programme_id: int, goal_id: int):
    """The goal's author: mark it achieved or dropped, or reopen it."""
    me, _ = _me(programme_id)
    goal = goals.get_own_goal(me, goal_id)
    form = forms.StatusForm()
    if form.validate_on_submit():
        try:
            goals.set_status(me, goal, form.status.data, now=utcnow())
        except RuleViolation as exc:
            flash(exc.message, "error")
    return redirect(url_for(".goal_show", programme_id=programme_id, goal_id=goal.id))


@bp.post("/my/goals/<int:goal_id>/sharing")
def goal_sharing(programme_id: int, goal_id: int):
    """The goal's author: share it with their trainers, or stop sharing it."""
    me, _ = _me(programme_id)
    goal = goals.get_own_goal(me, goal_id)
    form = forms.ShareForm()
    if form.validate_on_submit():
        goals.set_sharing(me, goal, form.shared.data == "yes")
        flash("Your trainers can now see this goal." if goal.shared_with_trainer
              else "This goal is now private to you.", "success")
    return redirect(url_for(".goal_show", programme_id=programme_id, goal_id=goal.id))


@bp.route("/my/peers", methods=["GET", "POST"])
def my_peers(programme_id: int):
    """Intervention participants: their peer group and its meetings; log a meeting."""
    me, today = _me(programme_id)
    form = forms.MeetingForm(data={"met_on": today} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            return submit_once(
                form, lambda: peers.log_meeting(me, form.met_on.data, form.minutes.data, form.agenda.data,
                                                form.private_note.data or "", today=today),
                lambda _meeting: url_for(".my_peers", programme_id=programme_id),
                "Saved the meeting.")
        except RuleViolation as exc:
            apply_violation(form, exc)
    return render_template("activities/peers.html", me=me, coaching=peers.coaching_for(me), form=form)


@bp.route("/my/peers/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def meeting_edit(programme_id: int, meeting_id: int):
    """The meeting's author: change it."""
    me, today = _me(programme_id)
    meeting = peers.get_own_meeting(me, meeting_id)
    form = forms.MeetingForm(obj=meeting)
    if form.validate_on_submit():
        try:
            peers.update_meeting(me, meeting, form.met_on.data, form.minutes.data, form.agenda.data,
                                 form.private_note.data or "", today=today)
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            flash("Saved your changes to the meeting.", "success")
            return redirect(url_for(".my_peers", programme_id=programme_id))
    return render_template("activities/meeting_form.html", me=me, form=form, meeting=meeting,
                           delete_form=forms.ConfirmForm())


@bp.post("/my/peers/meetings/<int:meeting_id>/delete")
def meeting_delete(programme_id: int, meeting_id: int):
    """The meeting's author: delete it."""
    me, _ = _me(programme_id)
    meeting = peers.get_own_meeting(me, meeting_id)
    if forms.ConfirmForm().validate_on_submit():
        peers.delete_meeting(me, meeting)
        flash("Deleted the meeting.", "success")
    return redirect(url_for(".my_peers", programme_id=programme_id))


@bp.get("/assignments")
def assignments_page(programme_id: int):
    """Leads and trainers: every module's activities, assigned or not, with due dates."""
    programme = _staff(programme_id)
    return render_template("activities/assignments.html", programme=programme,
                           plans=assignments.plan_for(programme), bulk=forms.BulkAssignForm(),
                           due=forms.DueForm(), confirm=forms.ConfirmForm())


@bp.post("/assignments/modules/<int:module_id>")
def assign_module(programme_id: int, module_id: int):
    """Leads and trainers: assign all of a module's activities to the intervention arm."""
    programme = _staff(programme_id)
    form = forms.BulkAssignForm()
    if form.validate_on_submit():
        try:
            added = assignments.assign_module(current_user, programme, module_id, form.due_on.data)
            flash(f"Assigned {plural(added, 'activity', 'activities')}.", "success")
        except RuleViolation as exc:
            flash(exc.message, "error")
    else:
        flash("Enter the due date as a real date.", "error")
    return redirect(url_for(".assignments_page", programme_id=programme_id))


@bp.post("/assignments/<int:assignment_id>/due")
def set_due(programme_id: int, assignment_id: int):
    """Leads and trainers: change an assignment's due date."""
    programme = _staff(programme_id)
    assignment = assignments.get_assignment(programme, assignment_id)
    form = forms.DueForm()
    if form.validate_on_submit():
        assignments.set_due_on(current_user, assignment, form.due_on.data)
        flash(f"{assignment.activity.title} is now due on {form.due_on.data:%-d %B %Y}.", "success")
    else:
        flash("Enter the due date as a real date.", "error")
    return redirect(url_for(".assignments_page", programme_id=programme_id))


@bp.post("/assignments/<int:assignment_id>/delete")
def unassign(programme_id: int, assignment_id: int):
    """Leads and trainers: withdraw an assignment nobody has logged yet."""
    programme = _staff(programme_id)
    assignment = assignments.get_assignment(programme, assignment_id)
    if forms.ConfirmForm().validate_on_submit():
        try:
            assignments.unassign(current_user, assignment)
            flash("Withdrawn.", "success")
        except RuleViolation as exc:
            flash(exc.message, "error")
    return redirect(url_for(".assignments_page", programme_id=programme_id))


@bp.get("/progress")
def progress_page(programme_id: int):
    """Leads and trainers: the cohort table (sort and filter by query arguments)."""
    programme = _staff(programme_id)
    args = request.args
    table = progress.cohort(programme, sort=args.get("sort", "name"), descending=args.get("dir") == "desc",
                            team=args.get("team") or None, behind_only=args.get("behind") == "1",
                            page=list_args(args, {}).page)
    return render_template("activities/progress.html", programme=programme, table=table, args=args)


@bp.get("/peer-groups")
def peer_groups(programme_id: int):
    """Leads and trainers: the peer groups, who is left over, and forms to group them."""
    programme = _staff(programme_id)
    return render_template("activities/peer_groups.html", programme=programme,
                           overview=peers.overview(programme), group_form=forms.GroupForm(),
                           shuffle_form=forms.ShuffleForm(), confirm=forms.ConfirmForm())


@bp.post("/peer-groups")
def form_group(programme_id: int):
    """Leads and trainers: put two or three chosen participants in a group."""
    programme = _staff(programme_id)
    form = forms.GroupForm()
    if form.validate_on_submit():
        try:
            peers.form_group(current_user, programme, form.members.data or [])
            flash("Formed the group.", "success")
        except RuleViolation as exc:
            flash(exc.message, "error")
    return redirect(url_for(".peer_groups", programme_id=programme_id))


@bp.post("/peer-groups/shuffle")
def shuffle(programme_id: int):
    """Leads and trainers: shuffle everyone not yet grouped into pairs or triads."""
    programme = _staff(programme_id)
    form = forms.ShuffleForm()
    if form.validate_on_submit():
        try:
            count = peers.shuffle_groups(current_user, programme, int(form.size.data), rng=random.Random())
            flash(f"Formed {plural(count, 'group')}.", "success")
        except RuleViolation as exc:
            flash(exc.message, "error")
    return redirect(url_for(".peer_groups", programme_id=programme_id))


@bp.post("/peer-groups/<int:group_id>/delete")
def dissolve(programme_id: int, group_id: int):
    """Leads and trainers: dissolve a group that has not met yet."""
    programme = _staff(programme_id)
    if forms.ConfirmForm().validate_on_submit():
        try:
            peers.dissolve_group(current_user, programme, group_id)
            flash("Dissolved the group.", "success")
        except RuleViolation as exc:
            flash(exc.message, "error")
    return redirect(url_for(".peer_groups", programme_id=programme_id))
