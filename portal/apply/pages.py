"""Rendering a page with a form: answered with 400 when what was sent has errors."""

from typing import Any

from flask import render_template

from portal.core.forms import PortalForm


def form_page(template: str, form: PortalForm, **context: Any) -> tuple[str, int]:
    status = 400 if form.errors else 200
    return render_template(template, form=form, **context), status
