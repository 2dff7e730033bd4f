"""The demo seeder: realistic cases that the real code opens and reads like any other."""

import multiprocessing
import re
import signal
from collections import defaultdict

from flask import Flask
from sqlalchemy import func, select

from portal.cases import custody
from portal.cases.lifecycle import ALLOWED
from portal.cases.models import Case, CaseTransition, Employment, Person
from portal.cases.states import (
    ActorKind,
    CaseStatus,
    IdentityDocument,
    Programme,
    Relationship,
    ThreatLevel,
)
from portal.core.audit import AuditEvent
from portal.core.db import utcnow
from portal.core.normalise import parse_approximate_date
from portal.core.sealed import sealed_attributes
from portal.demo import seeder
from portal.demo.seeder import SeedReport, seed
from portal.extensions import db

ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff]")
LATIN_NAME = re.compile(r"^[A-Za-z][A-Za-z' -]*$")


def _seed(count: int = 40, *, batch_size: int = 15, workers: int = 1) -> SeedReport:
    """Seeds quietly, in this process unless told otherwise, with repeatable content."""
    lines: list[str] = []
    report = seed(count, batch_size=batch_size, workers=workers, random_seed=7, echo=lines.append)
    assert any(report.access_code[:4] in line for line in lines), "the access code is printed"
    return report


def _open_case_with_arabic_names(report: SeedReport) -> Case:
    reference = db.session.scalar(
        select(Case.reference)
        .where(Case.nationality.in_(["AF", "IR", "SY", "PK"]))
        .order_by(Case.reference)
        .limit(1)
    )
    assert reference is not None
    case = custody.open_with_access_code(db.session, reference, report.access_code)
    assert case is not None, "the printed demo access code opens a seeded case"
    return case


def test_seeded_cases_are_varied_families_in_both_programmes(app: Flask) -> None:
    _seed(40)

    cases = list(db.session.scalars(select(Case)))
    assert len(cases) == 40
    people = dict(
        db.session.execute(select(Person.case_id, func.count()).group_by(Person.case_id)).all()
    )
    assert all(1 <= people[case.id] == case.people_count <= 10 for case in cases)
    assert len({case.people_count for case in cases}) >= 4
    assert {case.programme for case in cases} == set(Programme)
    assert len({case.status for case in cases}) >= 5
    nationalities = [case.nationality for case in cases]
    assert nationalities.count("AF") > len(cases) / 2 and len(set(nationalities)) >= 3
    assert any(case.identity_to_be_clarified for case in cases)
    assert all(case.row_version == 1 for case in cases)
    jobs = dict(
        db.session.execute(
            select(Employment.case_id, func.count()).group_by(Employment.case_id)
        ).all()
    )
    for case in cases:
        expected = range(1, 4) if case.programme == Programme.LOCAL_STAFF else range(0, 1)
        assert jobs.get(case.id, 0) in expected


def test_every_seeded_history_is_a_valid_path_in_time(app: Flask) -> None:
    _seed(40)

    history: dict[object, list[CaseTransition]] = defaultdict(list)
    for step in db.session.scalars(select(CaseTransition).order_by(CaseTransition.at)):
        history[step.case_id].append(step)
    for case in db.session.scalars(select(Case)):
        steps = history[case.id]
        status, moment = CaseStatus.DRAFT, case.created_at
        for step in steps:
            assert step.from_status == status and step.to_status in ALLOWED[status]
            assert step.at > moment
            status, moment = step.to_status, step.at
        assert status == case.status
        assert case.status_changed_at == moment
        submitted = [s.at for s in steps if s.to_status == CaseStatus.SUBMITTED]
        assert case.submitted_at == (submitted[0] if submitted else None)
        if CaseStatus.IN_REVIEW in {s.to_status for s in steps}:
            assert case.threat_level != ThreatLevel.UNASSESSED
        else:
            assert case.threat_level == ThreatLevel.UNASSESSED and case.priority_score == 0


def test_families_have_plausible_relationships_and_ages(app: Flask) -> None:
    _seed(40)

    for case in db.session.scalars(select(Case)):
        custody.open_with_intake_key(db.session, case, actor_kind=ActorKind.SYSTEM, purpose="test")
        relations = [person.relation for person in case.people]
        assert relations[0] == Relationship.PRINCIPAL
        assert relations.count(Relationship.PRINCIPAL) == 1
        assert relations.count(Relationship.SPOUSE) <= 1
        # The first Gregorian year each may be born in (a Solar Hijri year spans two).
        born = {
            person.id: parse_approximate_date(person.birth_date).earliest.year  # type: ignore[union-attr]
            for person in case.people
        }
        principal = born[case.people[0].id]
        for person in case.people[1:]:
            if person.relation == Relationship.CHILD:
                assert born[person.id] >= principal + 16
            elif person.relation == Relationship.PARENT:
                assert born[person.id] <= principal - 16
        declared = [person for person in case.people if person.sworn_declaration]
        undocumented = [
            person
            for person in case.people
            if not person.sworn_declaration and person.identity_document == IdentityDocument.NONE
        ]
        # Intake also asks for the identity of anyone without papers or a declaration.
        screened = case.threat_level != ThreatLevel.UNASSESSED
        assert case.identity_to_be_clarified == bool(declared or (screened and undocumented))
        for person in declared:
            assert person.identity_document == IdentityDocument.NONE
            assert person.declaration_signature and person.document_number is None


def test_seeded_case_opens_with_the_access_code_and_the_intake_key(app: Flask) -> None:
    report = _seed(40)

    case = _open_case_with_arabic_names(report)
    by_code = [(p.given_names, p.given_names_latin, p.birth_date) for p in case.people]
    assert ARABIC_SCRIPT.search(by_code[0][0])
    assert all(LATIN_NAME.match(latin) for _native, latin, _born in by_code if latin)
    assert case.contact["phone"].startswith("+")

    db.session.remove()  # a new session holds no unlocked key: open the case with the other
    again = db.session.get(Case, case.id)
    assert again is not None
    custody.open_with_intake_key(db.session, again, actor_kind=ActorKind.SYSTEM, purpose="test")
    assert [(p.given_names, p.given_names_latin, p.birth_date) for p in again.people] == by_code


def test_a_wrong_access_code_opens_nothing(app: Flask) -> None:
    report = _seed(3)
    reference = next(iter(report.samples.values()))
    wrong = "0" * 16 if report.access_code != "0" * 16 else "1" * 16

    assert custody.open_with_access_code(db.session, reference, wrong) is None
    assert custody.open_with_access_code(db.session, reference.lower(), report.access_code)


def test_ciphertext_columns_hold_no_plaintext(app: Flask) -> None:
    report = _seed(40)
    case = _open_case_with_arabic_names(report)
    rows = [case, *case.people, *case.employments]

    for row in rows:
        for sealed in sealed_attributes(type(row)):
            value = getattr(row, sealed.name)  # every sealed value decrypts
            stored = getattr(row, sealed.storage)
            if value is None:
                assert stored is None
                continue
            plain = sealed.codec.encode(value)
            assert plain not in stored and len(stored) >= len(plain) + 28
    principal = case.people[0]
    raw = db.session.execute(
        select(Person.__table__).where(Person.__table__.c.id == principal.id)
    ).one()
    for text in (principal.given_names, principal.given_names_latin, principal.birth_date):
        if text is None:  # no Latin spelling given
            continue
        assert all(text.encode() not in value for value in raw if isinstance(value, bytes))


def test_seeding_in_worker_processes_writes_every_batch_and_one_audit_event(app: Flask) -> None:
    report = _seed(12, batch_size=4, workers=2)

    assert db.session.scalar(select(func.count()).select_from(Case)) == 12
    # The demo colleagues are invited as any account is; the cases are one event.
    events = [
        event for event in db.session.scalars(select(AuditEvent)) if event.action != "staff.created"
    ]
    assert [event.action for event in events] == ["demo.seeded"]
    assert events[0].details == {"count": "12"} and events[0].actor_kind == ActorKind.SYSTEM
    reference = next(iter(report.samples.values()))
    assert custody.open_with_access_code(db.session, reference, report.access_code)


def _dies_on_sigterm() -> bool:
    return signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


def test_seeding_processes_die_when_their_pool_ends_them(app: Flask) -> None:
    """The pool ends its processes with SIGTERM; one that kept a handler of its parent's (an
    RQ worker run in the same process installs one) lives on, and seeding never returns."""
    job = seeder.Job(str(db.engine.url), keys=None, staff=None, now=utcnow(), random_seed=None)
    previous = signal.signal(signal.SIGTERM, lambda _signum, _frame: None)
    try:
        with multiprocessing.Pool(1, initializer=seeder._start_worker, initargs=(job,)) as pool:
            assert pool.apply(_dies_on_sigterm)
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_command_prints_the_access_code_and_references(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--cases", "5", "--workers", "1"])

    assert result.exit_code == 0, result.output
    code = re.search(r"access code\s+([0-9A-Z-]{19})", result.output)
    references = re.findall(
        r"^\s+[a-z_]+\s+([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})$", result.output, re.M
    )
    assert code and references
    assert custody.open_with_access_code(db.session, references[0], code.group(1))


def test_production_refuses_to_seed(app: Flask) -> None:
    app.config["PORTAL_ENV"] = "production"

    result = app.test_cli_runner().invoke(args=["demo", "seed", "--cases", "3"])

    assert result.exit_code != 0
    assert "never" in result.output
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_seeded_cases_are_counted_in_the_envoys_figures(app: Flask) -> None:
    """The moves of every seeded history are folded, and local staff screened by intake
    are counted by employer, as if intake had done it."""
    from portal.cases.models import CaseMove, EmployerFigure, FlowFigure, Grain

    _seed(40)
    moves = db.session.scalar(
        select(func.count())
        .select_from(CaseTransition)
        .where(CaseTransition.from_status.is_not(None))
    )
    counted = db.session.scalar(
        select(func.sum(FlowFigure.cases)).where(FlowFigure.grain == Grain.YEAR)
    )
    assert moves and counted == moves
    assert db.session.scalar(select(func.count()).select_from(CaseMove)) == 0  # all folded
    screened_local_staff = db.session.scalar(
        select(func.count(func.distinct(Case.id)))
        .join(CaseTransition, CaseTransition.case_id == Case.id)
        .where(
            Case.programme == Programme.LOCAL_STAFF,
            CaseTransition.to_status == CaseStatus.IN_REVIEW,
        )
    )
    by_employer = db.session.scalar(
        select(func.sum(EmployerFigure.cases)).where(EmployerFigure.grain == Grain.YEAR)
    )
    assert screened_local_staff and by_employer == screened_local_staff
