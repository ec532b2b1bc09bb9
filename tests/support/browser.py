"""What every browser test shares: Debian's Chromium, a page watcher, and the site's forms."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.support import services

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
# Report Content-Security-Policy violations as console errors, with what was blocked.
CSP_REPORTER = """
document.addEventListener('securitypolicyviolation', function (event) {
  console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline code'));
});
"""

# The test servers' hosts; a page asks nothing of any other.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})

PASSWORD = "correct horse battery staple"
HOME = re.compile(r"^http://127\.0\.0\.1:\d+/(index)?$")


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


def refuse_other_hosts(context: BrowserContext) -> None:
    """Fail every request to a host other than the local test servers: pages must need no other site.

    A refused request is a failed request, so `PageProblems` reports it.
    """
    context.route(_elsewhere, lambda route: route.abort("blockedbyclient"))


def _elsewhere(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS


def is_real_failure(request) -> bool:
    """Return whether a failed request is a real failure, not one the page cancelled by navigating away."""
    return "ERR_ABORTED" not in (request.failure or "")


@dataclass
class PageProblems:
    """What went wrong in pages: console errors, uncaught exceptions, failed or refused requests."""

    problems: list[str] = field(default_factory=list)

    def watch(self, page: Page, expected_failures: str | None = None) -> None:
        """Record the page's problems, except errors of URLs containing `expected_failures`."""

        def record(problem: str, url: str) -> None:
            if not (expected_failures and expected_failures in url):
                self.problems.append(problem)

        page.on(
            "console",
            lambda msg: msg.type == "error" and record(f"console: {msg.text}", msg.location.get("url", "")),
        )
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on(
            "requestfailed",
            lambda request: (
                is_real_failure(request)
                and record(f"failed: {request.method} {request.url} ({request.failure})", request.url)
            ),
        )
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and record(f"HTTP {response.status}: {response.request.method} {response.url}", response.url)
            ),
        )


# The site's forms, as a person fills them in.

REGISTERED = "Congratulations, you are now a registered user!"
POSTED = "Your post is now live!"


def register(page: Page, username: str, flash: str = REGISTERED, password: str = PASSWORD) -> None:
    """Create an account through the registration form; check the flash (in the page's language)."""
    page.goto("/auth/register")
    page.fill("#username", username)
    page.fill("#email", f"{username}@example.com")
    page.fill("#password", password)
    page.fill("#password2", password)
    page.click("#submit")
    page.wait_for_url("**/auth/login")
    expect(page.locator(".alert-success")).to_have_text(flash)


def log_in(page: Page, username: str, greeting: str | None = None, password: str = PASSWORD) -> None:
    """Sign in through the login form and land on the home page, greeted (by default in English)."""
    page.goto("/auth/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#submit")
    page.wait_for_url(HOME)
    expect(page.locator("h1")).to_have_text(greeting or f"Hi, {username}!")


def write_post(page: Page, body: str, flash: str = POSTED) -> None:
    """Publish a post from the home page; check the flash and that it tops the timeline."""
    page.goto("/index")
    page.fill("#post", body)
    page.click("#submit")
    page.wait_for_url(HOME)
    expect(page.locator(".alert-success")).to_have_text(flash)
    expect(page.locator(".post-body").first).to_have_text(body)
    page.wait_for_load_state()


def follow(page: Page, username: str) -> None:
    """Follow a user with the button on their profile."""
    page.goto(f"/user/{username}")
    page.get_by_role("button", name="Follow", exact=True).click()
    page.wait_for_url(f"**/user/{username}")
    expect(page.locator(".alert-success")).to_have_text(f"You are following {username}!")
    expect(page.get_by_role("button", name="Unfollow", exact=True)).to_be_visible()
