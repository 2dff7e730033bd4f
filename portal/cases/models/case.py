import secrets
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, and_
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from portal.cases.states import (
    OPEN_STATUSES,
    ActorKind,
    CaseStatus,
    Programme,
    Relationship,
    ScreeningStatus,
    ThreatLevel,
)
from portal.core.crypto import FieldCipher
from portal.core.db import Base, UTCDateTime, ciphertext, created_at, enum_column, utcnow, uuid_pk
from portal.core.sealed import JSON, TEXT, LockedError, Sealed

UNLOCKED_KEYS = "portal.unlocked_case_keys"
REPORT_KEY_SPACE = 2**31


def new_report_key() -> int:
    return secrets.randbelow(REPORT_KEY_SPACE)


if TYPE_CHECKING:
    from portal.cases.models.people import Employment, Person


class Case(Base):
    """One application: the principal applicant, their family, and its path through review.

    Columns in clear are the ones queues and reports need; everything that identifies a
    person is sealed with the case's data key.
    """

    __tablename__ = "case"

    id: Mapped[uuid_pk]
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    programme: Mapped[Programme] = enum_column(Programme)
    status: Mapped[CaseStatus] = enum_column(CaseStatus, default=CaseStatus.DRAFT)
    language: Mapped[str] = mapped_column(String(8))
    nationality: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    country_of_stay: Mapped[str | None] = mapped_column(String(2))
    people_count: Mapped[int] = mapped_column(default=1)
    identity_to_be_clarified: Mapped[bool] = mapped_column(default=False)
    threat_level: Mapped[ThreatLevel] = enum_column(ThreatLevel, default=ThreatLevel.UNASSESSED)
    screening_status: Mapped[ScreeningStatus] = enum_column(
        ScreeningStatus, default=ScreeningStatus.PENDING
    )
    priority_score: Mapped[int] = mapped_column(default=0)
    # A random number that says nothing about the case: the envoy's figures sum it per
    # cell, and disclosure control draws each cell's noise from that sum.
    report_key: Mapped[int] = mapped_column(BigInteger, default=new_report_key)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))
    created_at: Mapped[created_at]
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who made the move into the current stage: a case back in review by the applicant's
    # hand has an answer to a request for information that staff have not acted on yet.
    status_changed_by: Mapped[ActorKind | None] = enum_column(ActorKind)
    shredded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the applicant confirmed the declarations and consented to processing.
    declarations_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The deadline of the open information request (``Message.due_at``), kept here so that
    # "overdue" is one indexed comparison on this table; None whenever no request is open.
    answer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    row_version: Mapped[int] = mapped_column(default=1)
    # Moved on by the applicant's sign-out: a session cookie remembers the generation it
    # was signed in at, so a copy of it opens the case no more (portal.apply.session).
    sign_in_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    contact_ct: Mapped[ciphertext | None] = mapped_column("contact")
    risk_profile_ct: Mapped[ciphertext | None] = mapped_column("risk_profile")
    threat_description_ct: Mapped[ciphertext | None] = mapped_column("threat_description")

    # The access code, encrypted under a key that only the applicant's browser session
    # holds, until their first sign-in with it (portal.apply.receipt; docs/security.md).
    access_code_receipt_ct: Mapped[ciphertext | None] = mapped_column("access_code_receipt")

    contact = Sealed(JSON)  # {"phone": ..., "email": ..., "messenger": ...}
    risk_profile = Sealed(JSON)  # list of risk categories: as sensitive as it gets
    threat_description = Sealed(TEXT)

    people: Mapped[list["Person"]] = relationship(
        back_populates="case", order_by="Person.position", cascade="all, delete-orphan"
    )
    employments: Mapped[list["Employment"]] = relationship(
        back_populates="case", order_by="Employment.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": row_version}

    def _unlocked_keys(self) -> dict[str, FieldCipher]:
        """This case's unwrapped keys, kept in its session's ``info``, never on disk.

        Keys live exactly as long as the session (one request or one job) and survive
        commits and reloads of the case object within it.
        """
        session = object_session(self)
        if session is None:
            raise LockedError("a case must be in a session to hold its keys")
        if self.id is None:
            self.id = uuid.uuid4()
        registry = session.info.setdefault(UNLOCKED_KEYS, {})
        keys: dict[str, FieldCipher] = registry.setdefault(self.id, {})
        return keys

    def unlock(self, scope: str, cipher: FieldCipher) -> None:
        self._unlocked_keys()[scope] = cipher

    def forget_keys(self) -> None:
        self._unlocked_keys().clear()

    def sealed_cipher(self, scope: str) -> FieldCipher:
        try:
            return self._unlocked_keys()[scope]
        except KeyError:
            raise LockedError(f"case key '{scope}' is not unlocked") from None

    @property
    def principal(self) -> "Person | None":
        return next((p for p in self.people if p.relation == Relationship.PRINCIPAL), None)

    def __repr__(self) -> str:  # no personal data in logs or tracebacks
        return f"<Case {self.id} {self.status}>"


# The review queue: by priority, then by how long a case has waited, then by id (a total
# order, so a page boundary is one row comparison). The priority is negated so that every
# column runs in the same direction, which lets a row comparison seek straight to any page.
QUEUE_ORDER = (-Case.priority_score, Case.status_changed_at, Case.id)
_OPEN = Case.status.in_(OPEN_STATUSES)

# One status (the closed ones too) in queue order.
Index("ix_case_queue", Case.status, *QUEUE_ORDER)
# Open cases, the default view, in queue order; then the same led by each filter whose
# matches cluster by priority (threat follows the rubric's points) or are few (a
# caseworker's own cases, watch-list hits, one nationality), where reading the plain order
# until a page is full could mean reading most of the queue.
for _name, _leading in (
    ("open", ()),
    ("threat", (Case.threat_level,)),
    ("screening", (Case.screening_status,)),
    ("assignee", (Case.assignee_id,)),
    ("origin", (Case.nationality, Case.country_of_stay)),
):
    Index(
        f"ix_case_queue_{_name}",
        *_leading,
        *QUEUE_ORDER,
        postgresql_where=_OPEN,
        sqlite_where=_OPEN,
    )
# Unassigned open cases in queue order. They gather at the low end of the priority order
# (new cases wait for screening and a caseworker), and PostgreSQL's estimate cannot tell
# "nobody" from anybody: reading the open order for them read most of the queue.
_UNASSIGNED = and_(_OPEN, Case.assignee_id.is_(None))
Index(
    "ix_case_queue_unassigned",
    *QUEUE_ORDER,
    postgresql_where=_UNASSIGNED,
    sqlite_where=_UNASSIGNED,
)
# The queue's other orders (portal.review.queue.SORTS), each a total order whose page
# boundary is one row comparison: by waiting time (longest first) and by submission (oldest
# first, or newest first read backwards).
WAITING_ORDER = (Case.status_changed_at, Case.id)
# The columns the queue's counts group by besides the status, held in the indexes that
# count from ``case`` so that they count from the index alone (portal.review.counts).
_COUNTED = [
    "programme",
    "threat_level",
    "screening_status",
    "assignee_id",
    "nationality",
    "country_of_stay",
]
SUBMITTED_ORDER = (Case.submitted_at, Case.id)
# The open cases by waiting time: the queue sorted so, and counting the open cases that
# changed stage within a waiting time, on PostgreSQL from the index alone
# (portal.review.counts).
Index(
    "ix_case_waiting",
    *WAITING_ORDER,
    postgresql_include=["status", *_COUNTED],
    postgresql_where=_OPEN,
    sqlite_where=_OPEN,
)
# The open cases by submission, either way.
Index("ix_case_queue_submitted", *SUBMITTED_ORDER, postgresql_where=_OPEN, sqlite_where=_OPEN)
# Answers received (the view of the queue): back in review by the applicant's move, their
# answer to a request for information. Few cases, in either order; the counts read the
# second alone.
_ANSWERED = (Case.status == CaseStatus.IN_REVIEW) & (Case.status_changed_by == ActorKind.APPLICANT)
Index("ix_case_answered", *QUEUE_ORDER, postgresql_where=_ANSWERED, sqlite_where=_ANSWERED)
Index(
    "ix_case_answered_waiting",
    *WAITING_ORDER,
    postgresql_include=["status", *_COUNTED],
    postgresql_where=_ANSWERED,
    sqlite_where=_ANSWERED,
)
# One status (a saved view's: a proposal to confirm) by waiting time; its counts from the
# index alone.
Index(
    "ix_case_queue_status_waiting",
    Case.status,
    *WAITING_ORDER,
    postgresql_include=_COUNTED,
    postgresql_where=_OPEN,
    sqlite_where=_OPEN,
)
# The cases waiting for an applicant's answer, by its deadline: the overdue ones are the
# start of it (portal.cases.deadlines.answer_overdue).
_WAITING_FOR_ANSWER = Case.status == CaseStatus.INFO_REQUESTED
Index(
    "ix_case_answer_due",
    Case.answer_due_at,
    postgresql_where=_WAITING_FOR_ANSWER,
    sqlite_where=_WAITING_FOR_ANSWER,
)
# Questions asked before deadlines were kept: judged by the service level, by how long
# they have waited. Few, and none once they are answered. The queue's counts read them
# from this index alone (it holds the counted columns): PostgreSQL cannot know that
# hardly any question lacks a deadline and would otherwise read every question's row.
_WITHOUT_DEADLINE = and_(_WAITING_FOR_ANSWER, Case.answer_due_at.is_(None))
Index(
    "ix_case_question_without_deadline",
    Case.status_changed_at,
    postgresql_where=_WITHOUT_DEADLINE,
    postgresql_include=["status", *_COUNTED],
    sqlite_where=_WITHOUT_DEADLINE,
)


class CaseTransition(Base):
    """One move through the lifecycle: the history, and the source of stage durations."""

    __tablename__ = "case_transition"

    id: Mapped[uuid_pk]
    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), index=True
    )
    from_status: Mapped[CaseStatus | None] = enum_column(CaseStatus)
    to_status: Mapped[CaseStatus] = enum_column(CaseStatus)
    at: Mapped[created_at]
    actor_kind: Mapped[ActorKind] = enum_column(ActorKind)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("staff_user.id"))


class CaseOwned:
    """Rows that belong to a case and are sealed with its keys."""

    case: Any

    def sealed_cipher(self, scope: str) -> FieldCipher:
        return self.case.sealed_cipher(scope)
