"""Headers every response carries: no powerful browser features, and HTTPS only in
production."""

import pytest
from flask import Flask

from tests.conftest import AppFactory

PAGES = ["/", "/staff/sign-in", "/no-such-page", "/healthz"]
YEAR = 365 * 24 * 3600


def _directives(value: str) -> dict[str, str]:
    return dict(
        (part.strip().split("=", 1) + [""])[:2] for part in value.split(";") if part.strip()
    )


@pytest.mark.parametrize("path", PAGES)
def test_production_tells_browsers_to_use_https_only(make_app: AppFactory, path: str) -> None:
    response = make_app(PORTAL_ENV="production").test_client().get(path)
    hsts = _directives(response.headers["Strict-Transport-Security"])
    assert int(hsts["max-age"]) >= YEAR
    assert "includeSubDomains" in hsts


def test_development_on_plain_http_sends_no_hsts(make_app: AppFactory) -> None:
    response = make_app().test_client().get("/")
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("path", PAGES)
def test_no_page_may_use_camera_microphone_location_payment_or_usb(
    make_app: AppFactory, path: str
) -> None:
    app: Flask = make_app()
    policy = app.test_client().get(path).headers["Permissions-Policy"]
    features = {part.split("=")[0].strip(): part.split("=")[1] for part in policy.split(",")}
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()", feature
