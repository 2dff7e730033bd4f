"""``GET /metrics`` on the internal face: Prometheus's view of the portal.

Besides what the processes count (``portal.core.metrics``), a scrape reads a few figures
from the stores, each one cheap and none about a person: the intake queue's length, the
failed and running jobs, the age of the oldest work the outbox still promises, the cases
by status and screening outcome from the case tally, and how old the envoy's figures are.

Only a scraper that holds ``PORTAL_METRICS_TOKEN`` gets an answer: the internal face is
open to the whole staff network, and queue depths and case counts are for operators.
Without a token configured the route does not exist for anyone.
"""

import hmac
import logging
from collections.abc import Iterator
from datetime import datetime

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from rq.registry import FailedJobRegistry, StartedJobRegistry
from sqlalchemy import Connection, func, select

from portal.cases.models import CaseTally, FiguresRefresh
from portal.core.db import utcnow
from portal.core.metrics import exposition
from portal.core.redis import get_redis
from portal.extensions import db
from portal.intake.models import OutboxEntry
from portal.intake.queue import intake_queue

blueprint = Blueprint("metrics", __name__)
log = logging.getLogger(__name__)


def _authorized() -> bool:
    """A bearer token equal to the configured one, compared in constant time."""
    expected = current_app.config["PORTAL_METRICS_TOKEN"]
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not presented:
        return False
    return hmac.compare_digest(presented.strip().encode(), expected.encode())


@blueprint.get("/metrics")
def show_metrics() -> Response:
    if not current_app.config["PORTAL_METRICS_TOKEN"]:
        abort(404)
    if not _authorized():
        response = Response("unauthorized\n", 401, mimetype="text/plain")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    return Response(exposition(StoreCollector()), mimetype=CONTENT_TYPE_LATEST)


def _age_seconds(then: datetime | None, now: datetime) -> float:
    return max(0.0, (now - then).total_seconds()) if then is not None else 0.0


class StoreCollector(Collector):
    """Figures read from PostgreSQL and Redis at scrape time.

    Each store is read on a connection of its own, apart from the request's session, and
    a store that cannot be reached reports ``portal_store_up 0`` instead of failing the
    whole scrape (the counted metrics are still worth having then).
    """

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "portal_store_up", "Whether the scrape could read the store.", labels=["store"]
        )
        try:
            metrics = list(self._from_redis())
        except Exception as exc:  # noqa: BLE001 - an unreachable Redis is what this reports
            log.warning("metrics: Redis not read (%s)", type(exc).__name__)
            metrics = []
        up.add_metric(["redis"], 1 if metrics else 0)
        yield from metrics
        try:
            with db.engine.connect() as connection:
                metrics = list(self._from_database(connection))
        except Exception as exc:  # noqa: BLE001 - an unreachable database is what this reports
            log.warning("metrics: database not read (%s)", type(exc).__name__)
            metrics = []
        up.add_metric(["database"], 1 if metrics else 0)
        yield from metrics
        yield up

    def _from_redis(self) -> Iterator[Metric]:
        queue = intake_queue()
        connection = get_redis()
        # Plain counts of the keys: the registries' own count() cleans them up, a write.
        failed = connection.zcard(FailedJobRegistry(queue=queue).key)
        running = connection.zcard(StartedJobRegistry(queue=queue).key)
        yield GaugeMetricFamily(
            "portal_intake_queue_length", "Intake jobs waiting for a worker.", value=queue.count
        )
        yield GaugeMetricFamily(
            "portal_intake_failed_jobs", "Intake jobs in the failed registry.", value=failed
        )
        yield GaugeMetricFamily(
            "portal_intake_running_jobs", "Intake jobs a worker is running.", value=running
        )

    def _from_database(self, connection: Connection) -> Iterator[Metric]:
        now = utcnow()
        pending = (OutboxEntry.completed_at.is_(None), OutboxEntry.failed_at.is_(None))
        rows, oldest = connection.execute(
            select(func.count(), func.min(OutboxEntry.created_at)).where(*pending)
        ).one()
        yield GaugeMetricFamily(
            "portal_outbox_pending", "Outbox rows whose job has not completed.", value=rows
        )
        yield GaugeMetricFamily(
            "portal_outbox_lag_seconds",
            "Age of the oldest outbox row whose job has not completed (0: none).",
            value=_age_seconds(oldest, now),
        )
        yield self._cases(connection)
        refreshed = connection.scalar(
            select(FiguresRefresh.refreshed_at).where(FiguresRefresh.id == 1)
        )
        if refreshed is not None:  # never refreshed: no sample, which an alert can see
            yield GaugeMetricFamily(
                "portal_figures_age_seconds",
                "Time since the envoy's figures were last brought up to date.",
                value=_age_seconds(refreshed, now),
            )

    def _cases(self, connection: Connection) -> Metric:
        """Submitted cases by status and screening outcome, from the tally (drafts are not
        in it): a sum over a few folded rows, never a count over the cases."""
        family = GaugeMetricFamily(
            "portal_cases",
            "Submitted cases by status and screening outcome.",
            labels=["status", "screening"],
        )
        counts = connection.execute(
            select(CaseTally.status, CaseTally.screening_status, func.sum(CaseTally.change))
            .group_by(CaseTally.status, CaseTally.screening_status)
            .having(func.sum(CaseTally.change) != 0)
        )
        for status, screening, count in counts:
            family.add_metric([str(status), str(screening)], count)
        return family
