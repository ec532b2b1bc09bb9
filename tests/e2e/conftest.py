"""Browser fixtures: the real app on a live server, driven by Chromium through Playwright."""

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import BrowserContext, Page
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.browser import is_real_failure, serve_stand_in_avatars
from tests.conftest import TestConfig, free_port

# Report Content-Security-Policy violations as console errors, with what was blocked.
CSP_REPORTER = """
document.addEventListener('securitypolicyviolation', function (event) {
  console.error('CSP violation: ' + event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline code'));
});
"""


def pytest_collection_modifyitems(items):
    """Mark every test in this folder `e2e`, so `-m "not e2e"` skips the browser."""
    for item in items:
        if "/tests/e2e/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def live_server(tmp_path) -> Iterator[str]:
    """Serve the real app (CSRF on, SQLite file) on a free port in a thread; yield its base URL."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e2e.db'}",
        "WTF_CSRF_ENABLED": True,
        # PyJWT warns about HMAC keys under 32 bytes.
        "SECRET_KEY": "e2e-test-secret-key-0123456789abcdef",
    }
    app = create_app(type("LiveServerConfig", (TestConfig,), settings))
    with app.app_context():
        db.create_all()
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@dataclass
class PageProblems:
    """What went wrong in a page: console errors, uncaught exceptions, failed or refused requests."""

    problems: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", lambda msg: msg.type == "error" and self.problems.append(f"console: {msg.text}"))
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on(
            "requestfailed",
            lambda request: (
                is_real_failure(request)
                and self.problems.append(f"failed: {request.method} {request.url} ({request.failure})")
            ),
        )
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")
            ),
        )


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[..., Page]]:
    """Open pages in fresh browser contexts (separate users); assert none of them had a problem."""
    contexts: list[BrowserContext] = []
    watcher = PageProblems()

    def open_page(**context_options) -> Page:
        context = browser.new_context(base_url=live_server, **context_options)
        context.set_default_timeout(10_000)
        serve_stand_in_avatars(context)
        context.add_init_script(CSP_REPORTER)
        contexts.append(context)
        page = context.new_page()
        watcher.watch(page)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert watcher.problems == [], "\n".join(watcher.problems)


@pytest.fixture
def page(new_page) -> Page:
    """A page in its own browser context, checked for errors at teardown."""
    return new_page()


PASSWORD = "correct horse battery staple"
HOME = re.compile(r"^http://127\.0\.0\.1:\d+/(index)?$")


def register(page: Page, username: str, password: str = PASSWORD) -> None:
    """Create an account through the registration form."""
    page.goto("/auth/register")
    page.fill("#username", username)
    page.fill("#email", f"{username}@example.com")
    page.fill("#password", password)
    page.fill("#password2", password)
    page.click("#submit")
    page.wait_for_url("**/auth/login")
    assert page.locator(".alert-success").inner_text().startswith("Congratulations")


def log_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form and land on the home page."""
    page.goto("/auth/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#submit")
    page.wait_for_url(HOME)
    assert page.locator("h1").inner_text() == f"Hi, {username}!"


def write_post(page: Page, body: str) -> None:
    """Publish a post from the home page."""
    page.goto("/index")
    page.fill("#post", body)
    page.click("#submit")
    page.wait_for_url(HOME)
    assert page.locator(".alert-success").inner_text() == "Your post is now live!"
    assert page.locator(".post-body").first.inner_text() == body


def follow(page: Page, username: str) -> None:
    """Follow a user with the button on their profile."""
    page.goto(f"/user/{username}")
    page.get_by_role("button", name="Follow", exact=True).click()
    page.wait_for_url(f"**/user/{username}")
    assert page.locator(".alert-success").inner_text() == f"You are following {username}!"
    assert page.get_by_role("button", name="Unfollow", exact=True).is_visible()
