from pathlib import Path

import pytest

from portal import create_app
from portal.config import ConfigurationError, load_config

PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "s" * 40,
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
