"""The portal: one codebase, a public face for applicants and an internal face for staff."""

import os
from pathlib import Path
from typing import Any

from flask import Flask

from portal.config import ConfigurationError, load_config


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build an app. ``config`` overrides settings (tests); nothing happens at import time."""
    instance = Path(os.environ.get("PORTAL_INSTANCE_DIR", Path.cwd() / "instance")).resolve()
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=False)
    app.config.update(load_config(instance))
    app.config.update(config or {})

    import portal.models  # noqa: F401  (the whole schema, for the ORM and Alembic)
    from portal.core import web
    from portal.core.keyring import KeyRing, ensure_development_keys

    keys_dir = Path(app.config["PORTAL_KEYS_DIR"])
    internal = "internal" in app.config["PORTAL_FACES"]
    if app.config["PORTAL_ENV"] == "development":
        ensure_development_keys(keys_dir)
    keyring = KeyRing.load(keys_dir, internal=internal)
    missing = keyring.missing(internal=internal)
    if missing:
        raise ConfigurationError(f"keys missing in {keys_dir}: " + ", ".join(missing))
    app.extensions["portal.keyring"] = keyring

    web.init_extensions(app)
    web.register_faces(app)
    web.register_commands(app)
    return app
