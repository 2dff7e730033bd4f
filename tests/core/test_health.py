from flask.testing import FlaskClient

from tests.conftest import AppFactory


def test_a_healthy_portal_says_so(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "database": "ok",
        "redis": "ok",
        "queue_depth": 0,
        "faces": ["internal", "public"],
    }


def test_an_internal_face_without_redis_is_unhealthy(make_app: AppFactory) -> None:
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0", PORTAL_FACES=frozenset({"internal"}))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.json
    assert body["status"] == "unhealthy" and body["database"] == "ok"
    assert body["redis"].startswith("error") and body["faces"] == ["internal"]


def test_a_public_face_without_redis_still_takes_applications(make_app: AppFactory) -> None:
    """The outbox keeps submissions while Redis is down: no balancer should drop the face."""
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0", PORTAL_FACES=frozenset({"public"}))
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "ok" and body["redis"].startswith("error")


def test_the_public_face_tells_nobody_how_many_wait(make_app: AppFactory) -> None:
    app = make_app(PORTAL_FACES=frozenset({"public"}))
    body = app.test_client().get("/healthz").json
    assert body == {"status": "ok", "database": "ok", "redis": "ok", "faces": ["public"]}


def test_a_portal_without_its_database_is_unhealthy(make_app: AppFactory, tmp_path) -> None:
    missing = tmp_path / "nowhere" / "portal.sqlite3"
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{missing}")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"].startswith("error")
