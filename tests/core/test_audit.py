import pytest
from flask import Flask
from sqlalchemy import delete, select, update

from portal.cases.states import ActorKind
from portal.core.audit import AuditEvent, AuditHead, record_event, verify_chain
from portal.extensions import db


def _chain(app: Flask, length: int = 5) -> bytes:
    for number in range(length):
        record_event(db.session, "test.event", actor_kind=ActorKind.SYSTEM, number=str(number))
    db.session.commit()
    return app.extensions["portal.keyring"].audit_key()


def test_an_intact_chain_verifies(app: Flask) -> None:
    key = _chain(app)
    assert verify_chain(db.session, key) == []


def test_an_edited_event_breaks_the_chain(app: Flask) -> None:
    key = _chain(app)
    third = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id).offset(2)).first()
    db.session.execute(
        update(AuditEvent).where(AuditEvent.id == third).values(action="test.innocent")
    )
    db.session.commit()
    assert verify_chain(db.session, key) == [
        f"event {third} does not match its MAC (edited, or one before it deleted)"
    ]


def test_a_deleted_event_breaks_the_chain(app: Flask) -> None:
    key = _chain(app)
    third = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id).offset(2)).first()
    db.session.execute(delete(AuditEvent).where(AuditEvent.id == third))
    db.session.commit()
    problems = verify_chain(db.session, key)
    assert problems == [
        f"event {third + 1} does not match its MAC (edited, or one before it deleted)"
    ]


def test_events_cut_off_the_end_are_noticed(app: Flask) -> None:
    key = _chain(app)
    newest = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id.desc())).first()
    db.session.execute(delete(AuditEvent).where(AuditEvent.id >= newest - 1))
    db.session.commit()
    problems = verify_chain(db.session, key)
    assert len(problems) == 1 and "events were cut off" in problems[0]


def test_a_forged_head_is_noticed(app: Flask) -> None:
    key = _chain(app)
    db.session.execute(update(AuditHead).values(last_event_id=AuditHead.last_event_id - 1))
    db.session.commit()
    assert verify_chain(db.session, key) == ["the chain head does not match its MAC"]


def test_the_verify_command_reports_and_fails(app: Flask) -> None:
    _chain(app)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit", "checkpoint", "--start-file"]).exit_code == 0
    intact = runner.invoke(args=["audit", "verify"])
    assert intact.exit_code == 0 and "intact" in intact.output
    first = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).first()
    db.session.execute(update(AuditEvent).where(AuditEvent.id == first).values(action="x"))
    db.session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code != 0 and f"event {first}" in broken.output


def test_events_carry_no_personal_values(app: Flask) -> None:
    from tests.factories import PRINCIPAL, make_case

    make_case(db.session)
    db.session.commit()
    stored = " ".join(str(event.details) for event in db.session.scalars(select(AuditEvent)))
    for value in PRINCIPAL.values():
        assert value not in stored


def _recorded_together(app: Flask, count: int = 4) -> list[str]:
    """Record ``count`` events in one go and commit; return the statements it took."""
    from sqlalchemy import event

    from portal.core.audit import appending_together

    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    record_event(db.session, "test.before", actor_kind=ActorKind.SYSTEM)
    db.session.commit()
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        with appending_together(db.session):
            for number in range(count):
                record_event(
                    db.session, "test.together", actor_kind=ActorKind.SYSTEM, number=str(number)
                )
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    return statements


def test_events_appended_together_update_the_head_once_and_verify(app: Flask) -> None:
    statements = _recorded_together(app)
    head_updates = [s for s in statements if s.startswith("UPDATE audit_head SET last_event_id")]
    assert len(head_updates) == 1
    key = app.extensions["portal.keyring"].audit_key()
    assert verify_chain(db.session, key) == []
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.details.get("number") for e in events] == [None, "0", "1", "2", "3"]
    head = db.session.get(AuditHead, 1)
    assert head is not None and head.last_event_id == events[-1].id
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit", "checkpoint", "--start-file"]).exit_code == 0
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_tampering_with_events_appended_together_is_detected(app: Flask) -> None:
    _recorded_together(app)
    key = app.extensions["portal.keyring"].audit_key()
    ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    db.session.execute(update(AuditEvent).where(AuditEvent.id == ids[2]).values(details={}))
    db.session.commit()
    assert verify_chain(db.session, key) == [
        f"event {ids[2]} does not match its MAC (edited, or one before it deleted)"
    ]
    db.session.execute(delete(AuditEvent).where(AuditEvent.id == ids[2]))
    db.session.commit()
    assert verify_chain(db.session, key) == [
        f"event {ids[3]} does not match its MAC (edited, or one before it deleted)"
    ]
    db.session.execute(delete(AuditEvent).where(AuditEvent.id >= ids[3]))
    db.session.commit()
    assert "events were cut off" in verify_chain(db.session, key)[-1]


def test_events_of_a_rolled_back_transaction_leave_no_trace(app: Flask) -> None:
    from portal.core.audit import appending_together

    key = _chain(app, 2)
    with appending_together(db.session):
        record_event(db.session, "test.lost", actor_kind=ActorKind.SYSTEM)
    db.session.rollback()
    record_event(db.session, "test.kept", actor_kind=ActorKind.SYSTEM)
    db.session.commit()
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["test.event", "test.event", "test.kept"]
    assert verify_chain(db.session, key) == []


def test_the_head_and_the_new_ids_are_read_in_one_statement_on_postgresql(app: Flask) -> None:
    """Under the chain lock, which every audited action waits for, one round trip fewer:
    the head row and the ids from the sequence come back together."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite takes the ids from the table under its write lock")
    statements = _recorded_together(app, count=3)
    locked = next(n for n, s in enumerate(statements) if "pg_advisory_xact_lock" in s)
    after_lock = [s for s in statements[locked + 1 :] if s.lstrip().startswith("SELECT")]
    assert len(after_lock) == 1 and "audit_head" in after_lock[0] and "nextval" in after_lock[0]
    key = app.extensions["portal.keyring"].audit_key()
    assert verify_chain(db.session, key) == []
    ids = db.session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)).all()
    assert ids == sorted(set(ids)) and len(ids) == 4
