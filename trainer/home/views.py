"""Home pages and the health check."""
from flask import Blueprint, current_app, jsonify, render_template, request
from flask_login import current_user

from trainer.clock import utcnow
from trainer.services import home

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """Anyone: a welcome page; signed-in users see their home for each role they hold."""
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    return render_template("home/index.html", home=home.home_for(
        current_user, utcnow(), base_url=current_app.config["BASE_URL"],
        page=request.args.get("page", 1, type=int)))


@bp.get("/healthz")
def healthz():
    """Anyone (load balancers): 200 with the database state, 503 if it does not answer."""
    ok = home.database_ok()
    return jsonify(status="ok" if ok else "error", database="ok" if ok else "unreachable"), \
        (200 if ok else 503)
