"""WTForms' ``html_params`` (an element's attributes), with the same output, faster.

WTForms writes each attribute with ``Markup('{k}="{v}"').format(...)``: markupsafe's
escaping formatter is pure Python and costs about 25 µs an attribute, so the four inputs of
a form page spent a tenth of the page's time on their attributes (docs/performance.md).
This builds the same string with the same escaping (``markupsafe.escape`` of the name and
of the value, ``"`` in a value already marked safe written as ``&quot;``) without the
formatter. ``install`` puts it where WTForms' widgets and labels look the function up.
"""

from typing import Any

import wtforms.widgets
import wtforms.widgets.core
from markupsafe import Markup, escape

# WTForms' own, kept to compare with (tests) and to see whether ``install`` already ran.
ORIGINAL = wtforms.widgets.core.html_params


def html_params(**kwargs: Any) -> Markup:
    """The attributes ``kwargs`` as HTML, exactly as ``wtforms.widgets.html_params``
    writes them: sorted by name, ``class_`` as ``class``, ``data_``/``aria_`` names with
    hyphens, ``True`` as the bare name, ``False`` left out, every name and value escaped."""
    params = []
    for name, value in sorted(kwargs.items()):
        key = wtforms.widgets.core.clean_key(name)
        if value is True:
            params.append(str(escape(key)))
        elif value is not False:
            params.append(f'{escape(key)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    # Every name and value in ``params`` went through ``escape`` above.
    return Markup(" ".join(params))  # noqa: S704


def install() -> None:
    """Make WTForms' widgets and labels write their attributes with ``html_params``.

    WTForms looks the function up in three places: the module global of its widgets
    (select, text area, option, list), the ``html_params`` attribute of ``Input`` and
    ``Button``, and ``wtforms.widgets.html_params`` (labels). Running it twice changes
    nothing.
    """
    wtforms.widgets.core.html_params = html_params
    wtforms.widgets.html_params = html_params
    for widget in (wtforms.widgets.core.Input, wtforms.widgets.core.Button):
        widget.html_params = staticmethod(html_params)
