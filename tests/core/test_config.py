import secrets
from pathlib import Path

import pytest

from portal import create_app
from portal.config import ConfigurationError, load_config

PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "kX9vQ2mL7pR4tW8zB3nF6hJ1cD5gY0aE",
    "DATABASE_URL": "postgresql://db.internal/portal",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "PORTAL_AUDIT_CHECKPOINT_PATH": "/var/log/portal-audit/checkpoints.jsonl",
}


def test_development_defaults_live_in_the_instance_folder(tmp_path: Path) -> None:
    config = load_config(tmp_path, {})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    assert config["REDIS_URL"] is None  # the embedded server
    assert config["PORTAL_FACES"] == {"public", "internal"}
    assert config["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()
    assert load_config(tmp_path, {})["SECRET_KEY"] == config["SECRET_KEY"]  # kept


def test_postgresql_urls_use_psycopg(tmp_path: Path) -> None:
    config = load_config(tmp_path, {"DATABASE_URL": "postgres://u@h/db"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PORTAL_KEYS_DIR"])
def test_production_refuses_to_start_without_secrets(tmp_path: Path, missing: str) -> None:
    environ = {**PRODUCTION, "PORTAL_KEYS_DIR": str(tmp_path)}
    del environ[missing]
    with pytest.raises(ConfigurationError, match=missing):
        load_config(tmp_path, environ)
    assert not (tmp_path / "secret_key").exists()  # nothing was generated instead


def test_production_refuses_to_start_without_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in {**PRODUCTION, "PORTAL_KEYS_DIR": str(tmp_path / "keys")}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PORTAL_FACES", "internal")
    with pytest.raises(ConfigurationError, match="intake private key"):
        create_app()
    assert not (tmp_path / "keys").exists()  # production never generates keys


@pytest.mark.parametrize("faces", ["", "admin", "public,admin"])
def test_unknown_faces_are_refused(tmp_path: Path, faces: str) -> None:
    with pytest.raises(ConfigurationError, match="PORTAL_FACES"):
        load_config(tmp_path, {"PORTAL_FACES": faces})


@pytest.mark.parametrize("url", ["mysql://root@localhost/portal", "oracle://x", "nonsense"])
def test_databases_other_than_sqlite_and_postgresql_are_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(ConfigurationError, match="SQLite or PostgreSQL"):
        load_config(tmp_path, {"DATABASE_URL": url})


def test_insider_budgets_default_to_what_a_busy_caseworker_needs(tmp_path: Path) -> None:
    config = load_config(tmp_path, {})
    assert config["PORTAL_BUDGET_CASES_PER_HOUR"] == 60
    assert config["PORTAL_BUDGET_EXPORTS_PER_HOUR"] == 10
    assert config["PORTAL_BUDGET_SEARCHES_PER_HOUR"] == 100
    config = load_config(tmp_path, {"PORTAL_BUDGET_EXPORTS_PER_HOUR": "3"})
    assert config["PORTAL_BUDGET_EXPORTS_PER_HOUR"] == 3


@pytest.mark.parametrize(
    "name",
    [
        "PORTAL_BUDGET_CASES_PER_HOUR",
        "PORTAL_BUDGET_EXPORTS_PER_HOUR",
        "PORTAL_BUDGET_SEARCHES_PER_HOUR",
        "PORTAL_REPORT_THRESHOLD",
        "PORTAL_FIGURES_REFRESH_SECONDS",
    ],
)
@pytest.mark.parametrize("value", ["0", "-5", "ten", ""])
def test_an_insider_budget_that_would_stop_all_work_is_refused(
    tmp_path: Path, name: str, value: str
) -> None:
    with pytest.raises(ConfigurationError, match=name):
        load_config(tmp_path, {name: value})


def test_deadlines_default_to_two_weeks_to_answer_and_a_month_in_a_stage(tmp_path: Path) -> None:
    config = load_config(tmp_path, {})
    assert config["PORTAL_INFO_REQUEST_DAYS"] == 14
    assert config["PORTAL_REVIEW_SERVICE_DAYS"] == 30
    config = load_config(tmp_path, {"PORTAL_INFO_REQUEST_DAYS": "90"})
    assert config["PORTAL_INFO_REQUEST_DAYS"] == 90


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORTAL_INFO_REQUEST_DAYS", "0"),
        ("PORTAL_INFO_REQUEST_DAYS", "91"),  # more than the question form offers
        ("PORTAL_REVIEW_SERVICE_DAYS", "0"),
        ("PORTAL_REVIEW_SERVICE_DAYS", "a month"),
    ],
)
def test_a_deadline_setting_out_of_range_is_refused(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        load_config(tmp_path, {name: value})


@pytest.mark.parametrize(
    "secret",
    [
        "x",
        secrets.token_urlsafe(16),  # random, but 22 characters
        "s" * 40,
        "changeme" * 4,  # long enough, but 7 different characters
    ],
    ids=["one-character", "random-but-short", "one-repeated", "few-different"],
)
def test_production_refuses_a_weak_secret_key(tmp_path: Path, secret: str) -> None:
    """The key signs sessions and form tokens: a guessable one lets anyone forge them."""
    environ = {**PRODUCTION, "PORTAL_KEYS_DIR": str(tmp_path), "SECRET_KEY": secret}
    with pytest.raises(ConfigurationError, match="SECRET_KEY") as refused:
        load_config(tmp_path, environ)
    assert secret not in str(refused.value)  # error messages end up in logs


# Fixed ids: random ones would differ between the processes of a parallel run.
@pytest.mark.parametrize(
    "secret", [secrets.token_hex(16), secrets.token_urlsafe(48)], ids=["hex", "urlsafe"]
)
def test_production_accepts_a_random_secret_key(tmp_path: Path, secret: str) -> None:
    environ = {**PRODUCTION, "PORTAL_KEYS_DIR": str(tmp_path), "SECRET_KEY": secret}
    assert load_config(tmp_path, environ)["SECRET_KEY"] == secret
