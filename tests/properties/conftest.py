"""The staff fixtures, shared with the review tests."""

from tests.review.conftest import (  # noqa: F401
    clock,
    make_staff,
    signed_in,
    staff_app,
    submitted_case,
)
