"""A template's translated texts, kept once translated, still come in the language of each
request, escaped where the template escapes and with their placeholders filled each time."""

from flask import Flask, render_template_string, session

BACK = '<a>{{ _("Back") }}</a>'


def _render(app: Flask, language: str, template: str, **context: object) -> str:
    # A context of its own each, as each request has (the language is chosen once in it).
    with app.app_context(), app.test_request_context("/"):
        session["lang"] = language
        return render_template_string(template, **context)


def test_the_same_text_comes_in_each_request_language_in_turn(app: Flask) -> None:
    rendered = [_render(app, code, BACK) for code in ("de", "fa_AF", "de", "en", "fa_AF")]
    assert rendered == [
        "<a>Zurück</a>",
        "<a>بازگشت</a>",
        "<a>Zurück</a>",
        "<a>Back</a>",
        "<a>بازگشت</a>",
    ]


def test_placeholders_are_filled_and_escaped_on_every_rendering(app: Flask) -> None:
    template = '{{ _("%(question)s: %(problem)s", question=question, problem="x") }}'
    first = _render(app, "de", template, question="<b>Name</b>")
    second = _render(app, "de", template, question="Ort")
    assert first == "&lt;b&gt;Name&lt;/b&gt;: x"
    assert second == "Ort: x"


def test_where_the_template_does_not_escape_the_text_is_left_as_it_is(app: Flask) -> None:
    template = '{% autoescape false %}{{ _("%(question)s: %(problem)s", question=q, problem="p") }}{% endautoescape %}'
    assert _render(app, "en", template, q="<i>") == "<i>: p"
    assert _render(app, "de", "{% autoescape false %}" + BACK + "{% endautoescape %}") == (
        "<a>Zurück</a>"
    )
