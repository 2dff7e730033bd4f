"""Imports every model so that the metadata (and Alembic) sees the whole schema."""

from portal.accounts.models import StaffRole, StaffUser
from portal.cases.models import (
    BlindIndex,
    Case,
    CaseTransition,
    Decision,
    Document,
    Employment,
    KeyWrap,
    Message,
    Note,
    Person,
    RiskAssessment,
)
from portal.core.audit import AuditEvent
from portal.intake.models import OutboxEntry

__all__ = [
    "AuditEvent",
    "BlindIndex",
    "Case",
    "CaseTransition",
    "Decision",
    "Document",
    "Employment",
    "KeyWrap",
    "Message",
    "Note",
    "OutboxEntry",
    "Person",
    "RiskAssessment",
    "StaffRole",
    "StaffUser",
]
