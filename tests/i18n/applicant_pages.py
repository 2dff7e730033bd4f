"""Every page an applicant can see, rendered with the test client in a given language.

One app holds the state the pages need: a local-staff draft with a job, a family member
and a photo; a humanitarian draft (its risk page); a submitted case with a question from
the consulate; and pages that only answer a form (the access code, "not eligible", forms
with their error messages) and the error pages. ``PAGES`` names them all, so tests can be
parametrised over them; ``test_every_get_page_of_the_applicants_is_covered`` keeps it complete.
"""

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, abort
from sqlalchemy import select

from portal.cases.custody import open_with_intake_key
from portal.cases.deadlines import answer_due, set_deadline
from portal.cases.lifecycle import transition
from portal.cases.models import Case, Message
from portal.cases.states import ActorKind, CaseStatus, MessageDirection
from portal.core.db import utcnow
from portal.extensions import babel, db
from tests.apply.journey import Applicant, png

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
PHOTO = "photo.png"
QUESTION = "Bitte senden Sie eine Kopie Ihres Arbeitsvertrags."
ERROR_ROUTE = "/test-only/error/<int:code>"
ERROR_ENDPOINT = "test_only_error"

# The pages of a draft (local staff unless said), by the path they are opened at; {job} and
# {person} stand for the ids of the draft's job and family member.
DRAFT_PAGES = [
    "/",
    "/eligibility",
    "/sign-in",
    "/application",
    "/application/names",
    "/application/birth",
    "/application/stay",
    "/application/contact",
    "/application/identity",
    "/application/employment",
    "/application/employment/new",
    "/application/employment/{job}",
    "/application/family",
    "/application/family/new",
    "/application/family/{person}",
    "/application/documents",
    "/application/declarations",
    "/application/check",
]
HUMANITARIAN_PAGES = ["/application/risk"]
SUBMITTED_PAGES = [
    "/case?submitted=1",
    "/case",
    "/case/messages",
    "/case/family/new",
    "/case/withdraw",
]
# The forms sent with answers they refuse, by page name: (where the form is sent, the
# answers). Empty answers, years out of range, too long a name, and answers no page offers
# (a tampered form, or an old page sent after the choices changed).
REFUSED_FORMS: dict[str, tuple[str, dict[str, str]]] = {
    "eligibility (errors)": ("/eligibility", {}),
    "eligibility (tampered)": ("/eligibility", {"programme": "x", "outside_germany": "x"}),
    "sign-in (errors)": ("/sign-in", {}),
    "names (errors)": ("/application/names", {"given_names": "ا" * 300}),
    "birth (errors)": ("/application/birth", {"birth_year": "1800", "birth_month": "13"}),
    "birth (tampered)": ("/application/birth", {"nationality": "XX", "marital_status": "x"}),
    "stay (errors)": ("/application/stay", {"country_of_stay": "XX"}),
    "contact (errors)": ("/application/contact", {"phone": "call me", "email": "nowhere"}),
    "identity (errors)": ("/application/identity", {}),
    "identity (tampered)": ("/application/identity", {"identity_document": "x"}),
    "employment job (errors)": (
        "/application/employment/new",
        {"started_year": "1900", "started_month": "13", "ended_year": "3000"},
    ),
    "employment job (tampered)": (
        "/application/employment/new",
        {"employer": "x", "started_month": "April"},
    ),
    "family member (errors)": ("/application/family/new", {"birth_year": "1800"}),
    "family member (tampered)": (
        "/application/family/new",
        {"relation": "x", "identity_document": "x", "lives_with_principal": "x"},
    ),
    "documents (errors)": ("/application/documents", {"kind": "x"}),
    "declarations (errors)": ("/application/declarations", {}),
}
# GET pages that only a new case opens (in ``_answers``), not the shared draft.
NEWCOMER_PATHS = ["/application/receipt", "/application/receipt/download"]
# Pages that answer a form: with the answers taken, or refused with their messages showing.
ANSWER_PAGES = [
    "start (eligible)",
    "receipt",
    "receipt (saved copy)",
    "not eligible",
    "sign-in (wrong code)",
    *REFUSED_FORMS,
    "risk (errors)",
    "risk (tampered)",
    "case messages (errors)",
    "case family member (errors)",
]
# Where nginx sends a body over its limit (deploy/nginx/public-server.conf).
TOO_LARGE_PATH = "/too-large?page=/application/documents"
ERROR_PAGES = [
    "error 400",
    "error 403",
    "error 404",
    "error 405",
    "error 409",
    "error 413",
    "error 413 (from nginx)",
    "error 429",
]
PAGES = DRAFT_PAGES + HUMANITARIAN_PAGES + SUBMITTED_PAGES + ANSWER_PAGES + ERROR_PAGES


@contextmanager
def fresh_translations() -> Iterator[None]:
    """Flask-Babel keeps loaded catalogues per process in its domain objects, whichever app
    loaded them, and the portal the translations it keeps: forget them before and after,
    so that a test's own catalogue folder is read and no other test sees it."""
    from portal.core.i18n import forget_kept_translations, staff_domain

    def forget() -> None:
        messages = babel.__dict__.get("domain_instance")  # created on first use
        if messages is not None:
            messages.cache.clear()
        staff_domain.cache.clear()
        forget_kept_translations()

    forget()
    try:
        yield
    finally:
        forget()


def forget_state(app: Flask) -> None:
    """Empty the tables and Redis after pages rendered outside a test's own app."""
    import redis

    from tests.conftest import _empty_tables

    with app.app_context():
        db.session.remove()
        _empty_tables()
        db.session.remove()
        db.engine.dispose()
    redis.Redis.from_url(app.config["REDIS_URL"]).flushdb()


def add_error_route(app: Flask) -> None:
    """A route that answers with any error, for the error pages no applicant action can
    reach reliably (403, 429 after many attempts, 400): the page is the app's own."""

    def fail(code: int) -> Any:
        abort(code)

    app.add_url_rule(ERROR_ROUTE, ERROR_ENDPOINT, fail)


@dataclass
class RecordingApplicant(Applicant):
    """An applicant who notes everything typed (in ``typed``, which several may share):
    the pages may show it back."""

    typed: set[str] = field(default_factory=set)

    def post(self, path: str, data: dict[str, Any], *, from_page: str | None = None) -> Any:
        self.typed.update(value for value in data.values() if isinstance(value, str))
        return super().post(path, data, from_page=from_page)


def _choose_language(applicant: Applicant, code: str) -> None:
    response = applicant.post("/language", {"language": code}, from_page="/")
    assert response.status_code == 302


class ApplicantPages:
    """The applicants and cases of one app, and a way to render every page in a language."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.typed: set[str] = set()
        self.draft = self._applicant()
        self.draft.start()
        self.draft.fill_principal()
        self.draft.add_job()
        self.draft.add_member("child", "احمد", "2015")
        assert self.draft.upload(png(), PHOTO).status_code == 302
        self.draft.declare()
        employment = self.draft.get("/application/employment").get_data(as_text=True)
        family = self.draft.get("/application/family").get_data(as_text=True)
        self.ids = {
            "job": re.findall(rf"/application/employment/({UUID})", employment)[0],
            "person": re.findall(rf"/application/family/({UUID})", family)[0],
        }

        self.humanitarian = self._applicant()
        self.humanitarian.start(programme="at_risk")

        self.submitted = self._applicant()
        self.submitted.start()
        self.submitted.fill_principal()
        self.submitted.add_job()
        self.submitted.declare()
        assert self.submitted.submit().status_code == 302
        self._ask_a_question()
        self.anonymous = self._applicant()

    def _applicant(self) -> RecordingApplicant:
        return RecordingApplicant(self.app.test_client(), typed=self.typed)

    @property
    def user_data(self) -> set[str]:
        """What the applicants typed, uploaded or were sent: pages show it as it is."""
        return self.typed | {PHOTO, QUESTION}

    def _ask_a_question(self) -> None:
        with self.app.app_context():
            case = db.session.scalars(select(Case).where(Case.status == CaseStatus.SUBMITTED)).one()
            open_with_intake_key(db.session, case, actor_kind=ActorKind.SYSTEM, purpose="test")
            for status in (CaseStatus.SCREENING, CaseStatus.IN_REVIEW, CaseStatus.INFO_REQUESTED):
                transition(db.session, case, status, actor_kind=ActorKind.SYSTEM)
            question = Message(
                case=case, direction=MessageDirection.TO_APPLICANT, is_information_request=True
            )
            question.body = QUESTION
            db.session.add(question)
            # Its deadline shows on the messages and the status page.
            set_deadline(case, question, answer_due(14, utcnow()))
            db.session.commit()

    def render(self, code: str) -> dict[str, tuple[int, str]]:
        """Every page in ``PAGES``, in the language ``code``: name -> (status, html)."""
        for applicant in (self.draft, self.humanitarian, self.submitted, self.anonymous):
            _choose_language(applicant, code)
        pages: dict[str, tuple[int, str]] = {}

        def keep(name: str, response: Any) -> None:
            pages[name] = (response.status_code, response.get_data(as_text=True))

        for path in DRAFT_PAGES:
            keep(path, self.draft.get(path.format(**self.ids)))
        for path in HUMANITARIAN_PAGES:
            keep(path, self.humanitarian.get(path))
        for path in SUBMITTED_PAGES:
            keep(path, self.submitted.get(path))
        self._answers(code, keep)
        self._errors(keep)
        return pages

    def _answers(self, code: str, keep: Callable[[str, Any], None]) -> None:
        anonymous, draft = self.anonymous, self.draft
        eligible = {"programme": "local_staff", "outside_germany": "yes", "basis": "yes"}
        keep("start (eligible)", anonymous.post("/eligibility", eligible))
        # A new case of its own: the receipt with the access code is shown to a new case
        # only, until its first sign-in.
        newcomer = self._applicant()
        _choose_language(newcomer, code)
        newcomer.post("/eligibility", eligible)
        newcomer.client.post(
            "/start", data={"programme": "local_staff", "csrf_token": newcomer.token()}
        )
        keep("receipt", newcomer.client.get("/application/receipt"))
        keep("receipt (saved copy)", newcomer.client.get("/application/receipt/download"))
        keep(
            "not eligible",
            anonymous.post("/eligibility", {**eligible, "outside_germany": "no", "basis": "no"}),
        )
        for name, (path, answers) in REFUSED_FORMS.items():
            who = anonymous if path in ("/eligibility", "/sign-in") else draft
            keep(name, who.post(path, answers))
        keep(
            "sign-in (wrong code)",
            anonymous.post(
                "/sign-in", {"reference": "AAAA-BBBB-CCCC", "access_code": "AAAA-BBBB-CCCC-DDDD"}
            ),
        )
        keep("risk (errors)", self.humanitarian.post("/application/risk", {}))
        tampered = {"risk_profile": "x"}
        keep("risk (tampered)", self.humanitarian.post("/application/risk", tampered))
        keep("case messages (errors)", self.submitted.post("/case/messages", {}))
        keep("case family member (errors)", self.submitted.post("/case/family/new", {}))

    def _errors(self, keep: Callable[[str, Any], None]) -> None:
        client = self.anonymous.client
        keep("error 404", client.get("/no-such-page"))
        keep("error 405", client.get("/sign-out"))
        too_large = b"x" * (self.app.config["MAX_CONTENT_LENGTH"] + 1)
        keep("error 413", client.post("/sign-in", data=too_large, content_type="text/plain"))
        keep("error 413 (from nginx)", client.get(TOO_LARGE_PATH))
        for code in (400, 403, 409, 429):
            keep(f"error {code}", client.get(ERROR_ROUTE.replace("<int:code>", str(code))))
