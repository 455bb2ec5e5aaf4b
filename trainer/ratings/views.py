"""Rating pages: the participant's rating form, and the lead's waves and response tracking."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from trainer.clock import today_in, utcnow
from trainer.errors import RuleViolation
from trainer.forms_support import apply_violation, list_args, submit_once
from trainer.ratings import forms
from trainer.services.accounts import access
from trainer.services.ratings import ratings
from trainer.wording import plural

bp = Blueprint("ratings", __name__, url_prefix="/programmes/<int:programme_id>")


@bp.route("/ratings/<int:wave_id>", methods=["GET", "POST"])
@login_required
def rate(programme_id: int, wave_id: int):
    """Intervention-arm participants of the programme: rate the modules they were scheduled for."""
    member, wave, sheet = ratings.rater_sheet(current_user, programme_id, wave_id, now=utcnow())
    form = forms.rating_form_class(sheet.modules)(data=forms.initial_data(sheet))
    if form.validate_on_submit():
        try:
            finished = ratings.save_ratings(member, wave, forms.answers_from(form, sheet.modules),
                                            finish=form.finish.data, now=utcnow(), sheet=sheet)
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            flash("Thank you: your ratings are submitted. You can change them until the wave "
                  "closes." if finished else "Your answers are saved. Come back to finish "
                  "before the wave closes.", "success")
            return redirect(url_for("ratings.rate", programme_id=programme_id, wave_id=wave_id))
    return render_template("ratings/rate.html", form=form, sheet=sheet, wave=wave,
                           programme=wave.programme)


@bp.get("/waves")
@login_required
def waves(programme_id: int):
    """Leads: the programme's rating waves, their dates, state and responses."""
    programme = access.require_membership(current_user, programme_id, ("lead",)).programme
    lines = ratings.wave_overview(current_user, programme, today_in(programme.timezone, utcnow()))
    return render_template("ratings/waves.html", programme=programme, lines=lines,
                           form=forms.ConfirmForm())


@bp.post("/waves/setup")
@login_required
def set_up(programme_id: int):
    """Leads: create the default waves now."""
    programme = access.require_membership(current_user, programme_id, ("lead",)).programme
    if forms.ConfirmForm().validate_on_submit():
        ratings.set_up_waves(current_user, programme)
        flash("The default rating waves are set up.", "success")
    return redirect(url_for("ratings.waves", programme_id=programme_id))


@bp.route("/waves/new", methods=["GET", "POST"], defaults={"wave_id": None})
@bp.route("/waves/<int:wave_id>/edit", methods=["GET", "POST"])
@login_required
def edit_wave(programme_id: int, wave_id: int | None):
    """Leads: add a wave, or change one that has not opened."""
    programme = access.require_membership(current_user, programme_id, ("lead",)).programme
    wave = ratings.get_wave(programme, wave_id) if wave_id else None
    form = forms.WaveForm(obj=wave)
    if form.validate_on_submit():
        try:
            return submit_once(
                form, lambda: ratings.save_wave(current_user, programme, wave_id, label=form.label.data,
                                                offset_days=form.offset_days.data,
                                                window_days=form.window_days.data,
                                                today=today_in(programme.timezone, utcnow())),
                lambda _wave: url_for("ratings.waves", programme_id=programme_id),
                f"The wave ‘{form.label.data.strip()}’ is saved.")
        except RuleViolation as exc:
            apply_violation(form, exc)
    return render_template("ratings/edit_wave.html", programme=programme, wave=wave, form=form)


@bp.get("/waves/<int:wave_id>/responses")
@login_required
def responses(programme_id: int, wave_id: int):
    """Leads: who has finished, started or not responded in a wave."""
    programme = access.require_membership(current_user, programme_id, ("lead",)).programme
    wave = ratings.get_wave(programme, wave_id)
    args = list_args(request.args, {"status": tuple(ratings.TRACKING_FILTERS)})
    tracking = ratings.response_tracking(current_user, programme, wave, q=args.q, page=args.page,
                                         status=args.filters.get("status"))
    return render_template("ratings/responses.html", programme=programme, wave=wave, tracking=tracking,
                           args=args, result=tracking.page,
                           is_open=ratings.is_open(wave, today_in(programme.timezone, utcnow())),
                           form=forms.ConfirmForm())


@bp.post("/waves/<int:wave_id>/remind")
@login_required
def remind(programme_id: int, wave_id: int):
    """Leads: one reminder to everyone in the wave who has not finished (once a day at most)."""
    programme = access.require_membership(current_user, programme_id, ("lead",)).programme
    wave = ratings.get_wave(programme, wave_id)
    if forms.ConfirmForm().validate_on_submit():
        try:
            queued = ratings.remind_non_respondents(current_user, programme, wave, now=utcnow(),
                                                    base_url=current_app.config["BASE_URL"])
        except RuleViolation as exc:
            flash(exc.message, "error")
        else:
            who = "who has" if queued == 1 else "who have"
            flash(f"Reminders queued for {plural(queued, 'participant')} {who} not finished." if queued
                  else "Everyone who has not finished has already been reminded today.", "success")
    return redirect(url_for("ratings.responses", programme_id=programme_id, wave_id=wave_id))
