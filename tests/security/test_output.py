"""Output: user text is escaped wherever it appears; hardening headers; no inline script in any page."""

import json
from collections import deque
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

import pytest

from app.extensions import db
from tests.support.apps import make_app, pushed
from tests.support.auth import log_in
from tests.support.hostile import EVIL_NAME, XSS, XSS_ATTR, XSS_ESCAPED, seed_hostile_content
from tests.support.pages import csrf_token_from

RAW_PAYLOADS = [XSS, XSS_ATTR, EVIL_NAME, "<script>alert", "<img src=x", "<b onmouseover"]


@pytest.fixture
def hostile(plain_app):
    """The app with hostile user text everywhere; susan's client logged in."""
    seeded = seed_hostile_content()
    return plain_app, log_in(plain_app.test_client()), seeded


def assert_no_raw_payload(text: str, where: str) -> None:
    for payload in RAW_PAYLOADS:
        assert payload not in text, f"{where} prints {payload!r} unescaped"


HTML_PAGES = [
    "/index",
    "/explore",
    "/user/susan",
    "/user/john",
    "/user/susan/popup",
    "/user/john/popup",
    "/edit_profile",
    "/messages",
    "/send_message/john",
    "/search?q=alert",
    "/search?q=" + quote(XSS),
    "/search?q=" + quote(XSS_ATTR),
    "/user/" + quote(EVIL_NAME, safe=""),
    "/user/" + quote(XSS, safe=""),
]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_user_text_is_escaped_in_every_page(hostile, path):
    _, client, _ = hostile
    response = client.get(path)
    assert response.status_code in {200, 404}, path
    assert_no_raw_payload(response.text, path)
    assert audit(response.text).problems == [], path


def test_escaped_text_is_still_shown(hostile):
    _, client, _ = hostile
    explore = client.get("/explore").text
    assert XSS_ESCAPED in explore
    assert "&lt;b onmouseover=&#34;alert(3)&#34;&gt;evil&lt;/b&gt;" in explore  # the author's name
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in explore
    assert XSS_ESCAPED in client.get("/user/susan").text  # about me
    assert XSS_ESCAPED in client.get("/user/susan/popup").text
    assert XSS_ESCAPED in client.get("/edit_profile").text  # in the textarea
    assert XSS_ESCAPED in client.get("/messages").text
    assert XSS_ESCAPED in client.get("/index").text  # the task's description in the progress alert
    search = client.get("/search?q=" + quote(XSS)).text
    assert XSS_ESCAPED in search  # the search term echoed back


def test_flashed_messages_escape_names_from_the_url(hostile):
    _, client, _ = hostile
    name = '"><img src=x onerror=alert(5)>'  # no slash, so it stays one path segment
    response = client.post("/follow/" + quote(name, safe=""), follow_redirects=True)
    assert response.status_code == 200
    assert name not in response.text
    assert "&#34;&gt;&lt;img src=x onerror=alert(5)&gt;" in response.text
    assert audit(response.text).problems == []


def test_json_carries_user_text_as_data_never_as_html(hostile):
    app, client, seeded = hostile
    response = client.get("/notifications")
    assert response.mimetype == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    hostile_note = next(item for item in response.json if item["name"] == "hostile")
    assert hostile_note["data"] == {"text": XSS, "attr": XSS_ATTR}

    api = app.test_client()
    token = api.post("/api/tokens", auth=("susan", "correct horse battery")).json["token"]
    post = api.get(f"/api/posts/{seeded['posts'][0].id}", headers={"Authorization": f"Bearer {token}"})
    assert post.mimetype == "application/json"
    assert post.json["body"] == f"alert {XSS}"
    evil = api.get(f"/api/users/{seeded['evil'].id}", headers={"Authorization": f"Bearer {token}"})
    assert evil.mimetype == "application/json"
    assert evil.json["username"] == EVIL_NAME


# Headers


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"{response.request.path}: no Content-Security-Policy"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name.lower()] = values
    return directives


def assert_hardened(response) -> None:
    where = response.request.path
    csp = csp_directives(response)
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src, where
    assert "'unsafe-inline'" not in script_src, where
    assert "'unsafe-eval'" not in script_src, where
    assert "*" not in script_src and "data:" not in script_src, where
    assert csp.get("object-src") == ["'none'"], where
    assert csp.get("frame-ancestors") in (["'none'"], ["'self'"]), where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") in {
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
    }, where


def test_security_headers_on_pages_errors_json_and_static_files(hostile):
    app, client, _ = hostile
    anonymous = app.test_client()
    responses = [
        client.get("/index"),
        client.get("/user/susan/popup"),
        client.get("/no-such-page"),
        client.get("/follow/john"),  # 405
        client.get("/notifications"),
        client.get("/static/js/app.js"),
        client.get("/api/docs"),
        client.get("/api/openapi.json"),
        anonymous.get("/api/users"),  # 401 JSON
        anonymous.get("/auth/login"),
        anonymous.get("/index"),  # redirect to the login page
    ]
    for response in responses:
        response.close()  # static files are streamed from disk
        assert_hardened(response)


# No inline script anywhere


class ScriptAudit(HTMLParser):
    """Collect inline scripts, inline event handlers, `javascript:` URLs and same-site links of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.links: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self._in_script = True
            if not attributes.get("src"):
                self.problems.append("inline <script> without src")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"inline event handler <{tag} {name}>")
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.problems.append(f"javascript: URL in <{tag} {name}>")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append("inline script code")


def audit(html: str) -> ScriptAudit:
    parser = ScriptAudit()
    parser.feed(html)
    parser.close()
    return parser


def crawl(client, start: list[str], limit: int = 150) -> dict[str, list[str]]:
    """Visit every same-site HTML page reachable from `start` (GET only); return problems by URL."""
    seen: set[str] = set()
    queue = deque(start)
    problems: dict[str, list[str]] = {}
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code < 500, f"GET {url}: {response.status_code}"
        if response.mimetype != "text/html":
            continue
        page = audit(response.text)
        if page.problems:
            problems[url] = page.problems
        for href in page.links:
            parts = urlsplit(urljoin("http://localhost" + url, href))
            if parts.netloc != "localhost" or parts.path.startswith(("/static", "/api/docs/swagger-ui")):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert len(seen) > 10, "the crawl found too few pages"
    return problems


def test_no_page_a_logged_in_user_sees_has_inline_script(hostile):
    app, client, seeded = hostile
    for n in range(30):  # enough posts for a second page everywhere
        from tests.support.factories import PostFactory

        PostFactory(author=seeded["susan"], body=f"filler {n}")
    start = HTML_PAGES + ["/", "/explore?page=2", "/index?page=2", "/user/susan?page=2", "/api/docs", "/auth/logout"]
    problems = crawl(client, start)
    assert problems == {}, json.dumps(problems, indent=1)


def test_no_auth_or_error_page_has_inline_script(plain_app):
    seeded = seed_hostile_content()
    token = seeded["susan"].get_reset_password_token()
    client = plain_app.test_client()
    start = [
        "/auth/login",
        "/auth/login?next=/explore",
        "/auth/register",
        "/auth/reset_password_request",
        f"/auth/reset_password/{token}",
        "/auth/reset_password/not-a-token",
        "/auth/logout",
        "/no-such-page",
    ]
    problems = {}
    for url in start:
        response = client.get(url)
        assert response.status_code in {200, 302, 404}, url
        if response.mimetype == "text/html" and audit(response.text).problems:
            problems[url] = audit(response.text).problems
    assert problems == {}, problems


def test_error_pages_have_no_inline_script():
    app = make_app(WTF_CSRF_ENABLED=True, MAX_CONTENT_LENGTH=1000, MAX_UPLOAD_LENGTH=1000)  # /index takes uploads
    for _ in pushed(app):
        seed_hostile_content()
        client = log_in(app.test_client())
        token = csrf_token_from(client.get("/index").text)
        responses = {
            400: client.post("/index", data={"post": "no token"}),
            404: client.get("/no-such-page"),
            405: client.get("/follow/john"),
            413: client.post("/index", data={"post": "x" * 5000, "csrf_token": token}),
        }
        for status, response in responses.items():
            assert response.status_code == status
            assert response.mimetype == "text/html"
            assert audit(response.text).problems == [], status
            assert_hardened(response)
        db.session.remove()
