"""The case screen: where the case stands first (the band), what this person can do next,
sections that fold, labels for every code, forms at the current values, a confirmation
after every action; and its sensitive parts: documents decrypted with nosniff, watch-list
entries for security officers only, a watermarked and logged export, and who opened the case."""

import html
import io
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select

from portal.apply.services import add_document, submit_case
from portal.apply.uploads import check_upload
from portal.cases.custody import blob_store
from portal.cases.labels import CHOICES
from portal.cases.models import Case, Decision, Employment, RiskAssessment
from portal.cases.states import CaseStatus, DocumentKind, ScreeningStatus, ThreatLevel
from portal.core.actors import Role
from portal.core.audit import AuditEvent
from portal.core.crypto import DecryptionError
from portal.core.crypto.blobs import CHUNK_BYTES, TAG_BYTES
from portal.core.db import utcnow
from portal.extensions import db
from portal.intake import priority
from portal.intake.reasons import describe
from portal.intake.tasks import process_case
from portal.watchlist.matcher import BIRTH_POINTS
from tests.apply.test_uploads import pdf_of
from tests.factories import make_case, put_watchlist_in_force
from tests.review.conftest import csrf, through_intake, update_case

WATCHLIST = "name,aliases,date_of_birth,reference\nZarminagul Ahmadzai,,1987,UN-2024-0777\n"


def _png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(output, format="PNG")
    return output.getvalue()


def _case_with_document(
    app: Flask, content: bytes, kind: DocumentKind = DocumentKind.PHOTO
) -> tuple[Case, bytes]:
    """A submitted, screened case with one document; returns the case and the document
    as stored (an image re-encoded)."""
    with app.app_context():
        case, _code = make_case(db.session)
        clean = check_upload(io.BytesIO(content), max_bytes=10_000_000)
        kept = clean.source.read()
        clean.source.seek(0)
        document = add_document(
            db.session,
            case,
            kind=kind,
            filename="Zarminagul passport.png",
            clean=clean,
            store=blob_store(),
        )
        submit_case(db.session, case)
        db.session.commit()
        case_id, document_id = case.id, document.id
        db.session.remove()
        process_case(str(case_id))
        stored = db.session.get(Case, case_id)
        db.session.expunge(stored)
    stored.document_id = document_id  # type: ignore[attr-defined]
    return stored, kept


def _case_with_photo(app: Flask) -> tuple[Case, bytes]:
    return _case_with_document(app, _png())


def _events(app: Flask, action: str) -> list[AuditEvent]:
    with app.app_context():
        found = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        db.session.remove()
    return found


def test_a_document_is_decrypted_as_an_attachment_with_nosniff_and_audited(
    staff_app: Flask, signed_in
) -> None:
    case, content = _case_with_photo(staff_app)
    client = signed_in("dora", Role.DECIDER)
    path = f"/staff/cases/{case.id}/documents/{case.document_id}"  # type: ignore[attr-defined]
    assert path in client.get(f"/staff/cases/{case.id}").get_data(as_text=True)

    download = client.get(path)
    assert download.status_code == 200 and download.data == content
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "Zarminagul" not in download.headers["Content-Disposition"]  # never the filename
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    viewed = client.get(path + "?view=1")
    assert viewed.headers["Content-Disposition"].startswith("inline;")
    assert len(_events(staff_app, "document.downloaded")) == 2


def _document_path(case: Case) -> str:
    return f"/staff/cases/{case.id}/documents/{case.document_id}"  # type: ignore[attr-defined]


def test_a_large_document_is_sent_chunk_by_chunk(staff_app: Flask, signed_in) -> None:
    case, content = _case_with_document(
        staff_app, pdf_of(3 * CHUNK_BYTES + 1234), DocumentKind.EMPLOYMENT
    )
    client = signed_in("dora", Role.DECIDER)
    download = client.get(_document_path(case))
    assert download.status_code == 200 and download.is_streamed
    assert download.headers["Content-Disposition"].endswith('.pdf"')
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    # Sent as it is decrypted, one chunk at a time (the request's context is gone by now),
    # not joined into one body first.
    pieces = list(download.response)
    download.close()
    assert [len(piece) for piece in pieces] == [CHUNK_BYTES] * 3 + [1234]
    assert b"".join(pieces) == content
    assert len(_events(staff_app, "document.downloaded")) == 1


def test_a_tampered_document_stops_before_the_bad_chunk(staff_app: Flask, signed_in) -> None:
    case, content = _case_with_document(staff_app, pdf_of(4 * CHUNK_BYTES), DocumentKind.EMPLOYMENT)
    with staff_app.app_context():
        blob = blob_store().path(case.id, case.document_id)  # type: ignore[attr-defined]
    sealed = bytearray(blob.read_bytes())
    third_chunk = len(sealed) - 2 * (CHUNK_BYTES + TAG_BYTES)
    sealed[third_chunk + 100] ^= 0x01
    blob.write_bytes(bytes(sealed))
    client = signed_in("dora", Role.DECIDER)

    download = client.get(_document_path(case))
    assert download.status_code == 200  # the first chunks were sound: the body has begun
    received = []
    with pytest.raises(DecryptionError):
        for piece in download.response:
            received.append(piece)
    download.close()
    assert b"".join(received) == content[: 2 * CHUNK_BYTES]  # nothing from the bad chunk on


def test_a_document_that_cannot_be_opened_fails_before_a_response_begins(
    staff_app: Flask, signed_in
) -> None:
    case, _content = _case_with_photo(staff_app)
    with staff_app.app_context():
        blob = blob_store().path(case.id, case.document_id)  # type: ignore[attr-defined]
    sealed = bytearray(blob.read_bytes())
    sealed[-1] ^= 0x01  # the only chunk
    blob.write_bytes(bytes(sealed))
    client = signed_in("dora", Role.DECIDER)
    with pytest.raises(DecryptionError):  # an error page, not a 200 with an empty body
        client.get(_document_path(case))


def test_watch_list_entries_are_shown_to_security_officers_only(
    staff_app: Flask, signed_in, tmp_path: Path
) -> None:
    listed = tmp_path / "watchlist.csv"
    listed.write_text(WATCHLIST, encoding="utf-8")
    assert (
        staff_app.test_cli_runner().invoke(args=["watchlist", "import", str(listed)]).exit_code == 0
    )
    case, _content = _case_with_photo(staff_app)
    assert case.screening_status == "hit"

    officer = signed_in("sami", Role.SECURITY_OFFICER)
    assert "UN-2024-0777" in officer.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    for role in (Role.DECIDER, Role.CASEWORKER):
        other = signed_in(f"not-{role.value.replace('_', '-')}", role)
        page = other.get(f"/staff/cases/{case.id}").get_data(as_text=True)
        assert "watch-list hit" in page and "UN-2024-0777" not in page


def test_an_export_is_watermarked_with_its_maker_and_logged(staff_app: Flask, signed_in) -> None:
    case, _content = _case_with_photo(staff_app)
    client = signed_in("dora", Role.DECIDER)
    path = f"/staff/cases/{case.id}/export"
    asked = client.get(path).get_data(as_text=True)  # why, first; nothing is exported yet
    assert _events(staff_app, "case.exported") == []
    made = client.post(path, data={"reason": "Für die Akte", "csrf_token": csrf(asked)})
    page = made.get_data(as_text=True)
    assert "Dora" in page and case.reference in page and "Für die Akte" in page
    (event,) = _events(staff_app, "case.exported")
    assert event.case_id == case.id and event.actor_id == client.user.id  # type: ignore[attr-defined]


def test_the_case_shows_who_opened_it(staff_app: Flask, signed_in) -> None:
    case, _content = _case_with_photo(staff_app)
    signed_in("dora", Role.DECIDER).get(f"/staff/cases/{case.id}")
    page = signed_in("sami", Role.SECURITY_OFFICER).get(f"/staff/cases/{case.id}")
    opened_by = page.get_data(as_text=True).split("Opened by", 1)[1]
    assert "Dora" in opened_by and "Sami" in opened_by


def test_an_earlier_case_counts_the_duplicates_later_cases_bring(
    staff_app: Flask, signed_in, submitted_case, watchlist_in_force
) -> None:
    """The reasons shown count the case's links as they are now; only a raise in screening
    is a new assessment (the second case's document number), not each later namesake."""
    first = submitted_case()
    submitted_case()  # the same document number: first is raised to concern
    submitted_case()  # the same again: first was a concern already
    page = signed_in("dora", Role.DECIDER).get(f"/staff/cases/{first.id}")
    text = page.get_data(as_text=True)
    assert "The principal applicant of 2 other case(s) has the same document number." in text
    with staff_app.app_context():
        count = select(func.count()).where(RiskAssessment.case_id == first.id)
        assert db.session.scalar(count) == 2
        db.session.remove()


def test_staff_see_a_solar_hijri_date_in_gregorian_with_the_original_beside_it(
    staff_app: Flask, signed_in
) -> None:
    with staff_app.app_context():
        case, _code = make_case(db.session, birth_date="SH:1364")
        case.employments[0].started_on, case.employments[0].ended_on = "SH:1388-01", None
        submit_case(db.session, case)
        db.session.commit()
        case_id = case.id
        db.session.remove()
        process_case(str(case_id))
    page = signed_in("dora", Role.DECIDER).get(f"/staff/cases/{case_id}").get_data(as_text=True)
    assert "1985-03-21 – 1986-03-20 (1364 SH, year only)" in page
    assert "2009-03-21 – 2009-04-20 (1388-01 SH, month only) – …" in page
    assert "SH:" not in page  # never the stored form


# ---- The screen's order: the band, the next actions, sections that fold -------------------


def _band(page: str) -> str:
    match = re.search(r'<section class="band".*?</section>', page, re.S)
    assert match, "no summary band"
    return match.group(0)


def _selected(page: str, name: str) -> list[str]:
    """The values of the options marked selected in the select called ``name``."""
    match = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert match, f"no select {name}"
    return re.findall(r'<option(?=[^>]*\bselected\b)[^>]*value="([^"]*)"', match.group(1))


def _banners(page: str, role: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", " ", html.unescape(found))
        for found in re.findall(rf'<div class="banner[^"]*" role="{role}".*?</div>', page, re.S)
    ]


def test_the_band_shows_where_the_case_stands(
    staff_app: Flask, signed_in, submitted_case, watchlist_in_force
) -> None:
    case = submitted_case()
    dora = signed_in("dora", Role.DECIDER)
    band = _band(dora.get(f"/staff/cases/{case.id}").get_data(as_text=True))
    for shown in ("in review", "Threat", "Screening", "clear", "unassigned", "0 days"):
        assert shown in band, shown
    assert f"<strong>{case.priority_score}</strong>" in band
    assert "Answer due" not in band  # no deadline set: no empty slot
    with staff_app.test_request_context("/staff/"):
        assessment = db.session.scalars(
            select(RiskAssessment).where(RiskAssessment.case_id == case.id)
        ).first()
        first_reason = describe(assessment.reasons[0])
        db.session.remove()
    assert html.escape(first_reason, quote=False) in band  # the rubric's reasons, in words

    update_case(
        staff_app,
        case,
        assignee_id=dora.user.id,  # type: ignore[attr-defined]
        threat_level=ThreatLevel.HIGH,
        status_changed_at=utcnow() - timedelta(days=12),
    )
    band = _band(dora.get(f"/staff/cases/{case.id}").get_data(as_text=True))
    assert "Dora" in band and "unassigned" not in band
    assert "high" in band and "12 days" in band


def test_a_deadline_for_the_answer_is_in_the_band_and_overdue_once_past(
    staff_app: Flask, signed_in, submitted_case, watchlist_in_force
) -> None:
    case = submitted_case()
    dora = signed_in("dora", Role.DECIDER)
    now = utcnow()
    update_case(
        staff_app, case, status=CaseStatus.INFO_REQUESTED, answer_due_at=now + timedelta(days=3)
    )
    band = _band(dora.get(f"/staff/cases/{case.id}").get_data(as_text=True))
    assert "Answer due" in band and (now + timedelta(days=3)).strftime("%Y-%m-%d") in band
    assert "overdue" not in band
    update_case(staff_app, case, answer_due_at=now - timedelta(days=1))
    band = _band(dora.get(f"/staff/cases/{case.id}").get_data(as_text=True))
    assert '<span class="tag overdue">overdue</span>' in band


def test_the_forms_start_at_the_case_s_current_values(
    staff_app: Flask, signed_in, submitted_case, watchlist_in_force
) -> None:
    case = submitted_case()
    dora = signed_in("dora", Role.DECIDER, Role.SECURITY_OFFICER)
    path = f"/staff/cases/{case.id}"
    page = dora.get(path).get_data(as_text=True)
    assert _selected(page, "level") == [str(case.threat_level)]
    assert _selected(page, "status") == ["clear"]
    assert _selected(page, "assignee") == [""]  # nobody has it yet
    update_case(
        staff_app,
        case,
        threat_level=ThreatLevel.CRITICAL,
        screening_status=ScreeningStatus.CONCERN,
        assignee_id=dora.user.id,  # type: ignore[attr-defined]
    )
    page = dora.get(path).get_data(as_text=True)
    assert _selected(page, "level") == ["critical"]
    assert _selected(page, "status") == ["concern"]
    assert _selected(page, "assignee") == [str(dora.user.id)]  # type: ignore[attr-defined]
    assert f"Now: {case.priority_score} points." in page


def test_the_next_actions_come_first_and_the_sections_fold(
    staff_app: Flask, signed_in, submitted_case, watchlist_in_force
) -> None:
    case = submitted_case()
    page = signed_in("dora", Role.DECIDER).get(f"/staff/cases/{case.id}").get_data(as_text=True)
    band, actions = page.index('class="band"'), page.index("What to do next")
    first_section = page.index('<details class="fold"')
    assert band < actions < first_section
    # Unassigned and in review: take it, then decide or ask.
    titles = re.findall(r'<form [^>]*class="act">\s*<h3>([^<]+)</h3>', page)
    assert titles[:3] == ["Take the case", "Decision", "Request information"]
    sections = dict(re.findall(r'<details class="fold" id="section-(\w+)"( open)?>', page))
    assert set(sections) >= {
        "applicant", "work", "screening", "documents", "messages", "notes", "history"
    }  # fmt: skip
    assert sections["applicant"] and sections["screening"]  # needed for the decision
    assert not sections["history"] and not sections["documents"]


def test_screening_details_are_labelled_lists_not_stored_codes(staff_app: Flask, signed_in) -> None:
    with staff_app.app_context():
        put_watchlist_in_force(db.session, WATCHLIST)
        case, _code = make_case(db.session)
        case = through_intake(case)
    assert case.screening_status == "hit"
    page = signed_in("sami", Role.SECURITY_OFFICER).get(f"/staff/cases/{case.id}")
    text = page.get_data(as_text=True)
    details = text.split("Screening details (security officers only)", 1)[1]
    for shown in (
        "Watch-list entry 1",
        "Name on the list",
        "Zarminagul Ahmadzai",
        "UN-2024-0777",
        "same year of birth",
        "Most exposed employer",
        "Bundeswehr",
    ):
        assert shown in details, shown
    assert "watchlist_hits" not in text and "name_score" not in text and "<pre>" not in text


def test_the_rubric_s_codes_all_have_staff_names() -> None:
    assert set(CHOICES["rubric_risk"]) == set(priority.RISK_POINTS)
    assert set(CHOICES["rubric_employer"]) == set(priority.EMPLOYER_POINTS)
    assert set(CHOICES["birth_agreement"]) == set(BIRTH_POINTS)


# ---- What each action says it did ----------------------------------------------------------


def _post(client: Any, path: str, **data: str) -> str:
    token = csrf(client.get("/staff/").get_data(as_text=True))
    response = client.post(path, data={**data, "csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _propose(client: Any, app: Flask, case: Case) -> str:
    _post(client, f"/staff/cases/{case.id}/decision", outcome="reject", reasons="Nicht belegt.")
    with app.app_context():
        decision_id = db.session.scalars(select(Decision.id)).one()
        db.session.remove()
    return str(decision_id)


def _first_job(app: Flask, case: Case) -> str:
    with app.app_context():
        job_id = db.session.scalars(
            select(Employment.id).where(Employment.case_id == case.id)
        ).first()
        db.session.remove()
    return str(job_id)


ACTIONS: dict[str, tuple[str, Callable[..., tuple[str, dict[str, str]]]]] = {
    "assign": (
        "The case is now assigned to you.",
        lambda app, case, me, other: ("/assign", {"assignee": str(me.user.id)}),
    ),
    "note": ("Your note was added.", lambda app, case, me, other: ("/notes", {"body": "Geprüft."})),
    "question": (
        "Your question was sent to the applicant.",
        lambda app, case, me, other: ("/questions", {"question": "Bitte Vertrag senden."}),
    ),
    "threat": (
        "Threat level set to moderate.",
        lambda app, case, me, other: (
            update_case(app, case, threat_level=ThreatLevel.LOW) or "/threat",
            {"level": "moderate", "reason": "Drohbrief."},
        ),
    ),
    "screening": (
        "Screening result set to concern.",
        lambda app, case, me, other: ("/screening", {"status": "concern", "reason": "Prüfen."}),
    ),
    "priority": (
        "Priority raised by 5 points to",
        lambda app, case, me, other: ("/priority", {"points": "5", "reason": "Kinder."}),
    ),
    "employment": (
        "The employer's confirmation was recorded.",
        lambda app, case, me, other: (f"/employment/{_first_job(app, case)}/confirm", {}),
    ),
    "proposal": (
        "Decision proposed: reject. Another decider must confirm it.",
        lambda app, case, me, other: ("/decision", {"outcome": "reject", "reasons": "Fehlt."}),
    ),
    "confirm": (
        "Decision confirmed: reject.",
        lambda app, case, me, other: (f"/decision/{_propose(other, app, case)}/confirm", {}),
    ),
    "return": (
        "The proposal was returned; the case is back in review.",
        lambda app, case, me, other: (f"/decision/{_propose(other, app, case)}/return", {}),
    ),
    "visa": (
        "Recorded: the visa was issued.",
        lambda app, case, me, other: (
            update_case(app, case, status=CaseStatus.ADMITTED) or "/visa-issued",
            {},
        ),
    ),
    "arrival": (
        "Recorded: arrived in Germany. The case is closed.",
        lambda app, case, me, other: (
            update_case(app, case, status=CaseStatus.VISA_ISSUED) or "/arrived",
            {},
        ),
    ),
    "reopen": (
        "The case was reopened and is back in review",
        lambda app, case, me, other: (
            update_case(app, case, status=CaseStatus.REJECTED) or "/reopen",
            {"reason": "Neue Unterlagen."},
        ),
    ),
}


@pytest.mark.parametrize("name", list(ACTIONS))
def test_each_action_confirms_what_it_did(
    staff_app: Flask, signed_in, submitted_case, watchlist_in_force, name: str
) -> None:
    case = submitted_case()
    me = signed_in("dora", Role.DECIDER, Role.SECURITY_OFFICER)
    other = signed_in("bernd", Role.DECIDER)
    expected, prepare = ACTIONS[name]
    suffix, data = prepare(staff_app, case, me, other)
    page = _post(me, f"/staff/cases/{case.id}{suffix}", **data)
    (banner,) = _banners(page, "status")
    assert expected in banner
    assert "Zarmina" not in banner and case.reference not in banner  # nothing personal
    assert _banners(page, "alert") == []
    # Shown once: the next visit shows none.
    assert _banners(me.get(f"/staff/cases/{case.id}").get_data(as_text=True), "status") == []


def test_a_refusal_is_an_error_banner_in_german(
    staff_app: Flask, signed_in, submitted_case, watchlist_in_force
) -> None:
    case = submitted_case()
    me = signed_in("dora", Role.DECIDER)
    path = f"/staff/cases/{case.id}/threat"
    _post(me, "/staff/account/language", language="de", next="/staff/")
    update_case(staff_app, case, threat_level=ThreatLevel.HIGH)
    page = _post(me, path, level="high", reason="Gleich.")
    (banner,) = _banners(page, "alert")
    assert "Nicht ausgeführt" in banner and "bereits" in banner
    assert _banners(page, "status") == []
    update_case(staff_app, case, threat_level=ThreatLevel.LOW)
    page = _post(me, path, level="critical", reason="Drohbrief.")
    (banner,) = _banners(page, "status")
    assert "Erledigt" in banner and "Gefährdungsstufe auf kritisch gesetzt." in banner
