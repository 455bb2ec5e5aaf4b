"""Schedule pages: days and sessions, attendance, apologies, agendas and calendar feeds."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from trainer.clock import today_in, utcnow
from trainer.errors import PermissionDenied, RuleViolation
from trainer.forms_support import apply_violation, as_choices, list_args, submit_once
from trainer.schedule.forms import ApologyForm, ConfirmForm, DayForm, SessionForm, attendance_marks
from trainer.services.accounts import access
from trainer.services.scheduling import attendance, calendar, curriculum, scheduling
from trainer.wording import plural

bp = Blueprint("schedule", __name__)
STAFF = ("lead", "trainer")


@bp.route("/programmes/<int:programme_id>/days/new", methods=["GET", "POST"])
@login_required
def new_day(programme_id: int):
    """The programme's leads and trainers: add a training day."""
    acc = access.require_membership(current_user, programme_id, STAFF)
    form = DayForm()
    if form.validate_on_submit():
        try:
            return submit_once(
                form, lambda: scheduling.add_day(current_user, acc.programme, _day_input(form)),
                lambda day: url_for("schedule.new_session", day_id=day.id),
                "Training day added. Now add its sessions.")
        except RuleViolation as exc:
            apply_violation(form, exc)
    return render_template("schedule/day_form.html", form=form, programme=acc.programme, day=None)


@bp.route("/days/<int:day_id>/edit", methods=["GET", "POST"])
@login_required
def edit_day(day_id: int):
    """The programme's leads and trainers: change or move a day (told participants hear of it)."""
    day, _ = access.require_day(current_user, day_id, STAFF)
    form = DayForm(obj=day)
    if form.validate_on_submit():
        try:
            scheduling.update_day(current_user, day, _day_input(form))
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            flash("Training day saved.", "success")
            return redirect(url_for("programmes.show", programme_id=day.programme_id))
    return render_template("schedule/day_form.html", form=form, programme=day.programme, day=day)


@bp.route("/days/<int:day_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_day(day_id: int):
    """The programme's leads and trainers: confirm, then cancel a day."""
    day, _ = access.require_day(current_user, day_id, STAFF)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            scheduling.cancel_day(current_user, day)
        except RuleViolation as exc:
            flash(exc.message, "error")
        else:
            flash("Training day cancelled.", "success")
        return redirect(url_for("programmes.show", programme_id=day.programme_id))
    return render_template("schedule/cancel_day.html", form=form, day=day)


@bp.route("/days/<int:day_id>/sessions/new", methods=["GET", "POST"])
@login_required
def new_session(day_id: int):
    """The programme's leads and trainers: add a session to a day."""
    day, _ = access.require_day(current_user, day_id, STAFF)
    form = _session_form(day)
    if form.validate_on_submit():
        try:
            return submit_once(
                form, lambda: scheduling.add_session(current_user, day, _session_input(form)),
                lambda _session: url_for("schedule.new_session", day_id=day_id), "Session added.")
        except RuleViolation as exc:
            apply_violation(form, exc)
    return render_template("schedule/session_form.html", form=form, day=day, session=None)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def edit_session(session_id: int):
    """The programme's leads and trainers: change a session."""
    session = scheduling.get_session(session_id)
    access.require_membership(current_user, session.day.programme_id, STAFF)
    form = _session_form(session.day, session)
    if form.validate_on_submit():
        try:
            scheduling.update_session(current_user, session, _session_input(form))
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            flash("Session saved.", "success")
            return redirect(url_for("programmes.show", programme_id=session.day.programme_id))
    return render_template("schedule/session_form.html", form=form, day=session.day, session=session,
                           confirm=ConfirmForm())


@bp.post("/sessions/<int:session_id>/delete")
@login_required
def delete_session(session_id: int):
    """The programme's leads and trainers: remove a session."""
    session = scheduling.get_session(session_id)
    access.require_membership(current_user, session.day.programme_id, STAFF)
    programme_id = session.day.programme_id
    if ConfirmForm().validate_on_submit():
        scheduling.delete_session(current_user, session)
        flash("Session removed.", "success")
    return redirect(url_for("programmes.show", programme_id=programme_id))


@bp.route("/days/<int:day_id>/attendance", methods=["GET", "POST"], endpoint="attendance")
@login_required
def take_attendance(day_id: int):
    """The programme's leads and trainers: mark each participant for the day and its sessions.

    "Mark everyone present" posts the form without saving and shows it again pre-filled; a
    refused save shows again everything entered.
    """
    day, acc = access.require_day(current_user, day_id, STAFF)
    page = list_args(request.args, {}).page
    register = attendance.register(day, today=today_in(acc.programme.timezone, utcnow()), page=page)
    form, (marks, session_marks), prefilled = ConfirmForm(), register.marks(), False
    if form.validate_on_submit():
        marks, session_marks = attendance_marks(request.form, register.rows, register.sessions)
        if request.form.get("action") == "everyone-present" and register.closed is None:
            marks, prefilled = attendance.everyone_present(register.rows, marks), True
        else:
            try:
                count = attendance.record_attendance(current_user, day, marks, session_marks,
                                                     today=today_in(acc.programme.timezone, utcnow()))
            except RuleViolation as exc:
                apply_violation(form, exc)
            else:
                flash(f"Attendance saved for {plural(count, 'participant')}.", "success")
                return redirect(url_for("schedule.attendance", day_id=day.id,
                                        page=page if register.page.pages > 1 else None))
    return render_template("schedule/attendance.html", form=form, day=day, register=register,
                           lines=register.lines(marks, session_marks), prefilled=prefilled)


@bp.get("/days/<int:day_id>/agenda")
@login_required
def agenda(day_id: int):
    """Leads, trainers and the day's (intervention) participants: the printable agenda."""
    day, acc = access.require_day(current_user, day_id, ("lead", "trainer", "participant"))
    if not acc.has(*STAFF) and acc.participant.arm != "intervention":
        raise PermissionDenied("The comparison group has no training days in this programme.")
    return render_template("schedule/agenda.html", day=calendar.agenda(day))


@bp.route("/days/<int:day_id>/apology", methods=["GET", "POST"])
@login_required
def apology(day_id: int):
    """The day's participants: send, change or withdraw apologies before the day."""
    day, acc = access.require_day(current_user, day_id, ("participant",))
    if acc.participant.arm != "intervention":
        raise PermissionDenied("The comparison group has no training days in this programme.")
    existing = attendance.apology_for(acc.participant, day)
    form = ApologyForm(obj=existing)
    if form.validate_on_submit():
        today = today_in(day.programme.timezone, utcnow())
        try:
            if request.form.get("action") == "withdraw":
                attendance.withdraw_apology(acc.participant, day, today=today)
                flash("Your apologies are withdrawn: we look forward to seeing you.", "success")
            else:
                attendance.send_apology(acc.participant, day, form.reason.data, today=today)
                flash("Your apologies are sent. Thank you for letting us know.", "success")
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            return redirect(url_for("home.index"))
    return render_template("schedule/apology.html", form=form, day=day, existing=existing)


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    """Anyone holding the private token: the owner's calendar (no sign-in, so calendar apps can fetch it)."""
    user = calendar.user_for_token(token)
    if user is None:
        abort(404)
    return Response(calendar.build_feed(user, now=utcnow()), mimetype="text/calendar",
                    headers={"Cache-Control": "private, max-age=300"})


@bp.post("/calendar/reset")
@login_required
def reset_feed():
    """Any signed-in user: make a new private calendar address (the old one stops working)."""
    if ConfirmForm().validate_on_submit():
        calendar.reset_token(current_user)
        flash("Your calendar address is ready. Any old address no longer works.", "success")
    return redirect(url_for("home.index") + "#calendar")


def _day_input(form: DayForm) -> scheduling.DayInput:
    return scheduling.DayInput(form.day.data, form.starts_at.data, form.ends_at.data,
                               form.venue.data or "", form.notes.data or "")


def _session_form(day, session=None) -> SessionForm:
    if session is None:
        defaults = scheduling.session_defaults(day)
        form = SessionForm(data={"starts_at": defaults.starts_at, "ends_at": defaults.ends_at,
                                 "module_id": defaults.module_id or 0})
    else:
        form = SessionForm(obj=session)
    form.module_id.choices = as_choices(
        [(0, "Choose a module")] + [(m.id, m.title) for m in curriculum.list_modules()])
    form.trainer_ids.choices = as_choices(
        (m.id, m.user.display_name) for m in scheduling.programme_trainers(day.programme))
    if session is not None and not form.is_submitted():
        form.trainer_ids.data = [t.membership_id for t in session.trainers]
    return form


def _session_input(form: SessionForm) -> scheduling.SessionInput:
    return scheduling.SessionInput(form.starts_at.data, form.ends_at.data, form.module_id.data,
                                   tuple(form.trainer_ids.data or ()), form.room.data or "")
