"""Two-factor sign-in through the site and the API: turning it on and off, signing in, tokens."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import RecoveryCode, User
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.totp import Authenticator


def turn_on(client) -> tuple[Authenticator, list[str]]:
    """Turn two-factor sign-in on through the settings pages; return the authenticator app and the recovery codes."""
    page = client.get("/settings/two_factor/enable").text
    assert "<svg" in page  # the QR code is drawn by the app itself
    secret = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page).group(1)
    app = Authenticator(secret)
    done = client.post("/settings/two_factor/enable", data={"code": app.code()})
    assert done.status_code == 200 and "Your recovery codes" in done.text
    return app, re.findall(r"<li>([0-9a-f]{8}-[0-9a-f]{8})</li>", done.text)


def test_turning_it_on_needs_a_first_code_that_verifies(logged_in, user):
    page = logged_in.get("/settings/two_factor/enable").text
    wrong = logged_in.post("/settings/two_factor/enable", data={"code": "000000"})
    assert "That code does not match" in wrong.text
    assert db.session.get(User, user.id).totp_secret is None
    # The secret shown stays the same until it verifies, so the app set up from the QR code keeps working.
    assert re.search(r'id="totp-secret">(\w+)<', page).group(1) in wrong.text


def test_turning_it_on_gives_ten_recovery_codes_stored_hashed(logged_in, user):
    app, codes = turn_on(logged_in)
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret == app.totp.secret
    assert len(set(codes)) == 10
    stored = set(db.session.scalars(sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)))
    assert len(stored) == 10 and not stored & set(codes)


@pytest.fixture
def protected(logged_in, auth):
    app, codes = turn_on(logged_in)
    auth.logout()
    return app, codes


def test_signing_in_then_asks_for_the_code(client, auth, protected):
    app, _ = protected
    response = auth.login("susan")
    assert response.status_code == 302 and response.location.endswith("/auth/two_factor")
    assert client.get("/index").status_code == 302  # the password alone does not sign in
    wrong = client.post("/auth/two_factor", data={"code": "123456"})
    assert "Invalid code" in wrong.text
    right = client.post("/auth/two_factor", data={"code": app.code()})
    assert right.status_code == 302 and client.get("/index").status_code == 200


def test_a_recovery_code_signs_in_once(client, auth, protected):
    _, codes = protected
    auth.login("susan")
    assert client.post("/auth/two_factor", data={"code": codes[0]}).status_code == 302
    auth.logout()
    auth.login("susan")
    assert "Invalid code" in client.post("/auth/two_factor", data={"code": codes[0]}).text


def test_a_code_signs_in_only_once(client, auth, protected):
    app, _ = protected
    auth.login("susan")
    code = app.code()
    assert client.post("/auth/two_factor", data={"code": code}).status_code == 302
    auth.logout()
    auth.login("susan")
    # Still within its 90 seconds, the same code is refused: someone who saw it typed cannot reuse it.
    assert "Invalid code" in client.post("/auth/two_factor", data={"code": code}).text
    assert client.post("/auth/two_factor", data={"code": app.code()}).status_code == 302


def test_an_older_code_than_the_last_used_is_refused(client, auth, protected):
    app, _ = protected
    older = app.code()
    newer = app.code()
    auth.login("susan")
    assert client.post("/auth/two_factor", data={"code": newer}).status_code == 302
    auth.logout()
    auth.login("susan")
    assert "Invalid code" in client.post("/auth/two_factor", data={"code": older}).text


def test_the_code_step_without_a_password_first_goes_back_to_sign_in(client):
    response = client.post("/auth/two_factor", data={"code": "123456"})
    assert response.status_code == 302 and "/auth/login" in response.location


def test_turning_it_off_needs_the_password_and_a_code(client, auth, protected, user):
    app, _ = protected
    auth.login("susan")
    client.post("/auth/two_factor", data={"code": app.code()})
    no_code = client.post("/settings/two_factor/disable", data={"password": DEFAULT_PASSWORD, "code": "000000"})
    code = app.code()
    bad_password = client.post("/settings/two_factor/disable", data={"password": "nope", "code": code})
    assert no_code.status_code == bad_password.status_code == 400
    assert db.session.get(User, user.id).totp_secret is not None
    off = client.post("/settings/two_factor/disable", data={"password": DEFAULT_PASSWORD, "code": code})
    assert off.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0


def test_an_api_token_needs_the_code_in_x_otp(client, protected):
    app, _ = protected
    refused = client.post("/api/tokens", auth=("susan", DEFAULT_PASSWORD))
    wrong = client.post("/api/tokens", auth=("susan", DEFAULT_PASSWORD), headers={"X-OTP": "000000"})
    assert refused.status_code == wrong.status_code == 401
    assert "X-OTP" in refused.get_json()["message"]
    granted = client.post("/api/tokens", auth=("susan", DEFAULT_PASSWORD), headers={"X-OTP": app.code()})
    assert granted.status_code == 200 and granted.get_json()["token"]


def test_deleting_the_account_with_two_factor_needs_a_code(client, auth, protected, user):
    app, _ = protected
    auth.login("susan")
    client.post("/auth/two_factor", data={"code": app.code()})
    form = {"password": DEFAULT_PASSWORD, "understood": "y"}
    assert "Invalid code" in client.post("/settings/delete_account", data={**form, "code": "000000"}).text
    done = client.post("/settings/delete_account", data={**form, "code": app.code()})
    assert done.status_code == 302
