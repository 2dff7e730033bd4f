import uuid
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    and_,
    exists,
    or_,
    text,
)
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from portal.cases.models.case import CaseOwned
from portal.cases.states import (
    ActorKind,
    DecisionOutcome,
    DecisionState,
    ScreeningStatus,
    ThreatLevel,
)
from portal.core.db import Base, UTCDateTime, ciphertext, created_at, enum_column, uuid_pk
from portal.core.sealed import JSON as SEALED_JSON
from portal.core.sealed import TEXT, Sealed

if TYPE_CHECKING:
    from portal.cases.models.case import Case


class RiskAssessment(CaseOwned, Base):
    """One assessment of a case, by the intake rules or by staff, with readable reasons.

    ``reasons`` holds rule codes, points and non-personal parameters, translated when
    shown; anything personal a reason needs (a matched watch-list entry) is sealed with
    the staff key in ``details``.
    """

    __tablename__ = "risk_assessment"

    id: Mapped[uuid_pk]
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[ActorKind] = enum_column(ActorKind)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    threat_level: Mapped[ThreatLevel] = enum_column(ThreatLevel)
    screening_status: Mapped[ScreeningStatus] = enum_column(ScreeningStatus)
    priority_score: Mapped[int]
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[created_at]

    details_ct: Mapped[ciphertext | None] = mapped_column("details")
    details = Sealed(SEALED_JSON, scope="staff")

    case: Mapped["Case"] = relationship()


def newest_first() -> tuple[Any, Any]:
    """The order of a case's assessments, the one in force first: the newest, and of two
    made at one instant the one with the larger id (one must win, the same everywhere)."""
    return RiskAssessment.created_at.desc(), RiskAssessment.id.desc()


def in_force(assessments: Any = RiskAssessment, *within: Any) -> ColumnElement[bool]:
    """SQL: this row of ``assessments`` (the model, an alias or the table's columns) is
    its case's assessment in force: no assessment of the case comes before it in
    ``newest_first``. ``within`` narrows the rows looked at for a newer one (a window of
    case ids, so that each table is read from its index within it only)."""
    newer = aliased(RiskAssessment)
    return ~exists().where(
        *(condition(newer) for condition in within),
        newer.case_id == assessments.case_id,
        or_(
            newer.created_at > assessments.created_at,
            and_(newer.created_at == assessments.created_at, newer.id > assessments.id),
        ),
    )


class Decision(CaseOwned, Base):
    """A proposed decision and its confirmation or return by a different decider."""

    __tablename__ = "decision"

    id: Mapped[uuid_pk]
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[DecisionOutcome] = enum_column(DecisionOutcome)
    state: Mapped[DecisionState] = enum_column(DecisionState, default=DecisionState.PROPOSED)
    proposed_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id"))
    proposed_at: Mapped[created_at]
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    reasons_ct: Mapped[ciphertext | None] = mapped_column("reasons")
    reasons = Sealed(TEXT, scope="staff")

    case: Mapped["Case"] = relationship()

    __table_args__ = (
        # Four eyes, enforced by the database too: nobody confirms their own proposal.
        CheckConstraint(
            "decided_by_id IS NULL OR decided_by_id <> proposed_by_id", name="four_eyes"
        ),
        # What waits for confirmation, per proposer (the team page, ``portal.review.team``):
        # only the open proposals, a few among the decisions of every case ever decided.
        Index(
            "ix_decision_waiting",
            "proposed_by_id",
            "proposed_at",
            "case_id",
            postgresql_where=text("state = 'proposed'"),
            sqlite_where=text("state = 'proposed'"),
        ),
    )


class BlindIndex(Base):
    """A keyed hash of one normalised value, so equal values meet without decryption."""

    __tablename__ = "blind_index"

    id: Mapped[uuid_pk]
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), index=True
    )
    # Indexed: duplicate screening looks up people's document numbers, and removing a
    # person would otherwise scan the whole table for its cascade.
    person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(32))
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))

    __table_args__ = (Index("ix_blind_index_lookup", "purpose", "digest"),)


class DuplicateReason(StrEnum):
    DOCUMENT_NUMBER = "document_number"  # two principals with one document number
    NAME_BIRTH_YEAR = "name_birth_year"  # two principals with one name and year of birth
    NAME_TRANSLITERATED = "name_transliterated"  # the same, written in two scripts
    PHONE = "phone"  # two cases with one contact phone number
    FAMILY_MEMBER = "family_member"  # one person, listed as family in at least one case


class DuplicateLink(Base):
    """Two cases that share a person or a phone number; never merged.

    Stored once, for both cases: ``case_id`` is the smaller id, and each side reads it
    through ``portal.intake.duplicates.links_of``. ``matched_on`` names the blind index that
    met (``document_number``, ``phone``...); ``reason`` what staff are told it means. Holds
    ids and codes only.
    """

    __tablename__ = "duplicate_link"

    id: Mapped[uuid_pk]
    # Not indexed on its own: the unique constraint below starts with it.
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    other_case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), index=True
    )
    # Indexed for the cascades when a person is removed.
    person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    other_person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    matched_on: Mapped[str] = mapped_column(String(32))
    reason: Mapped[DuplicateReason] = enum_column(DuplicateReason)
    created_at: Mapped[created_at]

    __table_args__ = (
        UniqueConstraint(
            "case_id",
            "other_case_id",
            "person_id",
            "other_person_id",
            "matched_on",
            name="uq_duplicate_link_pair",  # the generated name is past PostgreSQL's 63
        ),
        CheckConstraint("case_id < other_case_id", name="stored_once"),
    )
