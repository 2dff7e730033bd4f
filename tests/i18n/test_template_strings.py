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


def test_a_macro_imported_from_another_template_speaks_each_request_language(app: Flask) -> None:
    # Jinja keeps an imported template's module, and with it the context its macros run
    # in, for the life of the process: nothing of one request's language may stay there.
    template = '{% from "_forms.html" import warning_summary %}{{ warning_summary(["w"]) }}'
    headings = [
        _render(app, code, template).split("<h2>")[1].split("</h2>")[0]
        for code in ("de", "fa_AF", "en", "de")
    ]
    assert headings == [
        "Bitte prüfen Sie Ihre Angaben",
        "لطفاً جواب‌های خود را بررسی کنید",
        "Please check your answers",
        "Bitte prüfen Sie Ihre Angaben",
    ]


def test_staff_texts_and_plurals_in_templates_follow_each_language_in_turn(app: Flask) -> None:
    template = '{{ _s("Reference") }}, {{ ngettext_s("%(num)s day", "%(num)s days", n) }}'
    rendered = [_render(app, code, template, n=n) for code, n in (("de", 2), ("en", 2), ("de", 1))]
    assert rendered == ["Vorgangsnummer, 2 Tage", "Reference, 2 days", "Vorgangsnummer, 1 Tag"]
