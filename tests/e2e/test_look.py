"""The finished look in Chromium: the colour scheme from the first paint, icons, manifest, feeds, no other host."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from app import conversations
from app.extensions import db
from app.models import User
from tests.e2e.test_conversations import in_app, seed_users, sign_in

# Bootstrap 5.3's body background in each colour mode.
BODY_BACKGROUND = {"light": "rgb(255, 255, 255)", "dark": "rgb(33, 37, 41)"}


def seed_tagged_post(live_server) -> int:
    seed_users(live_server, "alice")
    with in_app(live_server):
        post = conversations.publish(db.session.scalar(User.by_username("alice")), "Good morning #look", "en")
        db.session.commit()
        return post.id


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_has_the_systems_colour_scheme_before_it_first_paints(new_page, scheme):
    page = new_page(color_scheme=scheme)
    page.goto("/auth/login", wait_until="domcontentloaded")
    # At DOMContentLoaded the body has been parsed, but nothing after <head>'s synchronous script
    # could have set the attribute: theme.js ran before the stylesheets, so the first paint had it.
    state = page.evaluate(
        """() => {
          const theme = document.querySelector('head script[src*="/js/theme.js"]');
          const sheet = document.querySelector('head link[rel="stylesheet"]');
          return {
            theme: document.documentElement.getAttribute('data-bs-theme'),
            blocking: !!theme && !theme.async && !theme.defer
              && !!(theme.compareDocumentPosition(sheet) & Node.DOCUMENT_POSITION_FOLLOWING),
            background: getComputedStyle(document.body).backgroundColor,
          };
        }"""
    )
    assert state == {"theme": scheme, "blocking": True, "background": BODY_BACKGROUND[scheme]}


def test_the_colour_scheme_follows_a_change_of_the_system_setting(page):
    page.emulate_media(color_scheme="light")
    page.goto("/auth/login")
    html = page.locator("html")
    expect(html).to_have_attribute("data-bs-theme", "light")
    page.emulate_media(color_scheme="dark")
    expect(html).to_have_attribute("data-bs-theme", "dark")
    page.emulate_media(color_scheme="light")
    expect(html).to_have_attribute("data-bs-theme", "light")


def test_the_favicon_icons_and_manifest_load(page):
    page.goto("/auth/login")
    links = page.eval_on_selector_all(
        "head link[rel~='icon'], head link[rel='apple-touch-icon'], head link[rel='manifest']",
        "links => links.map(link => [link.rel, link.href])",
    )
    assert sorted(rel for rel, _ in links) == ["apple-touch-icon", "icon", "icon", "manifest"]
    for rel, href in [*links, ("favicon", page.url.replace("/auth/login", "/favicon.ico"))]:
        response = page.request.get(href)
        assert response.status == 200, (rel, href, response.status)
    manifest = page.request.get(dict((rel, href) for rel, href in links)["manifest"])
    assert manifest.headers["content-type"] == "application/manifest+json"
    for icon in manifest.json()["icons"]:
        assert page.request.get(icon["src"]).status == 200, icon
    expect(page.locator("meta[name='theme-color']")).to_have_attribute("content", "#0d6efd")


def test_the_main_pages_request_nothing_from_another_host(new_page, live_server):
    post_id = seed_tagged_post(live_server)
    seed_users(live_server, "bob")
    page = new_page(color_scheme="dark")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/auth/login")
    sign_in(page, "bob")
    for path in ("/index", "/explore", "/user/alice", f"/post/{post_id}", "/tag/look", "/messages", "/activity"):
        page.goto(path)
        page.wait_for_load_state("load")
        expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    site = urlsplit(live_server.url).netloc
    elsewhere = {url for url in requested if urlsplit(url).scheme != "data" and urlsplit(url).netloc != site}
    assert elsewhere == set(), sorted(elsewhere)  # avatars included: the app draws its own
    assert any("/static/js/theme.js" in url for url in requested)


def test_a_tag_page_announces_a_feed_that_a_browser_can_fetch(new_page, live_server):
    seed_tagged_post(live_server)
    seed_users(live_server, "bob")
    page = new_page()
    sign_in(page, "bob")
    page.goto("/tag/look")
    feed = page.locator("head link[rel='alternate'][type='application/atom+xml']")
    expect(feed).to_have_attribute("href", "/tag/look/feed.atom")
    response = page.request.get("/tag/look/feed.atom")
    assert response.status == 200 and "Good morning #look" in response.text()
