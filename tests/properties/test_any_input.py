"""Property-based: every form and every query parameter of both faces, sent whatever
hypothesis makes up. The answer is a page or a 4xx, never a server error; it comes in the
language of the page the person was on; and nothing is left half-stored.

The forms are found as a browser finds them: in the pages' HTML, with their fields, so a
form added later is covered without being listed here. ``PORTAL_PROPERTY_EXAMPLES`` sets
how many requests each test makes (CI keeps the default).
"""

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.cases.models import Case, Document, Person
from portal.cases.states import CaseStatus
from portal.core.actors import Role
from portal.core.audit import verify_chain
from portal.extensions import db
from tests.apply.journey import Applicant

EXAMPLES = int(os.environ.get("PORTAL_PROPERTY_EXAMPLES", "150"))
# The same examples on every run, and none kept between runs: the pages' ids differ from
# run to run, so an example saved by one run would mean another request in the next.
PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What people and attackers type: any text, and the shapes that broke forms before.
TRICKY = [
    "",
    " ",
    "\x00",
    "\u202egpj.exe",
    "<script>alert(1)</script>",
    "²",
    "-1",
    "9" * 40,
    "1986-02-30",
    "۱۳۶۵",
    "00000000-0000-0000-0000-000000000000",
    "../../etc/passwd",
    "x" * 6000,
    "زرمینه\u200cگل",
]
values = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=80),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    # Dates as people mistype them: any year, month 0-13, day 0-32.
    st.tuples(st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32)).map(
        lambda ymd: f"{ymd[0]:04d}-{ymd[1]:02d}-{ymd[2]:02d}"
    ),
)


@dataclass(frozen=True)
class Form:
    action: str
    method: str
    fields: tuple[str, ...]
    options: tuple[tuple[str, tuple[str, ...]], ...]  # a select's or radio's own values
    page: str  # where it was found: the page a person sends it from


class _Forms(HTMLParser):
    """The forms of a page: where each goes and the names (and offered values) it sends."""

    def __init__(self, page_path: str) -> None:
        super().__init__()
        self.page_path = page_path
        self.found: list[Form] = []
        self._form: dict[str, Any] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        name = attributes.get("name", "")
        if tag == "form":
            action = attributes.get("action") or self.page_path
            method = (attributes.get("method") or "get").upper()
            self._form = {"action": action, "method": method, "fields": [], "options": {}}
        elif self._form is None:
            return
        elif tag in ("input", "textarea", "select") and name and name != "csrf_token":
            if attributes.get("type") != "file":
                self._form["fields"].append(name)
            if attributes.get("type") in ("radio", "checkbox"):
                self._form["options"].setdefault(name, []).append(attributes.get("value", ""))
            if tag == "select":
                self._select = name
        elif tag == "option" and self._select:
            self._form["options"].setdefault(self._select, []).append(attributes.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if tag == "form" and self._form is not None:
            self.found.append(
                Form(
                    self._form["action"],
                    self._form["method"],
                    tuple(dict.fromkeys(self._form["fields"])),
                    tuple((k, tuple(v)) for k, v in self._form["options"].items()),
                    self.page_path,
                )
            )
            self._form = None


def forms_on(client: FlaskClient, paths: list[str]) -> list[Form]:
    found: dict[tuple[str, str], Form] = {}
    for path in paths:
        response = client.get(path)
        response.close()
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        parser = _Forms(path)
        parser.feed(response.get_data(as_text=True))
        for form in parser.found:
            found.setdefault((form.action, form.method), form)
    return list(found.values())


def page_paths(app: Flask, prefix: str, client: FlaskClient) -> list[str]:
    """Every GET page of a face without arguments, and the links its pages show."""
    paths = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods
        and not rule.arguments
        and rule.rule.startswith(prefix)
        and not rule.rule.startswith("/static")
    ]
    linked: set[str] = set()
    for path in paths:
        response = client.get(path)
        if response.mimetype != "text/html":  # downloads (the envoy's spreadsheet) hold no links
            continue
        html = response.get_data(as_text=True)
        linked |= {
            urlsplit(href).path
            for href in re.findall(r'href="([^"#]+)"', html)
            if href.startswith(prefix) and not href.startswith("/static")
        }
    return sorted(set(paths) | linked)


def _lang(html: str) -> str | None:
    match = re.search(r'<html lang="([^"]+)"', html)
    return match.group(1) if match else None


def _send(client: FlaskClient, form: Form, data: st.DataObject) -> Any:
    options = dict(form.options)
    # Any of the fields, each any value (or one the page offers for a choice).
    sent = data.draw(
        st.fixed_dictionaries(
            {},
            optional={
                name: st.one_of(st.sampled_from(options[name]), values)
                if options.get(name)
                else values
                for name in form.fields
            },
        ),
        label="fields",
    )
    if form.method == "GET":
        return client.get(form.action, query_string=sent)
    # As a person opens the page first (one removed meanwhile gives no token: sent without).
    page = client.get(form.page).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    return client.post(form.action, data={**sent, "csrf_token": token.group(1) if token else ""})


def _check(response: Any, lang: str, form: Form) -> None:
    assert response.status_code < 500, (form.method, form.action)
    if "html" in response.content_type and response.status_code != 302:
        assert _lang(response.get_data(as_text=True)) == lang, (form.action, response.status)


def _nothing_half_stored(app: Flask) -> None:
    """Whatever was sent, what is stored is whole: the audit chain verifies, every case's
    head count matches its people, and every document row has its encrypted file."""
    with app.app_context():
        assert verify_chain(db.session, app.extensions["portal.keyring"].audit_key()) == []
        counted = db.session.execute(
            select(Case.id, Case.people_count, func.count(Person.id))
            .outerjoin(Person, Person.case_id == Case.id)
            .group_by(Case.id, Case.people_count)
        ).all()
        assert [row for row in counted if row[1] != row[2]] == []
        blobs = app.config["PORTAL_BLOB_DIR"]
        for document in db.session.scalars(select(Document)):
            assert (blobs / str(document.case_id) / str(document.id)).is_file()
        db.session.remove()


@pytest.fixture
def applicant(make_app: Callable[..., Flask]) -> tuple[Flask, Applicant, list[Form]]:
    """An applicant in Dari, right-to-left, with a draft that has a principal and a job, and
    the forms of every page of the journey."""
    app = make_app(PORTAL_FACES={"public"})
    person = Applicant(app.test_client())
    person.post("/language", {"language": "fa_AF"}, from_page="/")
    person.start()
    person.fill_principal()
    person.add_job()
    # Sending these ends the walk (signed out, or the draft submitted or withdrawn).
    enders = ("/sign-out", "/application/submit", "/case/withdraw")
    paths = page_paths(app, "/", person.client)
    found = [f for f in forms_on(person.client, paths) if not f.action.startswith(enders)]
    assert len(found) >= 10, found  # the walk really found the journey's forms
    return app, person, found


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_applicant_face_answers_anything_with_a_page_in_its_language(
    applicant: tuple[Flask, Applicant, list[Form]], data: st.DataObject
) -> None:
    app, person, found = applicant
    form = data.draw(st.sampled_from(found), label="form")
    _check(_send(person.client, form, data), "fa-AF", form)
    _nothing_half_stored(app)


@pytest.fixture(params=[(Role.DECIDER, Role.SECURITY_OFFICER), (Role.ADMIN,)], ids=str)
def staff_member(
    request: pytest.FixtureRequest,
    staff_app: Flask,
    signed_in: Callable[..., FlaskClient],
    submitted_case: Callable[..., Case],
) -> tuple[Flask, FlaskClient, list[Form]]:
    """In German, with a case in review: a decider who is also a security officer (every
    case action), or an administrator (staff accounts, the audit log, failed jobs)."""
    case = submitted_case()
    with staff_app.app_context():
        stored = db.session.get(Case, case.id)
        assert stored is not None and stored.status == CaseStatus.IN_REVIEW
    client = signed_in("pruefer", *request.param)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    paths = [*page_paths(staff_app, "/staff", client), f"/staff/cases/{case.id}"]
    found = [f for f in forms_on(client, paths) if not f.action.endswith("/sign-out")]
    # The walk really found the forms of the role's screens.
    expected = "/cases/" if Role.DECIDER in request.param else "/admin/staff"
    assert any(expected in form.action for form in found), found
    assert any(form.method == "GET" for form in found), found  # filters
    return staff_app, client, found


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_staff_face_answers_anything_with_a_page_in_german(
    staff_member: tuple[Flask, FlaskClient, list[Form]], data: st.DataObject
) -> None:
    app, client, found = staff_member
    form = data.draw(st.sampled_from(found), label="form")
    _check(_send(client, form, data), "de", form)
    _nothing_half_stored(app)
