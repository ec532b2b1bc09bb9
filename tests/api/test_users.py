"""The tutorial's user contract: GET/POST/PUT /api/users, followers and following."""

from datetime import datetime

import pytest

from app.extensions import db
from app.models import User
from tests.support.api import assert_error
from tests.support.apps import counting_queries
from tests.support.factories import PostFactory, UserFactory

USER_KEYS = {
    "id",
    "username",
    "domain",
    "last_seen",
    "about_me",
    "post_count",
    "follower_count",
    "following_count",
    "_links",
}


def new_user(**overrides):
    return {"username": "alice", "email": "alice@example.com", "password": "secret pass", **overrides}


def test_get_own_user_includes_email(client, user, headers):
    response = client.get(f"/api/users/{user.id}", headers=headers)
    assert response.status_code == 200
    data = response.get_json()
    assert set(data) == USER_KEYS | {"email"}
    assert data["email"] == "susan@example.com"
    assert data["username"] == "susan"
    assert datetime.fromisoformat(data["last_seen"]).utcoffset() is not None
    assert data["_links"] == {
        "self": f"/api/users/{user.id}",
        "followers": f"/api/users/{user.id}/followers",
        "following": f"/api/users/{user.id}/following",
        "avatar": user.avatar(128),
    }


def test_get_other_user_hides_email(client, other, headers):
    data = client.get(f"/api/users/{other.id}", headers=headers).get_json()
    assert set(data) == USER_KEYS
    assert "email" not in data


def test_user_counts(client, user, other, headers):
    PostFactory.create_batch(2, author=other)
    other.follow(user)
    db.session.commit()
    data = client.get(f"/api/users/{other.id}", headers=headers).get_json()
    assert (data["post_count"], data["follower_count"], data["following_count"]) == (2, 0, 1)


def test_unknown_user_is_404(client, headers):
    assert_error(client.get("/api/users/999", headers=headers), 404, "Not Found")


def test_huge_user_id_is_404(client, headers):
    assert_error(client.get("/api/users/99999999999999999999999", headers=headers), 404, "Not Found")


def test_list_users_collection_shape(client, user, headers):
    UserFactory.create_batch(4)
    response = client.get("/api/users?page=2&per_page=2", headers=headers)
    assert response.status_code == 200
    data = response.get_json()
    assert [item["id"] for item in data["items"]] == [3, 4]
    assert data["_meta"] == {"page": 2, "per_page": 2, "total_pages": 3, "total_items": 5}
    assert data["_links"] == {
        "self": "/api/users?page=2&per_page=2",
        "next": "/api/users?page=3&per_page=2",
        "prev": "/api/users?page=1&per_page=2",
    }
    assert all("email" not in item for item in data["items"])


def test_list_users_defaults_and_ends(client, user, headers):
    data = client.get("/api/users", headers=headers).get_json()
    assert data["_meta"] == {"page": 1, "per_page": 10, "total_pages": 1, "total_items": 1}
    assert data["_links"]["next"] is None and data["_links"]["prev"] is None


def test_per_page_is_capped_at_100(client, user, headers):
    data = client.get("/api/users?per_page=1000", headers=headers).get_json()
    assert data["_meta"]["per_page"] == 100


@pytest.mark.parametrize("query", ["page=0", "page=abc", "per_page=0", "per_page=-1", "page=1.5", "page=100001"])
def test_bad_pagination_is_400(client, user, headers, query):
    body = assert_error(client.get(f"/api/users?{query}", headers=headers), 400, "Bad Request")
    assert set(body["fields"]) <= {"page", "per_page"}


def test_user_collection_counts_are_batched(client, user, headers):
    authors = UserFactory.create_batch(5)
    for author in authors:
        PostFactory(author=author)
        author.follow(user)
    db.session.commit()
    data = client.get("/api/users", headers=headers).get_json()
    by_name = {item["username"]: item for item in data["items"]}
    assert by_name["susan"]["follower_count"] == 5
    assert by_name[authors[0].username]["post_count"] == 1
    assert by_name[authors[0].username]["following_count"] == 1


def test_list_users_runs_a_constant_number_of_queries(client, user, headers):
    def queries_for(per_page: int) -> int:
        with counting_queries() as counter:
            response = client.get(f"/api/users?per_page={per_page}", headers=headers)
        assert response.status_code == 200
        assert len(response.get_json()["items"]) == min(per_page, 100)
        return counter.count

    # Rows without a password hash: hashing 120 passwords would only slow the test down.
    users = [User(username=f"crowd{n}", email=f"crowd{n}@example.com") for n in range(120)]
    db.session.add_all(users)
    db.session.commit()
    for author in users[:10]:
        PostFactory(author=author)
        author.follow(user)
    db.session.commit()
    small, large = queries_for(5), queries_for(100)
    assert small == large
    # token lookup, page count, page rows, then one query per count (posts, followers, following)
    assert large <= 6


def test_followers_and_following(client, user, other, headers):
    other.follow(user)
    db.session.commit()
    followers = client.get(f"/api/users/{user.id}/followers", headers=headers).get_json()
    assert [item["username"] for item in followers["items"]] == ["bob"]
    assert followers["_links"]["self"] == f"/api/users/{user.id}/followers?page=1&per_page=10"
    following = client.get(f"/api/users/{other.id}/following", headers=headers).get_json()
    assert [item["username"] for item in following["items"]] == ["susan"]
    assert client.get(f"/api/users/{user.id}/following", headers=headers).get_json()["items"] == []


def test_followers_of_unknown_user_is_404(client, headers):
    assert_error(client.get("/api/users/999/followers", headers=headers), 404, "Not Found")
    assert_error(client.get("/api/users/999/following", headers=headers), 404, "Not Found")


def test_user_endpoints_need_a_token(client, user):
    for url in ["/api/users", "/api/users/1", "/api/users/1/followers", "/api/users/1/following"]:
        assert_error(client.get(url), 401, "Unauthorized")


def test_create_user_is_201_with_location(client):
    response = client.post("/api/users", json=new_user(about_me="hi"))
    assert response.status_code == 201
    data = response.get_json()
    assert response.headers["Location"] == f"/api/users/{data['id']}"
    assert data["email"] == "alice@example.com" and data["about_me"] == "hi"
    assert "password" not in data
    created = db.session.get(User, data["id"])
    assert created.check_password("secret pass")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"email": "a@example.com", "password": "x"}, "username"),
        (new_user(username="has space"), "username"),
        (new_user(username="a/b"), "username"),
        (new_user(username="x" * 65), "username"),
        (new_user(username=""), "username"),
        (new_user(username=12), "username"),
        (new_user(email="not-an-email"), "email"),
        (new_user(password=None), "password"),
        (new_user(about_me="x" * 141), "about_me"),
        (new_user(about_me="nul\x00"), "about_me"),
        (new_user(about_me="\ud800"), "about_me"),
        (new_user(admin=True), "admin"),
    ],
)
def test_create_user_bad_fields_are_400(client, body, field):
    body = assert_error(client.post("/api/users", json=body), 400, "Bad Request")
    assert field in body["fields"]


@pytest.mark.parametrize(
    "body", [new_user(username="SUSAN", email="other@example.com"), new_user(email="SUSAN@Example.com")]
)
def test_duplicate_username_or_email_in_any_case_is_409(client, user, body):
    assert_error(client.post("/api/users", json=body), 409, "Conflict")


def test_create_user_needs_json(client):
    assert_error(client.post("/api/users", data="username=x"), 415, "Unsupported Media Type")


@pytest.mark.parametrize("payload", [b"{", b"[1, 2]", b"null", b"\xff\xfe", b"", b'"text"'])
def test_create_user_bad_json_is_400(client, payload):
    response = client.post("/api/users", data=payload, content_type="application/json")
    assert_error(response, 400, "Bad Request")


def test_update_own_user(client, user, headers):
    response = client.put(f"/api/users/{user.id}", json={"about_me": "new me", "username": "Susan2"}, headers=headers)
    assert response.status_code == 200
    data = response.get_json()
    assert data["about_me"] == "new me" and data["username"] == "Susan2"
    assert data["email"] == "susan@example.com"


def test_update_may_change_the_case_of_own_username(client, user, headers):
    response = client.put(f"/api/users/{user.id}", json={"username": "SUSAN"}, headers=headers)
    assert response.status_code == 200
    assert response.get_json()["username"] == "SUSAN"


def test_update_other_user_is_403(client, other, headers):
    assert_error(client.put(f"/api/users/{other.id}", json={"about_me": "x"}, headers=headers), 403, "Forbidden")
    assert db.session.get(User, other.id).about_me is None


def test_update_to_taken_name_is_409(client, user, other, headers):
    response = client.put(f"/api/users/{user.id}", json={"username": "BOB"}, headers=headers)
    assert_error(response, 409, "Conflict")
    response = client.put(f"/api/users/{user.id}", json={"email": "bob@example.com"}, headers=headers)
    assert_error(response, 409, "Conflict")


def test_update_unknown_user_is_404(client, headers):
    assert_error(client.put("/api/users/999", json={"about_me": "x"}, headers=headers), 404, "Not Found")


def test_update_bad_fields_is_400(client, user, headers):
    body = assert_error(
        client.put(f"/api/users/{user.id}", json={"about_me": 5, "password": "x"}, headers=headers),
        400,
        "Bad Request",
    )
    assert set(body["fields"]) == {"about_me", "password"}


def test_update_needs_json(client, user, headers):
    response = client.put(f"/api/users/{user.id}", data="x", headers=headers)
    assert_error(response, 415, "Unsupported Media Type")


def test_lookup_finds_an_account_of_this_server_by_its_address(app, client, other, headers):
    app.config["SERVER_NAME"] = "micro.test"
    found = client.get("/api/users/lookup", query_string={"acct": f"@{other.username}@micro.test"}, headers=headers)
    assert found.status_code == 200 and found.json["id"] == other.id and found.json["domain"] is None


def test_lookup_of_another_server_without_federation_is_a_404(client, headers):
    answer = client.get("/api/users/lookup", query_string={"acct": "bob@elsewhere.example"}, headers=headers)
    assert answer.status_code == 404 and "does not federate" in answer.json["message"]


@pytest.mark.parametrize("acct", ["", "bob", "bob@", "bob@bad host", "@@"])
def test_lookup_of_no_address_is_a_400(client, headers, acct):
    assert client.get("/api/users/lookup", query_string={"acct": acct}, headers=headers).status_code == 400
