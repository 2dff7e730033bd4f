"""Every staff route declares a permission, and answers each role as it should: 403 for a
permission the role lacks, 404 for a case the person may not see, and only then the page."""

import re
import uuid
from typing import Any

import pytest
from flask import Flask

from portal.accounts.access import PUBLIC
from portal.core.actors import Role
from portal.core.permissions import GRANTS, Permission

STAFF_PREFIX = "/staff"


def _staff_rules(app: Flask) -> list:  # type: ignore[type-arg]
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(STAFF_PREFIX)]


def test_every_staff_route_declares_a_permission(staff_app: Flask) -> None:
    undeclared = [
        rule.endpoint
        for rule in _staff_rules(staff_app)
        if not hasattr(staff_app.view_functions[rule.endpoint], "required_permission")
    ]
    assert undeclared == []
    public = {
        rule.endpoint
        for rule in _staff_rules(staff_app)
        if staff_app.view_functions[rule.endpoint].required_permission == PUBLIC
    }
    assert public == {"accounts.sign_in", "accounts.enrol"}


@pytest.mark.parametrize("role", list(Role))
def test_each_route_answers_each_role_as_declared(
    staff_app: Flask, signed_in, submitted_case, role: Role
) -> None:
    # A case assigned to another caseworker: visible to deciders and security officers only.
    other = signed_in("other", Role.CASEWORKER)
    case = submitted_case(assignee_id=other.user.id)
    client = signed_in(f"user-{role.value.replace('_', '-')}", role)
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/staff/sign-in").get_data(as_text=True)
    )
    granted = GRANTS[role]
    problems = []
    # Signing out would end the walk: it goes last.
    rules = sorted(_staff_rules(staff_app), key=lambda rule: rule.endpoint == "accounts.sign_out")
    for rule in rules:
        view = staff_app.view_functions[rule.endpoint]
        permission = view.required_permission
        if permission == PUBLIC:
            continue
        values = {
            name: str(case.id) if name == "case_id" else str(uuid.uuid4())
            for name in rule.arguments
        }
        path = rule.build(values)[1]
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(
            path, method=method, data={"csrf_token": token.group(1) if token else ""}
        )
        if permission not in granted:
            expected = {403}
        elif (
            "case_id" in rule.arguments
            and permission.startswith("review:")
            and Permission.CASE_READ_ALL not in GRANTS[role]
        ):
            expected = {404}  # not theirs to see, and not told it exists
        else:
            # 400 for an empty form, 404 for the made-up document or decision ids.
            expected = {200, 302, 400, 404}
        if response.status_code not in expected:
            problems.append((rule.endpoint, response.status_code, sorted(expected)))
    assert problems == []


JUNK = {
    "²",
    "-1",
    "9" * 40,
    "<script>alert(1)</script>",
    "\u202eevil",  # a right-to-left override
    "x" * 20_000,
    "\x00",  # PostgreSQL refuses a NUL in text: it must never reach a query
    "2f1c7e4a-9b3d-4c55-8e21-6a0d9f3b7c18",  # fixed: xdist workers must collect the same ids
}
FIELDS = (
    "assignee body code display_name level outcome password question reason reasons roles "
    "status username token points delta"
).split()
QUERY = (
    "status programme threat screening nationality country assignee waiting after action "
    "actor case before view period start print"
).split()


@pytest.mark.parametrize("junk", sorted(JUNK), ids=lambda junk: repr(junk[:12]))
def test_no_staff_route_fails_on_junk_input(
    staff_app: Flask, signed_in, submitted_case, junk: str
) -> None:
    """Bad input of any kind gets a page or a 4xx, never a server error. Every route is
    walked by an account that may use it: one with every case role and reports, and an
    administrator (who holds no other role)."""
    case = submitted_case()
    everyone = signed_in("everyone", *(role for role in Role if role != Role.ADMIN))
    admin = signed_in("admin", Role.ADMIN)
    failures = []
    for client in (everyone, admin):
        failures += _junk_walk(staff_app, client, case.id, junk)
    assert failures == []


def _junk_walk(staff_app: Flask, client: Any, case_id: uuid.UUID, junk: str) -> list:  # type: ignore[type-arg]
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/staff/sign-in").get_data(as_text=True)
    )
    form = {name: junk for name in FIELDS} | {"csrf_token": token.group(1) if token else ""}
    query = {name: junk for name in QUERY}
    failures = []
    rules = sorted(_staff_rules(staff_app), key=lambda rule: rule.endpoint == "accounts.sign_out")
    for rule in rules:
        for values in (
            {name: str(case_id) if name == "case_id" else junk for name in rule.arguments},
            {
                name: str(case_id) if name == "case_id" else str(uuid.uuid4())
                for name in rule.arguments
            },
        ):
            path = rule.build(values)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(
                    path,
                    method=method,
                    query_string=query,
                    data=form if method == "POST" else None,
                )
                if response.status_code >= 500:
                    failures.append((method, rule.endpoint, response.status_code))
    return failures
