"""``GET /healthz``: is this process able to do its work?

For a load balancer. The public face needs only its database: with Redis down it still
takes applications (the outbox keeps the promise to screen them), so Redis does not make
it unhealthy, and it tells the internet nothing of the queue. The internal face needs both,
and says how many cases wait for intake.
"""

from typing import Any

from flask import Blueprint, current_app
from sqlalchemy import text

from portal.core.redis import get_redis
from portal.extensions import db
from portal.intake.queue import intake_queue

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def show_health() -> tuple[dict[str, Any], int]:
    faces = current_app.config["PORTAL_FACES"]
    internal = "internal" in faces
    report: dict[str, Any] = {"faces": sorted(faces)}
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
        if internal:
            report["queue_depth"] = intake_queue().count
    except Exception as exc:  # noqa: BLE001
        report["redis"] = f"error: {type(exc).__name__}"
        if internal:
            report["queue_depth"] = None
    needed = ("database", "redis") if internal else ("database",)
    healthy = all(report[store] == "ok" for store in needed)
    report["status"] = "ok" if healthy else "unhealthy"
    return report, 200 if healthy else 503
