"""Settings from the environment, with embedded defaults for development.

Every setting has one environment variable. In development the defaults give a working
portal on one machine (SQLite and keys in ``instance/``, an embedded Redis). With
``PORTAL_ENV=production`` nothing is guessed: missing secrets or keys stop the start.
"""

import os
import re
import secrets
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

FACES = ("public", "internal")
DEVELOPMENT_SECRET_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
# SECRET_KEY signs the applicants' sessions, the form tokens and the enrolment links: a
# guessable one lets anyone forge them. A random key of 32 characters or more passes
# easily (even in hex); a word repeated ("changeme" * 4) or a short one does not.
SECRET_KEY_MIN_LENGTH = 32
SECRET_KEY_MIN_DISTINCT = 8


class ConfigurationError(RuntimeError):
    """The configuration cannot run safely; the message names what is missing."""


# The name of the reports' read replica among the database connections.
REPORTS_REPLICA = "reports_replica"


def _database_url(url: str) -> str:
    """SQLite or PostgreSQL, the two backends the migrations, triggers and SQL are written
    for; PostgreSQL always through one driver, psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if not url.startswith(("sqlite:", "postgresql+psycopg:")):
        raise ConfigurationError("DATABASE_URL must name a SQLite or PostgreSQL database")
    return url


def _faces(value: str) -> frozenset[str]:
    faces = frozenset(part.strip() for part in value.split(",") if part.strip())
    unknown = faces - set(FACES)
    if not faces or unknown:
        raise ConfigurationError(
            f"PORTAL_FACES must be 'public', 'internal' or 'public,internal', not {value!r}"
        )
    return faces


def _development_secret(instance: Path) -> str:
    path = instance / DEVELOPMENT_SECRET_FILE
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _refuse_weak_secret(secret: str) -> None:
    """Stop a production start with an obviously weak SECRET_KEY; the message never shows it."""
    if len(secret) < SECRET_KEY_MIN_LENGTH or len(set(secret)) < SECRET_KEY_MIN_DISTINCT:
        raise ConfigurationError(
            f"SECRET_KEY is too weak for production: use at least {SECRET_KEY_MIN_LENGTH} "
            f"random characters, at least {SECRET_KEY_MIN_DISTINCT} of them different "
            '(python3 -c "import secrets; print(secrets.token_urlsafe(48))")'
        )


def _threshold(value: str) -> int:
    if not value.isdecimal() or not 1 <= int(value) <= 100:
        raise ConfigurationError("PORTAL_WATCHLIST_THRESHOLD must be a whole number from 1 to 100")
    return int(value)


def _positive_whole_number(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name, str(default))
    if not value.isdecimal() or int(value) < 1:
        raise ConfigurationError(f"{name} must be a whole number of at least 1")
    return int(value)


def _answer_days(environ: Mapping[str, str]) -> int:
    days = _positive_whole_number(environ, "PORTAL_INFO_REQUEST_DAYS", 14)
    if days > 90:  # the most the question form offers (portal.cases.deadlines.MAX_DAYS)
        raise ConfigurationError("PORTAL_INFO_REQUEST_DAYS must be at most 90")
    return days


def _iso_date(environ: Mapping[str, str], name: str, default: str) -> str:
    value = environ.get(name, default)
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a date written YYYY-MM-DD") from None
    return value


def _log_format(value: str) -> str:
    if value not in ("text", "json"):
        raise ConfigurationError("PORTAL_LOG_FORMAT must be 'text' or 'json'")
    return value


def _metrics_token(value: str | None, production: bool) -> str | None:
    """The bearer token a scraper of ``/metrics`` presents; none turns the route off."""
    weak = (
        len(value or "") < SECRET_KEY_MIN_LENGTH or len(set(value or "")) < SECRET_KEY_MIN_DISTINCT
    )
    if value and production and weak:
        raise ConfigurationError(
            f"PORTAL_METRICS_TOKEN is too weak for production: use at least "
            f"{SECRET_KEY_MIN_LENGTH} random characters"
        )
    return value or None


SERVER_SIDE_ENCRYPTIONS = ("AES256", "aws:kms")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def parse_s3_url(url: str) -> tuple[str, str]:
    """The bucket and the key prefix (no slash at either end) of ``s3://bucket/prefix``.

    No error repeats the URL: one that carries credentials must not reach a log.
    """
    parts = urlsplit(url)
    if parts.scheme != "s3" or parts.query or parts.fragment:
        raise ConfigurationError("PORTAL_BLOB_URL must be s3://bucket or s3://bucket/prefix")
    if "@" in parts.netloc or ":" in parts.netloc:
        raise ConfigurationError(
            "PORTAL_BLOB_URL must not carry credentials or an endpoint: "
            "use the AWS environment variables (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...)"
        )
    if not _BUCKET.fullmatch(parts.netloc):
        raise ConfigurationError("PORTAL_BLOB_URL must name a bucket: s3://bucket/prefix")
    prefix = parts.path.strip("/")
    if prefix and any(part in ("", ".", "..") for part in prefix.split("/")):
        raise ConfigurationError("PORTAL_BLOB_URL's prefix must be folder names joined by '/'")
    return parts.netloc, prefix


def _blob_url(environ: Mapping[str, str]) -> str | None:
    url = environ.get("PORTAL_BLOB_URL") or None
    if url:
        parse_s3_url(url)
    return url


def _blob_s3_sse(environ: Mapping[str, str]) -> str | None:
    value = environ.get("PORTAL_BLOB_S3_SSE") or None
    if value and value not in SERVER_SIDE_ENCRYPTIONS:
        raise ConfigurationError("PORTAL_BLOB_S3_SSE must be 'AES256' or 'aws:kms'")
    return value


def load_config(instance: Path, environ: Mapping[str, str] = os.environ) -> dict[str, Any]:
    """Build the Flask config from ``environ``; ``instance`` holds development state."""
    env = environ.get("PORTAL_ENV", "development")
    if env not in ("development", "production"):
        raise ConfigurationError("PORTAL_ENV must be 'development' or 'production'")
    production = env == "production"
    faces = _faces(environ.get("PORTAL_FACES", "public,internal"))
    if production:
        required = ["SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PORTAL_KEYS_DIR"]
        if "internal" in faces:  # where audit checkpoints are written and verified
            required.append("PORTAL_AUDIT_CHECKPOINT_PATH")
        missing = [name for name in required if not environ.get(name)]
        if missing:
            raise ConfigurationError(
                "PORTAL_ENV=production refuses to start without: " + ", ".join(missing)
            )
        _refuse_weak_secret(environ["SECRET_KEY"])
    return {
        "PORTAL_ENV": env,
        "SECRET_KEY": environ.get("SECRET_KEY") or _development_secret(instance),
        "SQLALCHEMY_DATABASE_URI": _database_url(
            environ.get("DATABASE_URL", f"sqlite:///{instance / 'portal.sqlite3'}")
        ),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # A read replica the envoy's reports read their figures from (docs/scaling.md);
        # without it they read the primary.
        "SQLALCHEMY_BINDS": (
            {REPORTS_REPLICA: _database_url(environ["PORTAL_REPORTS_DATABASE_URL"])}
            if environ.get("PORTAL_REPORTS_DATABASE_URL")
            else {}
        ),
        # None means: start the embedded Redis server (development only).
        "REDIS_URL": environ.get("REDIS_URL") or None,
        "EMBEDDED_REDIS_FILE": str(instance / "redis.db"),
        "PORTAL_FACES": faces,
        "PORTAL_KEYS_DIR": Path(environ.get("PORTAL_KEYS_DIR", instance / "keys")),
        "PORTAL_BLOB_DIR": Path(environ.get("PORTAL_BLOB_DIR", instance / "blobs")),
        # Set, the documents are kept in this bucket instead (docs/scaling.md).
        "PORTAL_BLOB_URL": _blob_url(environ),
        "PORTAL_BLOB_S3_SSE": _blob_s3_sse(environ),
        # Signed checkpoints of the audit chain, one JSON line each, appended to a file the
        # operator keeps apart from the database (docs/operations.md, "Audit checkpoints").
        "PORTAL_AUDIT_CHECKPOINT_PATH": Path(
            environ.get("PORTAL_AUDIT_CHECKPOINT_PATH", instance / "audit-checkpoints.jsonl")
        ),
        # How often each worker writes a checkpoint, if the chain grew since the last one.
        "PORTAL_AUDIT_CHECKPOINT_SECONDS": _positive_whole_number(
            environ, "PORTAL_AUDIT_CHECKPOINT_SECONDS", 60
        ),
        # Every shred and every deleted draft, one signed JSON line each, kept apart from the
        # database and its backups so a restore re-applies them (docs/operations.md,
        # "Backups and retention").
        "PORTAL_SHRED_LEDGER_PATH": Path(
            environ.get("PORTAL_SHRED_LEDGER_PATH", instance / "shred-ledger.jsonl")
        ),
        # Closed cases are shredded this long after they closed; drafts nobody has opened
        # for this long are deleted; the worker looks for both this often.
        "PORTAL_RETENTION_CLOSED_DAYS": _positive_whole_number(
            environ, "PORTAL_RETENTION_CLOSED_DAYS", 3 * 365
        ),
        "PORTAL_RETENTION_DRAFT_DAYS": _positive_whole_number(
            environ, "PORTAL_RETENTION_DRAFT_DAYS", 30
        ),
        "PORTAL_RETENTION_INTERVAL_SECONDS": _positive_whole_number(
            environ, "PORTAL_RETENTION_INTERVAL_SECONDS", 3600
        ),
        # scrypt cost for access codes: 2**15 in production; tests lower it.
        "PORTAL_SCRYPT_N": int(environ.get("PORTAL_SCRYPT_N", 2**15)),
        "PORTAL_QUEUE_NAME": environ.get("PORTAL_QUEUE_NAME", "intake"),
        "PORTAL_JOB_TIMEOUT": int(environ.get("PORTAL_JOB_TIMEOUT", 300)),
        # An intake job screens its own case and up to this many more whose jobs are next
        # in the queue, in one transaction (docs/screening.md, "Batches"); 1 turns it off.
        "PORTAL_INTAKE_BATCH_SIZE": max(1, int(environ.get("PORTAL_INTAKE_BATCH_SIZE", 50))),
        # An outbox row enqueued this long ago whose job is gone or failed is enqueued again.
        "PORTAL_RELAY_STALE_SECONDS": int(environ.get("PORTAL_RELAY_STALE_SECONDS", 600)),
        "PORTAL_RELAY_INTERVAL_SECONDS": int(environ.get("PORTAL_RELAY_INTERVAL_SECONDS", 30)),
        "PORTAL_TALLY_COMPACT_SECONDS": int(environ.get("PORTAL_TALLY_COMPACT_SECONDS", 300)),
        # How old the envoy's figures may grow, and the smallest count they show.
        "PORTAL_FIGURES_REFRESH_SECONDS": _positive_whole_number(
            environ, "PORTAL_FIGURES_REFRESH_SECONDS", 300
        ),
        "PORTAL_REPORT_THRESHOLD": _positive_whole_number(environ, "PORTAL_REPORT_THRESHOLD", 10),
        "PORTAL_RESCORE_CHECK_SECONDS": int(environ.get("PORTAL_RESCORE_CHECK_SECONDS", 3600)),
        "PORTAL_MAX_JOB_ATTEMPTS": int(environ.get("PORTAL_MAX_JOB_ATTEMPTS", 5)),
        # A watch-list score (0-100, docs/screening.md) at or above this is a hit.
        "PORTAL_WATCHLIST_THRESHOLD": _threshold(environ.get("PORTAL_WATCHLIST_THRESHOLD", "88")),
        # Local staff programme: employment in this window counts (ISO dates, inclusive).
        "PORTAL_LOCAL_STAFF_FROM": _iso_date(environ, "PORTAL_LOCAL_STAFF_FROM", "2013-01-01"),
        "PORTAL_LOCAL_STAFF_UNTIL": _iso_date(environ, "PORTAL_LOCAL_STAFF_UNTIL", "2021-08-31"),
        # Insider budgets (docs/review.md): how many different cases one member of staff
        # may open, and how many exports make, in an hour, before the portal refuses and
        # tells administrators and security officers. Reviewing a case takes minutes and
        # triage opens one a minute at most; a case opened again costs nothing.
        "PORTAL_BUDGET_CASES_PER_HOUR": _positive_whole_number(
            environ, "PORTAL_BUDGET_CASES_PER_HOUR", 60
        ),
        "PORTAL_BUDGET_EXPORTS_PER_HOUR": _positive_whole_number(
            environ, "PORTAL_BUDGET_EXPORTS_PER_HOUR", 10
        ),
        # A caseworker answering calls searches a few dozen times an hour; a script
        # trying names, thousands.
        "PORTAL_BUDGET_SEARCHES_PER_HOUR": _positive_whole_number(
            environ, "PORTAL_BUDGET_SEARCHES_PER_HOUR", 100
        ),
        # The days an applicant is given to answer a question, unless staff choose
        # others; and the queue's service level (docs/review.md, "The queue"): an open
        # case that has waited longer than this many days in its stage is overdue.
        "PORTAL_INFO_REQUEST_DAYS": _answer_days(environ),
        "PORTAL_REVIEW_SERVICE_DAYS": _positive_whole_number(
            environ, "PORTAL_REVIEW_SERVICE_DAYS", 30
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_NAME": "s",  # a neutral name: nothing in the browser says what this is
        # Applicants are signed out after this long without a request; drafts are kept.
        "PERMANENT_SESSION_LIFETIME": int(environ.get("PORTAL_SESSION_MINUTES", 30)) * 60,
        # Applicant sign-in attempts one client address may make in 15 minutes, whatever
        # the reference: generous, because behind a mobile carrier's NAT thousands of
        # applicants share one address. Each reference has its own, strict limit.
        "PORTAL_APPLICANT_SIGN_IN_PER_ADDRESS": _positive_whole_number(
            environ, "PORTAL_APPLICANT_SIGN_IN_PER_ADDRESS", 300
        ),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": 3600 * 4,
        "MAX_CONTENT_LENGTH": int(environ.get("PORTAL_MAX_REQUEST_BYTES", 12 * 1024 * 1024)),
        "STAFF_SESSION_IDLE_MINUTES": int(environ.get("STAFF_SESSION_IDLE_MINUTES", 30)),
        "STAFF_SESSION_ABSOLUTE_HOURS": int(environ.get("STAFF_SESSION_ABSOLUTE_HOURS", 10)),
        # Failed staff sign-ins one address may make in an hour, across all usernames (a
        # whole office may share one address: generous). portal/accounts/throttle.py
        "STAFF_SIGN_IN_ADDRESS_FAILURES": int(environ.get("STAFF_SIGN_IN_ADDRESS_FAILURES", 100)),
        # How many reverse proxies (load balancers) in front of the web processes append to
        # X-Forwarded-For; 0 trusts no such header. Sign-in limits need the real address.
        "PORTAL_TRUSTED_PROXIES": int(environ.get("PORTAL_TRUSTED_PROXIES", 0)),
        "PORTAL_UPLOAD_MAX_BYTES": int(environ.get("PORTAL_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)),
        "PORTAL_UPLOAD_MAX_FILES": int(environ.get("PORTAL_UPLOAD_MAX_FILES", 20)),
        # Log lines as readable text, or one JSON object each for a log collector.
        "PORTAL_LOG_FORMAT": _log_format(environ.get("PORTAL_LOG_FORMAT", "text")),
        # Without it the internal face answers /metrics with 404 (docs/operations.md).
        "PORTAL_METRICS_TOKEN": _metrics_token(environ.get("PORTAL_METRICS_TOKEN"), production),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(
            Path(__file__).resolve().parent.parent / "translations"
        ),
    }
