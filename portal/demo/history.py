"""What happened to one demo case at the consulate, consistent with the lifecycle's rules.

Given a planned case and its ids, this works out who made each move and what each move
left behind, as the real services would have left it:

- intake (``SCREENING -> IN_REVIEW``) screens the case with the intake's own rubric and
  checks (``portal.intake.priority``, ``portal.intake.checks``) and writes its blind
  indexes with the intake's own function (``portal.intake.indexing.index_rows``);
- a security officer changes the screening where the planned outcome differs from the
  intake's, and a caseworker now and then revises the threat level, each as a new
  assessment in force carrying the reasons before it (``portal.intake.assessments``);
- a caseworker's information request is a message, the applicant's answer another, which
  puts the case back into review;
- a proposal is a ``Decision`` by a caseworker or a decider, confirmed or returned by a
  different decider (four eyes); an admission only with a cleared screening;
- staff write notes.

Everything is plain values here; ``portal.demo.rows`` encrypts and writes them.
"""

import functools
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from portal.cases.deadlines import answer_due
from portal.cases.states import (
    ActorKind,
    CaseStatus,
    DecisionOutcome,
    DecisionState,
    MessageDirection,
    ScreeningStatus,
    ThreatLevel,
)
from portal.core.normalise import document_number_key, name_keys, parse_approximate_date
from portal.demo.plans import CasePlan
from portal.demo.vocabulary import (
    ANSWERS,
    DECISION_REASONS,
    NOTES,
    NOTES_PER_CASE,
    QUESTIONS,
    SCREENING_REASONS,
    THREAT_REASONS,
    WATCHLIST_VERSION,
)
from portal.intake import priority
from portal.intake import reasons as R
from portal.intake.checks import Window, run_checks
from portal.intake.facts import CaseFacts, EmploymentFacts, PersonFacts

S = CaseStatus
Row = tuple[Any, ...]
APPLICANT, STAFF, SYSTEM = ActorKind.APPLICANT.value, ActorKind.STAFF.value, ActorKind.SYSTEM.value
LEVELS = (ThreatLevel.LOW, ThreatLevel.MODERATE, ThreatLevel.HIGH, ThreatLevel.CRITICAL)
# The demo's names come from small pools, so a full name recurs thousands of times in a
# large seed: its keys are worked out once per process.
_name_keys = functools.lru_cache(maxsize=200_000)(name_keys)
_parsed_date = functools.lru_cache(maxsize=200_000)(parse_approximate_date)


@dataclass(frozen=True)
class Staff:
    """Demo staff accounts, by role; ``portal.demo.seeder`` makes sure each role has some."""

    caseworkers: tuple[uuid.UUID, ...] = ()
    deciders: tuple[uuid.UUID, ...] = ()
    security_officers: tuple[uuid.UUID, ...] = ()


@dataclass
class Sealed:
    """One row to store: its id, its clear values in column order, its sealed values."""

    id: uuid.UUID
    clear: Row
    sealed: dict[str, Any] = field(default_factory=dict)


@dataclass
class Story:
    """The rows a case's history left, and the levels its assessment in force gives."""

    movers: list[tuple[str, uuid.UUID | None]] = field(default_factory=list)
    assessments: list[Sealed] = field(default_factory=list)
    decisions: list[Sealed] = field(default_factory=list)
    messages: list[Sealed] = field(default_factory=list)
    notes: list[Sealed] = field(default_factory=list)
    threat_level: ThreatLevel = ThreatLevel.UNASSESSED
    screening: ScreeningStatus = ScreeningStatus.PENDING
    priority: int = 0
    identity_to_be_clarified: bool = False
    answers: list[tuple[uuid.UUID, datetime]] = field(default_factory=list)  # message, when
    answer_due: datetime | None = None  # the open question's deadline, while there is one


def _full_name(*parts: str | None) -> str:
    """As ``Person.full_name`` joins a name's parts."""
    return " ".join(part.strip() for part in parts if part and part.strip())


def case_facts(
    plan: CasePlan, person_ids: list[uuid.UUID], submitted: datetime | None
) -> CaseFacts:
    """What ``portal.intake.facts.case_facts`` reads of the case once it is stored."""
    people = []
    for person_id, person in zip(person_ids, plan.people, strict=True):
        sealed = person.sealed
        names = (
            _full_name(sealed["given_names"], sealed["family_name"]),
            _full_name(sealed["given_names_latin"], sealed["family_name_latin"]),
        )
        born = sealed["birth_date"]
        people.append(
            PersonFacts(
                id=person_id,
                relation=person.relation,
                born=_parsed_date(born),
                name_keys=tuple(_name_keys(name) for name in names if name),
                birth_date=born,
                document_key=document_number_key(sealed["document_number"] or ""),
                identity_document=person.document,
                sworn_declaration=person.sworn_declaration,
            )
        )
    employments = tuple(
        EmploymentFacts(
            employer=job["employer"] or "",
            started=_parsed_date(job["started_on"]),
            ended=_parsed_date(job["ended_on"]),
        )
        for job in plan.employments
    )
    return CaseFacts(
        programme=plan.programme,
        people=tuple(people),
        employments=employments,
        risk_profile=tuple(plan.sealed.get("risk_profile") or ()),
        submitted_at=submitted,
        phone=plan.sealed["contact"].get("phone"),
    )


class _Writer:
    """Builds a story; the case's moments bound when each extra row can have happened."""

    def __init__(
        self, rng: random.Random, plan: CasePlan, case_id: uuid.UUID, staff: Staff, now: datetime
    ) -> None:
        self.rng, self.plan, self.case_id, self.staff = rng, plan, case_id, staff
        self.now = now
        self.story = Story()
        self.reasons: list[dict[str, Any]] = []
        self.details: dict[str, Any] = {}

    def pick(self, pool: tuple[uuid.UUID, ...], *, besides: uuid.UUID | None = None) -> uuid.UUID:
        others = [member for member in pool if member != besides]
        if not others:
            raise ValueError("demo cases need staff of every case role (seeder.ensure_team)")
        return self.rng.choice(others)

    def between(self, start: datetime, end: datetime, share: float) -> datetime:
        return start + (end - start) * share

    # --- assessments ---------------------------------------------------------------------

    def assess(
        self,
        at: datetime,
        source: str,
        actor: uuid.UUID | None,
        threat: ThreatLevel,
        screening: ScreeningStatus,
    ) -> None:
        points = sum(int(reason.get("points", 0)) for reason in self.reasons)
        self.story.assessments.append(
            Sealed(
                uuid.uuid4(),
                (self.case_id, source, actor, threat.value, screening.value, points)
                + (list(self.reasons), at),
                {"details": dict(self.details)},
            )
        )
        self.story.threat_level, self.story.screening, self.story.priority = (
            threat,
            screening,
            points,
        )

    def intake(self, facts: CaseFacts, at: datetime, window: Window) -> None:
        """The intake's assessment, as ``portal.intake.screening`` makes it: the rubric,
        the consistency checks, and a watch list in force that none of them is on."""
        checks = run_checks(facts, today=at.date(), window=window)
        scored = priority.score(facts, now=at)
        concern = any(finding.concern for finding in checks.findings)
        self.reasons = [
            reason.as_json()
            for reason in (*scored.reasons, *(finding.reason for finding in checks.findings))
        ]
        self.details = {"watchlist_version": WATCHLIST_VERSION, "criteria": scored.sealed_details}
        status = ScreeningStatus.CONCERN if concern else ScreeningStatus.CLEAR
        self.assess(at, SYSTEM, None, scored.threat_level, status)
        self.story.identity_to_be_clarified = checks.identity_to_be_clarified or any(
            person.sworn_declaration for person in self.plan.people
        )

    def staff_change(
        self, at: datetime, actor: uuid.UUID, code: str, text: str, **level: Any
    ) -> None:
        """A change as ``portal.intake.assessments.record_staff_change`` records it."""
        ((name, value),) = level.items()
        old = self.story.threat_level if name == "threat_level" else self.story.screening
        self.reasons.append(R.Reason(code, params={"old": old.value, "new": value.value}).as_json())
        staff_reason = {"actor_id": str(actor), "at": at.isoformat(), "text": text}
        self.details["staff_reasons"] = [*self.details.get("staff_reasons", []), staff_reason]
        threat = value if name == "threat_level" else self.story.threat_level
        screening = value if name == "screening_status" else self.story.screening
        self.assess(at, STAFF, actor, threat, screening)

    def review(self, reviewed: datetime, until: datetime) -> None:
        """A security officer sets the screening to where it ends; a caseworker may revise
        the threat level. Both early in the first review, before any proposal."""
        rng, plan = self.rng, self.plan
        if plan.screening != self.story.screening:
            officer = self.pick(self.staff.security_officers)
            text = rng.choice(SCREENING_REASONS[plan.screening])
            at = self.between(reviewed, until, 0.2)
            self.staff_change(
                at, officer, R.STAFF_SCREENING_STATUS, text, screening_status=plan.screening
            )
        if plan.threat_revised and self.story.threat_level in LEVELS:
            index = LEVELS.index(self.story.threat_level)
            level = LEVELS[min(index + 1, 3) if index < 3 and rng.random() < 0.7 else index - 1]
            at = self.between(reviewed, until, 0.4)
            caseworker = self.pick(self.staff.caseworkers)
            self.staff_change(
                at, caseworker, R.STAFF_THREAT_LEVEL, rng.choice(THREAT_REASONS), threat_level=level
            )

    # --- moves ---------------------------------------------------------------------------

    def outcome(self, following: CaseStatus | None) -> DecisionOutcome:
        if following == S.ADMITTED:
            return DecisionOutcome.ADMIT
        if following == S.REJECTED:
            return DecisionOutcome.REJECT
        # Open, returned or withdrawn: an admission is proposed only when screened clear.
        cleared = self.story.screening == ScreeningStatus.CLEAR
        return (
            DecisionOutcome.ADMIT
            if cleared and self.rng.random() < 0.65
            else DecisionOutcome.REJECT
        )

    def propose(self, at: datetime, following: CaseStatus | None) -> uuid.UUID:
        proposer = self.pick(
            self.staff.deciders if self.rng.random() < 0.3 else self.staff.caseworkers
        )
        outcome = self.outcome(following)
        self.story.decisions.append(
            Sealed(
                uuid.uuid4(),
                (self.case_id, outcome.value, DecisionState.PROPOSED.value, proposer, at)
                + (None, None),  # decided by, at
                {"reasons": self.rng.choice(DECISION_REASONS[outcome.value])},
            )
        )
        return proposer

    def settle(self, at: datetime, proposer: uuid.UUID, new: CaseStatus) -> uuid.UUID:
        decider = self.pick(self.staff.deciders, besides=proposer)
        decision = self.story.decisions[-1]
        state = DecisionState.RETURNED if new == S.IN_REVIEW else DecisionState.CONFIRMED
        values = list(decision.clear)
        values[2], values[5], values[6] = state.value, decider, at
        decision.clear = tuple(values)
        return decider

    def close_proposal(self) -> None:
        """The applicant withdrew while the proposal waited (closed as the database's
        trigger closes it, migration 0020)."""
        decision = self.story.decisions[-1]
        values = list(decision.clear)
        values[2] = DecisionState.WITHDRAWN.value
        decision.clear = tuple(values)

    def request(self, at: datetime) -> tuple[uuid.UUID, uuid.UUID]:
        caseworker = self.pick(self.staff.caseworkers)
        message_id = uuid.uuid4()
        to_applicant = MessageDirection.TO_APPLICANT.value
        self.story.messages.append(
            Sealed(
                message_id,
                # Asked with the question form's default time to answer.
                (self.case_id, to_applicant, caseworker, True, None, at, None, answer_due(14, at)),
                {"body": self.rng.choice(QUESTIONS)},
            )
        )
        return caseworker, message_id

    def answer(self, at: datetime, request: uuid.UUID) -> None:
        asked = next(message for message in self.story.messages if message.id == request)
        values = list(asked.clear)
        values[6] = self.between(values[5], at, self.rng.uniform(0.1, 0.9))  # read, then answered
        asked.clear = tuple(values)
        answer_id = uuid.uuid4()
        from_applicant = MessageDirection.FROM_APPLICANT.value
        self.story.messages.append(
            Sealed(
                answer_id,
                (self.case_id, from_applicant, None, False, request, at, None, None),
                {"body": self.rng.choice(ANSWERS)},
            )
        )
        self.story.answers.append((answer_id, at))

    def notes(self, reviewed: datetime, until: datetime) -> None:
        staff = self.staff
        for _ in range(NOTES_PER_CASE.draw(self.rng)):
            pool = self.rng.choice(
                (staff.caseworkers,) * 6 + (staff.deciders, staff.security_officers)
            )
            at = self.between(reviewed, until, self.rng.random())
            self.story.notes.append(
                Sealed(
                    uuid.uuid4(),
                    (self.case_id, self.pick(pool), at),
                    {"body": self.rng.choice(NOTES)},
                )
            )
        self.story.notes.sort(key=lambda note: note.clear[2])


def story(
    rng: random.Random,
    plan: CasePlan,
    case_id: uuid.UUID,
    facts: CaseFacts | None,
    staff: Staff,
    now: datetime,
    window: Window,
) -> Story:
    """Who made each move of the planned path, and what each move left behind."""
    writer = _Writer(rng, plan, case_id, staff, now)
    path, moments = plan.path, plan.moments
    ends = [*moments[1:], now - timedelta(minutes=30)]  # when each status was left
    proposer: uuid.UUID | None = None
    asked: uuid.UUID | None = None
    for index, (old, new) in enumerate(zip(path, path[1:], strict=False)):
        at = moments[index + 1]
        following = path[index + 2] if index + 2 < len(path) else None
        mover: tuple[str, uuid.UUID | None]
        if new in (S.SUBMITTED, S.WITHDRAWN):
            mover = (APPLICANT, None)
            if old == S.DECISION_PROPOSED:
                writer.close_proposal()
        elif new == S.SCREENING:
            mover = (SYSTEM, None)
        elif old == S.SCREENING:  # the intake job: screened, indexed, handed to review
            mover = (SYSTEM, None)
            if facts is not None:
                writer.intake(facts, at, window)
                writer.review(at, ends[index + 1])
                writer.notes(at, ends[-1] if plan.path[-1] in _OPEN else moments[-1])
        elif old == S.INFO_REQUESTED:  # the applicant answered
            mover = (APPLICANT, None)
            if asked is not None:
                writer.answer(at, asked)
        elif new == S.INFO_REQUESTED:
            actor, asked = writer.request(at)
            mover = (STAFF, actor)
        elif new == S.DECISION_PROPOSED:
            proposer = writer.propose(at, following)
            mover = (STAFF, proposer)
        elif old == S.DECISION_PROPOSED and proposer is not None:
            mover = (STAFF, writer.settle(at, proposer, new))
        else:  # the visa, the arrival
            mover = (STAFF, writer.pick(staff.caseworkers))
        writer.story.movers.append(mover)
    if plan.path[-1] == S.INFO_REQUESTED and asked is not None:
        request = next(message for message in writer.story.messages if message.id == asked)
        values = list(request.clear)
        writer.story.answer_due = values[7]  # the case waits for this answer
        if rng.random() < 0.5:
            values[6] = writer.between(values[5], ends[-1], rng.random())  # read, not answered
            request.clear = tuple(values)
    return writer.story


_OPEN = frozenset({S.IN_REVIEW, S.INFO_REQUESTED, S.DECISION_PROPOSED, S.ADMITTED, S.VISA_ISSUED})
