"""The public face: applicants apply, come back, and follow their case."""

from flask import Blueprint

blueprint = Blueprint("apply", __name__, template_folder="templates")

# Importing the views registers their routes on the blueprint.
from portal.apply.views import (  # noqa: E402, F401
    application,
    documents,
    family,
    followup,
    start,
)
