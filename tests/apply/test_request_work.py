"""What one applicant request costs the database and Redis, and that nothing of one
request's draft or language reaches another's page."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from portal.cases.models import Case
from portal.cases.states import CaseStatus
from portal.core.audit import AuditEvent, verify_chain
from portal.extensions import db
from portal.intake.models import OutboxEntry
from tests.apply.journey import Applicant
from tests.conftest import AppFactory


@contextmanager
def _statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def executed(*arguments: Any) -> None:
        seen.append(" ".join(arguments[2].split()))

    event.listen(Engine, "before_cursor_execute", executed)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", executed)


def test_a_form_page_reads_the_case_and_its_people_in_one_query(applicant: Applicant) -> None:
    applicant.fill_principal()
    with _statements() as statements:
        page = applicant.get("/application/names")
    assert page.status_code == 200
    assert "Zarmina" in page.get_data(as_text=True)  # the principal, decrypted
    reads = [statement for statement in statements if statement.startswith("SELECT")]
    assert len(reads) == 1, reads
    assert "JOIN person" in reads[0]


def _names(applicant: Applicant, given_latin: str) -> None:
    applicant.post(
        "/application/names",
        {
            "given_names": "نام",
            "family_name": "خانواده",
            "given_names_latin": given_latin,
            "family_name_latin": "Family",
        },
    )


def test_two_applicants_on_one_process_each_see_only_their_own_draft_and_language(
    make_app: AppFactory,
) -> None:
    app = make_app()
    dari, english = Applicant(app.test_client()), Applicant(app.test_client())
    dari.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fa-AF"
    english.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    for person, name in ((dari, "Parwana"), (english, "Shukria")):
        person.start()
        _names(person, name)
    for _ in range(2):  # turn about, on the same app and process
        for person, own, other, language in (
            (dari, "Parwana", "Shukria", "fa-AF"),
            (english, "Shukria", "Parwana", "en"),
        ):
            html = person.get("/application/names").get_data(as_text=True)
            assert f'value="{own}"' in html and other not in html
            assert re.search(r'<html lang="([^"]+)"', html).group(1) == language  # type: ignore[union-attr]


def test_a_submission_flushes_once_and_chains_its_event(applicant: Applicant) -> None:
    """The event is chained by the commit's flush: the chain lock, which every audited
    action shares, is held only from there to the commit."""
    applicant.fill_principal()
    applicant.add_job()
    applicant.declare()
    applicant.get("/application/check")
    flushes: list[int] = []

    def flushed(*_arguments: Any) -> None:
        flushes.append(1)

    event.listen(Session, "after_flush", flushed)
    try:
        response = applicant.client.post(
            "/application/submit", data={"csrf_token": applicant.token()}
        )
    finally:
        event.remove(Session, "after_flush", flushed)
    assert response.status_code == 302 and "submitted=1" in response.headers["Location"]
    assert len(flushes) == 1
    with applicant.client.application.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "case.status_changed" in actions
        key = applicant.client.application.extensions["portal.keyring"].audit_key()
        assert verify_chain(db.session, key) == []


def test_an_incomplete_draft_sent_goes_back_to_the_check_and_stays_a_draft(
    applicant: Applicant,
) -> None:
    applicant.fill_principal()  # no identity, no declarations
    response = applicant.client.post("/application/submit", data={"csrf_token": applicant.token()})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/application/check")
    with applicant.client.application.app_context():
        assert db.session.scalars(select(Case.status)).all() == [CaseStatus.DRAFT]
        assert db.session.scalars(select(OutboxEntry)).all() == []
        assert db.session.scalars(select(AuditEvent.action)).all().count("case.status_changed") == 0
