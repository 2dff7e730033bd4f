"""The reference of the throughput benchmark: Flask with nothing of the portal.

    gunicorn --config deploy/gunicorn.conf.py 'bench.bare_flask:create_app()'

``GET /`` renders a small page from a Jinja template compiled once, as Flask's template
files are (a heading, a paragraph, a form with one field); ``POST /rows`` inserts one row into PostgreSQL (``DATABASE_URL``) in its own
transaction and redirects, as a form submission does. No sessions, no CSRF, no
translations, no encryption: what serving a page and writing a row cost in Flask, under the
same gunicorn settings as the portal.
"""

import os
import uuid

from flask import Flask, redirect
from sqlalchemy import Engine, create_engine, text
from werkzeug.wrappers import Response

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>{{ title }}</h1>
<p>{{ text }}</p>
<form method="post" action="/rows"><label for="name">Name</label>
<input id="name" name="name" value="{{ name }}"><button>Continue</button></form>
</main></body></html>
"""
TABLE = "CREATE TABLE IF NOT EXISTS bare_row (id uuid PRIMARY KEY, body text NOT NULL)"


def _engine() -> Engine:
    url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    return create_engine(url, pool_pre_ping=True)


def create_table() -> None:
    engine = _engine()
    with engine.begin() as connection:
        connection.execute(text(TABLE))
    engine.dispose()


def create_app() -> Flask:
    app = Flask(__name__)
    engine = _engine()
    # Compiled once: render_template_string would compile the template on every request,
    # which no application serving its pages from template files does.
    page = app.jinja_env.from_string(PAGE)

    @app.get("/")
    def show_page() -> str:
        return page.render(title="Your names", text="As in your passport.", name="Ahmad")

    @app.post("/rows")
    def add_row() -> Response:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO bare_row (id, body) VALUES (:id, :body)"),
                {"id": uuid.uuid4(), "body": "one row"},
            )
        return redirect("/?added=1")

    return app
