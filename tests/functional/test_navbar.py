"""The navbar: one shell per language and kind of reader (app.web.navbar), each reader's own values in it."""

import re

from app.models import Role
from tests.support.factories import MessageFactory, UserFactory


def navbar(html: str) -> str:
    match = re.search(r"<nav class=\"navbar.*?</nav>", html, flags=re.S)
    assert match, "the page has no navbar"
    return match.group(0)


def badge(html: str, name: str) -> tuple[str, bool]:
    """Return a badge's text and whether it shows."""
    match = re.search(rf'<span id="{name}"([^>]*)>([^<]*)</span>', html)
    assert match, f"no #{name} badge"
    return match.group(2), " hidden" not in match.group(1)


def test_each_reader_sees_their_own_profile_link_and_badges(client_as, user):
    john = UserFactory(username="john")
    MessageFactory(author=john, recipient=user)
    MessageFactory(author=john, recipient=user)
    susans, johns = navbar(client_as("susan").get("/explore").text), navbar(client_as("john").get("/explore").text)
    assert 'href="/user/susan"' in susans and 'href="/user/john"' not in susans
    assert 'href="/user/john"' in johns and 'href="/user/susan"' not in johns
    assert badge(susans, "message_count") == ("2", True)
    assert badge(johns, "message_count") == ("0", False)
    assert badge(johns, "activity_count") == ("0", False)
    assert "@@slot" not in susans + johns


def test_the_forms_carry_the_pages_csrf_token_and_the_way_back(client_as, user):
    html = client_as("susan").get("/explore?page=1").text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', html).group(1)
    bar = navbar(html)
    assert bar.count(f'name="csrf_token" value="{token}"') == 4  # log out, and each of three languages
    assert bar.count('name="next" value="/explore?page=1"') == 3


def test_the_search_box_keeps_the_query_escaped_only_on_the_search_page(client_as, user):
    client = client_as("susan")
    bar = navbar(client.get('/search?q=<b>"bold"</b>').text)
    assert 'value="&lt;b&gt;&#34;bold&#34;&lt;/b&gt;"' in bar and "<b>" not in bar
    assert 'id="navbar-search" class="form-control" size="20" maxlength="200"' in bar
    assert re.search(r'id="navbar-search"[^>]*value=""', navbar(client.get("/explore?q=elsewhere").text))


def test_the_menu_follows_the_readers_language_and_role(client_as, user):
    UserFactory(username="boss", role=Role.ADMINISTRATOR)
    client = client_as("susan")
    assert ">Admin<" not in navbar(client.get("/explore").text)
    assert ">Admin<" in navbar(client_as("boss").get("/explore").text)
    client.post("/language/es", data={"next": "/explore"})
    spanish = navbar(client.get("/explore").text)
    assert ">Inicio<" in spanish and 'href="/user/susan"' in spanish
    assert re.search(r'class="dropdown-item active" lang="es"', spanish)
    assert ">Inicio<" not in navbar(client_as("boss").get("/explore").text)  # each reader's own language


def test_an_error_page_met_before_the_language_is_known_has_the_readers_own_menu(client, csrf_enabled):
    """A refused form (CSRF) is answered before the view: its page and navbar are still in the reader's language."""
    spanish = client.post("/auth/login", headers={"Accept-Language": "es"})
    english = client.post("/auth/login", headers={"Accept-Language": "en"})
    assert spanish.status_code == english.status_code == 400
    assert ">Inicio<" in navbar(spanish.text)
    assert ">Home<" in navbar(english.text) and ">Inicio<" not in navbar(english.text)
    assert '<html lang="es">' in spanish.text and '<html lang="en">' in english.text
    page = navbar(client.get("/auth/login", headers={"Accept-Language": "es"}).text)
    assert re.search(r'class="dropdown-item active" lang="es"', page)  # the shell the error page made marks it
