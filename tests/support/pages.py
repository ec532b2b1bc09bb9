"""Reading the site's HTML in test-client tests: CSRF tokens, the layout, login redirects."""

import re
from urllib.parse import parse_qs, urlsplit

# The token every page carries in a <meta> tag, or a form's hidden field (its attributes in either order).
CSRF_TOKEN = re.compile(
    r'<meta name="csrf-token" content="([^"]+)"'
    r'|name="csrf_token"[^>]*value="([^"]+)"'
    r'|value="([^"]+)"[^>]*name="csrf_token"'
)


def csrf_token_from(html: str) -> str:
    """Return the CSRF token of a page (the <meta> tag every page carries, or a form field)."""
    match = CSRF_TOKEN.search(html)
    assert match, "page has no CSRF token"
    return next(group for group in match.groups() if group)


def is_site_layout(html: str) -> bool:
    """Return whether a page is a full page in the site layout (navbar included)."""
    return html.lstrip().lower().startswith("<!doctype html>") and 'class="navbar-brand"' in html


def login_redirect_next(response) -> str | None:
    """Return the `next` of a redirect to the login page, or None when it is not one."""
    if response.status_code != 302:
        return None
    parts = urlsplit(response.location)
    if parts.path != "/auth/login" or parts.netloc:
        return None
    return parse_qs(parts.query).get("next", [None])[0]
