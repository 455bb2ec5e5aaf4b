"""The module library."""
from flask import Blueprint, render_template
from flask_login import current_user, login_required

from trainer.services.accounts import access
from trainer.services.scheduling import curriculum

bp = Blueprint("curriculum", __name__, url_prefix="/modules")


@bp.get("/")
@login_required
def index():
    """Signed-in users except comparison-arm participants: every module of the curriculum, in order."""
    access.require_training_material(current_user)
    return render_template("curriculum/index.html", modules=curriculum.list_modules())


@bp.get("/<key>")
@login_required
def module(key: str):
    """Signed-in users except comparison-arm participants: one module with its aims, evidence and
    self-directed activities."""
    access.require_training_material(current_user)
    return render_template("curriculum/module.html", module=curriculum.get_module(key))
