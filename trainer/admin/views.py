"""Administration: accounts, invitations and the outbox."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from trainer.admin.forms import ConfirmForm, InviteForm
from trainer.clock import utcnow
from trainer.errors import RuleViolation
from trainer.forms_support import apply_violation, as_choices, list_args
from trainer.services import access, accounts, invitations, outbox

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
            invitation = invitations.invite(
                current_user._get_current_object(), form.email.data, form.display_name.data,
                is_admin=form.is_admin.data, programme=choices.get(form.programme_id.data),
                role=form.role.data, base_url=current_app.config["BASE_URL"], now=utcnow())
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            return render_template("admin/invited.html", invitation=invitation)
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


@bp.get("/outbox")
def outbox_page():
    """Admins: queued, sent and failed e-mails, newest first, searched and filtered by status."""
    args = list_args(request.args, {"status": outbox.MESSAGE_STATUSES})
    return render_template("admin/outbox.html", args=args, form=ConfirmForm(),
                           result=outbox.message_page(q=args.q, status=args.filters.get("status"),
                                                      page=args.page),
                           smtp_configured=bool(current_app.config.get("MAIL_SERVER")))


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
