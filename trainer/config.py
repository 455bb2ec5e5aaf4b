"""Settings read from the environment, with safe defaults for development."""
import os
import sys
from datetime import timedelta

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


class ConfigError(RuntimeError):
    """The environment does not allow the app to start (production without its required settings)."""


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: str) -> dict:
    """Return the app's configuration from environment variables.

    ``DATABASE_URL`` selects the database (SQLite file in the instance folder by default;
    ``postgresql://`` URLs use psycopg 3). ``TRAINER_ENV=production`` turns on secure cookies
    and raises ConfigError, saying why, without ``SECRET_KEY`` and ``BASE_URL``.
    """
    env = os.environ.get("TRAINER_ENV", "development")
    production = env == "production"
    problems = production_problems(os.environ) if production else []
    if problems:
        raise ConfigError("Refusing to start with TRAINER_ENV=production: " + " ".join(problems))
    secret = os.environ.get("SECRET_KEY")
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
        "LOGIN_ACCOUNT_FAILURES": int(os.environ.get("LOGIN_ACCOUNT_FAILURES", "20")),
        "LOGIN_ADDRESS_MAX_FAILURES": int(os.environ.get("LOGIN_ADDRESS_MAX_FAILURES", "100")),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS"),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Resilience Trainer <no-reply@localhost>"),
        "BASE_URL": (os.environ.get("BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0")),
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text").strip().lower(),
        "SCHEDULER_HEARTBEAT_SECONDS": int(os.environ.get("SCHEDULER_HEARTBEAT_SECONDS", "60")),
        "SCHEDULER_HEARTBEAT_MAX_AGE": int(os.environ.get("SCHEDULER_HEARTBEAT_MAX_AGE", "300")),
        "OIDC_ISSUER": (os.environ.get("OIDC_ISSUER") or "").rstrip("/") or None,
        "OIDC_CLIENT_ID": os.environ.get("OIDC_CLIENT_ID"),
        "OIDC_CLIENT_SECRET": os.environ.get("OIDC_CLIENT_SECRET"),
        "OIDC_ALLOWED_DOMAINS": _domains(os.environ.get("OIDC_ALLOWED_DOMAINS", "")),
        "PASSWORD_SIGNIN": _bool("PASSWORD_SIGNIN", True),
        # Remember the evaluation, flow, retention, ratings report and comparison per data version
        # (services/system/memo.py); off: compute them on every request.
        "PAGE_MEMO": _bool("PAGE_MEMO", True),
        "SCHEDULER_LOCK_FILE": os.environ.get("SCHEDULER_LOCK_FILE")
        or os.path.join(instance_path, "scheduler.lock"),
    }


def production_problems(environ) -> list[str]:
    """Why the app may not run in production with ``environ``: one sentence per missing setting."""
    problems = []
    if not environ.get("SECRET_KEY"):
        problems.append("SECRET_KEY is not set: set it to a long random value "
                        "(python -c 'import secrets; print(secrets.token_hex(32))'), kept secret.")
    if not environ.get("BASE_URL"):
        problems.append("BASE_URL is not set: set it to the public address people use, like "
                        "https://trainer.example.org, so links in e-mails and calendar feeds work.")
    return problems


def _domains(value: str) -> tuple[str, ...]:
    return tuple(d.strip().lower().lstrip("@") for d in value.split(",") if d.strip())


def normalise_database_url(url: str) -> str:
    """Make ``postgres://`` and ``postgresql://`` URLs use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def main() -> int:
    """Exit status 1, saying why on stderr, if TRAINER_ENV=production lacks a required setting."""
    problems = production_problems(os.environ) if os.environ.get("TRAINER_ENV") == "production" else []
    for problem in problems:
        print(f"Cannot start: {problem}", file=sys.stderr)
    return 1 if problems else 0
