"""Blocking a person in Chromium: from their profile, their posts leave the timeline; the settings page lifts it."""

from playwright.sync_api import expect

from app.extensions import db
from app.models import User
from tests.e2e.test_conversations import in_app, seed_post, seed_users, sign_in


def test_block_from_the_profile_then_unblock_from_the_settings(new_page, live_server):
    post_id = seed_post(live_server, "dave", "dave shares a loud opinion")
    seed_users(live_server, "carol")
    with in_app(live_server):
        carol = db.session.scalar(User.by_username("carol"))
        carol.follow(db.session.scalar(User.by_username("dave")))
        db.session.commit()
    page = new_page()
    sign_in(page, "carol")
    entry = page.locator(f"article#post-{post_id}")
    page.goto("/index")
    expect(entry).to_contain_text("dave shares a loud opinion")

    page.goto("/user/dave")
    page.get_by_role("button", name="Block").click()
    expect(page.get_by_text("You blocked dave.")).to_be_visible()
    expect(page.get_by_role("button", name="Unblock")).to_be_visible()
    expect(page.get_by_role("button", name="Follow")).to_have_count(0)
    page.goto("/index")
    expect(entry).to_have_count(0)
    page.goto("/explore")
    expect(entry).to_have_count(0)

    page.goto("/user/carol")
    page.get_by_role("link", name="Blocked and muted people").click()
    blocked = page.locator("#blocked-people")
    expect(blocked).to_contain_text("dave")
    blocked.get_by_role("button", name="Unblock dave").click()
    expect(page.get_by_text("You block nobody.")).to_be_visible()
    page.goto("/explore")
    expect(entry).to_contain_text("dave shares a loud opinion")
    page.wait_for_load_state("networkidle")  # the navbar's first poll, before the server stops
