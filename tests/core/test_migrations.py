"""The migrations build exactly the models' schema, and every step goes up and down."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from portal.extensions import db


def _differences() -> list:
    with db.engine.connect() as connection, warnings.catch_warnings():
        opts: dict = {"compare_type": True}
        if connection.dialect.name == "sqlite":
            # SQLite's reflection cannot read indexes on expressions (the queue's negated
            # priority); PostgreSQL compares them, and the test below finds them here.
            opts["include_object"] = lambda item, name, kind, *_: (
                not (kind == "index" and name in EXPRESSION_INDEXES)
            )
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
        context = MigrationContext.configure(connection, opts=opts)
        return compare_metadata(context, db.metadata)


EXPRESSION_INDEXES = {
    "ix_case_queue",
    *(
        f"ix_case_queue_{name}"
        for name in ("open", "threat", "screening", "assignee", "origin", "unassigned")
    ),
    "ix_case_answered",
}


def test_the_expression_indexes_exist(app: Flask) -> None:
    with db.engine.connect() as connection:
        found = {
            name: sql
            for name, sql in connection.execute(
                text("SELECT indexname, indexdef FROM pg_indexes")
                if connection.dialect.name == "postgresql"
                else text("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
            )
            if name in EXPRESSION_INDEXES
        }
    assert set(found) == EXPRESSION_INDEXES
    assert all("priority_score" in sql for sql in found.values())
    assert all("WHERE" in sql for name, sql in found.items() if name != "ix_case_queue")


def test_models_match_the_migration_head(app: Flask) -> None:
    assert _differences() == []


def test_every_migration_goes_down_and_up_again(app: Flask) -> None:
    script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
    revisions = list(reversed(list(script.walk_revisions())))  # oldest first
    assert revisions, "no migrations found"
    db.session.remove()
    for revision in reversed(revisions):
        downgrade(revision=revision.down_revision or "base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    for revision in revisions:
        upgrade(revision=revision.revision)
    assert _differences() == []


def test_links_stored_from_both_sides_are_kept_once(app: Flask) -> None:
    """0006: a link stored from both sides keeps the side with the smaller case id; a link
    that only had its other side gets that one."""
    import uuid

    import sqlalchemy as sa

    from portal.core.db import utcnow
    from tests.factories import make_case

    low, middle, high = sorted(make_case(db.session)[0].id for _ in range(3))
    db.session.commit()
    db.session.remove()
    downgrade(revision="0005")
    link = sa.table(
        "duplicate_link",
        *(sa.column(name, sa.Uuid()) for name in ("id", "case_id", "other_case_id")),
        *(sa.column(name) for name in ("matched_on", "reason", "created_at")),
    )

    def stored(case_id: uuid.UUID, other_case_id: uuid.UUID) -> dict:
        return {
            "id": uuid.uuid4(),
            "case_id": case_id,
            "other_case_id": other_case_id,
            "matched_on": "phone",
            "reason": "phone",
            "created_at": utcnow(),
        }

    with db.engine.begin() as connection:
        connection.execute(
            sa.insert(link), [stored(low, middle), stored(middle, low), stored(high, low)]
        )
    upgrade()
    with db.engine.connect() as connection:
        kept = connection.execute(sa.select(link.c.case_id, link.c.other_case_id)).all()
    assert sorted(kept) == [(low, middle), (low, high)]


def test_0007_hands_unscreened_clear_cases_to_security_and_frees_inactive_accounts_cases(
    app: Flask,
) -> None:
    """Cases called clear only for want of a watch list become a concern, unless a security
    officer has set their screening since; cases held by deactivated accounts are
    unassigned."""
    from datetime import timedelta

    from portal.accounts.services import create_staff
    from portal.cases.models import Case, RiskAssessment
    from portal.cases.states import ActorKind, CaseStatus, ScreeningStatus, ThreatLevel
    from portal.core.actors import Role
    from portal.core.db import utcnow
    from tests.factories import make_case

    def assessed(case: Case, *codes: str, source: ActorKind, age: int) -> None:
        db.session.add(
            RiskAssessment(
                case_id=case.id,
                source=source,
                threat_level=ThreatLevel.LOW,
                screening_status=ScreeningStatus.CLEAR,
                priority_score=0,
                reasons=[{"code": code, "points": 0, "params": {}} for code in codes],
                created_at=utcnow() - timedelta(minutes=age),
            )
        )

    leaving, _p, _s = create_staff(db.session, "leaving", "Leaving", [Role.CASEWORKER])
    staying, _p, _s = create_staff(db.session, "staying", "Staying", [Role.CASEWORKER])
    leaving.active = False
    cases = {name: make_case(db.session)[0] for name in ("unscreened", "cleared", "listed")}
    for case in cases.values():
        case.status, case.screening_status = CaseStatus.IN_REVIEW, ScreeningStatus.CLEAR
    cases["unscreened"].assignee_id = leaving.id
    cases["cleared"].assignee_id = staying.id
    assessed(
        cases["unscreened"], "risk_profile", "watchlist_missing", source=ActorKind.SYSTEM, age=9
    )
    assessed(cases["cleared"], "watchlist_missing", source=ActorKind.SYSTEM, age=9)
    assessed(
        cases["cleared"], "watchlist_missing", "staff_screening_status",
        source=ActorKind.STAFF, age=1,
    )  # fmt: skip
    assessed(cases["listed"], "risk_profile", source=ActorKind.SYSTEM, age=9)
    ids = {name: case.id for name, case in cases.items()}
    staying_id = staying.id
    db.session.commit()
    db.session.remove()
    downgrade(revision="0006")
    upgrade()

    def stored(name: str) -> tuple:
        case = db.session.get(Case, ids[name])
        statuses = db.session.scalars(
            select(RiskAssessment.screening_status)
            .where(RiskAssessment.case_id == case.id)
            .order_by(RiskAssessment.created_at)
        ).all()
        return case.screening_status, statuses, case.assignee_id

    assert stored("unscreened") == (ScreeningStatus.CONCERN, [ScreeningStatus.CONCERN], None)
    assert stored("cleared") == (ScreeningStatus.CLEAR, [ScreeningStatus.CLEAR] * 2, staying_id)
    assert stored("listed") == (ScreeningStatus.CLEAR, [ScreeningStatus.CLEAR], None)
