"""Resilience Trainer: the application factory. It wires things together and does nothing else."""
import os
from pathlib import Path

from flask import Flask

from trainer import config as config_module

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings from the environment, overridden by ``config`` (tests)."""
    app = Flask(__name__, instance_relative_config=True,
                template_folder=str(PROJECT_ROOT / "templates"),
                static_folder=str(PROJECT_ROOT / "static"))
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config_module.from_environment(app.instance_path))
    app.config["MODULES_DIR"] = str(PROJECT_ROOT / "modules")
    if config:
        app.config.from_mapping(config)
    _register_middleware(app)
    _register_extensions(app)
    _register_blueprints(app)
    _register_errorhandlers(app)
    _register_commands(app)
    return app


def _register_middleware(app: Flask) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    from trainer import request_log

    # Behind TRUSTED_PROXIES reverse proxies, trust that many X-Forwarded-For/-Proto/-Host hops,
    # so the client address, the scheme (https) and the public host are the real ones.
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    request_log.init_app(app)


def _register_extensions(app: Flask) -> None:
    from trainer import database, models, security  # noqa: F401  (models registers the tables)
    from trainer.extensions import csrf, db, login_manager, migrate
    from trainer.services.participation import activity_summaries
    from trainer.services.ratings import rating_summaries

    db.init_app(app)
    activity_summaries.keep_in_step()
    rating_summaries.keep_in_step()
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    with app.app_context():
        database.configure_engine(db.engine)
    security.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from trainer import converters
    from trainer.activities.views import bp as activities_bp
    from trainer.admin.views import bp as admin_bp
    from trainer.audit.views import bp as audit_bp
    from trainer.auth import sso
    from trainer.auth.views import bp as auth_bp
    from trainer.cohort.views import bp as cohort_bp
    from trainer.costs.views import bp as costs_bp
    from trainer.curriculum.views import bp as curriculum_bp
    from trainer.home.views import bp as home_bp
    from trainer.outcomes.views import bp as outcomes_bp
    from trainer.privacy.views import bp as privacy_bp
    from trainer.programmes.views import bp as programmes_bp
    from trainer.ratings.views import bp as ratings_bp
    from trainer.reports.views import bp as reports_bp
    from trainer.schedule.views import bp as schedule_bp

    converters.init_app(app)  # before the routes: each rule binds its converters when added
    for bp in (auth_bp, home_bp, curriculum_bp, programmes_bp, admin_bp, activities_bp,
               outcomes_bp, ratings_bp, reports_bp, schedule_bp, cohort_bp, privacy_bp,
               audit_bp, costs_bp):
        app.register_blueprint(bp)
    sso.init_app(app)


def _register_errorhandlers(app: Flask) -> None:
    from trainer import navigation, numbers, tables, text_blocks, web_errors, wording

    web_errors.init_app(app)
    navigation.init_app(app)
    text_blocks.init_app(app)
    wording.init_app(app)
    numbers.init_app(app)
    tables.init_app(app)


def _register_commands(app: Flask) -> None:
    from trainer import cli

    cli.init_app(app)
