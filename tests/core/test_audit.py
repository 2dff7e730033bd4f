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
