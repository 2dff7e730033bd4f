"""Staff screens name every value of the case's vocabularies in the staff language."""

import pytest
from flask import Flask
from flask_babel import force_locale

from portal.cases.labels import LABELS, label
from portal.cases.states import CaseStatus, Relationship


@pytest.mark.parametrize("enum", list(LABELS), ids=lambda enum: enum.__name__)
def test_every_member_has_a_name(enum: type) -> None:
    assert set(LABELS[enum]) == set(enum)


def test_names_follow_the_staff_language(app: Flask) -> None:
    with app.test_request_context():
        with force_locale("de"):
            assert label(CaseStatus.IN_REVIEW) == "in Bearbeitung"
            assert label(Relationship.OTHER) == "andere/r Angehörige/r"  # not DocumentKind's
        with force_locale("en"):
            assert label(CaseStatus.IN_REVIEW) == "in review"
    assert label("in_review") == "in_review"  # not an enum member: shown as it is
