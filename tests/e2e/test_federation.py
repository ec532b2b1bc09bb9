"""An administrator blocks a server from the admin pages, in Chromium, in English and Spanish."""

import pytest
from playwright.sync_api import expect

from app.models import Role
from tests.e2e.test_accessibility import AXE, BLOCKING_IMPACTS, RUN_AXE
from tests.e2e.test_conversations import in_app, sign_in
from tests.support.browser import log_in
from tests.support.factories import DEFAULT_PASSWORD, UserFactory


@pytest.fixture
def live_server(start_live_server):
    """The live app with federation on."""
    server = start_live_server(FEDERATION=True, SERVER_NAME="micro.test")
    with in_app(server):
        UserFactory(username="boss", role=Role.ADMINISTRATOR)
    return server


def test_an_administrator_blocks_and_unblocks_a_server(new_page):
    page = new_page(bypass_csp=True)
    sign_in(page, "boss")
    page.goto("/admin")
    page.get_by_role("link", name="Blocked domains").click()
    expect(page.get_by_text("No domain is blocked.")).to_be_visible()

    page.get_by_label("Domain").fill("not a host")
    page.get_by_role("button", name="Block").click()
    expect(page.get_by_text("Give a host name, such as spam.example.")).to_be_visible()
    expect(page.get_by_label("Domain")).to_have_attribute("aria-describedby", "domain-errors")

    page.get_by_label("Domain").fill("Spam.Example")
    page.get_by_label("Reason (optional)").fill("a wave of spam")
    page.get_by_role("button", name="Block").click()
    expect(page.get_by_text("spam.example is blocked")).to_be_visible()
    row = page.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("spam.example")
    expect(row).to_contain_text("a wave of spam")

    page.add_script_tag(path=str(AXE))
    blocking = [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING_IMPACTS]
    assert blocking == [], blocking

    page.get_by_role("button", name="Unblock spam.example").click()
    expect(page.get_by_text("spam.example is no longer blocked.")).to_be_visible()
    expect(page.get_by_text("No domain is blocked.")).to_be_visible()


def test_the_page_reads_in_spanish(new_page):
    page = new_page(locale="es-ES")
    log_in(page, "boss", greeting="¡Hola, boss!", password=DEFAULT_PASSWORD)
    page.goto("/admin/domain_blocks")
    expect(page.get_by_role("heading", name="Dominios bloqueados")).to_be_visible()
    page.get_by_label("Dominio").fill("spam.example")
    page.get_by_role("button", name="Bloquear").click()
    expect(page.get_by_text("spam.example está bloqueado")).to_be_visible()
