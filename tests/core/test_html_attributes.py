"""Form fields' attributes, written faster than WTForms writes them and exactly as it does."""

from collections.abc import Callable
from typing import Any

import pytest
import wtforms.widgets
import wtforms.widgets.core
from flask import Flask
from flask_babel import lazy_gettext
from markupsafe import Markup
from wtforms import (
    BooleanField,
    Form,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length

from portal.core import html_attributes

ATTRIBUTES: list[dict[str, Any]] = [
    {},
    {"name": "given_names", "id": "given_names", "type": "text", "value": "ګل‌آغا"},
    {"value": "<script>\"&'</script>", "title": "a > b & c"},
    {"value": Markup('say "hi" <b>bold</b>')},  # already safe: kept, its quotes written out
    {"required": True, "disabled": False, "checked": True},
    {"class_": "wide", "for_": "x", "data_some_thing": "1", "aria_described_by": "x-hint"},
    {"maxlength": 100, "size": 4, "min": 0, "step": 1.5},
    {"value": None},
    {"zeta": "1", "alpha": "2", "mid": "3"},
    {'odd"name': "1", "ok": "<"},
]


@pytest.mark.parametrize("attributes", ATTRIBUTES)
def test_the_attributes_are_those_wtforms_writes(attributes: dict[str, Any]) -> None:
    ours = html_attributes.html_params(**attributes)
    assert ours == html_attributes.ORIGINAL(**attributes)
    assert isinstance(ours, Markup)


def test_a_translated_value_is_written_as_wtforms_writes_it(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "fa"}):
        value = lazy_gettext("Back")
        assert html_attributes.html_params(title=value) == html_attributes.ORIGINAL(title=value)


class _Everything(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    story = TextAreaField("Story <and more>")
    country = SelectField(
        "Country", choices=[SelectChoice("AF", "Afghanistan"), SelectChoice("SY", 'Syria "SY"')]
    )
    many = SelectMultipleField("Many", choices=[SelectChoice("a", "A"), SelectChoice("b", "B")])
    agree = BooleanField("Agree")
    kind = RadioField("Kind", choices=[SelectChoice("x", "X & x"), SelectChoice("y", "Y")])
    send = SubmitField("Send")


def _rendered() -> list[str]:
    form = _Everything(data={"name": 'Ahmad "A" <b>', "story": "<p>", "country": "SY"})
    pieces = []
    for field in form:
        pieces.append(str(field(class_="wide", aria_describedby="hint", data_x="1")))
        pieces.append(str(field.label(class_="label")))
        if isinstance(field, RadioField):
            pieces.extend(str(option()) + str(option.label()) for option in field)
    return pieces


def _use(monkeypatch: pytest.MonkeyPatch, function: Callable[..., Markup]) -> None:
    monkeypatch.setattr(wtforms.widgets.core, "html_params", function)
    monkeypatch.setattr(wtforms.widgets, "html_params", function)
    for widget in (wtforms.widgets.core.Input, wtforms.widgets.core.Button):
        monkeypatch.setattr(widget, "html_params", staticmethod(function))


def test_every_kind_of_field_is_rendered_as_wtforms_renders_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _use(monkeypatch, html_attributes.ORIGINAL)
    theirs = _rendered()
    _use(monkeypatch, html_attributes.html_params)
    assert _rendered() == theirs


def test_the_app_renders_fields_with_the_faster_function(app: Flask) -> None:
    assert wtforms.widgets.core.html_params is html_attributes.html_params
    assert wtforms.widgets.html_params is html_attributes.html_params
    assert wtforms.widgets.core.Input.html_params is html_attributes.html_params
    assert wtforms.widgets.core.Button.html_params is html_attributes.html_params
