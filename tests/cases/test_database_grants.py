"""The public face's database role may make every move an applicant makes, triggers and all.

deploy/postgresql/grants.sql gives the public face's role only what an applicant's requests
need. A move of a case also writes, by trigger, into every tally kept of the cases; a tally
added by a migration but not granted there would refuse an applicant's answer in production
alone, since the tests and the development server connect as the schema's owner.
"""

import os
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from portal.accounts.services import create_staff
from portal.cases.models import Decision
from portal.cases.states import CaseStatus, DecisionOutcome, DecisionState
from portal.config import _database_url
from portal.core.actors import Role
from portal.core.db import utcnow
from portal.extensions import db
from tests.database_roles import as_role, granted_roles
from tests.factories import make_case

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith(("postgresql", "postgres:")),
    reason="the deployment's roles are PostgreSQL's; set TEST_DATABASE_URL=postgresql://...",
)


@pytest.fixture
def public_role(database_url: str) -> Iterator[tuple[str, str]]:
    """The public face's role (name, connection URL), granted on the test's database."""
    prefix = f"{make_url(database_url).database}_gr"
    with granted_roles(database_url, prefix):
        role = f"{prefix}_public"
        yield role, as_role(database_url, make_url(database_url).database or "", role)


def _run_as(url: str, statement: str, **parameters: object) -> int:
    """One statement in a transaction of its own, connected as a role; its row count."""
    engine = create_engine(_database_url(url))
    try:
        with engine.begin() as connection:
            return connection.execute(text(statement), parameters).rowcount
    finally:
        engine.dispose()


def _tables_written_by_triggers_on_case() -> set[str]:
    """Every table a trigger function on ``case`` inserts into, read from the functions."""
    sources = db.session.scalars(
        text(
            "SELECT p.prosrc FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgrelid = '\"case\"'::regclass AND NOT t.tgisinternal"
        )
    )
    return {table for source in sources for table in re.findall(r"INSERT INTO (\w+)", source)}


def test_the_public_role_may_write_every_tally_a_move_writes(
    app: Flask, public_role: tuple[str, str]
) -> None:
    role, _url = public_role
    with app.app_context():
        written = _tables_written_by_triggers_on_case()
        refused = [
            table
            for table in sorted(written)
            if not db.session.scalar(
                text("SELECT has_table_privilege(:role, :table, 'INSERT')"),
                {"role": role, "table": table},
            )
        ]
        db.session.remove()
    # The five tallies at least, so that the reading of the functions is not empty.
    tallies = {"case_tally", "case_facet_tally", "case_waiting_tally", "case_waiting_facet_tally"}
    assert tallies | {"case_answer_due_tally"} <= written
    assert refused == []


def test_an_applicant_answers_a_question_as_the_public_role(
    app: Flask, public_role: tuple[str, str]
) -> None:
    """The move out of a question with a deadline: every tally gets its rows."""
    with app.app_context():
        case, _code = make_case(db.session)
        case.status = CaseStatus.INFO_REQUESTED
        case.submitted_at = utcnow() - timedelta(days=20)
        case.answer_due_at = utcnow() + timedelta(days=3)
        db.session.commit()
        case_id: uuid.UUID = case.id
        db.session.remove()
    moved = _run_as(
        public_role[1],
        'UPDATE "case" SET status = :status, answer_due_at = NULL, status_changed_at = now() '
        "WHERE id = :id",
        status=CaseStatus.IN_REVIEW.value,
        id=case_id,
    )
    assert moved == 1


def test_an_applicant_withdraws_while_a_proposal_waits_as_the_public_role(
    app: Flask, public_role: tuple[str, str]
) -> None:
    """The proposal is closed by the database's trigger, though the role may neither read
    nor change a decision itself."""
    with app.app_context():
        case, _code = make_case(db.session)
        proposer, _password, _secret = create_staff(db.session, "amira", "A", [Role.DECIDER])
        case.status = CaseStatus.DECISION_PROPOSED
        db.session.add(
            Decision(case=case, outcome=DecisionOutcome.REJECT, proposed_by_id=proposer.id)
        )
        db.session.commit()
        case_id: uuid.UUID = case.id
        db.session.remove()
    withdraw = 'UPDATE "case" SET status = :status, status_changed_at = now() WHERE id = :id'
    assert _run_as(public_role[1], withdraw, status=CaseStatus.WITHDRAWN.value, id=case_id) == 1
    with pytest.raises(ProgrammingError, match="permission denied"):
        _run_as(public_role[1], "SELECT state FROM decision")
    with app.app_context():
        decision = db.session.scalars(select(Decision).where(Decision.case_id == case_id)).one()
        assert decision.state == DecisionState.WITHDRAWN and decision.decided_by_id is None
        db.session.remove()
