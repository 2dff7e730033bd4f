"""The public face: applicants apply, come back, and follow their case."""

from flask import Blueprint

from portal.core.date_display import (
    applicant_date,
    applicant_date_range,
    applicant_day,
    applicant_deadline,
)

blueprint = Blueprint("apply", __name__, template_folder="templates")
for _date_helper in (applicant_date, applicant_date_range, applicant_day, applicant_deadline):
    blueprint.add_app_template_global(_date_helper)

# Importing the views registers their routes on the blueprint.
from portal.apply.views import (  # noqa: E402, F401
    application,
    documents,
    family,
    followup,
    start,
)
