"""Private messages, the unread badge and the notifications feed."""

import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Message, Notification
from tests.support.apps import count_rows
from tests.support.factories import MessageFactory
from tests.support.pages import is_site_layout, login_redirect_next


def badge(html: str) -> tuple[str, bool]:
    """Return the unread badge's text and whether it is visible."""
    match = re.search(r'<span id="message_count"([^>]*)>([^<]*)</span>', html)
    assert match, "page has no #message_count badge"
    return match.group(2).strip(), " hidden" not in match.group(1)


def message_bodies(html: str) -> list[str]:
    return re.findall(r'<p class="mb-0" dir="auto">(.*?)</p>', html, flags=re.S)


# Login required


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/send_message/susan"),
        ("post", "/send_message/susan"),
        ("get", "/messages"),
        ("get", "/notifications?since=0"),
    ],
)
def test_message_pages_send_anonymous_users_to_login(client, user, method, path):
    response = getattr(client, method)(path, data={"message": "hi"} if method == "post" else None)
    assert login_redirect_next(response) == path
    assert count_rows(Message) == 0


# Sending


def test_send_message_form(logged_in, john):
    response = logged_in.get("/send_message/john")
    assert response.status_code == 200
    assert "Send Message to john" in response.text
    assert re.search(r'<textarea[^>]* name="message"', response.text)


def test_send_message_saves_it_and_returns_to_profile(logged_in, user, john):
    response = logged_in.post("/send_message/john", data={"message": "  Hi John  "})
    assert response.status_code == 302
    assert response.location == "/user/john"
    message = db.session.scalar(sa.select(Message))
    assert (message.author, message.recipient, message.body) == (user, john, "Hi John")
    assert "Your message has been sent." in logged_in.get("/user/john").text


def test_send_message_recipient_name_in_any_case(logged_in, john):
    assert logged_in.post("/send_message/JOHN", data={"message": "hey"}).location == "/user/john"
    assert count_rows(Message) == 1


@pytest.mark.parametrize("length", [1, 140])
def test_message_of_allowed_length_is_sent(logged_in, john, length):
    assert logged_in.post("/send_message/john", data={"message": "m" * length}).status_code == 302
    assert db.session.scalar(sa.select(Message.body)) == "m" * length


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "This field is required."),
        ("  \n ", "This field is required."),
        ("m" * 141, "Field must be between 1 and 140 characters long."),
    ],
)
def test_invalid_message_is_form_error_and_not_sent(logged_in, john, text, error):
    response = logged_in.post("/send_message/john", data={"message": text})
    assert response.status_code == 200
    assert error in response.text
    assert count_rows(Message) == 0
    assert count_rows(Notification) == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_message_to_unknown_user_is_404(logged_in, method):
    response = getattr(logged_in, method)("/send_message/nobody", data={"message": "hello"})
    assert response.status_code == 404
    assert count_rows(Message) == 0


def test_get_with_message_parameter_sends_nothing(logged_in, john):
    response = logged_in.get("/send_message/john", query_string={"message": "via GET", "submit": "Submit"})
    assert response.status_code == 200
    assert count_rows(Message) == 0


# Unread badge and reading


def test_recipient_sees_unread_count_then_reading_hides_it(logged_in, john, client_as):
    logged_in.post("/send_message/john", data={"message": "one"})
    logged_in.post("/send_message/john", data={"message": "two"})
    as_john = client_as("john")
    assert badge(as_john.get("/explore").text) == ("2", True)

    messages = as_john.get("/messages")
    assert message_bodies(messages.text) == ["two", "one"]
    assert badge(as_john.get("/explore").text) == ("0", False)


def test_sender_badge_is_not_affected(logged_in, john):
    logged_in.post("/send_message/john", data={"message": "one"})
    assert badge(logged_in.get("/index").text) == ("0", False)


def test_messages_page_lists_received_only_newest_first(logged_in, user, john):
    MessageFactory(author=john, recipient=user, body="first")
    MessageFactory(author=john, recipient=user, body="second")
    MessageFactory(author=user, recipient=john, body="sent by susan")
    html = logged_in.get("/messages").text
    assert message_bodies(html) == ["second", "first"]
    assert 'href="/user/john"' in html


def test_messages_page_empty(logged_in):
    assert "No messages yet." in logged_in.get("/messages").text


def test_messages_pager_links_only_to_existing_pages(app, logged_in, user, john):
    app.config["POSTS_PER_PAGE"] = 2
    for n in range(3):
        MessageFactory(author=john, recipient=user, body=f"m{n}")
    first = logged_in.get("/messages").text
    assert 'href="/messages?page=2" rel="next"' in first
    second = logged_in.get("/messages?page=2").text
    assert message_bodies(second) == ["m0"]
    assert 'rel="next"' not in second
    for page in ("3", "abc", "0", "-1", "99999999999999999999"):
        assert logged_in.get(f"/messages?page={page}").status_code == 404


# Notifications


def test_sending_notifies_recipient_with_unread_count(logged_in, john, client_as):
    logged_in.post("/send_message/john", data={"message": "one"})
    logged_in.post("/send_message/john", data={"message": "two"})
    response = client_as("john").get("/notifications?since=0")
    assert response.status_code == 200
    assert response.is_json
    [item] = response.json
    assert item["name"] == "unread_message_count"
    assert item["data"] == 2
    assert isinstance(item["timestamp"], float)


def test_notifications_oldest_first_and_newer_than_since(logged_in, user):
    for name, stamp in [("third", 300.5), ("first", 100.25), ("second", 200.75)]:
        db.session.add(Notification(name=name, user=user, timestamp=stamp, payload_json="{}"))
    db.session.commit()
    everything = logged_in.get("/notifications?since=0").json
    assert [n["name"] for n in everything] == ["first", "second", "third"]
    assert [n["timestamp"] for n in everything] == [100.25, 200.75, 300.5]
    later = logged_in.get("/notifications?since=200.75").json
    assert [n["name"] for n in later] == ["third"]


def test_notifications_are_only_the_users_own(logged_in, john):
    john.add_notification("unread_message_count", 5)
    db.session.commit()
    assert logged_in.get("/notifications?since=0").json == []


def test_reading_messages_resets_unread_notification(logged_in, user, john):
    MessageFactory(author=john, recipient=user)
    user.add_notification("unread_message_count", 1)
    db.session.commit()
    logged_in.get("/messages")
    [item] = logged_in.get("/notifications").json
    assert (item["name"], item["data"]) == ("unread_message_count", 0)


@pytest.mark.parametrize("since", ["abc", "nan", "NaN", "inf", "-inf", "Infinity", "", "1e400", "0x10", "%00"])
def test_bad_since_is_json_400(logged_in, since):
    response = logged_in.get(f"/notifications?since={since}")
    assert response.status_code == 400
    assert response.is_json
    assert response.json["error"] == "Bad Request"
    assert response.json["message"]


def test_notifications_poll_does_not_change_state(logged_in, user, john):
    MessageFactory(author=john, recipient=user)
    before = user.last_seen
    logged_in.get("/notifications?since=0")
    db.session.refresh(user)
    assert user.last_message_read_time is None
    assert user.unread_message_count() == 1
    assert user.last_seen == before


# CSRF


def test_send_message_without_csrf_token_is_refused(logged_in, john, csrf_enabled):
    response = logged_in.post("/send_message/john", data={"message": "hello"})
    assert response.status_code == 400
    assert is_site_layout(response.text)
    assert count_rows(Message) == 0
    assert count_rows(Notification) == 0
