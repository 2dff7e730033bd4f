"""The public face: applicants apply, come back, and follow their case."""

from flask import Blueprint

blueprint = Blueprint("apply", __name__, template_folder="templates")

from portal.apply import views as views  # noqa: E402  (registers the routes)
