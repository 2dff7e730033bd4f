"""The audit trail: an append-only hash chain of who did what to which case.

Each event's MAC (HMAC-SHA256 under the audit key) covers its own content and the
previous event's MAC, so editing, deleting or cutting off events breaks the chain.
Events carry ids and codes, never personal data.
"""

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from typing import Any

from flask import current_app
from sqlalchemy import (
    JSON,
    BigInteger,
    Index,
    Integer,
    LargeBinary,
    Select,
    String,
    bindparam,
    func,
    select,
    text,
)
from sqlalchemy import event as orm_events
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.core.actors import ActorKind
from portal.core.db import Base, DbSession, UTCDateTime, enum_column, utcnow

# Any fixed number: the PostgreSQL advisory lock that serialises appends to the chain.
CHAIN_LOCK_ID = 0x61756469
GENESIS_MAC = bytes(32)
# Events recorded in a session and not chained yet, in the order they were recorded.
PENDING = "portal.audit_pending"
TOGETHER = "portal.audit_together"


class AuditEvent(Base):
    __tablename__ = "audit_event"

    # An integer sequence gives the chain its order.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_kind: Mapped[ActorKind] = enum_column(ActorKind)
    actor_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(64), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    mac: Mapped[bytes | None] = mapped_column(LargeBinary(32))

    # One person's events of one kind in a time range (the insider budgets count them on
    # every case opened): a seek to that person's last hour, whatever the table's size.
    __table_args__ = (Index("ix_audit_event_by_actor", "actor_id", "action", "at"),)

    def canonical(self) -> bytes:
        return json.dumps(
            {
                "id": self.id,
                "at": self.at.isoformat(),
                "actor_kind": str(self.actor_kind),
                "actor_id": str(self.actor_id) if self.actor_id else None,
                "action": self.action,
                "case_id": str(self.case_id) if self.case_id else None,
                "details": self.details,
            },
            sort_keys=True,
            separators=(",", ":"),
        ).encode()


class AuditHead(Base):
    """The end of the chain, MAC'd: cutting events off the end is noticed too.

    Without it, deleting the newest events would leave a shorter chain that still verifies.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)  # a single row: HEAD_ID
    last_event_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    last_mac: Mapped[bytes] = mapped_column(LargeBinary(32))
    mac: Mapped[bytes] = mapped_column(LargeBinary(32))


HEAD_ID = 1


def chain_mac(key: bytes, previous: bytes, event: AuditEvent) -> bytes:
    return hmac.new(key, previous + event.canonical(), hashlib.sha256).digest()


def head_mac(key: bytes, last_event_id: int, last_mac: bytes) -> bytes:
    return hmac.new(key, b"head|%d|" % last_event_id + last_mac, hashlib.sha256).digest()


def record_event(
    session: DbSession,
    action: str,
    *,
    actor_kind: ActorKind,
    actor_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
    **details: Any,
) -> AuditEvent:
    """Append an event in the caller's transaction; it is chained when flushed here.

    The chain lock is held until the caller commits, so appends are strictly ordered.
    Inside ``appending_together`` the flush waits for the session's next one, so every
    event recorded until then is chained in one go.
    """
    event = AuditEvent(
        at=utcnow(),
        actor_kind=actor_kind,
        actor_id=actor_id,
        action=action,
        case_id=case_id,
        details=details,
    )
    session.add(event)
    session.info.setdefault(PENDING, []).append(event)
    if not session.info.get(TOGETHER):
        session.flush()
    return event


@contextmanager
def appending_together(session: DbSession) -> Iterator[None]:
    """Record events without a flush each: they are chained together at the next flush.

    For callers that read nothing back before they commit (the intake job): several
    events then cost one lock, one read and one update of the chain head.
    """
    outer = session.info.get(TOGETHER, False)
    session.info[TOGETHER] = True
    try:
        yield
    finally:
        session.info[TOGETHER] = outer


def hold_chain_lock(session: DbSession) -> None:
    """Take the chain lock now; it is held until the transaction ends.

    Appends take it to keep the chain in order (the head read under it is the end). Whoever
    counts events and then appends one (the insider budgets) takes it first: every event
    committed before is then visible to the count, and no other transaction can append
    until this one ends, so two parallel requests cannot both count the same number.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_TAKE_LOCK, {"id": CHAIN_LOCK_ID})
    else:
        # SQLite: any write takes the database's write lock, even one that changes nothing.
        session.execute(_TOUCH_HEAD, {"id": HEAD_ID})


_TAKE_LOCK = text("SELECT pg_advisory_xact_lock(:id)")
_TOUCH_HEAD = text("UPDATE audit_head SET id = id WHERE id = :id")


def _new_event_ids(session: Session, count: int, head: AuditHead | None) -> list[int]:
    """Ids in chain order, taken under the chain lock (which keeps them increasing)."""
    if session.get_bind().dialect.name == "postgresql":
        ids = session.scalars(text(_NEXT_IDS), {"count": count}).all()
        return sorted(ids)
    # Past the head too: events cut off the end must not have their ids reused.
    last = max(
        session.scalar(select(func.max(AuditEvent.id))) or 0, head.last_event_id if head else 0
    )
    return list(range(last + 1, last + 1 + count))


_NEXT_IDS = (
    "SELECT nextval(pg_get_serial_sequence('audit_event', 'id')) FROM generate_series(1, :count)"
)


@cache
def _head_with_new_ids() -> Select[AuditHead, list[int]]:
    """The statement of ``_head_and_new_ids``, built once: building it took a third of the
    time it took to run (a statement is immutable, its parameter is the count)."""
    ids = (
        select(func.array_agg(func.nextval(func.pg_get_serial_sequence("audit_event", "id"))))
        .select_from(func.generate_series(1, bindparam("count", type_=Integer)))
        .scalar_subquery()
    )
    return (
        select(AuditHead, ids)
        .where(AuditHead.id == HEAD_ID)
        .execution_options(populate_existing=True)
    )


def _head_and_new_ids(session: Session, count: int) -> tuple[AuditHead | None, list[int]]:
    """The chain's head, read afresh under the chain lock, and ``count`` new event ids.

    On PostgreSQL in one statement, one round trip fewer while every other append waits
    for the lock: the head row with an array of ids from the sequence beside it.
    """
    if session.get_bind().dialect.name == "postgresql":
        row = session.execute(_head_with_new_ids(), {"count": count}).first()
        if row is not None:
            return row[0], sorted(row[1])
    head = session.get(AuditHead, HEAD_ID, populate_existing=True)
    return head, _new_event_ids(session, count, head)


def chain_pending_events(session: Session) -> None:
    """Chain the events recorded since the last flush, in the order they were recorded.

    Runs before every flush; the events are then inserted with their ids and MACs by the
    flush itself, and the head row is updated once.
    """
    pending = session.info.pop(PENDING, None)
    events = [event for event in pending or () if event in session.new and event.mac is None]
    if not events:
        return
    with session.no_autoflush:
        hold_chain_lock(session)
        head, ids = _head_and_new_ids(session, len(events))
    key = current_app.extensions["portal.keyring"].audit_key()
    previous = head.last_mac if head else GENESIS_MAC
    for event, event_id in zip(events, ids, strict=True):
        event.id = event_id
        event.mac = previous = chain_mac(key, previous, event)
    if head is None:
        head = AuditHead(id=HEAD_ID)
        session.add(head)
    head.last_event_id, head.last_mac = events[-1].id, previous
    head.mac = head_mac(key, head.last_event_id, previous)


@orm_events.listens_for(Session, "before_flush")
def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    chain_pending_events(session)


def verify_chain(session: DbSession, key: bytes) -> list[str]:
    """Return a description of every break in the chain; empty when it is intact.

    An edited event fails its own MAC; a deleted one breaks the MAC of the event after it
    (ids may have gaps: PostgreSQL spends sequence numbers on rolled-back inserts); events
    cut off the end no longer match the head.
    """
    problems = []
    previous, last_id = GENESIS_MAC, None
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.id)).yield_per(1000):
        if event.mac is None or not hmac.compare_digest(event.mac, chain_mac(key, previous, event)):
            problems.append(
                f"event {event.id} does not match its MAC (edited, or one before it deleted)"
            )
        previous, last_id = event.mac or GENESIS_MAC, event.id
    head = session.get(AuditHead, HEAD_ID)
    if head is None:
        if last_id is not None:
            problems.append("the chain head is missing")
    elif not hmac.compare_digest(head.mac, head_mac(key, head.last_event_id, head.last_mac)):
        problems.append("the chain head does not match its MAC")
    elif head.last_event_id != last_id or not hmac.compare_digest(head.last_mac, previous):
        problems.append(
            f"the chain ends at event {last_id}, but its head names event {head.last_event_id}: events were cut off"
        )
    return problems
