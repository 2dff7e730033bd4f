"""Local staff by employer category, counted without a per-case trace.

Having worked for the Bundeswehr is what endangers a person, so the category is never a
clear column of a case. The intake job, which holds the keys, leaves one sealed tick per
local staff case, without the case's id; the figures refresh opens the ticks and adds them
to monthly, quarterly and yearly counts, many cases at a time, and deletes them. The ticks
are sealed under a key derived from the internal key, which the public face never holds.
"""

import json
import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select

from portal.cases import figures
from portal.cases.figures import add_counts, month_start
from portal.cases.models import Case, EmployerFigure, EmployerTick, Grain
from portal.cases.states import Programme
from portal.core import crypto
from portal.core.db import DbSession
from portal.core.keyring import KeyRing
from portal.intake.facts import CaseFacts
from portal.intake.priority import most_exposed_employer

_PURPOSE = "employer figures"
# Weeks would make cells of one or two cases; a month is the finest period kept.
EMPLOYER_GRAINS = (Grain.MONTH, Grain.QUARTER, Grain.YEAR)


def _cipher(keyring: KeyRing, version: int) -> crypto.FieldCipher:
    return crypto.FieldCipher(crypto.derive_subkey(keyring.internal_key(version), _PURPOSE))


def _context(tick: EmployerTick) -> bytes:
    return crypto.field_context(EmployerTick.__tablename__, "sealed", tick.id)


def leave_ticks(
    session: DbSession,
    cases: Iterable[Case],
    facts: dict[uuid.UUID, CaseFacts],
    keyring: KeyRing,
    now: datetime,
) -> None:
    """One sealed tick for each local staff case that named an employer."""
    version, _ = keyring.current_internal()
    cipher = _cipher(keyring, version)
    for case in cases:
        category = most_exposed_employer(facts[case.id])
        if case.programme != Programme.LOCAL_STAFF or category is None:
            continue
        tick = EmployerTick(id=uuid.uuid4(), key_version=version)  # the seal is bound to it
        counted = {
            "month": month_start(now.date()).isoformat(),
            "nationality": case.nationality or "",
            "category": category,
            "people": case.people_count,
            "report_key": case.report_key,
        }
        tick.sealed = cipher.encrypt(json.dumps(counted).encode(), context=_context(tick))
        session.add(tick)


def fold_ticks(session: DbSession, keyring: KeyRing) -> int:
    """Add every waiting tick to the employer figures; returns how many were added."""
    ticks = list(session.scalars(select(EmployerTick).with_for_update(skip_locked=True)))
    rows = []
    for tick in ticks:
        counted = json.loads(
            _cipher(keyring, tick.key_version).decrypt(tick.sealed, context=_context(tick))
        )
        rows.append(
            (
                datetime.fromisoformat(counted["month"]).date(),
                counted["nationality"],
                counted["category"],
                1,
                counted["people"],
                counted["report_key"],
            )
        )
    add_counts(
        session.connection(),
        EmployerFigure,
        ("nationality", "category"),
        ("cases", "people", "key_sum"),
        EMPLOYER_GRAINS,
        rows,
    )
    if ticks:
        session.execute(delete(EmployerTick).where(EmployerTick.id.in_([t.id for t in ticks])))
    return len(ticks)


def refresh_figures(session: DbSession, keyring: KeyRing, now: datetime) -> bool:
    """Bring every figure up to date: the employer ticks, then the moves and the snapshot.

    Commits the ticks' folding itself, because ``figures.refresh`` works in a transaction
    of its own; False if another refresh was busy with the moves.
    """
    fold_ticks(session, keyring)
    session.commit()
    return figures.refresh(session.get_bind(), now)  # type: ignore[arg-type]
