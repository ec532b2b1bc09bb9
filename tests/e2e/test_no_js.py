"""With JavaScript off, the site still works through plain forms and links."""

import re

from playwright.sync_api import expect

from tests.support.browser import HOME, follow, log_in, register, write_post


def test_register_login_post_follow_logout_without_javascript(new_page):
    carol, dave = new_page(java_script_enabled=False), new_page(java_script_enabled=False)

    register(carol, "carol")
    register(dave, "dave")
    log_in(carol, "carol")
    write_post(carol, "Plain HTML still works")
    # Without moment.js the timestamp falls back to the server-rendered UTC time.
    expect(carol.locator("article noscript")).to_have_count(1)
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", carol.locator("article").inner_text())

    log_in(dave, "dave")
    follow(dave, "carol")
    expect(dave.get_by_text("1 followers")).to_be_visible()
    dave.goto("/index")
    expect(dave.locator(".post-body")).to_have_text(["Plain HTML still works"])

    dave.get_by_role("button", name="Logout").click()
    dave.wait_for_url(re.compile(r"/auth/login\?next=%2F(index)?$"))
    expect(dave.get_by_text("You have been logged out.")).to_be_visible()
    dave.goto("/index")
    dave.wait_for_url(re.compile(r"/auth/login\?next="))
    assert not HOME.match(dave.url)
