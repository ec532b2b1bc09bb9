"""Federation in Chromium: an administrator blocks a server (English and Spanish); a reader follows a remote account."""

import pytest
import requests
from playwright.sync_api import expect

from app.models import Role
from tests.e2e.test_accessibility import AXE, BLOCKING_IMPACTS, RUN_AXE
from tests.e2e.test_conversations import in_app, sign_in
from tests.functional.federation.activities import create, note
from tests.support.browser import log_in
from tests.support.factories import DEFAULT_PASSWORD, UserFactory
from tests.support.peers import FEDERATION_SETTINGS, HOST, ORIGIN, Peer


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


@pytest.fixture
def peer():
    with Peer() as server:
        yield server


def test_a_reader_finds_follows_and_reads_an_account_of_another_server(start_live_server, open_page, peer):
    server = start_live_server(**FEDERATION_SETTINGS)
    with in_app(server):
        UserFactory(username="alice")
    bob = peer.actor("bob")
    peer.documents["/users/bob/outbox"] = {"type": "OrderedCollection", "first": f"{bob.uri}/outbox/page"}
    peer.documents["/users/bob/outbox/page"] = {
        "type": "OrderedCollectionPage",
        "orderedItems": [{"type": "Create", "actor": bob.uri, "object": note(bob, 1, "<p>An older note of mine</p>")}],
    }
    page = open_page(server.url, bypass_csp=True)  # axe is injected
    sign_in(page, "alice")

    page.get_by_role("searchbox").fill(f"@bob@{peer.host}")
    page.get_by_role("searchbox").press("Enter")
    expect(page.get_by_role("heading", name=f"User: bob@{peer.host}")).to_be_visible()
    expect(page.get_by_text(f"An account of {peer.host}.")).to_be_visible()
    expect(page.get_by_text("An older note of mine")).to_be_visible()
    page.add_script_tag(path=str(AXE))
    blocking = [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING_IMPACTS]
    assert blocking == [], blocking

    page.get_by_role("button", name="Follow").click()
    expect(page.get_by_text(f"You are following bob@{peer.host}!")).to_be_visible()
    (follow,) = peer.wait_for_deliveries(1)
    assert follow.activity["type"] == "Follow" and follow.activity["object"] == bob.uri

    body, headers = peer.signed(bob, f"{ORIGIN}/inbox", create(bob, 2, "<p>Fresh from the other server</p>"))
    delivered = requests.post(f"{server.url}/inbox", data=body, headers={**headers, "Host": HOST}, timeout=10)
    assert delivered.status_code == 202, delivered.text
    page.goto("/index")
    entry = page.locator("article", has_text="Fresh from the other server")
    expect(entry).to_be_visible()
    expect(entry.get_by_role("link", name=f"bob@{peer.host}")).to_be_visible()


def test_a_handle_no_server_answers_for_is_said_so(start_live_server, open_page, peer):
    server = start_live_server(**FEDERATION_SETTINGS)
    with in_app(server):
        UserFactory(username="alice")
    page = open_page(server.url)
    sign_in(page, "alice")
    page.get_by_role("searchbox").fill(f"@nobody@{peer.host}")
    page.get_by_role("searchbox").press("Enter")
    expect(page.get_by_role("alert").filter(has_text="could not be found")).to_be_visible()
