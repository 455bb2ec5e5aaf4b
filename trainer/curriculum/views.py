"""The module library."""
from flask import Blueprint, render_template
from flask_login import login_required

from trainer.services import curriculum

bp = Blueprint("curriculum", __name__, url_prefix="/modules")


@bp.get("/")
@login_required
def index():
    """Signed-in users: every module of the curriculum, in order."""
    return render_template("curriculum/index.html", modules=curriculum.list_modules())


@bp.get("/<key>")
@login_required
def module(key: str):
    """Signed-in users: one module with its aims, evidence and self-directed activities."""
    return render_template("curriculum/module.html", module=curriculum.get_module(key))
