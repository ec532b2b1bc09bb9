"""Error pages in the site layout, and JSON errors for clients that prefer JSON."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Post, User
from tests.support.apps import IsolatedClient, count_rows, make_app
from tests.support.factories import DEFAULT_PASSWORD, UserFactory
from tests.support.pages import is_site_layout

JSON = {"Accept": "application/json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
SECRET_DETAIL = "database password is hunter2"


def assert_error_page(response, status: int, text: str) -> None:
    """Check a friendly HTML error page in the site layout, with no internals."""
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert is_site_layout(response.text)
    assert text in response.text
    assert "Traceback" not in response.text
    assert SECRET_DETAIL not in response.text


def assert_json_error(response, status: int, reason: str) -> None:
    assert response.status_code == status
    assert response.is_json
    assert response.json["error"] == reason
    assert isinstance(response.json["message"], str) and response.json["message"]


@pytest.fixture
def failing_app():
    """A fresh app with routes that fail, added before its first request."""
    failing = make_app(PROPAGATE_EXCEPTIONS=False)
    failing.test_client_class = IsolatedClient

    def boom():
        raise RuntimeError(SECRET_DETAIL)

    def duplicate_user():
        # Leaves the session needing a rollback, as a real integrity failure would.
        db.session.add(Post(body="never saved", author=db.session.scalar(sa.select(User))))
        db.session.add(User(username="Owner", email="owner2@example.com"))
        db.session.flush()
        return "unreachable"

    failing.add_url_rule("/boom", view_func=boom)
    failing.add_url_rule("/duplicate", view_func=duplicate_user)
    with failing.app_context():
        yield failing


# 404


@pytest.mark.parametrize("path", ["/no/such/page", "/user/nobody", "/post/1/nothing"])
def test_unknown_page_is_404_in_layout_when_logged_in(logged_in, path):
    response = logged_in.get(path)
    assert_error_page(response, 404, "File Not Found")
    assert "<title>Not Found - Microblog</title>" in response.text
    assert 'id="message_count"' in response.text


def test_unknown_page_is_404_in_layout_for_anonymous(client):
    response = client.get("/no/such/page")
    assert_error_page(response, 404, "File Not Found")
    assert 'href="/auth/login"' in response.text


def test_404_is_json_when_client_prefers_json(client):
    assert_json_error(client.get("/no/such/page", headers=JSON), 404, "Not Found")


def test_404_stays_html_for_a_browser(client):
    assert_error_page(client.get("/no/such/page", headers=BROWSER), 404, "File Not Found")


@pytest.mark.parametrize("path", ["/api/no/such/thing", "/api"])
def test_404_under_api_is_json_even_for_a_browser(client, path):
    assert_json_error(client.get(path, headers=BROWSER), 404, "Not Found")


# 405


@pytest.mark.parametrize(("method", "path"), [("get", "/follow/john"), ("post", "/explore"), ("put", "/index")])
def test_wrong_method_is_405_in_layout(logged_in, john, method, path):
    response = getattr(logged_in, method)(path)
    assert_error_page(response, 405, "That action is not allowed here.")
    assert "Allow" in response.headers


def test_405_lists_allowed_methods(logged_in, john):
    response = logged_in.get("/follow/john")
    assert "POST" in response.headers["Allow"]


def test_405_is_json_when_client_prefers_json(logged_in, john):
    assert_json_error(logged_in.get("/follow/john", headers=JSON), 405, "Method Not Allowed")


# 413


def test_body_over_limit_is_413_in_layout(app, client, user):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = client.post("/auth/login", data={"username": "susan", "password": "x" * 4096})
    assert_error_page(response, 413, "What you sent is too large.")


def test_post_over_limit_is_413_and_saves_nothing(app, logged_in):
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_LENGTH"] = 1024  # the home page's form takes images
    response = logged_in.post("/index", data={"post": "short", "padding": "x" * 4096})
    assert_error_page(response, 413, "What you sent is too large.")
    assert count_rows(Post) == 0


def test_413_is_json_when_client_prefers_json(app, logged_in):
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_LENGTH"] = 1024  # the home page's form takes images
    response = logged_in.post("/index", data={"post": "x" * 4096}, headers=JSON)
    assert_json_error(response, 413, "Request Entity Too Large")


def test_body_under_limit_is_accepted(app, logged_in):
    app.config["MAX_CONTENT_LENGTH"] = app.config["MAX_UPLOAD_LENGTH"] = 1024  # the home page's form takes images
    assert logged_in.post("/index", data={"post": "fits"}).status_code == 302


# 500


def test_unexpected_error_is_500_in_layout_without_traceback(failing_app):
    response = failing_app.test_client().get("/boom")
    assert_error_page(response, 500, "An unexpected error has occurred.")
    assert "RuntimeError" not in response.text


def test_500_is_json_when_client_prefers_json(failing_app):
    response = failing_app.test_client().get("/boom", headers=JSON)
    assert_json_error(response, 500, "Internal Server Error")
    assert SECRET_DETAIL not in response.text


def test_500_rolls_back_and_still_renders_logged_in_layout(failing_app):
    UserFactory(username="owner", email="owner@example.com")
    client = failing_app.test_client()
    client.post("/auth/login", data={"username": "owner", "password": DEFAULT_PASSWORD})
    response = client.get("/duplicate")
    assert_error_page(response, 500, "An unexpected error has occurred.")
    assert 'id="message_count"' in response.text
    assert count_rows(Post) == 0
    assert count_rows(User) == 1
    assert client.get("/index").status_code == 200


# 400 and 403


def test_csrf_failure_is_400_in_layout(logged_in, csrf_enabled):
    response = logged_in.post("/index", data={"post": "hello"})
    assert_error_page(response, 400, "Your session expired or the form was not sent from this site.")


def test_csrf_failure_is_json_when_client_prefers_json(logged_in, csrf_enabled):
    assert_json_error(logged_in.post("/index", data={"post": "hello"}, headers=JSON), 400, "Bad Request")


def test_forbidden_is_403_in_layout(logged_in, john):
    post = Post(body="john's", author=john)
    db.session.add(post)
    db.session.commit()
    assert_error_page(logged_in.post(f"/post/{post.id}/delete"), 403, "You are not allowed to do that.")


def test_error_pages_carry_security_headers(client):
    response = client.get("/no/such/page")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
