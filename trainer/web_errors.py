"""Error pages: domain exceptions and HTTP errors become pages that explain themselves."""
import logging

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from trainer.errors import NotForComparisonArm, NotFound, PermissionDenied, TooManyAttempts
from trainer.extensions import db

log = logging.getLogger(__name__)
PAGES = {400: "errors/400.html", 403: "errors/403.html", 404: "errors/404.html",
         429: "errors/429.html", 500: "errors/500.html"}


def render_error(status: int, description: str | None = None):
    """Render the error page for ``status`` (a 500 page for anything without its own)."""
    template = PAGES.get(status, "errors/500.html" if status >= 500 else "errors/400.html")
    return render_template(template, description=description, status=status), status


def init_app(app: Flask) -> None:
    """Register the handlers on ``app``."""

    @app.errorhandler(PermissionDenied)
    def _denied(exc):
        return render_error(403, str(exc))

    @app.errorhandler(NotForComparisonArm)
    def _comparison_arm(exc):
        return render_template("errors/comparison_arm.html", description=str(exc), status=403), 403

    @app.errorhandler(NotFound)
    def _not_found(exc):
        return render_error(404, str(exc))

    @app.errorhandler(TooManyAttempts)
    def _throttled(exc):
        return render_error(429, str(exc))

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return render_error(400, "The form had expired or was not sent from this site, so nothing "
                                 "was saved. Go back, reload the page and try again.")

    @app.errorhandler(HTTPException)
    def _http(exc):
        return render_error(exc.code or 500, None)

    @app.errorhandler(Exception)
    def _unexpected(exc):
        log.exception("Unhandled error")
        db.session.rollback()
        return render_error(500, None)
