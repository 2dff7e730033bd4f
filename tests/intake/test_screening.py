"""A submitted case reaches review screened: watch list, checks, points, threat level."""

from pathlib import Path

from flask import Flask
from sqlalchemy import select

from portal.cases.models import Case, RiskAssessment
from portal.cases.states import (
    ActorKind,
    IdentityDocument,
    Programme,
    ScreeningStatus,
    ThreatLevel,
)
from portal.core.audit import AuditEvent
from portal.extensions import db
from portal.intake import reasons as R
from portal.intake.reasons import describe
from tests.intake.conftest import distinct_case, import_watchlist, screen

WATCHLIST = """name,aliases,date_of_birth,reference
Mohammad Yusuf Karimi,,1979,UN-2021-0042
Gulbuddin Zadran,,1961,BKA-7781
"""
KARIMI = {
    "given_names": "محمد یوسف",
    "family_name": "كريمي",  # Arabic Kaf and Yeh, as an Arabic keyboard types them
    "given_names_latin": "Mohd Yousef",  # a Latin spelling that alone would not meet
    "family_name_latin": "Karimy",
    "birth_date": "1979-01-01",
}


def codes(assessment: RiskAssessment) -> dict[str, dict]:
    return {reason["code"]: reason["params"] for reason in assessment.reasons}


def test_an_arabic_script_name_matches_its_latin_watch_list_entry(
    app: Flask, tmp_path: Path, staff_reader
) -> None:
    assert import_watchlist(app, WATCHLIST, tmp_path).exit_code == 0
    case = distinct_case(**KARIMI)
    person_id = case.people[0].id
    assessment = screen(case)

    assert assessment.screening_status == ScreeningStatus.HIT
    assert assessment.case.screening_status == ScreeningStatus.HIT
    hit = codes(assessment)[R.WATCHLIST_HIT]
    assert hit == {"score": 100, "threshold": 88, "version": 1, "hits": 1}
    # The clear columns name no entry; the security officer reads it in the sealed details.
    assert "UN-2021" not in str(assessment.reasons)
    assert b"UN-2021" not in (assessment.details_ct or b"")
    (entry,) = staff_reader(assessment)["watchlist_hits"]
    assert entry["reference"] == "UN-2021-0042"
    assert entry["listed_name"] == "Mohammad Yusuf Karimi"
    assert entry["person_id"] == str(person_id)
    assert (entry["birth"], entry["score"]) == ("same_year", 100)
    # Nothing is decided: the case waits in review like any other.
    assert assessment.case.status == "in_review"


def test_a_hit_is_shown_in_words_staff_can_read(app: Flask, tmp_path: Path) -> None:
    import_watchlist(app, WATCHLIST, tmp_path)
    assessment = screen(distinct_case(**KARIMI))
    hit = next(r for r in assessment.reasons if r["code"] == R.WATCHLIST_HIT)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        text = describe(hit)
    assert text.startswith("Possible watch-list match: score 100, threshold 88, list version 1")


def test_a_different_person_is_clear(app: Flask, tmp_path: Path) -> None:
    import_watchlist(app, WATCHLIST, tmp_path)
    assessment = screen(distinct_case())  # the factory's Zarminagul Ahmadzai
    assert assessment.screening_status == ScreeningStatus.CLEAR
    assert R.WATCHLIST_HIT not in codes(assessment)
    assert R.WATCHLIST_MISSING not in codes(assessment)


def test_without_a_watch_list_a_case_is_not_clear_and_the_reasons_say_why(app: Flask) -> None:
    """No list in force means "not screened against a list", never "clear": a security
    officer looks at the case before it can be admitted."""
    assessment = screen(distinct_case())
    assert R.WATCHLIST_MISSING in codes(assessment)
    assert assessment.screening_status == ScreeningStatus.CONCERN
    assert assessment.case.screening_status == ScreeningStatus.CONCERN
    reason = next(r for r in assessment.reasons if r["code"] == R.WATCHLIST_MISSING)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        text = describe(reason)
    assert text.startswith("Not screened against a watch list")
    assert "security officer" in text


def test_the_priority_points_add_up_to_the_stored_score(app: Flask) -> None:
    case = distinct_case(family=3, programme=Programme.AT_RISK)
    case_id = case.id
    assessment = screen(case)
    points = {reason["code"]: reason["points"] for reason in assessment.reasons}
    assert points[R.RISK_PROFILE] == 30  # journalist, women's rights activist
    assert points[R.RISK_PROFILE_MORE] == 5
    assert points[R.MINORS] == 15  # three children and spouse born 2011-2013, capped
    stored = db.session.get(Case, case_id)
    assert stored is not None
    assert assessment.priority_score == stored.priority_score == sum(points.values()) == 50
    assert stored.threat_level == assessment.threat_level == ThreatLevel.HIGH
    assert assessment.source == ActorKind.SYSTEM


def test_local_staff_work_gives_points_and_the_threat_level(app: Flask) -> None:
    assessment = screen(distinct_case(family=0))  # Bundeswehr interpreter, 2009 to 2014
    assert {r["code"]: r["points"] for r in assessment.reasons if r["points"]} == {
        R.WORK_EXPOSURE: 35,
        R.WORK_YEARS: 10,
    }
    assert assessment.threat_level == ThreatLevel.CRITICAL


def test_a_sworn_declaration_marks_identity_to_be_clarified(app: Flask) -> None:
    case = distinct_case(
        identity_document=IdentityDocument.NONE,
        sworn_declaration=True,
        declaration_signature="زرمینه احمدزی",
    )
    case.people[0].document_number = None
    case_id = case.id
    assessment = screen(case)
    assert codes(assessment)[R.SWORN_DECLARATION] == {"count": 1}
    assert assessment.screening_status == ScreeningStatus.CONCERN
    stored = db.session.get(Case, case_id)
    assert stored is not None and stored.identity_to_be_clarified


def test_one_document_number_twice_in_a_case(app: Flask) -> None:
    case = distinct_case(family=1, document_number="TZ-4411")  # the spouse's number too
    assessment = screen(case)
    assert codes(assessment)[R.DOCUMENT_NUMBER_REPEATED] == {"count": 2}
    assert assessment.screening_status == ScreeningStatus.CONCERN


def test_screening_is_audited_without_personal_data(app: Flask, tmp_path: Path) -> None:
    import_watchlist(app, WATCHLIST, tmp_path)
    screen(distinct_case(**KARIMI))
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"watchlist.imported", "watchlist.decrypted", "case.decrypted"} <= actions
    details = str(list(db.session.scalars(select(AuditEvent.details))))
    assert "Karimi" not in details and "UN-2021" not in details
