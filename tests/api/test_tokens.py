"""POST/DELETE /api/tokens and bearer authentication."""

from datetime import timedelta

from app.extensions import db
from app.models import utcnow
from tests.support.api import assert_error, basic, bearer, token_for


def test_basic_auth_gets_a_token(client, user):
    response = client.post("/api/tokens", headers=basic("susan"))
    assert response.status_code == 200
    token = response.get_json()["token"]
    assert token == user.token and len(token) == 32


def test_username_is_case_insensitive_for_tokens(client, user):
    assert token_for(client, "SuSaN") == user.token


def test_token_is_reused_while_valid(client, user):
    assert token_for(client, "susan") == token_for(client, "susan")


def test_token_about_to_expire_is_replaced(client, user):
    first = token_for(client, "susan")
    user.token_expiration = utcnow() + timedelta(seconds=30)
    db.session.commit()
    assert token_for(client, "susan") != first


def test_wrong_password_is_401_with_basic_challenge(client, user):
    response = client.post("/api/tokens", headers=basic("susan", "wrong"))
    assert_error(response, 401, "Unauthorized")
    assert response.headers["WWW-Authenticate"].lower().startswith("basic")


def test_no_credentials_is_401(client, user):
    assert_error(client.post("/api/tokens"), 401, "Unauthorized")


def test_unknown_user_is_401(client, user):
    assert_error(client.post("/api/tokens", headers=basic("nobody")), 401, "Unauthorized")


def test_null_byte_in_username_is_401(client, user):
    assert_error(client.post("/api/tokens", headers=basic("sus\x00an")), 401, "Unauthorized")


def test_bearer_token_cannot_get_a_token(client, token):
    assert_error(client.post("/api/tokens", headers=bearer(token)), 401, "Unauthorized")


def test_revoke_token_is_204_and_token_stops_working(client, headers):
    response = client.delete("/api/tokens", headers=headers)
    assert response.status_code == 204
    assert response.get_data() == b""
    response = client.get("/api/users/1", headers=headers)
    body = assert_error(response, 401, "Unauthorized")
    assert "invalid_token" in response.headers["WWW-Authenticate"]
    assert "revoked" in body["message"]


def test_new_token_after_revoke(client, headers, token):
    client.delete("/api/tokens", headers=headers)
    new = token_for(client, "susan")
    assert new != token
    assert client.get("/api/users/1", headers=bearer(new)).status_code == 200


def test_revoke_needs_a_token(client, user):
    response = client.delete("/api/tokens")
    assert_error(response, 401, "Unauthorized")
    assert response.headers["WWW-Authenticate"].lower().startswith("bearer")


def test_expired_token_is_401(client, user, headers):
    user.token_expiration = utcnow() - timedelta(seconds=5)
    db.session.commit()
    assert_error(client.get("/api/users/1", headers=headers), 401, "Unauthorized")


def test_password_change_revokes_token(client, user, headers):
    user.set_password("a brand new password")
    db.session.commit()
    assert_error(client.get("/api/users/1", headers=headers), 401, "Unauthorized")
    assert token_for(client, "susan", "a brand new password")


def test_malformed_bearer_headers_are_401(client, user):
    for value in [
        "Bearer",
        "Bearer ",
        "Token abc",
        "Bearer " + "a" * 500,
        "Bearer a\x00b",
        "Bearer ünïcode",
        "Basic x",
    ]:
        response = client.get("/api/users/1", headers={"Authorization": value})
        assert_error(response, 401, "Unauthorized")


def test_unknown_token_is_401(client, user):
    assert_error(client.get("/api/users/1", headers=bearer("0" * 32)), 401, "Unauthorized")
