"""Administration: accounts, invitations, programme roles, the outbox and the organisation's settings."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from trainer.admin.forms import ConfirmForm, GrantForm, InviteForm, OrganisationForm, TestEmailForm
from trainer.clock import utcnow
from trainer.errors import RuleViolation
from trainer.forms_support import already_sent, apply_violation, as_choices, list_args, run_once
from trainer.services.accounts import access, accounts, grants, invitations, recovery
from trainer.services.system import mail, organisation, outbox

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _admins_only():
    access.require_admin(current_user)


@bp.get("/users")
def users():
    """Admins: the accounts, searched, filtered by status and paged, with enable and disable buttons."""
    args = list_args(request.args, {"status": accounts.USER_STATUSES})
    return render_template("admin/users.html", args=args, form=ConfirmForm(),
                           result=accounts.user_page(q=args.q, status=args.filters.get("status"),
                                                     page=args.page))


@bp.route("/users/invite", methods=["GET", "POST"])
def invite():
    """Admins: create an account (or renew an unused one's link) with a one-time set-password
    link, shown here and e-mailed, and optionally add the person to a programme in a role."""
    form = InviteForm()
    choices = {p.id: p for p in invitations.all_programmes()}
    form.programme_id.choices = as_choices([(0, "No programme")] + [(i, p.name) for i, p in choices.items()])
    if form.validate_on_submit():
        try:
            outcome = run_once(form, lambda: invitations.invite(
                current_user._get_current_object(), form.email.data, form.display_name.data,
                is_admin=form.is_admin.data, programme=choices.get(form.programme_id.data),
                role=form.role.data, base_url=current_app.config["BASE_URL"], now=utcnow()),
                lambda _invitation: url_for("admin.users"))
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            if not outcome.created:
                return already_sent(outcome)
            return render_template("admin/invited.html", invitation=outcome.result)
    return render_template("admin/invite.html", form=form)


@bp.post("/users/<int:user_id>/<any(enable, disable):action>")
def set_enabled(user_id: int, action: str):
    """Admins: enable or disable an account (disabling signs it out everywhere)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("The form had expired. Try again.", "error")
        return redirect(url_for("admin.users"))
    user = accounts.get_user(user_id)
    try:
        accounts.set_enabled(current_user._get_current_object(), user, action == "enable")
    except RuleViolation as exc:
        flash(exc.message, "error")
    else:
        flash(f"{user.display_name}'s account is now {action}d.", "success")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/send-link")
def send_link(user_id: int):
    """Admins: send an enabled account a new one-time link to choose a password (shown here too)."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("The form had expired. Try again.", "error")
        return redirect(url_for("admin.users"))
    user = accounts.get_user(user_id)
    try:
        link = recovery.send_sign_in_link(current_user._get_current_object(), user,
                                          base_url=current_app.config["BASE_URL"], now=utcnow())
    except RuleViolation as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.users"))
    return render_template("admin/link_sent.html", user=user, link=link)


@bp.route("/roles", methods=["GET", "POST"])
def grant():
    """Admins: give someone, themselves included, a role in any programme (audited)."""
    admin = current_user._get_current_object()
    form = GrantForm()
    form.programme_id.choices = as_choices((p.id, p.name) for p in grants.programmes_to_choose(admin))
    if request.method == "GET" and request.args.get("email"):
        form.email.data = request.args["email"]
    if form.validate_on_submit():
        try:
            membership = grants.grant_role_by_email(admin, form.programme_id.data, form.email.data,
                                                    form.role.data)
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            flash(f"{membership.user.display_name} is now {'an' if membership.role == 'evaluator' else 'a'} "
                  f"{membership.role} of {membership.programme.name}.", "success")
            return redirect(url_for("admin.grant"))
    return render_template("admin/grant.html", form=form)


@bp.get("/outbox")
def outbox_page():
    """Admins: queued, sent and failed e-mails, newest first, searched and filtered by status."""
    args = list_args(request.args, {"status": outbox.MESSAGE_STATUSES})
    return render_template("admin/outbox.html", args=args, form=ConfirmForm(),
                           result=outbox.message_page(q=args.q, status=args.filters.get("status"),
                                                      page=args.page),
                           smtp_configured=bool(current_app.config.get("MAIL_SERVER")))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Admins: the organisation's name, default support resources and retention period."""
    form = OrganisationForm(obj=organisation.settings())
    if form.validate_on_submit():
        try:
            organisation.update_settings(
                current_user._get_current_object(), name=form.name.data,
                support_resources=form.support_resources.data, now=utcnow(),
                retention_months=form.retention_months.data)
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            flash("The organisation settings are saved.", "success")
            return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form,
                           test_form=TestEmailForm(to=current_user.email), smtp_answer=None)


@bp.post("/settings/test-email")
def test_email():
    """Admins: send a test e-mail now and show what the mail server answered."""
    test_form, answer = TestEmailForm(), None
    if test_form.validate_on_submit():
        try:
            answer = mail.send_test_message(mail.SmtpSettings.from_config(current_app.config),
                                            test_form.to.data,
                                            organisation_name=organisation.organisation_name())
        except RuleViolation as exc:
            apply_violation(test_form, exc)
    return render_template("admin/settings.html", form=OrganisationForm(obj=organisation.settings()),
                           test_form=test_form, smtp_answer=answer)


@bp.post("/outbox/<int:message_id>/retry")
def retry_message(message_id: int):
    """Admins: send a failed message again at the next delivery run."""
    if not ConfirmForm().validate_on_submit():
        flash("The form had expired. Try again.", "error")
        return redirect(url_for("admin.outbox_page"))
    try:
        message = outbox.retry(current_user._get_current_object(), message_id)
    except RuleViolation as exc:
        flash(exc.message, "error")
    else:
        flash(f"The message to {message.to_address} will be sent again at the next delivery run.",
              "success")
    return redirect(url_for("admin.outbox_page", status="failed"))
