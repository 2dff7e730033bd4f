from tests.review.conftest import (  # noqa: F401  (the staff fixtures, shared)
    clock,
    make_staff,
    signed_in,
    staff_app,
    submitted_case,
)
