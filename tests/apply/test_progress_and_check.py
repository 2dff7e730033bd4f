"""The task list follows what was entered; the check page shows everything to be sent."""

import re

from flask.testing import FlaskClient

from tests.apply.journey import Applicant, png


def _states(applicant: Applicant) -> dict[str, str]:
    html = applicant.get("/application").get_data(as_text=True)
    return dict(re.findall(r'>([^<>]+)</a> <strong class="tag (\w+)">', html))


def test_family_and_documents_are_completed_once_people_and_a_photo_are_added(
    applicant: Applicant,
) -> None:
    before = _states(applicant)
    assert before["Family members"] == "optional" and before["Documents"] == "optional"
    applicant.add_member("child", "احمد", "2015")
    assert _states(applicant)["Family members"] == "completed"
    assert _states(applicant)["Documents"] == "optional"
    assert applicant.upload(png(), "photo.png").status_code == 302
    assert _states(applicant)["Documents"] == "completed"


def test_the_check_page_lists_documents_and_family_birth_dates(applicant: Applicant) -> None:
    applicant.add_member("child", "احمد", "2015")
    applicant.add_member("spouse", "فرشته", "", birth_unknown="y", marital_status="married")
    assert applicant.upload(png(), "تذکره.png", kind="identity").status_code == 302
    html = applicant.get("/application/check").get_data(as_text=True)
    assert '<bdi dir="auto">احمد احمدزی</bdi>, <bdi dir="auto">born 2015</bdi>' in html
    assert '<bdi dir="auto">فرشته احمدزی</bdi>, <bdi dir="auto">date of birth not known' in html
    documents = html[html.index("<h2>Documents</h2>") :]
    assert "<dt>Identity document</dt><dd><bdi>تذکره.png</bdi></dd>" in documents


def test_the_check_page_joins_answers_as_the_language_writes_a_list(client: FlaskClient) -> None:
    """Lists read in the page's language: Dari separates with "،" and joins the last with
    "و", not with a Latin comma inside right-to-left text."""
    applicant = Applicant(client)
    applicant.start(programme="at_risk")
    applicant.fill_principal()
    applicant.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fa-AF"
    applicant.post(
        "/application/risk",
        {
            "risk_profile": ["journalist", "minority", "academic_artist"],
            "threat_description": "تهدید",
        },
    )
    html = applicant.get("/application/check").get_data(as_text=True)
    assert 'dir="rtl"' in html
    shown = re.findall(r"<dd><bdi>([^<]*)</bdi></dd>", html)
    risks = next(value for value in shown if "ژورنالیست" in value or "خبرنگار" in value)
    assert ", " not in risks
    assert risks.count("،") == 2 and "، و " in risks
    assert "<bdi>Kabul، افغانستان</bdi>" in html


def test_every_value_on_the_check_page_keeps_its_own_direction_in_dari(
    client: FlaskClient,
) -> None:
    """Lists of values are lists of isolates. The contact row was one isolate whose Dari
    list mark made it right to left, so "+93 799 123 456" read "456 123 799 93+"; jobs
    and family members were joined by a Latin comma inside Dari text."""
    applicant = Applicant(client)
    applicant.start()
    applicant.fill_principal()
    applicant.add_job()
    applicant.add_member("child", "احمد", "2015")
    applicant.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fa-AF"
    contact = {"phone": "+93 799 123 456", "email": "zarmina@example.org", "messenger": "زرمینه"}
    assert applicant.post("/application/contact", contact).status_code == 302
    html = applicant.get("/application/check").get_data(as_text=True)

    rows = re.findall(r"<dd><bdi>(.*?)</bdi></dd><dd><a", html)
    contact_row = next(row for row in rows if "+93 799 123 456" in row)
    assert '<bdi dir="ltr">+93 799 123 456</bdi>' in contact_row
    assert '<bdi dir="ltr">zarmina@example.org</bdi>' in contact_row
    assert '، و <bdi dir="auto">زرمینه</bdi>' in contact_row
    for row in rows:  # between the isolates, only the language's own separators
        assert ", " not in re.sub(r"<bdi[^>]*>[^<]*</bdi>", "", row), row
    assert any('<bdi dir="auto">احمد احمدزی</bdi>،\u200f <bdi dir="auto">' in row for row in rows)
