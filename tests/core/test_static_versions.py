"""Static URLs carry their file's content hash, so that the web server may let browsers
keep a file for a year (deploy/nginx) and a changed file still reaches them at once."""

import hashlib
import re
from pathlib import Path

from flask import Flask, url_for


def test_a_stylesheet_url_names_its_contents(app: Flask) -> None:
    css = Path(app.static_folder or "") / "portal.css"
    expected = hashlib.sha256(css.read_bytes()).hexdigest()[:12]
    with app.test_request_context():
        assert url_for("static", filename="portal.css") == f"/static/portal.css?v={expected}"


def test_the_start_page_links_the_versioned_stylesheet(app: Flask) -> None:
    page = app.test_client().get("/").get_data(as_text=True)
    assert re.search(r'href="/static/portal\.css\?v=[0-9a-f]{12}"', page)


def test_a_file_that_does_not_exist_gets_no_version(app: Flask) -> None:
    with app.test_request_context():
        assert url_for("static", filename="missing.css") == "/static/missing.css"
