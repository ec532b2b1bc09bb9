"""Confirmed accounts: the emailed link, the unconfirmed page and its gate, email changes, ADMINS, the API."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db, mail
from app.models import Role, User
from tests.support.apps import make_app
from tests.support.factories import DEFAULT_PASSWORD, UserFactory
from tests.support.pages import csrf_token_from

PASSWORD = "s3cret pass"


@pytest.fixture
def app():
    """The shared test app with confirmation required (the shared config turns it off) and one admin address."""
    app = make_app(REQUIRE_EMAIL_CONFIRMATION=True, ADMINS=["Boss@Example.com"], QUERY_COUNT_HEADER=True)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def confirmed(app, user):
    """Susan, with her address confirmed."""
    user.confirmed = True
    db.session.commit()
    return user


def register(client, username="alice", email="alice@example.com"):
    """Post the registration form; return the response and the emails it sent."""
    data = {"username": username, "email": email, "password": PASSWORD, "password2": PASSWORD}
    with mail.record_messages() as outbox:
        response = client.post("/auth/register", data=data)
    return response, outbox


def link_in(message) -> str:
    """Return the local path of the confirmation link in an email, checking both bodies carry it."""
    match = re.search(r"https?://[^/\s]+(/auth/confirm/[\w.-]+)", message.body)
    assert match, message.body
    assert match.group(1) in message.html
    return match.group(1)


def flashes(html: str) -> list[str]:
    return [text.strip() for text in re.findall(r'<div class="alert alert-\w+" role="alert">(.*?)</div>', html, re.S)]


def account(username: str) -> User:
    db.session.expire_all()
    return db.session.scalar(User.by_username(username))


def sign_in(client, username: str, password: str = DEFAULT_PASSWORD):
    response = client.post("/auth/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.text
    return client


# Registration and the link


def test_registration_emails_a_link_that_confirms_only_when_the_button_is_pressed(client):
    response, outbox = register(client)
    assert response.status_code == 302
    [message] = outbox
    assert message.recipients == ["alice@example.com"] and "alice" in message.body
    link = link_in(message)
    sign_in(client, "alice", PASSWORD)

    page = client.get(link)
    assert page.status_code == 200 and 'type="submit"' in page.text and "alice@example.com" in page.text
    assert account("alice").confirmed is False  # a mail scanner fetching the link confirms nothing
    assert client.get("/index").location == "/auth/unconfirmed"

    done = client.post(link)
    assert done.status_code == 302 and done.location == "/index"
    assert account("alice").confirmed is True
    home = client.get("/index")
    assert home.status_code == 200 and "your email address is confirmed" in home.text


def test_the_link_confirms_without_signing_in_and_signs_nobody_in(client):
    _, [message] = register(client)
    response = client.post(link_in(message))
    assert response.status_code == 302 and response.location == "/auth/login"
    assert account("alice").confirmed is True
    assert client.get("/index").status_code == 302  # still signed out


def test_registration_flashes_where_the_link_went(client):
    register(client)
    page = client.get("/auth/login").text
    assert any("alice@example.com" in text for text in flashes(page))


@pytest.mark.parametrize(
    "make_token",
    [
        lambda user: "not-a-token",
        lambda user: user.get_reset_password_token(),  # signed with the same key, for another purpose
    ],
)
def test_a_bad_or_foreign_link_is_refused_with_a_message(client, user, make_token):
    token = make_token(user)
    response = client.get(f"/auth/confirm/{token}", follow_redirects=True)
    assert "This confirmation link is invalid or has expired." in response.text
    assert client.post(f"/auth/confirm/{token}").status_code == 302
    assert account("susan").confirmed is False


def test_an_expired_link_is_refused_with_a_message(app, client, auth, user):
    app.config["CONFIRMATION_LINK_HOURS"] = -1
    _, [message] = register(client)
    app.config["CONFIRMATION_LINK_HOURS"] = 48
    auth.login("alice", PASSWORD)
    response = client.post(link_in(message), follow_redirects=True)
    assert response.request.path == "/auth/unconfirmed"
    assert "This confirmation link is invalid or has expired." in response.text
    assert account("alice").confirmed is False


def test_confirming_twice_says_so(client):
    _, [message] = register(client)
    client.post(link_in(message))
    again = client.post(link_in(message), follow_redirects=True)
    assert "already confirmed" in again.text


# The gate


@pytest.mark.parametrize(
    "path", ["/index", "/explore", "/user/susan", "/edit_profile", "/messages", "/settings/two_factor", "/nowhere"]
)
def test_an_unconfirmed_account_is_sent_to_the_unconfirmed_page(logged_in, path):
    response = logged_in.get(path)
    assert response.status_code == 302 and response.location == "/auth/unconfirmed"


def test_the_unconfirmed_page_offers_to_send_again_and_to_sign_out(logged_in):
    page = logged_in.get("/auth/unconfirmed")
    assert page.status_code == 200
    assert "susan@example.com" in page.text
    assert 'action="/auth/resend_confirmation"' in page.text and 'method="post"' in page.text
    for path in ("/auth/logout", "/auth/change_email", "/healthz", "/notifications?since=0"):
        assert logged_in.get(path).status_code == 200, path
    assert logged_in.post("/language/es").location != "/auth/unconfirmed"


def test_the_send_again_form_carries_a_csrf_token(logged_in, csrf_enabled):
    page = logged_in.get("/auth/unconfirmed").text
    with mail.record_messages() as outbox:
        assert logged_in.post("/auth/resend_confirmation").status_code == 400
        sent = logged_in.post("/auth/resend_confirmation", data={"csrf_token": csrf_token_from(page)})
        assert sent.status_code == 302
    assert len(outbox) == 1


def test_a_confirmed_account_goes_everywhere_and_the_gate_runs_no_query(app, confirmed, logged_in):
    assert logged_in.get("/auth/unconfirmed").location == "/index"
    logged_in.get("/index")
    with_gate = int(logged_in.get("/index").headers["X-Query-Count"])
    app.config["REQUIRE_EMAIL_CONFIRMATION"] = False
    without_gate = int(logged_in.get("/index").headers["X-Query-Count"])
    assert with_gate == without_gate


def test_with_confirmation_off_an_unconfirmed_account_goes_everywhere(app, logged_in):
    app.config["REQUIRE_EMAIL_CONFIRMATION"] = False
    assert logged_in.get("/index").status_code == 200
    assert logged_in.get("/auth/unconfirmed").location == "/index"


def test_sending_again_emails_a_new_link(logged_in):
    with mail.record_messages() as outbox:
        response = logged_in.post("/auth/resend_confirmation", follow_redirects=True)
    assert "A new confirmation link is on its way to susan@example.com." in response.text
    [message] = outbox
    assert message.recipients == ["susan@example.com"]
    logged_in.post(link_in(message))
    assert account("susan").confirmed is True


def test_sending_again_is_rate_limited_with_a_message():
    app = make_app(REQUIRE_EMAIL_CONFIRMATION=True, RATELIMIT_ENABLED=True, RATELIMIT_CONFIRMATION="2 per hour")
    with app.app_context():
        UserFactory(username="susan")
        client = sign_in(app.test_client(), "susan")
        with mail.record_messages() as outbox:
            answers = [client.post("/auth/resend_confirmation") for _ in range(3)]
        assert [answer.status_code for answer in answers] == [302, 302, 302]
        assert len(outbox) == 2
        page = client.get(answers[-1].location).text
        assert "You have asked for too many emails." in page
        db.session.remove()


# Changing one's address


def change_email(client, email: str, password: str = DEFAULT_PASSWORD):
    with mail.record_messages() as outbox:
        response = client.post("/auth/change_email", data={"email": email, "password": password})
    return response, outbox


def test_the_edit_profile_page_links_to_the_email_change(confirmed, logged_in):
    assert 'href="/auth/change_email"' in logged_in.get("/edit_profile").text


def test_a_new_address_waits_for_its_link_and_the_old_one_stays(confirmed, logged_in):
    response, [message] = change_email(logged_in, "Susan@New.example")
    assert response.status_code == 302
    assert message.recipients == ["susan@new.example"]
    user = account("susan")
    assert (user.email, user.pending_email, user.confirmed) == ("susan@example.com", "susan@new.example", True)
    page = logged_in.get("/auth/change_email").text
    assert "susan@new.example" in page and 'id="pending-email"' in page

    done = logged_in.post(link_in(message), follow_redirects=True)
    assert "Your email address is now susan@new.example." in done.text
    user = account("susan")
    assert (user.email, user.pending_email) == ("susan@new.example", None)


def test_changing_the_address_needs_the_password(confirmed, logged_in):
    response, outbox = change_email(logged_in, "susan@new.example", password="wrong password")
    assert response.status_code == 200 and "Invalid password" in response.text
    assert outbox == [] and account("susan").pending_email is None


def test_an_address_in_use_is_refused_with_a_form_error(confirmed, john, logged_in):
    response, outbox = change_email(logged_in, "JOHN@example.com")
    assert response.status_code == 200 and "Please use a different email address." in response.text
    assert outbox == [] and account("susan").pending_email is None


def test_an_address_taken_before_its_link_is_followed_is_refused_with_a_message(confirmed, john, logged_in, client_as):
    _, [for_susan] = change_email(logged_in, "shared@example.com")
    john.confirmed = True
    db.session.commit()
    _, [for_john] = change_email(client_as("john"), "shared@example.com")
    client_as("john").post(link_in(for_john))
    response = logged_in.post(link_in(for_susan), follow_redirects=True)
    assert response.status_code == 200
    assert "shared@example.com is now used by another account" in response.text
    assert account("susan").email == "susan@example.com"
    assert account("john").email == "shared@example.com"


def test_an_older_link_stops_working_once_another_address_is_pending(confirmed, logged_in):
    _, [first] = change_email(logged_in, "first@example.com")
    change_email(logged_in, "second@example.com")
    response = logged_in.post(link_in(first), follow_redirects=True)
    assert "This confirmation link is invalid or has expired." in response.text
    assert account("susan").email == "susan@example.com"


def test_a_mistyped_address_can_be_changed_before_confirming(logged_in):
    _, [message] = change_email(logged_in, "susan@right.example")
    logged_in.post(link_in(message))
    user = account("susan")
    assert (user.email, user.confirmed) == ("susan@right.example", True)


# ADMINS


def test_an_admins_address_becomes_an_administrator_once_confirmed(client):
    _, [message] = register(client, "boss", "boss@example.com")
    assert account("boss").role == Role.USER
    client.post(link_in(message))
    assert account("boss").role == Role.ADMINISTRATOR


def test_other_addresses_stay_users_when_confirmed(client):
    _, [message] = register(client)
    client.post(link_in(message))
    assert account("alice").role == Role.USER


def test_with_confirmation_off_an_admins_address_is_an_administrator_at_once(app, client):
    app.config["REQUIRE_EMAIL_CONFIRMATION"] = False
    _, outbox = register(client, "boss", "boss@example.com")
    assert outbox == []
    assert account("boss").role == Role.ADMINISTRATOR
    assert account("boss").confirmed is False


# The API


def test_an_unconfirmed_account_gets_no_api_token(client, user):
    response = client.post("/api/tokens", auth=("susan", DEFAULT_PASSWORD))
    assert response.status_code == 403
    assert response.get_json()["error"] == "Forbidden" and "Confirm your email" in response.get_json()["message"]
    assert client.post("/api/tokens", auth=("susan", "wrong password")).status_code == 401


def test_an_unconfirmed_accounts_token_is_refused(client, user):
    token = user.get_token()
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get(f"/api/users/{user.id}", headers=headers)
    assert response.status_code == 403 and response.is_json
    user.confirmed = True
    db.session.commit()
    assert client.get(f"/api/users/{user.id}", headers=headers).status_code == 200
    assert client.post("/api/tokens", auth=("susan", DEFAULT_PASSWORD)).status_code == 200


def test_the_openapi_document_lists_the_403(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert "403" in paths["/api/tokens"]["post"]["responses"]
    assert "403" in paths["/api/timeline"]["get"]["responses"]


def test_registering_through_the_api_emails_a_link(client):
    body = {"username": "alice", "email": "alice@example.com", "password": PASSWORD}
    with mail.record_messages() as outbox:
        assert client.post("/api/users", json=body).status_code == 201
    client.post(link_in(outbox[0]))
    assert account("alice").confirmed is True


def test_an_email_change_through_the_api_waits_for_its_link(client, confirmed):
    token = confirmed.get_token()
    db.session.commit()
    with mail.record_messages() as outbox:
        response = client.put(
            f"/api/users/{confirmed.id}",
            json={"email": "susan@new.example"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200 and response.get_json()["email"] == "susan@example.com"
    assert outbox[0].recipients == ["susan@new.example"]
    assert account("susan").pending_email == "susan@new.example"


# Accounts made by operators


def test_flask_user_create_and_seed_make_confirmed_accounts(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["user", "create", "alice", "alice@example.com"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["seed", "--users", "5", "--posts", "10", "--follows", "5"])
    assert result.exit_code == 0, result.output
    unconfirmed = db.session.scalar(sa.select(sa.func.count(User.id)).where(User.confirmed.is_(False)))
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 6 and unconfirmed == 0
