"""Replies, threads, likes, reposts, hashtags and activity through the API."""

import pytest

from app import conversations
from app.extensions import db
from app.models import Post
from tests.support.api import assert_error, bearer, token_for
from tests.support.factories import UserFactory


def publish(author, body, parent=None) -> Post:
    post = conversations.publish(author, body, "en", in_reply_to=parent)
    db.session.commit()
    return post


def test_a_post_carries_its_conversation_fields(client, user, other, headers):
    data = client.post("/api/posts", json={"body": "hi @bob #News https://example.com"}, headers=headers).get_json()
    assert data["in_reply_to"] is None and data["repost_of"] is None
    assert (data["replies_count"], data["likes_count"], data["reposts_count"]) == (0, 0, 0)
    assert (data["liked"], data["reposted"]) == (False, False)
    assert data["mentions"] == ["bob"] and data["tags"] == ["news"]


def test_replying_with_in_reply_to(client, user, other, headers):
    post = publish(other, "question")
    response = client.post("/api/posts", json={"body": "answer", "in_reply_to": post.id}, headers=headers)
    assert response.status_code == 201
    assert response.get_json()["in_reply_to"] == post.id
    assert client.get(f"/api/posts/{post.id}", headers=headers).get_json()["replies_count"] == 1


@pytest.mark.parametrize("in_reply_to", [999, "1", None, 0, 2**31])
def test_a_bad_in_reply_to_is_refused(client, user, headers, in_reply_to):
    response = client.post("/api/posts", json={"body": "x", "in_reply_to": in_reply_to}, headers=headers)
    assert response.status_code in (400, 404, "Not Found")
    assert db.session.scalar(db.select(db.func.count()).select_from(Post)) == 0


def test_the_context_lists_ancestors_and_descendants_oldest_first(client, user, other, headers):
    root = publish(other, "root")
    middle = publish(user, "middle", root)
    leaf = publish(other, "leaf", middle)
    data = client.get(f"/api/posts/{middle.id}/context", headers=headers).get_json()
    assert [p["id"] for p in data["ancestors"]] == [root.id]
    assert [p["id"] for p in data["descendants"]] == [leaf.id]
    assert client.get("/api/posts/999/context", headers=headers).status_code == 404


def test_deleted_posts_leave_the_context_and_answer_404(client, user, other, headers):
    post = publish(user, "soon gone")
    reply = publish(other, "stays", post)
    assert client.delete(f"/api/posts/{post.id}", headers=headers).status_code == 204
    assert_error(client.get(f"/api/posts/{post.id}", headers=headers), 404, "Not Found")
    data = client.get(f"/api/posts/{reply.id}/context", headers=headers).get_json()
    assert data["ancestors"] == []
    assert client.get(f"/api/posts/{reply.id}", headers=headers).get_json()["in_reply_to"] == post.id


def test_like_and_unlike(client, user, other, headers):
    post = publish(other, "like me")
    liked = client.post(f"/api/posts/{post.id}/like", headers=headers).get_json()
    assert (liked["liked"], liked["likes_count"]) == (True, 1)
    again = client.post(f"/api/posts/{post.id}/like", headers=headers).get_json()
    assert again["likes_count"] == 1
    unliked = client.delete(f"/api/posts/{post.id}/like", headers=headers).get_json()
    assert (unliked["liked"], unliked["likes_count"]) == (False, 0)
    assert_error(client.post("/api/posts/999/like", headers=headers), 404, "Not Found")


def test_repost_reaches_followers_timeline_once(client, user, other, headers):
    post = publish(UserFactory(username="ann"), "share me")
    reposted = client.post(f"/api/posts/{post.id}/repost", headers=headers).get_json()
    assert (reposted["reposted"], reposted["reposts_count"]) == (True, 1)
    other.follow(user)
    db.session.commit()
    timeline = client.get("/api/timeline", headers=bearer(token_for(client, "bob"))).get_json()
    [item] = timeline["items"]
    assert item["author"] == "susan" and item["body"] == ""
    assert item["repost_of"]["id"] == post.id and item["repost_of"]["reposts_count"] == 1
    assert client.delete(f"/api/posts/{post.id}/repost", headers=headers).get_json()["reposts_count"] == 0


def test_the_timeline_says_what_the_caller_liked(client, user, other, headers):
    posts = [publish(other, f"post {n}") for n in range(3)]
    client.post(f"/api/posts/{posts[1].id}/like", headers=headers)
    items = client.get("/api/explore", headers=headers).get_json()["items"]
    assert {item["id"]: item["liked"] for item in items} == {posts[0].id: False, posts[1].id: True, posts[2].id: False}


def test_tag_posts(client, user, other, headers):
    mine = publish(user, "#Python rocks")
    theirs = publish(other, "more #python")
    publish(other, "#rust")
    data = client.get("/api/tags/PYTHON/posts", headers=headers).get_json()
    assert [p["id"] for p in data["items"]] == [theirs.id, mine.id]
    assert data["_meta"]["total_items"] == 2
    assert_error(client.get("/api/tags/123/posts", headers=headers), 404, "Not Found")


def test_activity(client, user, other, headers):
    post = publish(user, "hello")
    conversations.like(other, post)
    conversations.like(UserFactory(username="ann"), post)
    publish(other, "@susan hi")
    data = client.get("/api/activity", headers=headers).get_json()
    kinds = [(item["kind"], item["actor"], item["others"], item["unread"]) for item in data["items"]]
    assert kinds == [("mention", "bob", 0, True), ("like", "ann", 1, True)]
    assert data["_meta"]["total_items"] == 2


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/posts/1/context"),
        ("post", "/api/posts/1/like"),
        ("delete", "/api/posts/1/repost"),
        ("get", "/api/tags/x/posts"),
        ("get", "/api/activity"),
    ],
)
def test_conversation_endpoints_need_a_token(client, method, path):
    assert_error(getattr(client, method)(path), 401, "Unauthorized")
