"""Admins browse the audit log: filtered by action, staff member or case, page by page."""

import re
from collections.abc import Callable

import pytest
from flask import Flask

from portal.cases.models import Case
from portal.core.actors import Role
from portal.review.views import admin


def _rows(html: str) -> list[str]:
    return re.findall(r"<tr><td>(\d+)</td>", html)


def _cases(html: str) -> set[str]:
    return set(re.findall(r"<td>([0-9a-f-]*)</td><td><code>", html))


def test_the_log_filters_and_pages_keep_the_filters(
    staff_app: Flask,
    signed_in,
    submitted_case: Callable[..., Case],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, _another = submitted_case(), submitted_case()  # another case, in the log too
    client = signed_in("ada", Role.ADMIN)

    everything = client.get("/staff/audit").get_data(as_text=True)
    assert len(_rows(everything)) > 4 and "staff.signed_in" in everything
    of_first = client.get(f"/staff/audit?case={first.id}").get_data(as_text=True)
    assert _rows(of_first) and _cases(of_first) == {str(first.id)}
    signed_in_only = client.get("/staff/audit?action=staff.signed_in").get_data(as_text=True)
    assert len(_rows(signed_in_only)) == 1

    monkeypatch.setattr(admin, "AUDIT_PAGE", 2)
    html = client.get(f"/staff/audit?case={first.id}").get_data(as_text=True)
    older = re.search(r'href="([^"]+)">Older', html)
    assert older is not None and f"case={first.id}" in older.group(1)
    following = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert _cases(following) == {str(first.id)}
    assert set(_rows(following)).isdisjoint(_rows(html))


@pytest.mark.parametrize(
    "query",
    [
        "before=²",
        f"before={10**30}",
        f"before={'1' * 4301}",  # more digits than int() reads
        "case=nonsense",
        "actor=2f1c7e4a-9b3d-4c55-8e21-6a0d9f3b7c18",
        "action=<x>",
        "action=%00",  # PostgreSQL refuses a NUL in text
    ],
)
def test_nonsense_filters_answer_a_page_not_an_error(signed_in, query: str) -> None:
    client = signed_in("ada", Role.ADMIN)
    assert client.get(f"/staff/audit?{query}").status_code == 200
    assert client.get(f"/staff/alerts?{query}").status_code == 200
