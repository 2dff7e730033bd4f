"""0020: the proposals that a withdrawal left open are closed as "withdrawn"; those that
wait, and those decided, stay as they were."""

import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from portal.accounts.services import create_staff
from portal.cases.models import Case
from portal.core.actors import Role
from portal.extensions import db
from tests.factories import make_case

CASE = sa.table("case", sa.column("id", sa.Uuid()), sa.column("status", sa.String()))
DECISION = sa.table(
    "decision",
    sa.column("id", sa.Uuid()),
    sa.column("case_id", sa.Uuid()),
    sa.column("outcome", sa.String()),
    sa.column("state", sa.String()),
    sa.column("proposed_by_id", sa.Uuid()),
    sa.column("proposed_at", sa.DateTime(timezone=True)),
)

# Each case's status and its proposal's state as the code before 0020 left them.
KINDS = {
    "withdrawn": ("withdrawn", "proposed"),
    "waits": ("decision_proposed", "proposed"),
    "decided": ("in_review", "returned"),
}


def test_the_upgrade_closes_what_withdrawals_left_open(app: Flask) -> None:
    proposer, _password, _secret = create_staff(db.session, "amira", "Amira", [Role.CASEWORKER])
    cases: dict[str, Case] = {kind: make_case(db.session)[0] for kind in KINDS}
    db.session.commit()
    ids = {kind: case.id for kind, case in cases.items()}
    proposer_id = proposer.id
    db.session.remove()
    downgrade(revision="0019")
    with db.engine.begin() as connection:  # as the code before it left them
        for kind, (status, state) in KINDS.items():
            connection.execute(sa.update(CASE).where(CASE.c.id == ids[kind]).values(status=status))
            connection.execute(
                sa.insert(DECISION).values(
                    id=ids[kind],  # a decision id of its own; the case's serves
                    case_id=ids[kind],
                    outcome="reject",
                    state=state,
                    proposed_by_id=proposer_id,
                    proposed_at=sa.func.now(),
                )
            )
    upgrade()
    with db.engine.connect() as connection:
        states = dict(connection.execute(sa.select(DECISION.c.case_id, DECISION.c.state)).all())
    assert states == {
        ids["withdrawn"]: "withdrawn",
        ids["waits"]: "proposed",
        ids["decided"]: "returned",
    }
