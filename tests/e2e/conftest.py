"""Browser fixtures: Debian's Chromium through Playwright, and the real app on live servers.

Every test in this folder is marked `e2e`, so `-m "not e2e"` runs the suite without the browser.
"""

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.support.browser import CSP_REPORTER, PageProblems, launch_chromium, refuse_other_hosts
from tests.support.live_server import LiveServer, live_app, serve


def pytest_collection_modifyitems(items):
    """Mark every test in this folder `e2e`, so `-m "not e2e"` skips the browser."""
    for item in items:
        if "/tests/e2e/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium for the whole run, shared by every browser test.

    Playwright's sync API runs one event loop per thread, so the suite may start it only once.
    """
    yield from launch_chromium()


@pytest.fixture(autouse=True)
def _catalogues(compiled_catalogues) -> None:
    """The pages are also tested in Spanish and Chinese: the catalogues must be built."""


@pytest.fixture
def start_live_server(tmp_path) -> Iterator[Callable[..., LiveServer]]:
    """Return a function that serves the real app (CSRF on, its own SQLite file) with extra settings."""
    running: list[LiveServer] = []

    def start(**settings) -> LiveServer:
        server = serve(live_app(tmp_path / f"live-{len(running)}.db", **settings), name="e2e-live-server")
        running.append(server)
        return server

    yield start
    for server in running:
        server.stop()


@pytest.fixture
def live_server(start_live_server) -> LiveServer:
    """The real app on a live server (`.url`, `.app`)."""
    return start_live_server()


@pytest.fixture
def open_page(browser, start_live_server) -> Iterator[Callable[..., Page]]:
    """Open pages of a site in fresh browser contexts (separate users); assert none of them had a problem.

    `open_page(base_url, expected_failures=None, **context_options)`: `expected_failures` is a part of
    the URLs whose error answers the test expects; context options are Playwright's (`locale=...`).
    It is set up after the live servers, so its contexts close before they stop: what a page still
    fetches after its load event (the icon) is aborted, never refused by a stopped server.
    """
    contexts: list[BrowserContext] = []
    watcher = PageProblems()

    def open_(base_url: str, expected_failures: str | None = None, **context_options) -> Page:
        context = browser.new_context(base_url=base_url, **context_options)
        context.set_default_timeout(10_000)
        refuse_other_hosts(context)
        context.add_init_script(CSP_REPORTER)
        contexts.append(context)
        page = context.new_page()
        watcher.watch(page, expected_failures)
        return page

    yield open_
    for context in contexts:
        for page in context.pages:
            page.wait_for_load_state()  # let the last page's assets finish, or closing aborts them
        context.close()
    assert watcher.problems == [], "\n".join(watcher.problems)


@pytest.fixture
def new_page(open_page, live_server) -> Callable[..., Page]:
    """Open pages of `live_server` in fresh browser contexts, checked for problems at teardown."""
    return lambda **context_options: open_page(live_server.url, **context_options)


@pytest.fixture
def page(new_page) -> Page:
    """A page of `live_server` in its own browser context, checked for errors at teardown."""
    return new_page()
