"""The internal face: the review queue, the case screen, decisions and the audit log."""

from flask import Blueprint

from portal.cases.deadlines import overdue_now
from portal.cases.labels import choice_label, choice_labels, country_name, label
from portal.core.date_display import staff_date

blueprint = Blueprint("review", __name__, template_folder="templates", url_prefix="/staff")
for _global in (label, choice_label, choice_labels, country_name, staff_date, overdue_now):
    blueprint.add_app_template_global(_global)

# Importing the views registers their routes (named so as not to hide review.queue).
from portal.review.views import actions as _actions  # noqa: E402, F401
from portal.review.views import admin as _admin  # noqa: E402, F401
from portal.review.views import case as _case  # noqa: E402, F401
from portal.review.views import insiders as _insiders  # noqa: E402, F401
from portal.review.views import queue as _queue  # noqa: E402, F401
from portal.review.views import search as _search  # noqa: E402, F401
