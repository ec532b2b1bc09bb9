"""Email through a real SMTP server: password reset end to end, failures, attachments."""

import logging
import re
from urllib.parse import urlsplit

import pytest

from app.email import send_email
from app.extensions import db
from app.models import User
from tests.support.apps import make_app
from tests.support.factories import DEFAULT_PASSWORD, UserFactory
from tests.support.live_server import free_port

NEW_PASSWORD = "a brand new passphrase"
# PyJWT warns about HMAC keys under 32 bytes, and reset tokens are JWTs.
SECRET_KEY = "integration-test-secret-key-0123456789"


@pytest.fixture
def mail_app(smtp_server):
    """An app that sends its email to the test SMTP server; yields (app, inbox)."""
    host, port, inbox = smtp_server
    app = make_app(MAIL_SERVER=host, MAIL_PORT=port, SECRET_KEY=SECRET_KEY)
    with app.app_context():
        UserFactory(username="susan", email="susan@example.com")
        yield app, inbox
        db.session.remove()


def reset_link(message) -> str:
    """Return the reset link of a password reset email, checking both bodies carry it."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    links = re.findall(r"https?://\S+/auth/reset_password/[\w.-]+", text)
    assert len(links) == 1, text
    assert f'href="{links[0]}"' in html
    return links[0]


def test_password_reset_by_email_end_to_end(mail_app):
    app, inbox = mail_app
    client = app.test_client()

    response = client.post("/auth/reset_password_request", data={"email": "Susan@Example.com"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/login")

    (message,) = inbox.wait_for(1)
    assert message["To"] == "susan@example.com"
    assert "Reset Your Password" in message["Subject"]
    path = urlsplit(reset_link(message)).path

    form = client.get(path)
    assert form.status_code == 200
    assert b'name="password2"' in form.data

    response = client.post(path, data={"password": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/login")
    user = db.session.scalar(db.select(User).filter_by(username="susan"))
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(DEFAULT_PASSWORD)

    # The link dies once used: it neither shows the form nor changes the password again.
    used = client.post(path, data={"password": "yet another passphrase", "password2": "yet another passphrase"})
    assert used.status_code == 302
    assert used.headers["Location"].endswith("/auth/reset_password_request")
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)

    response = client.post("/auth/login", data={"username": "susan", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/index") or response.headers["Location"].endswith("/")


def test_unknown_address_gets_the_same_answer_and_no_email(mail_app):
    app, inbox = mail_app
    response = app.test_client().post("/auth/reset_password_request", data={"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/auth/login")
    assert inbox.messages == []


def test_mail_server_down_still_answers_and_logs_the_failure(caplog):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), SECRET_KEY=SECRET_KEY)
    with app.app_context():
        UserFactory(username="susan", email="susan@example.com")
        client = app.test_client()
        with caplog.at_level(logging.ERROR):
            response = client.post("/auth/reset_password_request", data={"email": "susan@example.com"})
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/auth/login")
        page = client.get(response.headers["Location"])
        assert page.status_code == 200
        assert b"Check your email for the instructions" in page.data
        failures = [record for record in caplog.records if record.levelno >= logging.ERROR]
        assert failures, "the failed delivery was not logged"
        assert any("susan@example.com" in record.getMessage() for record in failures)
        assert any(record.exc_info for record in failures)
        db.session.remove()


def test_send_email_delivers_an_attachment(mail_app):
    app, inbox = mail_app
    data = b'{"posts": [{"body": "h\xc3\xa9llo \xf0\x9f\x8c\x8d"}]}'
    with app.test_request_context():
        send_email(
            "Your posts",
            sender="microblog@example.com",
            recipients=["susan@example.com", "admin@example.com"],
            text_body="Attached.",
            html_body="<p>Attached.</p>",
            attachments=[("posts.json", "application/json", data)],
            sync=True,
        )
    (message,) = inbox.wait_for(1)
    assert message["Subject"] == "Your posts"
    assert message["From"] == "microblog@example.com"
    assert {address.strip() for address in message["To"].split(",")} == {"susan@example.com", "admin@example.com"}
    assert message.get_body(preferencelist=("plain",)).get_content().strip() == "Attached."
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "posts.json"
    assert attachment.get_content_type() == "application/json"
    assert attachment.get_payload(decode=True) == data
