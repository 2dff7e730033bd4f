"""Aggregate reports for the special envoy: figures without a way back to a person."""

from flask import Blueprint

blueprint = Blueprint("reports", __name__, template_folder="templates", url_prefix="/staff/reports")

from portal.reports import views as _views  # noqa: E402, F401  (registers the routes)
