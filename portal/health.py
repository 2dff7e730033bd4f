"""``GET /healthz``: is this process able to do its work?"""

from typing import Any

from flask import Blueprint, current_app
from sqlalchemy import text

from portal.core.redis import get_redis
from portal.extensions import db
from portal.intake.queue import intake_queue

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def show_health() -> tuple[dict[str, Any], int]:
    report: dict[str, Any] = {"faces": sorted(current_app.config["PORTAL_FACES"])}
    try:
        db.session.execute(text("SELECT 1"))
        report["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        report["database"] = f"error: {type(exc).__name__}"
    finally:
        db.session.rollback()
    try:
        get_redis().ping()
        report["redis"] = "ok"
        report["queue_depth"] = intake_queue().count
    except Exception as exc:  # noqa: BLE001
        report["redis"] = f"error: {type(exc).__name__}"
        report["queue_depth"] = None
    healthy = report["database"] == "ok" and report["redis"] == "ok"
    report["status"] = "ok" if healthy else "unhealthy"
    return report, 200 if healthy else 503
