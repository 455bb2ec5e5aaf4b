"""Request-level security: the session user loader, read-only GETs, and response headers."""
from flask import Flask, request
from werkzeug.exceptions import BadRequest

from trainer import database
from trainer.extensions import db, login_manager
from trainer.services.accounts import accounts

# GET endpoints that must write: the single sign-on callback (the provider redirects to it).
WRITING_GETS = frozenset({"auth.sso_callback"})

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def init_app(app: Flask) -> None:
    """Install the user loader and the per-request hooks on ``app``."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.user_loader(accounts.load_session_user)

    @app.before_request
    def _transaction_mode():
        database.read_only.set(request.method in ("GET", "HEAD", "OPTIONS")
                               and request.endpoint not in WRITING_GETS)
        # What access.programme_access keeps for one request starts empty with every request
        # (the session outlives a request served inside an app context pushed around it).
        db.session.info.pop("programme_access", None)

    @app.teardown_request
    def _end_read_only(_error):
        # Whatever runs after the request in this context (a test's own session, a command)
        # writes as usual.
        database.read_only.set(False)

    @app.before_request
    def _refuse_nul_characters():
        # No keyboard types a NUL; PostgreSQL cannot store one in text, so refuse it at the door.
        if any("\x00" in value for _key, values in request.values.lists() for value in values):
            raise BadRequest("The form contained a character that cannot be saved. Go back, "
                             "retype what you entered and try again.")

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint and request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "no-store")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
