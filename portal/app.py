"""The app factory and its wiring: settings, keys, extensions, the faces' blueprints, the
unit of work, errors, headers and commands. The top of the building: nothing imports it
but ``portal`` itself and the entry points."""

import hashlib
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import Conflict, HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import ConfigurationError, load_config
from portal.core import (
    compressed_refusals,
    html_attributes,
    metrics,
    request_log,
    uncompressed,
    unit_of_work,
)
from portal.core.i18n import (
    current_language,
    install_template_gettext,
    is_staff_request,
    select_locale,
)
from portal.core.numerals import local_number
from portal.core.permissions import Permission
from portal.extensions import babel, csrf, db, limiter, migrate

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"

# A strict policy fits pages built without third-party code: nothing runs that we didn't send.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
# Browser features no page of the portal uses, refused for every page and frame: a script
# that got in anyway (or a hostile file opened inline) gets no camera, microphone, location,
# payment or device access, and the phone asks its owner nothing.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
# Browsers that once reached the portal over HTTPS refuse plain HTTP to it for a year, so
# a network in the middle cannot strip TLS from the next visit. Production only: the
# development server speaks plain HTTP on localhost, and a browser told this there would
# refuse every plain-HTTP development site on that host name for a year.
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build an app. ``config`` overrides settings (tests); nothing happens at import time."""
    instance = Path(os.environ.get("PORTAL_INSTANCE_DIR", Path.cwd() / "instance")).resolve()
    app = Flask("portal", instance_path=str(instance), instance_relative_config=False)
    app.config.update(load_config(instance))
    app.config.update(config or {})
    request_log.configure_logging(app)

    import portal.models  # noqa: F401  (the whole schema, for the ORM and Alembic)
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

    init_extensions(app)
    trust_proxies(app)
    version_static_urls(app)
    register_faces(app)
    register_commands(app)
    return app


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the web and the worker processes read while one writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _limiter_storage(redis_url: str | None) -> str:
    if not redis_url:
        return "memory://"  # development commands without a Redis; the servers always have one
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url[len("unix://") :]
    return redis_url


def init_extensions(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    babel.init_app(app, locale_selector=select_locale)
    install_template_gettext(app.jinja_env)
    csrf.init_app(app)
    html_attributes.install()  # the same attributes as WTForms writes, written faster
    app.config.setdefault("RATELIMIT_STORAGE_URI", _limiter_storage(app.config["REDIS_URL"]))
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    # While Redis is down each process counts in its own memory: sign-in stays limited
    # instead of failing for everyone.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)
    request_log.init_app(app)
    metrics.init_app(app)
    app.jinja_env.globals.update(
        current_language=current_language,
        field_attributes=field_attributes,
        staff_can=_staff_can,
    )
    app.after_request(_security_headers)
    compressed_refusals.init_app(app)
    unit_of_work.init_app(app, db.session)  # last: its commit runs before the others
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    # A row changed by another request since this one read it, found when a service
    # flushes (the commit's own conflicts: core/unit_of_work.py): a conflict, not a fault.
    app.register_error_handler(StaleDataError, lambda _error: _http_error(Conflict()))


def field_attributes(field: Any, hint: object = None, **extra: Any) -> dict[str, Any]:
    """An input's HTML attributes: ``extra``, and ARIA ties to its hint and error message.

    Attributes given as None are left out (WTForms would print them as "None").
    """
    described_by = [f"{field.id}-hint"] if hint else []
    if field.errors:
        described_by.append(f"{field.id}-error")
    attributes = {
        **extra,
        "aria-describedby": " ".join(described_by) or None,
        "aria-invalid": "true" if field.errors else None,
    }
    return {name: value for name, value in attributes.items() if value is not None}


def _staff_can(permission: str) -> bool:
    from portal.accounts.access import can

    return can(Permission(permission))


def trust_proxies(app: Flask) -> None:
    """Take the client's address and scheme from the headers of as many proxies as
    configured, and from nobody else: a client could write them itself."""
    proxies = app.config["PORTAL_TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]


def version_static_urls(app: Flask) -> None:
    """Give every static URL the file's content hash (``?v=...``), so that nginx can let
    browsers keep a file for a year (deploy/nginx): a changed file gets a new URL."""
    folder = Path(app.static_folder or "")
    # Hashed once per version of a file (its size and time of change), not per page: a
    # stat is all a rendered page costs, and a file changed while developing is seen.
    versions: dict[tuple[str, int, int], str] = {}

    def add_version(endpoint: str, values: dict[str, Any]) -> None:
        filename = values.get("filename")
        if endpoint != "static" or not isinstance(filename, str) or "v" in values:
            return
        path = folder / filename
        if not path.is_file():
            return
        stat = path.stat()
        key = (filename, stat.st_mtime_ns, stat.st_size)
        if key not in versions:
            versions[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        values["v"] = versions[key]

    app.url_defaults(add_version)


def register_faces(app: Flask) -> None:
    from portal.apply import blueprint as apply_blueprint
    from portal.health import blueprint as health_blueprint

    app.register_blueprint(health_blueprint)
    if "public" in app.config["PORTAL_FACES"]:
        app.register_blueprint(apply_blueprint)
    if "internal" in app.config["PORTAL_FACES"]:
        from portal.accounts import blueprint as accounts_blueprint
        from portal.metrics import blueprint as metrics_blueprint
        from portal.reports import blueprint as reports_blueprint
        from portal.review import blueprint as review_blueprint

        app.register_blueprint(accounts_blueprint)
        app.register_blueprint(review_blueprint)
        app.register_blueprint(reports_blueprint)
        app.register_blueprint(metrics_blueprint)


def register_commands(app: Flask) -> None:
    from portal.cli import register

    register(app)


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # No other site learns which page someone came from; the portal's own forms carry
    # their page as Referer, which the CSRF check over HTTPS requires (Flask-WTF refuses a
    # form sent over HTTPS without one: "no-referrer" made every form fail behind TLS).
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = PERMISSIONS_POLICY
    if current_app.config["PORTAL_ENV"] == "production":
        response.headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
    if request.endpoint != "static":
        # Pages may show personal data; shared phones must not keep them in a cache.
        response.headers["Cache-Control"] = (
            uncompressed.CACHE_CONTROL
            if uncompressed.is_sent_uncompressed(response)
            else "no-store"
        )
    return response


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/healthz"))


def _http_error(error: HTTPException) -> Any:
    unit_of_work.discard(db.session)
    code = error.code or 500
    if _wants_json():
        return {"error": error.name}, code
    if _on_staff_pages():
        from portal.accounts.errors import staff_error_page

        return staff_error_page(code)
    messages = {
        400: _("The request could not be understood. Please go back and try again."),
        403: _("You are not allowed to do this."),
        404: _("This page does not exist."),
        405: _("This page cannot be used like that."),
        409: _(
            "This was changed at the same moment, in another window or on another device. "
            "What you sent last was not saved: please open the page again and check it."
        ),
        413: _(
            "The file or form is too large. A file can be at most %(size)s MB.",
            size=local_number(current_app.config["PORTAL_UPLOAD_MAX_BYTES"] // (1024 * 1024)),
        ),
        429: _("Too many attempts. Please wait a few minutes and try again."),
    }
    message = messages.get(
        code, _("Something went wrong on our side. Please try again in a few minutes.")
    )
    back = _refused_form_page() if code in (409, 413) else None
    return render_template("error.html", code=code, message=message, back=back), code


def _refused_form_page() -> str | None:
    """The page whose form was refused, to go back to: most forms post to the page that
    shows them, nginx names it when it refuses a body itself (``/too-large?page=``), and
    a button's own address (``/application/submit``) leaves the page that showed it as
    the referrer (same-origin). Only a page of the portal's own is named."""
    referrer = urlsplit(request.referrer or "")
    candidates = [
        request.path if request.method == "POST" else request.args.get("page", ""),
        referrer.path if referrer.netloc == request.host else "",
    ]
    for page in candidates:
        if not page.startswith("/") or page.startswith("//"):
            continue
        try:
            current_app.url_map.bind("portal").match(page, method="GET")
        except HTTPException:  # no such page, or only a redirect to one
            continue
        return page
    return None


def _on_staff_pages() -> bool:
    return "internal" in current_app.config["PORTAL_FACES"] and is_staff_request()


def _csrf_error(error: CSRFError) -> Any:
    from portal.core.forms import show_form_again

    unit_of_work.discard(db.session)
    view = current_app.view_functions.get(request.endpoint or "")
    if _on_staff_pages() and not getattr(view, "keeps_typed", False):
        from portal.accounts.errors import expired_form_page

        return expired_form_page()
    try:
        response = show_form_again(error)
    except HTTPException as gone:  # the page itself is gone meanwhile (a row removed)
        return _http_error(gone)
    unit_of_work.discard(db.session)  # the form was shown again, never acted upon
    return response
