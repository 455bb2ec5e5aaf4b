"""Error pages: domain exceptions and HTTP errors become pages that explain themselves."""
import logging

from flask import Flask, current_app, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from trainer.errors import NotForComparisonArm, NotFound, PermissionDenied, TooManyAttempts
from trainer.extensions import db

log = logging.getLogger(__name__)
PAGES = {400: "errors/400.html", 403: "errors/403.html", 404: "errors/404.html",
         429: "errors/429.html", 500: "errors/500.html"}
# The database did not answer (refused, dropped, pool exhausted, SQLite file unreadable or locked).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeout)
RETRY_AFTER_SECONDS = 30


def render_error(status: int, description: str | None = None):
    """Render the error page for ``status`` (a 500 page for anything without its own).

    The pages share the site's layout, which asks the database for the signed-in user and
    their navigation; if the database fails meanwhile, the answer is the outage page instead.
    """
    template = PAGES.get(status, "errors/500.html" if status >= 500 else "errors/400.html")
    try:
        return render_template(template, description=description, status=status), status
    except DATABASE_UNAVAILABLE:
        return database_unavailable()


def database_unavailable():
    """The 503 answer while the database is unreachable: a self-contained page and Retry-After.

    It is rendered without context processors (they would look up the signed-in user) and the
    failed session is thrown away, so the next request starts on a fresh connection: the app
    recovers by itself when the database returns.
    """
    log.error("The database is unavailable", exc_info=True)
    try:
        db.session.remove()
    except Exception:  # noqa: BLE001 - the connection is already broken; nothing more to undo
        pass
    page = current_app.jinja_env.get_template("errors/503.html").render()
    return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}


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
        own = exc.description if exc.description != type(exc).description else None
        return render_error(exc.code or 500, own)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    @app.errorhandler(PoolTimeout)
    def _database_unavailable(exc):
        return database_unavailable()

    @app.errorhandler(Exception)
    def _unexpected(exc):
        log.exception("Unhandled error")
        try:
            db.session.rollback()
        except DATABASE_UNAVAILABLE:
            return database_unavailable()
        return render_error(500, None)
