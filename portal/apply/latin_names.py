"""Names as the person's documents write them, and a Latin spelling offered to correct.

The offer works without JavaScript: the button "suggest a spelling" sends the form like any
other, and the page comes back with the empty Latin fields filled in. Nothing is saved
until the person saves the form themselves.
"""

from typing import Any

from flask import request

from portal.core.forms import PortalForm
from portal.core.normalise import latin_suggestion

SUGGEST = "suggest"  # the name of the suggest button
FIELDS = ("given_names", "family_name", "given_names_latin", "family_name_latin")
_LATIN_OF = {"given_names": "given_names_latin", "family_name": "family_name_latin"}


def offer_latin_spelling(form: PortalForm) -> bool | None:
    """On a press of the suggest button, fill the form's empty Latin fields with a spelling
    of the names typed above them: True if anything was filled. None for any other
    request. A Latin spelling already typed is kept as it is."""
    if request.method != "POST" or not request.form.get(SUGGEST):
        return None
    offered = False
    for native, latin in _LATIN_OF.items():
        typed = (form[native].data or "").strip()
        if typed and not (form[latin].data or "").strip():
            suggestion = latin_suggestion(typed)
            if suggestion:
                form[latin].data = suggestion
                offered = True
    return offered


def names_of(form: PortalForm) -> dict[str, Any]:
    """The four name fields as they are kept: trimmed, and None where nothing was given."""
    return {name: (form[name].data or "").strip() or None for name in FIELDS}
