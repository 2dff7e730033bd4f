"""What the reports change: nothing but the audit trail, which records every export."""

from typing import Any

from portal.accounts.models import StaffUser
from portal.cases.states import ActorKind
from portal.core.audit import record_event
from portal.core.db import DbSession
from portal.core.permissions import Permission, authorize


def record_export(
    session: DbSession, actor: StaffUser, *, tables: str, file_format: str, scope: dict[str, Any]
) -> None:
    """Note who exported which tables of which period and filters, in which format."""
    authorize(actor, Permission.REPORTS_READ)
    record_event(
        session,
        "report.exported",
        actor_kind=ActorKind.STAFF,
        actor_id=actor.id,
        tables=tables,
        format=file_format,
        **scope,
    )
