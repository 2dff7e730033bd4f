"""The reports read their figures from a read replica when one is configured, and audit
their exports on the primary."""

from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from portal.cases.models import (
    EmployerFigure,
    FiguresRefresh,
    FlowFigure,
    StateFigure,
    WaitFigure,
)
from portal.cases.states import CaseStatus, Programme, ScreeningStatus, ThreatLevel
from portal.config import REPORTS_REPLICA
from portal.core.actors import Role
from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.extensions import db
from tests.conftest import AppFactory
from tests.reports.test_pages import _tables
from tests.review.conftest import sign_in


def _replica_with_figures(path: Path) -> str:
    """A database holding only figures: forty cases in review, refreshed now."""
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    figures = (FlowFigure, WaitFigure, StateFigure, EmployerFigure, FiguresRefresh)
    tables = [model.__table__ for model in figures]
    db.metadata.create_all(engine, tables=tables)
    with Session(engine) as session:
        session.add(
            StateFigure(
                status=CaseStatus.IN_REVIEW,
                programme=Programme.LOCAL_STAFF,
                nationality="AF",
                country_of_stay="PK",
                threat_level=ThreatLevel.HIGH,
                screening_status=ScreeningStatus.CLEAR,
                identity_to_be_clarified=False,
                cases=40,
                people=160,
                key_sum=123_456_789,
            )
        )
        session.add(FiguresRefresh(id=1, refreshed_at=utcnow()))
        session.commit()
    engine.dispose()
    return url


def _in_review(client) -> str:
    page = _tables(client.get("/staff/reports/?period=all").get_data(as_text=True))
    return next(row for row in page["table-stages"] if row[0] == "in review")[1]


def test_the_reports_read_the_replica_and_audit_on_the_primary(
    staff_app: Flask, make_app: AppFactory, make_staff, clock, tmp_path: Path
) -> None:
    replica_app = make_app(
        SQLALCHEMY_BINDS={REPORTS_REPLICA: _replica_with_figures(tmp_path / "r.db")}
    )
    user, secret = make_staff("envoy-replica", Role.ENVOY)
    on_primary, on_replica = staff_app.test_client(), replica_app.test_client()
    for client in (on_primary, on_replica):
        assert sign_in(client, user, secret, clock).status_code == 302
        clock.tick()
    assert _in_review(on_primary) == "0"  # the primary has counted nothing
    assert 38 <= int(_in_review(on_replica)) <= 42  # forty, give or take the noise
    assert on_replica.get("/staff/reports/stages.csv?period=all").status_code == 200
    with staff_app.app_context():
        exported = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "report.exported")
        ).all()
    assert [event.actor_id for event in exported] == [user.id]
