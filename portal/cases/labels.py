"""What staff screens call a case's statuses, levels and reasons, and staff roles.

In the staff language: the database and URLs keep the enum values (``in_review``);
people read these names.
Keyed by enum class first: members of different enums may share a value ("other").
"""

from enum import StrEnum

from flask_babel import LazyString

from portal.cases.family import Reason, Verdict
from portal.cases.models import DuplicateReason
from portal.cases.states import (
    ActorKind,
    CaseStatus,
    DecisionOutcome,
    DocumentKind,
    IdentityDocument,
    Programme,
    Relationship,
    ScreeningStatus,
    ThreatLevel,
)
from portal.core.actors import Role
from portal.core.i18n import _ls

LABELS: dict[type[StrEnum], dict[StrEnum, LazyString]] = {
    CaseStatus: {
        CaseStatus.DRAFT: _ls("draft"),
        CaseStatus.SUBMITTED: _ls("submitted"),
        CaseStatus.SCREENING: _ls("being screened"),
        CaseStatus.IN_REVIEW: _ls("in review"),
        CaseStatus.INFO_REQUESTED: _ls("information requested"),
        CaseStatus.DECISION_PROPOSED: _ls("decision proposed"),
        CaseStatus.ADMITTED: _ls("admitted"),
        CaseStatus.REJECTED: _ls("rejected"),
        CaseStatus.VISA_ISSUED: _ls("visa issued"),
        CaseStatus.ARRIVED: _ls("arrived"),
        CaseStatus.WITHDRAWN: _ls("withdrawn"),
    },
    Programme: {
        Programme.LOCAL_STAFF: _ls("local staff"),
        Programme.AT_RISK: _ls("people at risk"),
    },
    ThreatLevel: {
        ThreatLevel.UNASSESSED: _ls("not assessed"),
        ThreatLevel.LOW: _ls("low"),
        ThreatLevel.MODERATE: _ls("moderate"),
        ThreatLevel.HIGH: _ls("high"),
        ThreatLevel.CRITICAL: _ls("critical"),
    },
    ScreeningStatus: {
        ScreeningStatus.PENDING: _ls("pending"),
        ScreeningStatus.CLEAR: _ls("clear"),
        ScreeningStatus.HIT: _ls("watch-list hit"),
        ScreeningStatus.CONCERN: _ls("concern"),
        ScreeningStatus.FAILED: _ls("screening failed"),
    },
    Relationship: {
        Relationship.PRINCIPAL: _ls("principal applicant"),
        Relationship.SPOUSE: _ls("spouse"),
        Relationship.REGISTERED_PARTNER: _ls("registered partner"),
        Relationship.CHILD: _ls("child"),
        Relationship.PARENT: _ls("parent"),
        Relationship.SIBLING: _ls("sibling"),
        Relationship.OTHER: _ls("other relative"),
    },
    IdentityDocument: {
        IdentityDocument.PASSPORT: _ls("passport"),
        IdentityDocument.PAPER_TAZKIRA: _ls("paper tazkira"),
        IdentityDocument.E_TAZKIRA: _ls("e-tazkira"),
        IdentityDocument.NATIONAL_ID: _ls("national identity card"),
        IdentityDocument.OTHER: _ls("other document"),
        IdentityDocument.NONE: _ls("no document (sworn declaration)"),
    },
    DocumentKind: {
        DocumentKind.IDENTITY: _ls("identity document"),
        DocumentKind.PHOTO: _ls("photo"),
        DocumentKind.EMPLOYMENT: _ls("proof of employment"),
        DocumentKind.THREAT_EVIDENCE: _ls("evidence of threat"),
        DocumentKind.FAMILY: _ls("family document"),
        DocumentKind.OTHER: _ls("other"),
    },
    DecisionOutcome: {
        DecisionOutcome.ADMIT: _ls("admit"),
        DecisionOutcome.REJECT: _ls("reject"),
    },
    ActorKind: {
        ActorKind.APPLICANT: _ls("the applicant"),
        ActorKind.STAFF: _ls("staff"),
        ActorKind.SYSTEM: _ls("the system"),
    },
    Role: {
        Role.CASEWORKER: _ls("caseworker"),
        Role.DECIDER: _ls("decider"),
        Role.SECURITY_OFFICER: _ls("security officer"),
        Role.ENVOY: _ls("special envoy"),
        Role.ADMIN: _ls("administrator"),
    },
    DuplicateReason: {
        DuplicateReason.DOCUMENT_NUMBER: _ls("same document number"),
        DuplicateReason.NAME_BIRTH_YEAR: _ls("same name and year of birth"),
        DuplicateReason.NAME_TRANSLITERATED: _ls("same name in another script, same year of birth"),
        DuplicateReason.PHONE: _ls("same phone number"),
        DuplicateReason.FAMILY_MEMBER: _ls("same person listed as family"),
    },
    Verdict: {
        Verdict.CORE: _ls("core family"),
        Verdict.HARDSHIP: _ls("only in cases of hardship"),
        Verdict.UNCLEAR: _ls("unclear"),
    },
    Reason: {
        Reason.SPOUSE: _ls("spouse or registered partner"),
        Reason.MINOR_UNMARRIED_CHILD: _ls("minor unmarried child"),
        Reason.ADULT_CHILD: _ls("adult child"),
        Reason.MARRIED_CHILD: _ls("married child"),
        Reason.PARENT_OF_MINOR: _ls("parent of a minor applicant"),
        Reason.MINOR_SIBLING_OF_MINOR: _ls("minor sibling of a minor applicant"),
        Reason.PARENT_OF_ADULT: _ls("parent of an adult applicant"),
        Reason.SIBLING: _ls("sibling"),
        Reason.OTHER_RELATIVE: _ls("other relative"),
        Reason.AGE_UNKNOWN: _ls("age unknown"),
    },
}


def lazy_label(value: object) -> object:
    """The name of an enum member, translated when shown: for messages made outside a request."""
    names = LABELS.get(type(value), {}) if isinstance(value, StrEnum) else {}
    return names.get(value, value)  # type: ignore[call-overload]


def label(value: object) -> str:
    """The staff-language name of an enum member; anything else as it is."""
    return str(lazy_label(value))
