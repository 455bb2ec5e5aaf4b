"""Consent on first visit, the participant information, "Your data and consent", the consent gate."""
from flask import (Blueprint, Response, flash, redirect, render_template, request, url_for)
from flask_login import current_user, login_required

from trainer import navigation
from trainer.clock import today_in, utcnow
from trainer.errors import RuleViolation
from trainer.forms_support import apply_violation, as_choices, submit_once
from trainer.privacy import forms
from trainer.services.accounts import access
from trainer.services.privacy import consent, erasure, subject_access, withdrawal

bp = Blueprint("privacy", __name__)

# Pages a participant may reach before consenting: these, signing in and out, and static files.
UNGATED = {"privacy.consent", "privacy.my_data", "privacy.withdraw", "privacy.download",
           "auth.logout", "static", "home.healthz"}


@bp.before_app_request
def _consent_gate():
    """A participant sees the programme's information and consents before any page of it (and
    before their home page); the rule is consent.consent_gate."""
    endpoint = request.endpoint or ""
    if endpoint in UNGATED or endpoint.startswith("auth.") or not current_user.is_authenticated:
        return None
    programme_id = (request.view_args or {}).get("programme_id")
    if programme_id is None and endpoint != "home.index":
        return None
    if request.method == "GET" and not any(role == "participant" for role, _ in navigation.request_places()):
        return None  # only participants consent; on a GET the navigation reuses the roles just read
    due = navigation.request_consent_due(programme_id)
    return redirect(url_for("privacy.consent", programme_id=due)) if due else None


def _today(programme):
    return today_in(programme.timezone, utcnow())


@bp.route("/programmes/<int:programme_id>/consent", methods=["GET", "POST"], endpoint="consent")
@login_required
def consent_page(programme_id: int):
    """The participant: read the information and say what they agree to."""
    member = consent.require_own_participation(current_user, programme_id)
    given = consent.consents_of(member)
    form = forms.ConsentForm(data={p: p in given and given[p].withdrawn_on is None for p in given})
    if form.validate_on_submit():
        try:
            consent.give_consent(member, form.purposes(), today=_today(member.programme))
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            flash("Thank you: your choices are recorded. You can change them on your data page.", "success")
            return redirect(url_for("home.index"))
    return render_template("privacy/consent.html", programme=member.programme, member=member,
                           information=consent.current_information(member.programme),
                           reconfirm="programme" in given, form=form)


@bp.route("/programmes/<int:programme_id>/information", methods=["GET", "POST"])
@login_required
def information(programme_id: int):
    """Leads: edit the participant information; each edit is a new version."""
    acc = access.require_membership(current_user, programme_id, ("lead",))
    current = consent.current_information(acc.programme)
    form = forms.InformationForm(data={"text": current.text})
    if form.validate_on_submit():
        try:
            return submit_once(
                form, lambda: consent.save_information(current_user, acc.programme, form.text.data),
                lambda _saved: url_for("privacy.information", programme_id=programme_id),
                "The new version is saved. Participants will be asked to confirm it on their next visit.")
        except RuleViolation as exc:
            apply_violation(form, exc)
    return render_template("privacy/information.html", programme=acc.programme, current=current, form=form)


@bp.route("/programmes/<int:programme_id>/consents", methods=["GET", "POST"])
@login_required
def register(programme_id: int):
    """Leads: who consented to what, and recording consent given on paper."""
    acc = access.require_membership(current_user, programme_id, ("lead",))
    rows = consent.participants_for_paper(current_user, acc.programme)
    form = forms.PaperConsentForm()
    form.membership_id.choices = as_choices([(m.id, f"{m.user.display_name} ({m.user.email})") for m, _ in rows])
    if form.validate_on_submit():
        try:
            member = consent.record_paper_consent(current_user, acc.programme, form.membership_id.data,
                                                  form.purposes(), form.given_on.data,
                                                  today=_today(acc.programme))
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            flash(f"Consent given on paper by {member.user.display_name} is recorded.", "success")
            return redirect(url_for("privacy.register", programme_id=programme_id))
    return render_template("privacy/register.html", programme=acc.programme, rows=rows, form=form,
                           labels=consent.PURPOSE_LABELS)


def _my_data_page(failed: forms.WithdrawForm | None = None, failed_id: int | None = None):
    """The data page: one withdrawal form per programme (prefixed, so ids stay unique)."""
    places = consent.places_for(current_user)
    withdraw_forms = {p.membership.programme_id: forms.WithdrawForm(prefix=f"p{p.membership.programme_id}")
                      for p in places}
    if failed is not None:
        withdraw_forms[failed_id] = failed
    return render_template("privacy/my_data.html", places=places, labels=consent.PURPOSE_LABELS,
                           withdraw_forms=withdraw_forms, download_form=forms.ConfirmForm())


@bp.get("/my-data")
@login_required
def my_data():
    """Anyone signed in: what they agreed to, withdrawal, and the download of their data."""
    return _my_data_page()


@bp.post("/my-data/programmes/<int:programme_id>/withdraw")
@login_required
def withdraw(programme_id: int):
    """The participant: withdraw from the evaluation or the programme, keeping or deleting answers."""
    member = consent.require_own_participation(current_user, programme_id)
    form = forms.WithdrawForm(prefix=f"p{programme_id}")
    if form.validate_on_submit():
        try:
            withdrawal.withdraw(member, scope=form.scope.data, keep_answers=form.answers.data == "keep",
                                today=_today(member.programme), actor_id=current_user.id)
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            flash("You have withdrawn. Nothing more will be asked of you for the evaluation.", "success")
            return redirect(url_for("privacy.my_data"))
    return _my_data_page(form, programme_id), 400


@bp.post("/my-data/download")
@login_required
def download():
    """Anyone signed in: everything the app holds about them, as one ZIP file."""
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("privacy.my_data"))
    return Response(subject_access.download(current_user), mimetype="application/zip", headers={
        "Content-Disposition": "attachment; filename=my-data.zip"})


@bp.route("/admin/users/<int:user_id>/erase", methods=["GET", "POST"])
@login_required
def erase(user_id: int):
    """Admins: see exactly what erasing a person removes, then erase them."""
    form = forms.ConfirmForm()
    try:
        if form.validate_on_submit():
            erasure.erase(current_user, user_id)
            flash("The person's data has been erased.", "success")
            return redirect(url_for("admin.users"))
        plan = erasure.plan(current_user, user_id)
    except RuleViolation as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.users"))
    return render_template("privacy/erase.html", plan=plan, form=form)
