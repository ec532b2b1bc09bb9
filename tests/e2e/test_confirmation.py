"""Confirming an account in Chromium: register, read the link from a real SMTP server, confirm, land home."""

import re

from playwright.sync_api import expect

from tests.support.browser import HOME, PASSWORD, register
from tests.support.smtp import smtp_server


def confirmation_link(message) -> str:
    text = message.get_body(("plain",)).get_content()
    match = re.search(r"http://\S+/auth/confirm/\S+", text)
    assert match, text
    return match.group(0)


def test_register_confirm_from_the_email_and_land_on_the_home_page(open_page, start_live_server):
    with smtp_server() as (host, port, inbox):
        server = start_live_server(REQUIRE_EMAIL_CONFIRMATION=True, MAIL_SERVER=host, MAIL_PORT=port)
        page = open_page(server.url)
        register(page, "dora")
        expect(page.locator(".alert-info")).to_contain_text("dora@example.com")

        page.fill("#username", "dora")
        page.fill("#password", PASSWORD)
        page.click("#submit")
        page.wait_for_url("**/auth/unconfirmed")
        expect(page.locator("h1")).to_have_text("Confirm your email address")
        page.goto("/explore")
        page.wait_for_url("**/auth/unconfirmed")  # nothing else opens until the address is confirmed

        page.get_by_role("button", name="Send the link again").click()
        expect(page.locator(".alert-info")).to_have_text("A new confirmation link is on its way to dora@example.com.")
        messages = inbox.wait_for(2)
        assert [message["To"] for message in messages] == ["dora@example.com", "dora@example.com"]

        page.goto(confirmation_link(messages[-1]))
        expect(page.locator("h1")).to_have_text("Confirm your email address")
        page.get_by_role("button", name="Confirm").click()
        page.wait_for_url(HOME)
        expect(page.locator("h1")).to_have_text("Hi, dora!")
        expect(page.locator(".alert-success")).to_have_text("Thank you: your email address is confirmed.")
        page.wait_for_load_state("networkidle")  # the navbar's first poll, before the server stops
