"""Dates in Dari on a phone: a Solar Hijri date typed with the phone's digits comes back
as typed, and a period reads from its start to its end in right-to-left text."""

from typing import Any

import pytest

from tests.browser.phone import Visit, start_application

DARI = ("fa-AF", "rtl", "خدمات معلوماتی")


@pytest.mark.browser
def test_solar_hijri_dates_come_back_as_typed_and_a_period_reads_in_order(
    phone: Any, live_server: str
) -> None:
    visit = Visit(phone, live_server, DARI)
    phone.goto(live_server + "/")
    phone.get_by_role("button", name="دری").click()
    start_application(visit)

    visit.go("/application/birth")
    assert phone.locator("input[name=birth_calendar][value=solar_hijri]").is_checked()
    visit.fill(birth_year="۱۳۶۴", place_of_birth="مزار شریف")  # the year alone
    visit.select(nationality="AF")
    visit.choose(marital_status="single")
    visit.send()

    visit.go("/application/employment/new")
    visit.select(employer="giz")
    visit.fill(
        place="کابل",
        started_year="۱۳۹۱",
        started_month="۱",
        ended_year="۱۴۰۰",
        ended_month="۶",
        role="راننده",
    )
    visit.send()

    visit.go("/application/check")
    assert "۱۳۶۴ (هجری شمسی)" in phone.locator("main").inner_text()
    # The job's row: its role, place and period each isolated; the period's dates in it.
    start, end = phone.locator(".answers bdi bdi bdi").all()[:2]
    assert start.inner_text() == "۱۳۹۱/۰۱ (هجری شمسی)"
    assert end.inner_text() == "۱۴۰۰/۰۶ (هجری شمسی)"
    # Right to left: the start is read first, so it stands to the right of the end.
    first, last = start.bounding_box(), end.bounding_box()
    assert first and last
    if abs(first["y"] - last["y"]) < 1:  # one line
        assert first["x"] > last["x"]
    else:  # wrapped at 360 px: the start on the earlier line
        assert first["y"] < last["y"]
    # Each date's digits keep their own order: the year stays left of the month.
    assert "۱۳۹۱/۰۱" in start.inner_text()

    visit.go("/application/birth")
    assert phone.locator("input[name=birth_calendar][value=solar_hijri]").is_checked()
    assert phone.locator("input[name=birth_year]").input_value() == "۱۳۶۴"
    assert phone.locator("input[name=birth_month]").input_value() == ""
