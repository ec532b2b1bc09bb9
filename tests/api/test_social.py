"""Follow, messages, notifications, search and exports."""

import time

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Message, Task
from app.tasks import TaskRunner
from tests.support.api import assert_error, bearer, token_for
from tests.support.factories import MessageFactory, PostFactory

# Follow


def test_follow_and_unfollow(client, user, other, headers):
    assert client.post(f"/api/users/{other.id}/follow", headers=headers).status_code == 204
    assert user.is_following(other)
    data = client.get(f"/api/users/{other.id}", headers=headers).get_json()
    assert data["follower_count"] == 1
    assert client.delete(f"/api/users/{other.id}/follow", headers=headers).status_code == 204
    assert not user.is_following(other)


def test_follow_twice_counts_once(client, user, other, headers):
    client.post(f"/api/users/{other.id}/follow", headers=headers)
    assert client.post(f"/api/users/{other.id}/follow", headers=headers).status_code == 204
    assert other.followers_count() == 1


def test_unfollow_when_not_following_is_a_no_op(client, other, headers):
    assert client.delete(f"/api/users/{other.id}/follow", headers=headers).status_code == 204


def test_follow_yourself_is_400(client, user, headers):
    assert_error(client.post(f"/api/users/{user.id}/follow", headers=headers), 400, "Bad Request")
    assert_error(client.delete(f"/api/users/{user.id}/follow", headers=headers), 400, "Bad Request")


def test_follow_unknown_user_is_404(client, headers):
    assert_error(client.post("/api/users/999/follow", headers=headers), 404, "Not Found")


def test_follow_needs_a_token(client, other):
    assert_error(client.post(f"/api/users/{other.id}/follow"), 401, "Unauthorized")


# Messages


@pytest.mark.parametrize("recipient", [{"recipient": "BOB"}, {"recipient_id": "id"}])
def test_send_message_by_name_or_id(client, user, other, headers, recipient):
    if "recipient_id" in recipient:
        recipient = {"recipient_id": other.id}
    response = client.post("/api/messages", json={**recipient, "body": "hi bob"}, headers=headers)
    assert response.status_code == 201
    data = response.get_json()
    assert data["sender"] == "susan" and data["recipient"] == "bob" and data["body"] == "hi bob"
    assert other.unread_message_count() == 1
    notifications = client.get("/api/notifications", headers=bearer(token_for(client, "bob"))).get_json()
    assert [(n["name"], n["data"]) for n in notifications["items"]] == [("unread_message_count", 1)]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"body": "x"}, "recipient"),
        ({"recipient": "bob", "recipient_id": 2, "body": "x"}, "recipient"),
        ({"recipient": "bob"}, "body"),
        ({"recipient": "bob", "body": "x" * 141}, "body"),
        ({"recipient_id": 10**30, "body": "x"}, "recipient_id"),
        ({"recipient_id": "2", "body": "x"}, "recipient_id"),
    ],
)
def test_send_message_bad_fields_are_400(client, other, headers, body, field):
    response = client.post("/api/messages", json=body, headers=headers)
    assert field in assert_error(response, 400, "Bad Request")["fields"]


def test_send_message_to_unknown_user_is_404(client, headers):
    assert_error(
        client.post("/api/messages", json={"recipient": "ghost", "body": "x"}, headers=headers), 404, "Not Found"
    )
    response = client.post("/api/messages", json={"recipient_id": 999, "body": "x"}, headers=headers)
    assert_error(response, 404, "Not Found")


def test_list_received_messages_newest_first(client, user, other, headers):
    first = MessageFactory(author=other, recipient=user)
    second = MessageFactory(author=other, recipient=user)
    MessageFactory(author=user, recipient=other)  # sent, not received
    data = client.get("/api/messages", headers=headers).get_json()
    assert [item["id"] for item in data["items"]] == [second.id, first.id]
    assert data["items"][0]["sender"] == "bob"
    assert data["_meta"]["total_items"] == 2


# Notifications


def test_notifications_since(client, user, headers):
    user.add_notification("unread_message_count", 3)
    db.session.commit()
    data = client.get("/api/notifications", headers=headers).get_json()
    assert len(data["items"]) == 1
    stamp = data["items"][0]["timestamp"]
    assert data["items"][0]["data"] == 3
    assert client.get(f"/api/notifications?since={stamp}", headers=headers).get_json()["items"] == []
    assert len(client.get(f"/api/notifications?since={stamp - 1}", headers=headers).get_json()["items"]) == 1


@pytest.mark.parametrize("since", ["abc", "nan", "inf", "-inf"])
def test_notifications_bad_since_is_400(client, headers, since):
    assert (
        "since"
        in assert_error(client.get(f"/api/notifications?since={since}", headers=headers), 400, "Bad Request")["fields"]
    )


# Search


def test_search_finds_posts(client, headers):
    PostFactory(body="the quick brown fox")
    PostFactory(body="a lazy dog")
    data = client.get("/api/search?q=fox", headers=headers).get_json()
    assert [item["body"] for item in data["items"]] == ["the quick brown fox"]
    assert data["_meta"]["total_items"] == 1
    assert data["_links"]["self"] == "/api/search?page=1&per_page=10&q=fox"


def test_search_pagination(client, headers):
    for n in range(5):
        PostFactory(body=f"apple {n}")
    data = client.get("/api/search?q=apple&per_page=2&page=3", headers=headers).get_json()
    assert len(data["items"]) == 1
    assert data["_meta"] == {"page": 3, "per_page": 2, "total_pages": 3, "total_items": 5}


@pytest.mark.parametrize("query", ["", "?q=", "?q=%20%20", "?q=a%00b"])
def test_search_without_words_is_400(client, headers, query):
    assert_error(client.get(f"/api/search{query}", headers=headers), 400, "Bad Request")


# Exports


@pytest.fixture
def started(monkeypatch):
    """Record started tasks instead of running them."""
    calls = []
    monkeypatch.setattr(
        TaskRunner,
        "_start_thread",
        staticmethod(lambda task_id, task, args, kwargs: calls.append((task.__name__, args))),
    )
    return calls


def test_export_is_202_with_the_task(client, user, headers, started):
    response = client.post("/api/tasks/export_posts", headers=headers)
    assert response.status_code == 202
    data = response.get_json()
    assert response.headers["Location"] == f"/api/tasks/{data['id']}"
    assert data["name"] == "export_posts" and data["complete"] is False and data["progress"] == 0
    assert started == [("export_posts", (user.id,))]
    assert client.get(f"/api/tasks/{data['id']}", headers=headers).get_json() == data


def test_second_export_while_running_is_409(client, headers, started):
    client.post("/api/tasks/export_posts", headers=headers)
    assert_error(client.post("/api/tasks/export_posts", headers=headers), 409, "Conflict")
    assert len(started) == 1


def test_export_after_the_last_one_finished(client, user, headers, started):
    task_id = client.post("/api/tasks/export_posts", headers=headers).get_json()["id"]
    task = db.session.get(Task, task_id)
    task.complete = True
    db.session.commit()
    assert client.get(f"/api/tasks/{task_id}", headers=headers).get_json()["progress"] == 100
    assert client.post("/api/tasks/export_posts", headers=headers).status_code == 202


def test_export_with_jobs_down_is_503(client, headers, monkeypatch):
    def refuse(*args):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(TaskRunner, "_start_thread", staticmethod(refuse))
    response = client.post("/api/tasks/export_posts", headers=headers)
    assert_error(response, 503, "Service Unavailable")
    assert response.headers["Retry-After"]
    assert db.session.scalar(sa.select(Task)).failed


def test_task_of_another_user_is_403(client, other, headers, started):
    bob_headers = bearer(token_for(client, "bob"))
    task_id = client.post("/api/tasks/export_posts", headers=bob_headers).get_json()["id"]
    assert_error(client.get(f"/api/tasks/{task_id}", headers=headers), 403, "Forbidden")


def test_unknown_task_is_404(client, headers):
    assert_error(client.get("/api/tasks/nope", headers=headers), 404, "Not Found")
    assert_error(client.get("/api/tasks/" + "x" * 100, headers=headers), 404, "Not Found")


def test_export_runs_in_a_thread_and_completes(client, user, headers, app):
    """Without Redis the real export runs in-process and the task completes."""
    PostFactory(author=user)
    task_id = client.post("/api/tasks/export_posts", headers=headers).get_json()["id"]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        data = client.get(f"/api/tasks/{task_id}", headers=headers).get_json()
        if data["complete"] or data["failed"]:
            break
        time.sleep(0.1)
    assert data["complete"] and not data["failed"]


def test_messages_keep_unicode(client, headers, other):
    response = client.post("/api/messages", json={"recipient": "bob", "body": "你好 🎉"}, headers=headers)
    assert response.status_code == 201
    assert db.session.scalar(sa.select(Message)).body == "你好 🎉"
