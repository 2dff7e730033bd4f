import pytest
from flask.testing import FlaskClient

from tests.apply.journey import Applicant


@pytest.fixture
def applicant(client: FlaskClient) -> Applicant:
    """An applicant who has started a local-staff application and is signed in."""
    person = Applicant(client)
    person.start()
    return person
