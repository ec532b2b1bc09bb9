"""In a real browser (Debian's Chromium): no page breaks the CSP, and hostile user text never runs."""

import json
from collections.abc import Iterator

import pytest
from werkzeug.wrappers import Request, Response

from app.extensions import db
from tests.support.browser import refuse_other_hosts
from tests.support.factories import DEFAULT_PASSWORD
from tests.support.hostile import XSS, XSS_ATTR, seed_hostile_content
from tests.support.live_server import live_app, serve

# Record every CSP violation on the window, so the test can read them after each page.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', function (event) {
  window.__cspViolations.push(event.violatedDirective + ' blocked ' + (event.blockedURI || 'inline code'));
});
"""
# What the fake translation service answers: markup that must end up as text.
HOSTILE_TRANSLATION = '<img src=x onerror="alert(7)">translated'


@Request.application
def fake_libretranslate(request: Request) -> Response:
    return Response(json.dumps({"translatedText": HOSTILE_TRANSLATION}), mimetype="application/json")


@pytest.fixture
def site(tmp_path) -> Iterator[tuple[str, str]]:
    """The real app (CSRF on) with hostile content, on a live server; yield (base URL, reset token)."""
    with serve(fake_libretranslate, name="fake-libretranslate") as translator:
        app = live_app(tmp_path / "browser.db", LIBRETRANSLATE_URL=translator.url)
        with app.app_context():
            seeded = seed_hostile_content()
            token = seeded["susan"].get_reset_password_token()
            db.session.remove()
        with serve(app) as site:
            yield site.url, token


class Watch:
    """CSP violations from the console and the init script, and any dialog hostile text opened."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", self._console)
        page.on("dialog", self._dialog)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def visit(self, path: str, expect_status: int = 200) -> list[str]:
        """Open `path`, let its scripts run; return the CSP problems seen on it."""
        response = self.page.goto(path)
        assert response is not None and response.status == expect_status, f"{path}: {response and response.status}"
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(150)  # let deferred scripts (timestamps, polling) run
        return [f"{path}: {v}" for v in self.page.evaluate("window.__cspViolations || []")]


def test_no_page_violates_the_csp_and_no_user_text_runs(browser, site):
    base, token = site
    context = browser.new_context(base_url=base)
    context.set_default_timeout(10_000)
    refuse_other_hosts(context)
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    watch = Watch(page)
    violations: list[str] = []
    try:
        for path in ("/auth/login", "/auth/register", "/auth/reset_password_request", f"/auth/reset_password/{token}"):
            violations += watch.visit(path)

        watch.visit("/auth/login")
        page.fill("#username", "susan")
        page.fill("#password", DEFAULT_PASSWORD)
        page.click("#submit")
        page.wait_for_url("**/index")

        logged_in_pages = [
            "/index",
            "/explore",
            "/user/susan",
            "/user/john",
            "/user/john/popup",
            "/edit_profile",
            "/send_message/john",
            "/messages",
            "/search?q=alert",
            "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
            "/auth/logout",
            "/explore?page=1",
        ]
        for path in logged_in_pages:
            violations += watch.visit(path)
        violations += watch.visit("/no-such-page", expect_status=404)
        violations += watch.visit("/follow/john", expect_status=405)

        # The API's documentation page runs Swagger UI.
        violations += watch.visit("/api/docs")
        page.wait_for_selector(".swagger-ui .info", timeout=15_000)
        violations += [f"/api/docs: {v}" for v in page.evaluate("window.__cspViolations")]

        # The hover popup inserts a server-rendered fragment with susan's hostile about-me text.
        watch.visit("/user/susan")
        page.locator(".user_popup").first.hover()
        page.wait_for_selector(".user-popup-card", timeout=10_000)
        assert XSS in page.locator(".user-popup-card").inner_text()
        violations += [f"popup: {v}" for v in page.evaluate("window.__cspViolations")]

        # The translation (from a third party) is inserted as text; the request carries the CSRF header.
        watch.visit("/explore")
        translations = []
        page.on("request", lambda request: request.url.endswith("/translate") and translations.append(request))
        page.locator(".translate-link").first.click()
        page.wait_for_function("() => document.body.innerText.includes('translated')")
        assert HOSTILE_TRANSLATION in page.locator("body").inner_text()
        assert len(translations) == 1
        assert translations[0].headers.get("x-csrftoken")
        assert page.locator("img[src=x]").count() == 0
        page.wait_for_timeout(300)
        violations += [f"translate: {v}" for v in page.evaluate("window.__cspViolations")]
        assert XSS_ATTR in page.locator("body").inner_text()

        # The watch itself works: an inline script injected now is blocked and reported both ways.
        console_before = list(watch.console)
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'alert(9)'; document.body.append(s); }"
        )
        page.wait_for_function("() => window.__cspViolations.length > 0")
        page.wait_for_timeout(100)
        assert len(watch.console) > len(console_before), "the console listener missed a CSP violation"
        watch.console = console_before
    finally:
        context.close()
    assert watch.dialogs == [], f"user text ran as script: {watch.dialogs}"
    assert violations == [], "\n".join(violations)
    assert watch.console == [], "\n".join(watch.console)
