from flask import redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from portal.apply import blueprint
from portal.core.i18n import BY_CODE, LANGUAGES, SESSION_KEY


@blueprint.get("/")
def show_home() -> str:
    return render_template("apply/home.html", languages=LANGUAGES)


@blueprint.post("/language")
def choose_language() -> Response:
    choice = request.form.get("language", "")
    if choice in BY_CODE:
        session[SESSION_KEY] = choice
    return redirect(url_for("apply.show_home"))
