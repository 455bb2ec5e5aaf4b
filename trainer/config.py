"""Settings read from the environment, with safe defaults for development."""
import os
from datetime import timedelta


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: str) -> dict:
    """Return the app's configuration from environment variables.

    ``DATABASE_URL`` selects the database (SQLite file in the instance folder by default;
    ``postgresql://`` URLs use psycopg 3). ``TRAINER_ENV=production`` turns on secure cookies
    and refuses to run without ``SECRET_KEY``.
    """
    env = os.environ.get("TRAINER_ENV", "development")
    production = env == "production"
    secret = os.environ.get("SECRET_KEY")
    if production and not secret:
        raise RuntimeError("SECRET_KEY must be set when TRAINER_ENV=production")
    database_url = os.environ.get("DATABASE_URL") or (
        "sqlite:///" + os.path.join(instance_path, "trainer.sqlite3")
    )
    return {
        "TRAINER_ENV": env,
        "SECRET_KEY": secret or "dev-only-not-secret",
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_DURATION": timedelta(days=7),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "LOGIN_MAX_FAILURES": int(os.environ.get("LOGIN_MAX_FAILURES", "5")),
        "LOGIN_FAILURE_WINDOW_MINUTES": int(os.environ.get("LOGIN_FAILURE_WINDOW_MINUTES", "15")),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Resilience Trainer <no-reply@localhost>"),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000"),
        "SCHEDULER_LOCK_FILE": os.environ.get("SCHEDULER_LOCK_FILE")
        or os.path.join(instance_path, "scheduler.lock"),
    }


def normalise_database_url(url: str) -> str:
    """Make ``postgres://`` and ``postgresql://`` URLs use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
