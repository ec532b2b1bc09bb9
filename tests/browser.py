"""What every browser test shares: Debian's Chromium, its flags, and a stand-in avatar."""

import base64
from collections.abc import Iterator

from playwright.sync_api import Browser, BrowserContext, sync_playwright

from tests import services

# As root on a closed network Chromium needs these (and never a downloaded browser build).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# A 1x1 transparent PNG, served in place of Gravatar (the network is unreachable from the tests).
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def launch_chromium() -> Iterator[Browser]:
    """Start one headless Chromium; stop it when the generator closes."""
    executable = services.require_chromium()
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


def serve_stand_in_avatars(context: BrowserContext) -> None:
    """Answer Gravatar requests locally so they are neither slow nor failed requests."""
    context.route(
        "https://www.gravatar.com/**", lambda route: route.fulfill(status=200, content_type="image/png", body=TINY_PNG)
    )


def is_real_failure(request) -> bool:
    """Return whether a failed request is a real failure, not one the page cancelled by navigating away."""
    return "ERR_ABORTED" not in (request.failure or "")
