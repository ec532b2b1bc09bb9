"""Two people use Microblog in Chromium, with JavaScript: every enhancement works, nothing errs."""

import re

from playwright.sync_api import Page, expect

from tests.support.browser import follow, log_in, register, write_post

RECENTLY = re.compile(r"^(a few seconds ago|\d+ seconds ago|a minute ago)$")


def assert_timestamps_rendered(page: Page) -> None:
    """Check moment.js replaced every Flask-Moment placeholder and post times read as relative."""
    expect(page.locator(".flask-moment")).to_have_count(0)
    times = page.locator("article .text-body-secondary").all_inner_texts()
    assert times, "no post timestamps on the page"
    for text in times:
        assert RECENTLY.match(text.removeprefix("said").strip().rstrip(":")), text


def test_two_users_post_follow_hover_and_message(new_page):
    alice, bob = new_page(), new_page()

    register(alice, "alice")
    register(bob, "bob")
    log_in(alice, "alice")
    log_in(bob, "bob")
    write_post(alice, "Hello from Alice 👋")
    write_post(bob, "Bob was here")
    assert_timestamps_rendered(alice)

    follow(bob, "alice")
    bob.goto("/index")
    expect(bob.locator(".post-body")).to_have_text(["Bob was here", "Hello from Alice 👋"])
    assert_timestamps_rendered(bob)

    # Hovering an author name fetches their card and shows it in a popover.
    author = bob.locator(".user_popup", has_text="alice")
    with bob.expect_response("**/user/alice/popup") as popup_response:
        author.hover()
    assert popup_response.value.status == 200
    popover = bob.locator(".popover.user-popup")
    expect(popover).to_be_visible()
    expect(popover).to_contain_text("alice")
    expect(popover).to_contain_text("1 followers")
    expect(popover.locator(".flask-moment")).to_have_count(0)
    bob.mouse.move(0, 0)
    expect(popover).to_have_count(0)

    # Bob's page stays open, unread badge hidden, while Alice writes to him.
    badge = bob.locator("#message_count")
    expect(badge).to_be_hidden()
    alice.goto("/user/bob")
    alice.get_by_role("link", name="Send private message").click()
    alice.fill("#message", "Hi Bob, thanks for the follow!")
    alice.click("#submit")
    alice.wait_for_url("**/user/bob")
    expect(alice.locator(".alert-success")).to_have_text("Your message has been sent.")

    # The badge appears through polling, without a reload.
    expect(badge).to_be_visible(timeout=15_000)
    expect(badge).to_have_text("1")

    bob.click("#message_count")
    bob.wait_for_url("**/messages")
    expect(bob.get_by_text("Hi Bob, thanks for the follow!")).to_be_visible()
    expect(bob.locator(".flask-moment")).to_have_count(0)
    expect(bob.locator("#message_count")).to_be_hidden()
