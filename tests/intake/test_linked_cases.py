"""An earlier case shows the duplicate links later cases make to it, and a new link of
concern raises its screening."""

from flask import Flask
from sqlalchemy import func, select

from portal.cases.custody import open_with_intake_key
from portal.cases.models import Case, RiskAssessment
from portal.cases.states import ActorKind, CaseStatus, ScreeningStatus
from portal.core.actors import Role
from portal.core.audit import AuditEvent
from portal.extensions import db
from portal.intake import reasons as R
from portal.intake.assessments import latest_assessment
from portal.intake.duplicates import links_of
from portal.intake.linked_cases import reasons_now, with_duplicates
from portal.intake.tasks import process_case
from portal.review.services import set_screening_status
from tests.intake.conftest import distinct_case, screen
from tests.intake.test_assessments import actor, staff
from tests.intake.test_duplicates import AHMAD, codes


def _in_force(case_id):
    db.session.expire_all()
    assessment = latest_assessment(db.session, case_id)
    assert assessment is not None
    return assessment


def _shown(case_id) -> dict[str, dict]:
    """The reasons staff read on the case's page: duplicates counted from its links now."""
    links = links_of(db.session, [case_id])[case_id]
    reasons = reasons_now(db.session, _in_force(case_id).reasons, links)
    return {reason["code"]: reason["params"] for reason in reasons}


def _assessments(case_id) -> int:
    return db.session.scalar(select(func.count()).where(RiskAssessment.case_id == case_id))


def _updates(case_id) -> list[dict]:
    return [
        event.details
        for event in db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.case_id == case_id, AuditEvent.action == "case.screening_updated")
            .order_by(AuditEvent.id)
        )
    ]


def _two_sharing(document_number: str) -> tuple:
    """Two cases screened one after the other whose principals share a document number."""
    first = distinct_case(document_number=document_number, **AHMAD)
    first_id = first.id
    screen(first)
    second = distinct_case(document_number=document_number, given_names_latin="Yusuf")
    second_id = second.id
    screen(second)
    return first_id, second_id


def _rescreen(case_id) -> None:
    """Run the job again, as for a case whose last step was lost."""
    case = db.session.get(Case, case_id)
    case.status = CaseStatus.SCREENING
    db.session.commit()
    db.session.remove()
    assert process_case(str(case_id)) == "in_review"


def test_the_earlier_case_shows_a_later_case_with_its_document_number(
    app: Flask, staff_reader, watchlist_in_force: None
) -> None:
    first = distinct_case(document_number="P-0123 4567", **AHMAD)
    first_id = first.id
    intake = screen(first)
    assert intake.screening_status == ScreeningStatus.CLEAR
    intake_reasons, intake_score = intake.reasons, intake.priority_score
    second = distinct_case(
        document_number="P01234567", given_names="Mahmud", family_name="Wardak", birth_date="1970"
    )
    second_id = second.id
    screen(second)

    updated = _in_force(first_id)
    assert updated.source == ActorKind.SYSTEM
    assert updated.screening_status == ScreeningStatus.CONCERN
    assert codes(updated)[R.DUPLICATE_DOCUMENT] == {"cases": 1}
    # The rest of the rubric stays as it was, and so do the points and the sealed details.
    others = [reason for reason in updated.reasons if reason["code"] != R.DUPLICATE_DOCUMENT]
    assert others == intake_reasons
    assert updated.priority_score == intake_score
    assert "criteria" in staff_reader(updated)
    case = db.session.get(Case, first_id)
    assert (case.screening_status, case.priority_score) == (ScreeningStatus.CONCERN, intake_score)
    assert _updates(first_id) == [
        {
            "cause": "duplicate_link",
            "linked_cases": str(second_id),
            "old": "clear",
            "new": "concern",
        }
    ]

    # The later case's job run again changes nothing more on the earlier one.
    _rescreen(second_id)
    assert _assessments(first_id) == 2 and len(_updates(first_id)) == 1


def test_family_listed_in_a_later_case_is_shown_on_the_earlier_one_not_flagged(
    app: Flask, watchlist_in_force: None
) -> None:
    first = distinct_case(family=2, **AHMAD)
    first_id = first.id
    screen(first)
    screen(distinct_case(family=2, given_names_latin="Yusuf", family_name_latin="Wardak"))

    assert _shown(first_id)[R.FAMILY_IN_OTHER_CASE] == {"people": 2, "cases": 1}
    # Information, not a change: no new assessment, no key of the earlier case opened.
    assert _in_force(first_id).screening_status == ScreeningStatus.CLEAR
    assert _assessments(first_id) == 1 and _updates(first_id) == []
    opened = select(func.count()).where(
        AuditEvent.case_id == first_id, AuditEvent.action == "case.decrypted"
    )
    assert db.session.scalar(opened) == 1  # its own intake


def test_a_cleared_case_is_not_overruled_by_a_link_it_already_had(
    app: Flask, watchlist_in_force: None
) -> None:
    officer = staff(Role.SECURITY_OFFICER)
    first_id, second_id = _two_sharing("X-77")
    assert _in_force(first_id).screening_status == ScreeningStatus.CONCERN
    set_screening_status(
        db.session,
        db.session.get(Case, first_id),
        actor(officer),
        ScreeningStatus.CLEAR,
        "Zwei Pässe derselben Person, geklärt",
    )
    db.session.commit()
    count = _assessments(first_id)

    _rescreen(second_id)

    in_force = _in_force(first_id)
    assert (in_force.source, in_force.screening_status) == (ActorKind.STAFF, ScreeningStatus.CLEAR)
    assert _assessments(first_id) == count

    # A third case with the same number is news: a concern again.
    third = distinct_case(document_number="X77", given_names_latin="Omid")
    third_id = third.id
    screen(third)
    in_force = _in_force(first_id)
    assert in_force.screening_status == ScreeningStatus.CONCERN
    assert codes(in_force)[R.DUPLICATE_DOCUMENT] == {"cases": 2}
    # The officer's change stays in the rubric shown.
    assert R.STAFF_SCREENING_STATUS in codes(in_force)
    assert _updates(first_id)[-1]["linked_cases"] == str(third_id)


def test_a_link_that_goes_away_goes_from_the_earlier_case_too(
    app: Flask, watchlist_in_force: None
) -> None:
    first_id, second_id = _two_sharing("Q-1")
    assert R.DUPLICATE_DOCUMENT in _shown(first_id)

    # The later case's number was mistyped and is corrected; its screening runs again.
    case = db.session.get(Case, second_id)
    open_with_intake_key(db.session, case, actor_kind=ActorKind.SYSTEM, purpose="test")
    case.principal.document_number = "Q-2"
    db.session.commit()
    _rescreen(second_id)

    assert R.DUPLICATE_DOCUMENT not in _shown(first_id)
    # Nothing here lowers a status: a security officer does.
    assert _in_force(first_id).screening_status == ScreeningStatus.CONCERN


def test_duplicate_reasons_keep_their_place_in_the_rubric() -> None:
    def reason(code: str) -> dict:
        return {"code": code, "points": 0, "params": {}}

    new = reason(R.DUPLICATE_PHONE)
    rubric = [reason(R.RISK_PROFILE), reason(R.WATCHLIST_MISSING), reason(R.MINOR_SPOUSE)]
    assert with_duplicates(rubric, [new]) == [*rubric[:2], new, rubric[2]]
    old = [rubric[0], reason(R.DUPLICATE_NAME), rubric[2], reason(R.STAFF_PRIORITY)]
    assert with_duplicates(old, [new]) == [rubric[0], new, rubric[2], old[3]]
    assert with_duplicates(old, []) == [rubric[0], rubric[2], old[3]]
