"""Home pages and the health check."""
from datetime import timedelta

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_login import current_user

from trainer import navigation
from trainer.clock import utcnow
from trainer.services.system import health, home

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """Anyone: a welcome page; signed-in users see their home for each role they hold."""
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    return render_template("home/index.html", home=home.home_for(
        current_user, utcnow(), base_url=current_app.config["BASE_URL"],
        page=request.args.get("page", 1, type=int), places=navigation.request_places()))


@bp.get("/healthz")
def healthz():
    """Anyone (load balancers): 200 with the database state, 503 if it does not answer.

    It also reports the scheduler's last heartbeat: 503 when that is older than
    SCHEDULER_HEARTBEAT_MAX_AGE seconds (no heartbeat yet is reported, not a failure).
    """
    ok = home.database_ok()
    body = {"status": "ok" if ok else "error", "database": "ok" if ok else "unreachable"}
    if ok:
        scheduler = health.scheduler_status(
            utcnow(), max_age=timedelta(seconds=current_app.config["SCHEDULER_HEARTBEAT_MAX_AGE"]))
        body["scheduler"] = scheduler.as_dict()
        if not scheduler.healthy:
            body["status"], ok = "error", False
    return jsonify(body), (200 if ok else 503)
