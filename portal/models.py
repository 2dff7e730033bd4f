"""Imports every model so that the metadata (and Alembic) sees the whole schema."""

from portal.accounts.models import StaffRole, StaffSession, StaffUser
from portal.cases.models import (
    BlindIndex,
    Case,
    CaseExport,
    CaseTransition,
    Decision,
    Document,
    DuplicateLink,
    Employment,
    KeyWrap,
    Message,
    Note,
    Person,
    RiskAssessment,
)
from portal.core.audit import AuditEvent, AuditHead
from portal.intake.models import OutboxEntry
from portal.watchlist.models import WatchList, WatchListEntry

__all__ = [
    "AuditEvent",
    "AuditHead",
    "BlindIndex",
    "Case",
    "CaseExport",
    "CaseTransition",
    "Decision",
    "Document",
    "DuplicateLink",
    "Employment",
    "KeyWrap",
    "Message",
    "Note",
    "OutboxEntry",
    "Person",
    "RiskAssessment",
    "StaffRole",
    "StaffSession",
    "StaffUser",
    "WatchList",
    "WatchListEntry",
]
