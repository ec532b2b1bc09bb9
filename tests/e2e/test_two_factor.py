"""Two-factor sign-in in Chromium: enrolment from the settings page, then signing in with a code."""

from playwright.sync_api import expect

from tests.e2e.test_conversations import seed_users, sign_in
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.totp import Authenticator


def test_enrol_then_sign_in_with_a_code(new_page, live_server):
    seed_users(live_server, "carol")
    page = new_page()
    sign_in(page, "carol")

    page.goto("/settings/two_factor")
    page.get_by_role("link", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("img", name="QR code of your two-factor secret")).to_be_visible()
    app = Authenticator(page.locator("#totp-secret").inner_text())
    page.get_by_label("Code from your app").fill(app.code())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)

    page.goto("/auth/logout")
    page.get_by_role("button", name="Log out now").click()
    page.goto("/auth/login")
    page.fill("#username", "carol")
    page.fill("#password", DEFAULT_PASSWORD)
    page.click("#submit")
    page.wait_for_url("**/auth/two_factor")
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(app.code())
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("h1")).to_have_text("Hi, carol!")
    page.wait_for_load_state("networkidle")  # the navbar's first poll, before the server stops
