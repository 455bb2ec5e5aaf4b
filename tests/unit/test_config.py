"""Settings from the environment."""
import pytest

from trainer import config


def test_postgres_urls_use_psycopg3():
    assert config.normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert config.normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert config.normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_default_database_is_sqlite_in_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = config.from_environment(str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/trainer.sqlite3"
    assert settings["SESSION_COOKIE_SECURE"] is False


def test_database_url_and_mail_come_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1/prod")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.org")
    monkeypatch.setenv("MAIL_PORT", "587")
    settings = config.from_environment(str(tmp_path))
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://postgres@127.0.0.1/prod"
    assert (settings["MAIL_SERVER"], settings["MAIL_PORT"]) == ("smtp.example.org", 587)


def test_production_requires_a_secret_key_a_base_url_and_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("TRAINER_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("BASE_URL", "https://trainer.example.org")
    with pytest.raises(config.ConfigError, match="SECRET_KEY is not set"):
        config.from_environment(str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.delenv("BASE_URL")
    with pytest.raises(config.ConfigError, match="BASE_URL is not set"):
        config.from_environment(str(tmp_path))
    monkeypatch.setenv("BASE_URL", "https://trainer.example.org/")
    settings = config.from_environment(str(tmp_path))
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]
    assert settings["SESSION_COOKIE_HTTPONLY"] and settings["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert settings["BASE_URL"] == "https://trainer.example.org"


def test_development_defaults_base_url_proxies_sign_in_and_logs(monkeypatch, tmp_path):
    for name in ("TRAINER_ENV", "BASE_URL", "TRUSTED_PROXIES", "PASSWORD_SIGNIN", "LOG_FORMAT",
                 "OIDC_ALLOWED_DOMAINS"):
        monkeypatch.delenv(name, raising=False)
    settings = config.from_environment(str(tmp_path))
    assert settings["BASE_URL"] == "http://127.0.0.1:5000"
    assert settings["TRUSTED_PROXIES"] == 0 and settings["PASSWORD_SIGNIN"] is True
    assert settings["LOG_FORMAT"] == "text" and settings["OIDC_ALLOWED_DOMAINS"] == ()
    monkeypatch.setenv("PASSWORD_SIGNIN", "off")
    monkeypatch.setenv("OIDC_ALLOWED_DOMAINS", "Northshire.gov.uk, @partner.org")
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    settings = config.from_environment(str(tmp_path))
    assert settings["PASSWORD_SIGNIN"] is False and settings["TRUSTED_PROXIES"] == 1
    assert settings["OIDC_ALLOWED_DOMAINS"] == ("northshire.gov.uk", "partner.org")


def test_the_production_check_names_every_missing_setting():
    problems = config.production_problems({})
    assert len(problems) == 2
    assert problems[0].startswith("SECRET_KEY") and problems[1].startswith("BASE_URL")
    assert config.production_problems({"SECRET_KEY": "x", "BASE_URL": "https://t.example"}) == []
