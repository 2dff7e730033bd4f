"""The queue: highest priority first, then longest waiting; pages that never skip or repeat."""

import base64
import re
from datetime import timedelta

import pytest
from flask import Flask

from portal.cases.states import CaseStatus, Programme, ThreatLevel
from portal.core.actors import Role
from portal.core.db import utcnow
from portal.review import queue as review_queue
from tests.review.conftest import update_case

REFERENCE = '<a href="/staff/cases/'


def _listed(html: str) -> list[str]:
    return [part.split('"')[0] for part in html.split(REFERENCE)[1:]]


def test_priority_first_then_waiting_time_across_pages(
    staff_app: Flask, signed_in, submitted_case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review_queue, "PAGE_SIZE", 2)
    now = utcnow()
    cases = [submitted_case() for _ in range(5)]
    # (priority, days waiting): the expected order is c, a, e, b, d
    plan = {0: (5, 1), 1: (1, 3), 2: (9, 0), 3: (1, 1), 4: (5, 0)}
    for index, (priority, days) in plan.items():
        update_case(
            staff_app,
            cases[index],
            priority_score=priority,
            status_changed_at=now - timedelta(days=days),
        )
    expected = [str(cases[i].id) for i in (2, 0, 4, 1, 3)]

    client = signed_in("bernd", Role.DECIDER)
    seen, path = [], "/staff/"
    for _page in range(5):
        html = client.get(path).get_data(as_text=True)
        seen += _listed(html)
        following = re.search(r'href="([^"]+)">Next page', html)
        if following is None:
            break
        path = following.group(1).replace("&amp;", "&")
    assert seen == expected


def test_filters_narrow_the_queue(staff_app: Flask, signed_in, submitted_case) -> None:
    critical = submitted_case()
    other = submitted_case()
    update_case(staff_app, critical, threat_level=ThreatLevel.CRITICAL, nationality="IR")
    update_case(staff_app, other, threat_level=ThreatLevel.LOW, nationality="AF")
    client = signed_in("bernd", Role.DECIDER)
    assert _listed(client.get("/staff/?threat=critical").get_data(as_text=True)) == [
        str(critical.id)
    ]
    assert _listed(client.get("/staff/?nationality=ir").get_data(as_text=True)) == [
        str(critical.id)
    ]
    assert set(_listed(client.get("/staff/?programme=local_staff").get_data(as_text=True))) == {
        str(critical.id),
        str(other.id),
    }
    assert (
        _listed(client.get(f"/staff/?programme={Programme.AT_RISK}").get_data(as_text=True)) == []
    )
    assert _listed(client.get("/staff/?status=admitted").get_data(as_text=True)) == []
    # Nonsense in the query string is ignored, never an error.
    assert client.get("/staff/?threat=<x>&waiting=-1&after=%%%").status_code == 200
    assert client.get("/staff/?waiting=²").status_code == 200  # a digit, but no number
    # More digits than int() reads (4,300): refused before it is read, not a server error.
    assert client.get(f"/staff/?waiting={'1' * 4301}").status_code == 200
    for forged in (
        f"1|2026-01-01T00:00:00|{critical.id}",  # no time zone
        f"{10**30}|2026-01-01T00:00:00+00:00|{critical.id}",  # beyond the column
        "1|2026-01-01T00:00:00+00:00|not-a-uuid",
        # The queue's own order: moments that exist in no UTC year.
        f"priority|0|0001-01-01T00:00:00+23:59|{critical.id}",
        f"priority|0|9999-12-31T23:59:59-23:59|{critical.id}",
        f"priority|{'9' * 5000}|2026-01-01T00:00:00+00:00|{critical.id}",
    ):
        after = base64.urlsafe_b64encode(forged.encode()).decode()
        assert client.get(f"/staff/?after={after}").status_code == 200


def test_counts_per_status_on_the_page(staff_app: Flask, signed_in, submitted_case) -> None:
    submitted_case()
    waiting = submitted_case()
    update_case(staff_app, waiting, status=CaseStatus.INFO_REQUESTED)
    client = signed_in("bernd", Role.DECIDER)
    html = client.get("/staff/").get_data(as_text=True)
    assert ">in review (1)<" in html and ">information requested (1)<" in html
    assert ">admitted (0)<" in html


@pytest.mark.parametrize("junk", ["\x00", "A\x00", "Ä", "12", "AFG"])
def test_a_country_filter_that_is_no_country_code_filters_nothing(
    staff_app: Flask, signed_in, submitted_case, junk: str
) -> None:
    """A NUL in the country filter was a server error on PostgreSQL (found by the
    property-based suite); it now filters nothing, like any other junk."""
    submitted_case()
    decider = signed_in("bernd", Role.DECIDER)
    for name in ("country", "nationality"):
        response = decider.get("/staff/", query_string={name: junk})
        assert response.status_code == 200
        assert response.get_data(as_text=True).count('href="/staff/cases/') >= 1
