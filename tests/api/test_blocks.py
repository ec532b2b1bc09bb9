"""Blocks and mutes through the API: the endpoints, their lists, and what they hide."""

import sqlalchemy as sa

from app import conversations
from app.extensions import db
from app.models import Block, Mute, User
from tests.support.api import assert_error, bearer, token_for


def publish(user: User, body: str, **kwargs):
    post = conversations.publish(user, body, "en", **kwargs)
    db.session.commit()
    return post


def bodies(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["body"] for item in response.get_json()["items"]]


def test_block_and_unblock(client, user, other, headers):
    user.follow(other)
    other.follow(user)
    db.session.commit()
    response = client.post(f"/api/users/{other.id}/block", headers=headers)
    assert response.status_code == 201 and response.get_json()["id"] == other.id
    assert db.session.get(Block, (user.id, other.id)) is not None
    data = client.get(f"/api/users/{user.id}", headers=headers).get_json()
    assert (data["follower_count"], data["following_count"]) == (0, 0)
    assert client.post(f"/api/users/{other.id}/block", headers=headers).status_code == 201  # twice is once
    assert [item["id"] for item in client.get("/api/blocks", headers=headers).get_json()["items"]] == [other.id]
    assert client.delete(f"/api/users/{other.id}/block", headers=headers).status_code == 204
    assert client.delete(f"/api/users/{other.id}/block", headers=headers).status_code == 204
    assert client.get("/api/blocks", headers=headers).get_json()["items"] == []


def test_mute_and_unmute(client, user, other, headers):
    response = client.post(f"/api/users/{other.id}/mute", headers=headers)
    assert response.status_code == 201
    assert db.session.get(Mute, (user.id, other.id)) is not None
    listed = client.get("/api/mutes", headers=headers).get_json()
    assert [item["username"] for item in listed["items"]] == ["bob"] and listed["_meta"]["total_items"] == 1
    assert client.delete(f"/api/users/{other.id}/mute", headers=headers).status_code == 204
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Mute)) == 0


def test_unknown_users_are_404_and_yourself_400(client, user, headers):
    for kind in ("block", "mute"):
        assert_error(client.post(f"/api/users/999999/{kind}", headers=headers), 404, "Not Found")
        assert_error(client.delete(f"/api/users/999999/{kind}", headers=headers), 404, "Not Found")
        assert_error(client.post(f"/api/users/{user.id}/{kind}", headers=headers), 400, "Bad Request")
        assert_error(client.delete(f"/api/users/{user.id}/{kind}", headers=headers), 400, "Bad Request")


def test_they_need_a_token(client, other):
    assert_error(client.post(f"/api/users/{other.id}/block"), 401, "Unauthorized")
    assert_error(client.get("/api/mutes"), 401, "Unauthorized")


def test_a_mute_hides_posts_and_reposts_from_timeline_explore_search_and_tags(client, user, other, headers):
    user.follow(other)
    db.session.commit()
    original = publish(other, "bob on #boats and lighthouse")
    conversations.repost(user, original)
    publish(user, "susan on #boats and lighthouse")
    assert "bob on #boats and lighthouse" in bodies(client.get("/api/timeline", headers=headers))
    client.post(f"/api/users/{other.id}/mute", headers=headers)
    for path in ("/api/timeline", "/api/explore", "/api/search?q=lighthouse", "/api/tags/boats/posts"):
        found = bodies(client.get(path, headers=headers))
        assert "susan on #boats and lighthouse" in found, path
        assert "bob on #boats and lighthouse" not in found, path
    timeline = client.get("/api/timeline", headers=headers).get_json()["items"]
    assert all(item.get("repost_of") is None for item in timeline)  # susan's own repost of bob's post too
    # A post opened on purpose still shows.
    assert client.get(f"/api/posts/{original.id}", headers=headers).status_code == 200


def test_a_block_hides_the_blockers_posts_and_account_from_the_blocked(client, user, other, headers):
    mine = publish(user, "susan writes")
    client.post(f"/api/users/{other.id}/block", headers=headers)
    theirs = bearer(token_for(client, "bob"))
    assert "susan writes" not in bodies(client.get("/api/explore", headers=theirs))
    assert_error(client.get(f"/api/users/{user.id}", headers=theirs), 404, "Not Found")
    assert_error(client.get(f"/api/users/{user.id}/posts", headers=theirs), 404, "Not Found")
    assert_error(client.get(f"/api/posts/{mine.id}", headers=theirs), 404, "Not Found")
    assert_error(client.get(f"/api/posts/{mine.id}/context", headers=theirs), 404, "Not Found")
    assert user.id not in [item["id"] for item in client.get("/api/users", headers=theirs).get_json()["items"]]
    assert_error(client.post(f"/api/users/{user.id}/follow", headers=theirs), 403, "Forbidden")
    reply = client.post("/api/posts", headers=theirs, json={"body": "hi", "in_reply_to": mine.id})
    assert_error(reply, 404, "Not Found")
    message = client.post("/api/messages", headers=theirs, json={"recipient_id": user.id, "body": "hi"})
    assert_error(message, 403, "Forbidden")
    # The blocker still sees the blocked account (to lift the block), but not their posts.
    assert client.get(f"/api/users/{other.id}", headers=headers).status_code == 200
    assert_error(client.post(f"/api/users/{other.id}/follow", headers=headers), 403, "Forbidden")


def test_the_openapi_document_describes_the_endpoints(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for kind in ("block", "mute"):
        operations = paths[f"/api/users/{{id}}/{kind}"]
        assert set(operations) >= {"post", "delete"}
        assert {"201", "400", "401", "404"} <= set(operations["post"]["responses"])
        assert {"204", "400", "404"} <= set(operations["delete"]["responses"])
    assert "get" in paths["/api/blocks"] and "get" in paths["/api/mutes"]
