"""Posts: publish, read, delete, a user's posts, the timeline and explore."""

from datetime import datetime

import pytest

from app.extensions import db
from app.models import Post
from tests.support.api import assert_error
from tests.support.apps import counting_queries
from tests.support.factories import PostFactory, UserFactory


def test_create_post_is_201_with_location(client, user, headers):
    response = client.post("/api/posts", json={"body": "  Hello, world!  "}, headers=headers)
    assert response.status_code == 201
    data = response.get_json()
    assert response.headers["Location"] == f"/api/posts/{data['id']}"
    assert data["body"] == "Hello, world!"
    assert data["author"] == "susan" and data["author_id"] == user.id
    assert datetime.fromisoformat(data["timestamp"]).utcoffset() is not None
    assert data["_links"] == {"self": f"/api/posts/{data['id']}", "author": f"/api/users/{user.id}"}
    assert db.session.get(Post, data["id"]).user_id == user.id


@pytest.mark.parametrize(
    "body", [{}, {"body": ""}, {"body": "   "}, {"body": "x" * 141}, {"body": 5}, {"body": "a\x00"}]
)
def test_create_post_bad_body_is_400(client, headers, body):
    response = client.post("/api/posts", json=body, headers=headers)
    assert "body" in assert_error(response, 400, "Bad Request")["fields"]


def test_create_post_needs_json_and_token(client, user, headers):
    assert_error(client.post("/api/posts", data="body=x", headers=headers), 415, "Unsupported Media Type")
    assert_error(client.post("/api/posts", json={"body": "x"}), 401, "Unauthorized")


def test_get_post(client, headers, other):
    post = PostFactory(author=other, body="bob's post")
    data = client.get(f"/api/posts/{post.id}", headers=headers).get_json()
    assert data["body"] == "bob's post" and data["author"] == "bob"


def test_get_unknown_post_is_404(client, headers):
    assert_error(client.get("/api/posts/12345", headers=headers), 404, "Not Found")


def test_delete_own_post(client, user, headers):
    post = PostFactory(author=user)
    post_id = post.id
    assert client.delete(f"/api/posts/{post_id}", headers=headers).status_code == 204
    db.session.expire_all()
    assert db.session.get(Post, post_id) is None
    assert_error(client.get(f"/api/posts/{post_id}", headers=headers), 404, "Not Found")


def test_delete_other_users_post_is_403(client, headers, other):
    post = PostFactory(author=other)
    assert_error(client.delete(f"/api/posts/{post.id}", headers=headers), 403, "Forbidden")
    assert db.session.get(Post, post.id) is not None


def test_delete_unknown_post_is_404(client, headers):
    assert_error(client.delete("/api/posts/999", headers=headers), 404, "Not Found")


def test_user_posts_newest_first(client, headers, other):
    older, newer = PostFactory(author=other), PostFactory(author=other)
    PostFactory()  # someone else's
    data = client.get(f"/api/users/{other.id}/posts", headers=headers).get_json()
    assert [item["id"] for item in data["items"]] == [newer.id, older.id]
    assert data["_meta"]["total_items"] == 2
    assert data["_links"]["self"] == f"/api/users/{other.id}/posts?page=1&per_page=10"
    assert_error(client.get("/api/users/999/posts", headers=headers), 404, "Not Found")


def test_timeline_has_own_and_followed_posts(client, user, other, headers):
    stranger = UserFactory()
    mine, followed, _ = PostFactory(author=user), PostFactory(author=other), PostFactory(author=stranger)
    user.follow(other)
    db.session.commit()
    data = client.get("/api/timeline", headers=headers).get_json()
    assert [item["id"] for item in data["items"]] == [followed.id, mine.id]
    assert data["_links"]["self"] == "/api/timeline?page=1&per_page=10"


def test_timeline_links_read_it_by_cursor_both_ways(client, user, other, headers):
    user.follow(other)
    posts = [PostFactory(author=(user, other)[n % 2]) for n in range(5)]
    newest_first = [post.id for post in reversed(posts)]
    pages, url = [], "/api/timeline?per_page=2"
    while url:
        data = client.get(url, headers=headers).get_json()
        pages.append(data)
        url = data["_links"]["next"]
    assert [[item["id"] for item in page["items"]] for page in pages] == [
        newest_first[:2],
        newest_first[2:4],
        [posts[0].id],
    ]
    assert [page["_meta"]["page"] for page in pages] == [1, 2, 3]
    assert pages[0]["_links"]["next"].startswith("/api/timeline?page=2&before=")
    assert pages[1]["_links"]["self"] == pages[0]["_links"]["next"]
    assert pages[1]["_links"]["prev"] == "/api/timeline?page=1&per_page=2"
    back = client.get(pages[2]["_links"]["prev"], headers=headers).get_json()
    assert pages[2]["_links"]["prev"].startswith("/api/timeline?page=2&after=")
    assert [item["id"] for item in back["items"]] == newest_first[2:4]
    # `page` alone still counts from the newest post.
    plain = client.get("/api/timeline?page=2&per_page=2", headers=headers).get_json()
    assert [item["id"] for item in plain["items"]] == newest_first[2:4]


@pytest.mark.parametrize("query", ["before=abc", "after=1-0", "before=1-1&after=1-1", "before=999999999999999999-1"])
def test_timeline_malformed_cursor_is_400(client, headers, query):
    response = client.get(f"/api/timeline?{query}", headers=headers)
    assert_error(response, 400, "Bad Request")


def test_explore_has_everyone_newest_first(client, headers):
    posts = PostFactory.create_batch(3)
    data = client.get("/api/explore?per_page=2", headers=headers).get_json()
    assert [item["id"] for item in data["items"]] == [posts[2].id, posts[1].id]
    assert data["_links"]["next"] == "/api/explore?page=2&per_page=2"
    assert data["_meta"]["total_pages"] == 2


def test_page_past_the_end_is_empty(client, headers):
    PostFactory()
    data = client.get("/api/explore?page=50", headers=headers).get_json()
    assert data["items"] == [] and data["_links"]["next"] is None


def test_timeline_runs_a_constant_number_of_queries(client, user, headers):
    authors = [UserFactory.build(username=f"writer{n}") for n in range(10)]
    db.session.add_all(authors)
    for n in range(150):
        db.session.add(Post(body=f"post {n}", author=authors[n % 10]))
    for author in authors:
        user.follow(author)
    db.session.commit()

    def queries_for(per_page: int) -> int:
        db.session.expunge_all()
        with counting_queries() as counter:
            response = client.get(f"/api/timeline?per_page={per_page}", headers=headers)
        assert len(response.get_json()["items"]) == per_page
        return counter.count

    small, large = queries_for(5), queries_for(100)
    assert small == large
    # token lookup, followed authors, timeline density probe, page count, page rows with their authors
    assert large <= 5


def test_search_runs_a_bounded_number_of_queries(client, headers):
    for n in range(30):
        PostFactory(body=f"searchable thing {n}", author=UserFactory.build())
    db.session.expunge_all()
    with counting_queries() as counter:
        data = client.get("/api/search?q=searchable&per_page=25", headers=headers).get_json()
    assert len(data["items"]) == 25
    assert counter.count <= 6
