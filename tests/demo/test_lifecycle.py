"""A seeded demo holds cases the lifecycle's own rules allow, in every stage, with the
consulate's work on them: what staff open, search and decide on in ``make run``."""

import uuid
from collections import defaultdict

import pytest
from flask import Flask
from sqlalchemy import select

from portal.accounts.models import StaffUser
from portal.cases import custody
from portal.cases.lifecycle import ALLOWED
from portal.cases.models import (
    Case,
    CaseTransition,
    Decision,
    Document,
    Message,
    Note,
    RiskAssessment,
    in_force,
)
from portal.cases.states import (
    ActorKind,
    CaseStatus,
    DecisionOutcome,
    DecisionState,
    MessageDirection,
    ScreeningStatus,
    ThreatLevel,
)
from portal.core.actors import Role
from portal.core.normalise import birth_years
from portal.demo.names import AF_FAMILIES, AF_MEN, AF_WOMEN
from portal.demo.seeder import SeedReport, seed
from portal.extensions import db
from portal.review import search, services

S = CaseStatus
REVIEWED = frozenset(set(S) - {S.DRAFT, S.SUBMITTED, S.SCREENING})
ADMITTED_AND_LATER = (S.ADMITTED, S.VISA_ISSUED, S.ARRIVED)
# Every Latin spelling the demo gives an Afghan name in its own script.
SPELLINGS = {native: spellings for native, spellings in (*AF_MEN, *AF_WOMEN, *AF_FAMILIES)}


@pytest.fixture
def demo(app: Flask) -> SeedReport:
    """A small demo as ``make run`` seeds it: documents, and every stage."""
    lines: list[str] = []
    return seed(
        60,
        batch_size=25,
        workers=1,
        random_seed=11,
        documents=True,
        every_stage=True,
        echo=lines.append,
    )


def _by_case(model: type, order: object) -> dict[uuid.UUID, list]:  # type: ignore[type-arg]
    found: dict[uuid.UUID, list] = defaultdict(list)  # type: ignore[type-arg]
    for row in db.session.scalars(select(model).order_by(order)):
        found[row.case_id].append(row)
    return found


def _staff(role: Role) -> list[StaffUser]:
    return [user for user in db.session.scalars(select(StaffUser)) if role in user.role_names]


def test_every_case_follows_the_lifecycle_in_every_stage(demo: SeedReport) -> None:
    cases = list(db.session.scalars(select(Case)))
    assert {case.status for case in cases} == set(S), "every stage is in the demo"
    history = _by_case(CaseTransition, CaseTransition.at)
    decisions = _by_case(Decision, Decision.proposed_at)
    for case in cases:
        status = S.DRAFT
        for step in history[case.id]:
            assert step.from_status == status and step.to_status in ALLOWED[status]
            status = step.to_status
            if step.actor_kind == ActorKind.STAFF:
                assert step.actor_id is not None, "staff moves name who made them"
        assert status == case.status, "the status is where the last move left it"
        last_mover = history[case.id][-1].actor_kind if history[case.id] else None
        assert case.status_changed_by == last_mover, "who made the last move, as kept"
        # Each proposal is settled by the move after it, by someone else (four eyes).
        proposals = [s for s in history[case.id] if s.to_status == S.DECISION_PROPOSED]
        assert len(proposals) == len(decisions[case.id])
        for step, decision in zip(proposals, decisions[case.id], strict=True):
            assert decision.proposed_by_id == step.actor_id
            settled = next(
                (
                    s
                    for s in history[case.id]
                    if s.from_status == S.DECISION_PROPOSED and s.at > step.at
                ),
                None,
            )
            if settled is None or settled.to_status == S.WITHDRAWN:
                # Open while the case waits; closed by the applicant's withdrawal, undecided.
                waits = DecisionState.PROPOSED if settled is None else DecisionState.WITHDRAWN
                assert decision.state == waits and decision.decided_by_id is None
                continue
            assert decision.decided_by_id == settled.actor_id != decision.proposed_by_id
            expected = {
                S.ADMITTED: (DecisionState.CONFIRMED, DecisionOutcome.ADMIT),
                S.REJECTED: (DecisionState.CONFIRMED, DecisionOutcome.REJECT),
            }.get(settled.to_status)
            if expected:
                assert (decision.state, decision.outcome) == expected
            else:
                assert decision.state == DecisionState.RETURNED


def test_screened_cases_have_an_assessment_in_force_that_the_case_shows(demo: SeedReport) -> None:
    in_force_of = {
        row.case_id: row for row in db.session.scalars(select(RiskAssessment).where(in_force()))
    }
    for case in db.session.scalars(select(Case)):
        reviewed = any(s == S.IN_REVIEW for s in _statuses(case))
        if not reviewed:
            assert case.id not in in_force_of and case.screening_status == ScreeningStatus.PENDING
            continue
        current = in_force_of[case.id]
        assert (case.threat_level, case.screening_status, case.priority_score) == (
            current.threat_level,
            current.screening_status,
            current.priority_score,
        )
        assert current.priority_score == sum(r.get("points", 0) for r in current.reasons)
        assert case.threat_level != ThreatLevel.UNASSESSED
        if case.status in ADMITTED_AND_LATER:  # the admission rule, and migration 0007's
            assert case.screening_status == ScreeningStatus.CLEAR


def _statuses(case: Case) -> list[CaseStatus]:
    return [
        step.to_status
        for step in db.session.scalars(
            select(CaseTransition).where(CaseTransition.case_id == case.id)
        )
    ]


def test_information_requests_are_open_or_answered(demo: SeedReport) -> None:
    messages = _by_case(Message, Message.created_at)
    history = _by_case(CaseTransition, CaseTransition.at)
    for case in db.session.scalars(select(Case)):
        asked = [m for m in messages[case.id] if m.is_information_request]
        answers = {m.in_reply_to_id for m in messages[case.id]}
        moves = [(step.from_status, step.to_status) for step in history[case.id]]
        assert len(asked) == moves.count((S.IN_REVIEW, S.INFO_REQUESTED))
        for request in asked:
            assert request.direction == MessageDirection.TO_APPLICANT and request.author_id
            assert request.due_at is not None and request.due_at > request.created_at
        # Every answer put the case back into review.
        answered = sum(1 for request in asked if request.id in answers)
        assert answered == moves.count((S.INFO_REQUESTED, S.IN_REVIEW))
        if case.status == S.INFO_REQUESTED:
            assert asked[-1].id not in answers, "the last request waits for its answer"
            assert case.answer_due_at == asked[-1].due_at, "the case keeps its deadline"
        else:
            assert case.answer_due_at is None, "no question open, no deadline"


def test_a_decider_confirms_an_open_proposal_through_the_review_service(
    demo: SeedReport,
) -> None:
    case = db.session.scalar(select(Case).where(Case.status == S.DECISION_PROPOSED).limit(1))
    assert case is not None
    proposal = services.open_decision(db.session, case)
    assert proposal is not None, "a proposed case has a proposal to act on"
    decider = next(user for user in _staff(Role.DECIDER) if user.id != proposal.proposed_by_id)

    decided = services.confirm_decision(db.session, case, decider, proposal.id)
    db.session.commit()

    expected = S.ADMITTED if proposal.outcome == DecisionOutcome.ADMIT else S.REJECTED
    assert case.status == expected and decided.state == DecisionState.CONFIRMED


def test_notes_documents_and_messages_open_with_the_case_keys(demo: SeedReport) -> None:
    case = db.session.scalar(
        select(Case).where(Case.status == S.ARRIVED).order_by(Case.reference).limit(1)
    )
    assert case is not None
    custody.open_with_intake_key(
        db.session, case, actor_kind=ActorKind.SYSTEM, purpose="test", with_staff_key=True
    )
    documents = list(db.session.scalars(select(Document).where(Document.case_id == case.id)))
    assert documents
    for document in documents:
        data = b"".join(custody.document_chunks(case, document.id))
        assert len(data) == document.size_bytes
        assert data.startswith(b"\x89PNG" if document.content_type == "image/png" else b"%PDF-")
        assert document.filename
    notes = list(db.session.scalars(select(Note)))
    assert notes
    for note in db.session.scalars(select(Note).where(Note.case_id == case.id)):
        assert note.body  # sealed with the staff key
    for message in db.session.scalars(select(Message).where(Message.case_id == case.id)):
        assert message.body


def _dari_only_principal() -> tuple[Case, str, str]:
    """A screened case whose principal gave their name only in Dari: its Latin spelling
    (as the demo spells it) and a year of birth."""
    for case in db.session.scalars(
        select(Case).where(Case.nationality == "AF", Case.threat_level != ThreatLevel.UNASSESSED)
    ):
        custody.open_with_intake_key(db.session, case, actor_kind=ActorKind.SYSTEM, purpose="test")
        person = case.people[0]
        if person.given_names_latin is None:
            given = person.given_names.removeprefix("محمد ")
            latin = [SPELLINGS[given][0]]
            if person.given_names.startswith("محمد "):
                latin.insert(0, "Mohammad")
            if person.family_name:
                latin.append(SPELLINGS[person.family_name][0])
            return case, " ".join(latin), birth_years(person.birth_date)[0]
    raise AssertionError("the demo has an Afghan principal named only in Dari")


def test_search_finds_demo_cases_by_latin_spelling_and_document_number(
    demo: SeedReport,
) -> None:
    decider = _staff(Role.DECIDER)[0]
    case, latin, year = _dari_only_principal()

    found = search.search_cases(db.session, decider, latin, int(year))

    assert case.id in {row.id for row in found.cases}

    numbered = next(
        (c, p.document_number)
        for c in db.session.scalars(select(Case).where(Case.threat_level != ThreatLevel.UNASSESSED))
        for p in custody.open_with_intake_key(
            db.session, c, actor_kind=ActorKind.SYSTEM, purpose="test"
        ).people
        if p.document_number
    )
    by_number = search.search_cases(db.session, decider, numbered[1], None)
    assert numbered[0].id in {row.id for row in by_number.cases}
