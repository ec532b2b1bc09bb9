"""Conversations in Chromium, with JavaScript: replies, likes in place, mentions, and the live activity badge."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from playwright.sync_api import Locator, Page, expect

from app import conversations
from app.extensions import db
from app.models import Post, User
from tests.support.browser import log_in, write_post
from tests.support.factories import DEFAULT_PASSWORD, PostFactory, UserFactory
from tests.support.live_server import LiveServer

REPLIED = "Your reply is now live!"


@contextmanager
def in_app(live_server: LiveServer) -> Iterator[None]:
    """Work on the live server's database from the test process (the factories use `db.session`)."""
    with live_server.app.app_context():
        try:
            yield
        finally:
            db.session.remove()


def seed_users(live_server: LiveServer, *usernames: str) -> None:
    with in_app(live_server):
        for username in usernames:
            UserFactory(username=username)


def seed_post(live_server: LiveServer, username: str, body: str) -> int:
    """Give a new user `username` a post; return the post's id."""
    with in_app(live_server):
        return PostFactory(author=UserFactory(username=username), body=body).id


def sign_in(page: Page, username: str) -> None:
    log_in(page, username, password=DEFAULT_PASSWORD)


def card(page: Page, post_id: int) -> Locator:
    """The card of a post in a list (its <article>)."""
    return page.locator(f"article#post-{post_id}")


def like_button(page: Page, post_id: int) -> Locator:
    return card(page, post_id).locator("form.reactions .reaction-button[data-kind='like']")


def test_reply_from_a_thread_page(new_page, live_server):
    post_id = seed_post(live_server, "alice", "Who wants tea?")
    seed_users(live_server, "bob")
    bob = new_page()
    sign_in(bob, "bob")

    bob.goto(f"/post/{post_id}")
    expect(card(bob, post_id).locator(".post-body")).to_have_text("Who wants tea?")
    expect(bob.get_by_text("No replies yet.")).to_be_visible()
    reply_form = bob.locator("form#reply")
    reply_form.get_by_label("Your reply").fill("Me, please!")
    reply_form.get_by_role("button", name="Reply", exact=True).click()

    bob.wait_for_url(re.compile(r"/post/(\d+)$"))
    reply_id = int(re.search(r"/post/(\d+)$", bob.url)[1])
    assert reply_id != post_id
    expect(bob.locator(".alert-success")).to_have_text(REPLIED)
    reply = card(bob, reply_id)
    expect(reply.locator(".post-body")).to_have_text("Me, please!")
    expect(reply).to_contain_text("in reply to @alice")
    expect(reply.get_by_role("link", name="@alice")).to_have_attribute("href", f"/post/{post_id}")
    # The answered post is shown above, counting its reply.
    expect(card(bob, post_id).locator(".post-actions a", has_text="Reply")).to_have_text(re.compile(r"^Reply\s+1$"))


def test_like_toggles_in_place_without_a_page_load(new_page, live_server):
    post_id = seed_post(live_server, "alice", "Like me if you can")
    seed_users(live_server, "bob")
    bob = new_page()
    sign_in(bob, "bob")
    bob.goto("/explore")
    button = like_button(bob, post_id)
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button.locator(".reaction-count")).to_have_text("0")

    navigations: list[str] = []
    bob.on("request", lambda request: request.is_navigation_request() and navigations.append(request.url))
    bob.evaluate("window.__marker = 1")
    with bob.expect_response(f"**/post/{post_id}/like") as liked:
        button.click()
    assert liked.value.status == 200
    assert liked.value.headers["content-type"].startswith("application/json")
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button.locator(".reaction-count")).to_have_text("1")
    assert bob.evaluate("window.__marker") == 1, "the page was reloaded"
    assert navigations == [], navigations
    expect(bob.locator(".alert-success")).to_have_count(0)  # no flash: the server answered JSON

    bob.reload()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button.locator(".reaction-count")).to_have_text("1")

    navigations.clear()
    bob.evaluate("window.__marker = 2")
    with bob.expect_response(f"**/post/{post_id}/unlike") as unliked:
        button.click()
    assert unliked.value.status == 200
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button.locator(".reaction-count")).to_have_text("0")
    assert bob.evaluate("window.__marker") == 2, "the page was reloaded"
    assert navigations == [], navigations

    bob.reload()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button.locator(".reaction-count")).to_have_text("0")


def test_mention_links_to_the_profile_and_tells_the_mentioned_user(new_page, live_server):
    seed_users(live_server, "alice", "bob")
    alice, bob = new_page(), new_page()
    sign_in(alice, "alice")
    write_post(alice, "hello @bob")

    body = alice.locator(".post-body").first
    post_id = int(body.get_attribute("id").removeprefix("post"))
    mention = body.get_by_role("link", name="@bob")
    expect(mention).to_have_class("mention")
    expect(mention).to_have_attribute("href", "/user/bob")
    mention.click()
    alice.wait_for_url("**/user/bob")
    expect(alice.locator("h1")).to_have_text("User: bob")

    sign_in(bob, "bob")
    expect(bob.locator("#activity_count")).to_have_text("1")
    bob.get_by_role("link", name=re.compile(r"^Activity")).click()
    bob.wait_for_url("**/activity")
    entry = bob.locator("ol li", has_text="mentioned you")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("@alice mentioned you")
    expect(entry.get_by_role("link", name="@alice")).to_have_attribute("href", "/user/alice")
    to_post = entry.get_by_role("link", name="hello @bob")
    expect(to_post).to_have_attribute("href", f"/post/{post_id}")
    expect(bob.locator("#activity_count")).to_be_hidden()  # visiting the page marks it read

    to_post.click()
    bob.wait_for_url(f"**/post/{post_id}")
    expect(card(bob, post_id).locator(".post-body")).to_have_text("hello @bob")


def test_activity_badge_appears_live_when_someone_likes_your_post(new_page, live_server):
    post_id = seed_post(live_server, "bob", "A post worth liking")
    seed_users(live_server, "carol")
    bob = new_page()
    sign_in(bob, "bob")
    # Time flows as usual, but the test may jump to the next poll instead of waiting 10 seconds for it.
    bob.clock.install()
    with bob.expect_response(lambda response: response.url.endswith("/notifications?since=0")):  # on page load
        bob.goto("/index")
    badge = bob.locator("#activity_count")
    expect(badge).to_be_hidden()
    bob.evaluate("window.__marker = 1")

    with in_app(live_server):
        carol = db.session.scalar(sa.select(User).where(User.username == "carol"))
        conversations.like(carol, db.session.get(Post, post_id))
    expect(badge).to_be_hidden()  # nothing tells the page until it polls

    with bob.expect_response(lambda response: "/notifications?since=" in response.url) as polled:
        bob.clock.fast_forward(10_000)
    assert polled.value.status == 200
    expect(badge).to_be_visible()
    expect(badge).to_have_text("1")
    assert bob.evaluate("window.__marker") == 1, "the page was reloaded"
    assert bob.url.endswith("/index")
