"""Every reason code has a sentence for staff, and every sentence can be filled in."""

import re

from flask import Flask

from portal.intake import reasons as R
from portal.intake.reasons import TEXTS, Reason, describe

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_every_code_has_a_text() -> None:
    codes = {value for name, value in vars(R).items() if name.isupper() and isinstance(value, str)}
    assert codes == set(TEXTS)


def test_every_text_is_filled_from_points_and_params(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        for code, text in TEXTS.items():
            names = set(PLACEHOLDER.findall(text._args[0]))  # the msgid
            params = {name: f"<{name}>" for name in names - {"points"}}
            sentence = describe(Reason(code, 7, params).as_json())
            assert "%(" not in sentence, code
            for name in names:
                assert ("7" if name == "points" else f"<{name}>") in sentence, (code, name)


def test_an_unknown_code_is_shown_as_it_is(app: Flask) -> None:
    with app.test_request_context():
        assert describe({"code": "from_a_newer_release", "points": 0, "params": {}}) == (
            "from_a_newer_release"
        )
