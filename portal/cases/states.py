"""The vocabularies of a case: programmes, lifecycle states, risk levels, relationships."""

from enum import StrEnum

from portal.core.actors import ActorKind as ActorKind  # re-exported: cases speak of actors


class Programme(StrEnum):
    LOCAL_STAFF = "local_staff"  # section 22 sentence 2 Residence Act
    AT_RISK = "at_risk"  # humanitarian visa for people at risk, section 22 Residence Act


class CaseStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    SCREENING = "screening"
    IN_REVIEW = "in_review"
    INFO_REQUESTED = "info_requested"
    DECISION_PROPOSED = "decision_proposed"
    ADMITTED = "admitted"
    REJECTED = "rejected"
    VISA_ISSUED = "visa_issued"
    ARRIVED = "arrived"
    WITHDRAWN = "withdrawn"


# Waiting for someone at the consulate (or at intake): what the review queue shows.
OPEN_STATUSES = (
    CaseStatus.SUBMITTED,
    CaseStatus.SCREENING,
    CaseStatus.IN_REVIEW,
    CaseStatus.INFO_REQUESTED,
    CaseStatus.DECISION_PROPOSED,
)


class ThreatLevel(StrEnum):
    UNASSESSED = "unassessed"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    CRITICAL = "critical"


class ScreeningStatus(StrEnum):
    PENDING = "pending"
    CLEAR = "clear"
    HIT = "hit"
    CONCERN = "concern"
    FAILED = "failed"  # the intake job gave up; staff see the case anyway


class Relationship(StrEnum):
    PRINCIPAL = "principal"
    SPOUSE = "spouse"
    REGISTERED_PARTNER = "registered_partner"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    OTHER = "other"


SPOUSES = (Relationship.SPOUSE, Relationship.REGISTERED_PARTNER)


class IdentityDocument(StrEnum):
    PASSPORT = "passport"
    PAPER_TAZKIRA = "paper_tazkira"
    E_TAZKIRA = "e_tazkira"
    NATIONAL_ID = "national_id"
    OTHER = "other"
    NONE = "none"


class DocumentKind(StrEnum):
    IDENTITY = "identity"
    PHOTO = "photo"
    EMPLOYMENT = "employment"
    THREAT_EVIDENCE = "threat_evidence"
    FAMILY = "family"
    OTHER = "other"


class MessageDirection(StrEnum):
    TO_APPLICANT = "to_applicant"
    FROM_APPLICANT = "from_applicant"


class DecisionOutcome(StrEnum):
    ADMIT = "admit"
    REJECT = "reject"


class DecisionState(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    RETURNED = "returned"
    # The applicant withdrew the case while the proposal waited: nobody decided it.
    WITHDRAWN = "withdrawn"
