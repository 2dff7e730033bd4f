"""Every applicant page, sent junk in every field and in the address: a page or a 4xx,
never a server error, whether or not an application has been started."""

import inspect
import uuid

import pytest
from flask import Flask

from portal.apply import forms
from portal.core.forms import PortalForm
from tests.apply.journey import Applicant

JUNK = ["²", "-1", "9" * 40, "<script>alert(1)</script>", "\u202eevil", "x" * 20_000, "\x00"]


def _field_names(app: Flask) -> set[str]:
    names: set[str] = set()
    with app.test_request_context():
        for _name, form_class in inspect.getmembers(forms, inspect.isclass):
            if issubclass(form_class, PortalForm) and form_class is not PortalForm:
                names |= set(form_class(meta={"csrf": False})._fields)
    return names


def _walk(app: Flask, applicant: Applicant, junk: str) -> list[tuple[str, str, int]]:
    fields = _field_names(app)
    token = applicant.token() if applicant.pages else ""
    failures = []
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith(("/staff", "/static", "/healthz"))
    ]
    # Signing out would end the walk: it goes last.
    for rule in sorted(rules, key=lambda rule: "sign_out" in rule.endpoint):
        for values in (
            {name: junk for name in rule.arguments},
            {name: str(uuid.uuid4()) for name in rule.arguments},
        ):
            path = rule.build(values)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = applicant.client.open(
                    path,
                    method=method,
                    query_string={name: junk for name in ("lang", "next", "page", "id")},
                    data={name: junk for name in fields} | {"csrf_token": token}
                    if method == "POST"
                    else None,
                )
                if response.status_code >= 500:
                    failures.append((method, rule.endpoint, response.status_code))
    return failures


@pytest.mark.parametrize("junk", JUNK, ids=lambda junk: repr(junk[:12]))
def test_junk_before_starting(app: Flask, client, junk: str) -> None:
    visitor = Applicant(client)
    visitor.get("/")
    assert _walk(app, visitor, junk) == []


@pytest.mark.parametrize("junk", JUNK, ids=lambda junk: repr(junk[:12]))
def test_junk_in_a_started_application(app: Flask, applicant: Applicant, junk: str) -> None:
    applicant.get("/application")
    assert _walk(app, applicant, junk) == []


def test_an_expired_form_for_a_row_removed_meanwhile_answers_404(app: Flask, client) -> None:
    """The form of a job removed in another tab, sent with an expired token: the page it
    would be shown again on is gone, so a 404 page in the applicant's language (was a 500)."""
    from sqlalchemy import select

    from portal.cases.models import Employment
    from portal.extensions import db

    applicant = Applicant(client)
    applicant.post("/language", {"language": "fa_AF"}, from_page="/")
    applicant.start()
    applicant.add_job()
    job_id = db.session.scalars(select(Employment.id)).one()
    db.session.remove()
    path = f"/application/employment/{job_id}"
    applicant.post(f"{path}/remove", {}, from_page=path)

    response = client.post(path, data={"role": "Fahrer", "csrf_token": "expired"})

    assert response.status_code == 404
    assert 'lang="fa-AF"' in response.get_data(as_text=True)
