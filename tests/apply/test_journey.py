"""The whole applicant journey through the real views, and what ends up stored."""

from flask.testing import FlaskClient
from sqlalchemy import select

from portal.cases.models import Case, Document
from portal.cases.states import CaseStatus
from portal.extensions import db
from portal.intake.models import OutboxEntry
from tests.apply.journey import Applicant, png
from tests.conftest import AppFactory

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def test_a_local_staff_applicant_applies_leaves_and_comes_back(
    client: FlaskClient, make_app: AppFactory
) -> None:
    applicant = Applicant(client)
    applicant.start()
    applicant.fill_principal()
    applicant.add_job()
    applicant.add_member("spouse", "فرشته", "1990")
    applicant.add_member("child", "احمد", "2015")
    applicant.add_member("child", "مریم", "2001")
    assert applicant.upload(png(), "passfoto.jpg").status_code == 302
    applicant.declare()

    family = applicant.get("/application/family").get_data(as_text=True)
    assert "A child under 18 who is not married is core family." in family
    assert "A child aged 18 or over is not core family." in family

    # Leave, and come back with the code typed in Persian digits and small letters.
    applicant.sign_out()
    assert client.get("/application").status_code == 302
    typed = applicant.access_code.lower().translate(PERSIAN)
    assert applicant.sign_in(applicant.reference.lower(), typed).status_code == 302

    check = applicant.get("/application/check").get_data(as_text=True)
    assert "Zarmina Ahmadzai" in check and "Send application" in check
    assert applicant.submit().status_code == 302
    status = applicant.get("/case?submitted=1").get_data(as_text=True)
    assert "Application sent" in status

    # Submitting twice (a second tab, a double tap) makes no second case.
    assert applicant.submit().status_code == 302

    app = make_app()
    with app.app_context():
        cases = db.session.scalars(select(Case)).all()
        assert len(cases) == 1 and cases[0].status == CaseStatus.SUBMITTED
        assert cases[0].people_count == 4
        assert db.session.scalars(select(OutboxEntry)).one().case_id == cases[0].id
        assert db.session.scalars(select(Document)).one().content_type == "image/png"
