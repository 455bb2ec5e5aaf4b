"""Routes for signing in and out and for passwords."""
from urllib.parse import urlsplit

from authlib.integrations.base_client import OAuthError
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from trainer.auth import sso
from trainer.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, SetPasswordForm
from trainer.clock import utcnow
from trainer.errors import RuleViolation
from trainer.forms_support import apply_violation
from trainer.services.accounts import accounts, recovery
from trainer.services.accounts import sso as sso_accounts
from trainer.services.accounts.throttling import ThrottlePolicy

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only follow ``next`` to a path on this site (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Anyone: sign in with e-mail and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    if not sso.password_signin():
        return render_template("auth/login_sso.html")
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(
            form.email.data, form.password.data, ip=request.remote_addr or "unknown", now=utcnow(),
            policy=ThrottlePolicy.from_settings(current_app.config))
        if user is None:
            form.email.errors.append("The email address or password is not right, or the account "
                                     "is disabled")
        else:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, sso_enabled=sso.enabled())


@bp.get("/login/sso")
def sso_start():
    """Anyone, when single sign-on is configured: go to the organisation's sign-in (else 404)."""
    sso.require_enabled()
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    try:
        return sso.begin(url_for("auth.sso_callback", _external=True))
    except sso.ProviderUnavailable:
        return _provider_unavailable()


@bp.get("/login/sso/callback")
def sso_callback():
    """The organisation's sign-in returns here: state, nonce and PKCE are checked, then the
    verified e-mail address must match an invited, enabled account. (A GET that writes: the
    provider redirects here; security.py gives it a write transaction.)"""
    sso.require_enabled()
    try:
        claims = sso.finish()
        user = sso_accounts.account_for(claims, now=utcnow(),
                                        allowed_domains=current_app.config["OIDC_ALLOWED_DOMAINS"])
    except sso.ProviderUnavailable:
        return _provider_unavailable()
    except OAuthError:
        return render_template("auth/sso_refused.html", reason=(
            "The sign-in did not complete, or its reply did not match the request this browser "
            "made. Start again from the sign-in page.")), 400
    except RuleViolation as exc:
        return render_template("auth/sso_refused.html", reason=exc.message), 403
    login_user(user)
    return redirect(url_for("home.index"))


def _provider_unavailable():
    return render_template("auth/sso_refused.html", reason=(
        "Your organisation's sign-in service did not answer. Try again in a few minutes.")), 502


@bp.post("/logout")
@login_required
def logout():
    """Signed-in users: sign out here and on every other device."""
    accounts.end_all_sessions(current_user._get_current_object())
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """Anyone: ask for a one-time link to choose a new password (same answer for any address)."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        recovery.request_password_reset(form.email.data, ip=request.remote_addr or "unknown",
                                        base_url=current_app.config["BASE_URL"], now=utcnow())
        return render_template("auth/forgot_password_sent.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Anyone holding a valid one-time link: choose a password."""
    user = accounts.token_user(token, now=utcnow())
    if user is None:
        return render_template("auth/link_invalid.html"), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.set_password_with_token(token, form.password.data, now=utcnow())
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            logout_user()
            flash("Your password is set. Sign in with your email address and new password.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/set_password.html", form=form, user=user)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Signed-in users: change their password (signs out every other session)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user._get_current_object(), form.current_password.data,
                                     form.password.data)
        except RuleViolation as exc:
            apply_violation(form, exc)
        else:
            login_user(current_user._get_current_object())
            flash("Your password has been changed. You have been signed out everywhere else.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form)
