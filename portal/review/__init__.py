"""The internal face: the review queue, the case screen, decisions and the audit log."""

from datetime import datetime

from flask import Blueprint

from portal.cases.deadlines import overdue_now
from portal.cases.labels import choice_label, choice_labels, country_name, label, short_label
from portal.core.date_display import staff_date
from portal.core.db import utcnow

blueprint = Blueprint("review", __name__, template_folder="templates", url_prefix="/staff")


def waited_days(since: datetime, now: datetime | None = None) -> int:
    """Whole days from ``since`` to ``now`` (this moment if not given): a case's waiting time."""
    return max(((now or utcnow()) - since).days, 0)


for _global in (
    label,
    short_label,
    choice_label,
    choice_labels,
    country_name,
    staff_date,
    waited_days,
    overdue_now,
):
    blueprint.add_app_template_global(_global)

# Importing the views registers their routes (named so as not to hide review.queue).
from portal.review.views import actions as _actions  # noqa: E402, F401
from portal.review.views import admin as _admin  # noqa: E402, F401
from portal.review.views import case as _case  # noqa: E402, F401
from portal.review.views import insiders as _insiders  # noqa: E402, F401
from portal.review.views import queue as _queue  # noqa: E402, F401
from portal.review.views import search as _search  # noqa: E402, F401
from portal.review.views import team as _team  # noqa: E402, F401
