"""The app's log output: one line per request (request id, user id, timing), as text or JSON."""
import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, request
from sqlalchemy import inspect

log = logging.getLogger("trainer.requests")
# An X-Request-ID set by the proxy (nginx's $request_id) is kept if it looks like an id.
INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")
FIELDS = ("request_id", "user_id", "method", "path", "status", "duration_ms", "remote_addr")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, and the request fields if any."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        entry = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        entry.update({name: getattr(record, name) for name in FIELDS if hasattr(record, name)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(log_format: str, stream=None) -> logging.Handler:
    """Send every ``trainer`` log to ``stream`` (stderr) as JSON lines or text; return the handler.

    Called once per app; a later call replaces the handler, so handlers never pile up.
    """
    logger = logging.getLogger("trainer")
    for old in [h for h in logger.handlers if getattr(h, "trainer_handler", False)]:
        logger.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.trainer_handler = True
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return handler


def init_app(app: Flask) -> None:
    """Configure logging from LOG_FORMAT and log every request once, with its id in X-Request-ID."""
    configure_logging(app.config.get("LOG_FORMAT", "text"))

    @app.before_request
    def _start():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if INCOMING_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def _log(response):
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Request-ID"] = request_id
        started = g.get("request_started")
        duration = round((time.perf_counter() - started) * 1000, 1) if started else None
        # Flask-Login's cached user: reading it never loads one (static files need no query),
        # and its id comes from the identity map, so a view that committed (expiring the user)
        # does not cost a query to reload it.
        state = inspect(g.get("_login_user"), raiseerr=False)
        user_id = state.identity[0] if state is not None and state.identity else None
        fields = {"request_id": request_id, "user_id": user_id, "method": request.method,
                  "path": _loggable_path(), "status": response.status_code,
                  "duration_ms": duration, "remote_addr": request.remote_addr}
        log.info("%s %s %s %sms request_id=%s user_id=%s", request.method, fields["path"],
                 response.status_code, duration, request_id, user_id if user_id else "-", extra=fields)
        return response


def _loggable_path() -> str:
    # One-time links and calendar feeds carry a secret token in the path: never log it.
    path = request.path
    token = (request.view_args or {}).get("token")
    return path.replace(token, "[token]") if token else path
