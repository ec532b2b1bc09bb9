"""Fixtures for the i18n tests: compiled catalogues, fake translation services, a live server."""

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.conftest import TestConfig, free_port, make_app

TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "app" / "translations"
LANGUAGES = ("es", "zh")


def pytest_collection_modifyitems(items):
    """Mark the browser tests `e2e`, so `-m "not e2e"` skips them here too."""
    for item in items:
        if item.path.name == "test_browser_locale.py":
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues() -> None:
    """Build any missing or stale .mo file (`make` normally does this; they are git-ignored)."""
    for po_path in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)


@pytest.fixture
def app():
    """Like the shared `app` fixture, but each request picks its locale afresh.

    The shared fixture holds an app context open, so every test-client request reuses it and its `g`,
    where Flask-Babel caches the locale of the first request. A real server has one context per request.
    """
    from flask_babel import refresh

    app = make_app()
    app.before_request_funcs.setdefault(None, []).insert(0, refresh)
    with app.app_context():
        yield app
        db.session.remove()


# Fake translation services: the real HTTP APIs, answered by a local server.


@dataclass
class Recorded:
    """One request the fake service received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: object


@dataclass
class FakeService:
    """A local HTTP server speaking one translation API; `reply` decides each answer."""

    url: str
    requests: list[Recorded] = field(default_factory=list)
    # (status, JSON body) or a callable taking the Recorded request; `delay` seconds before answering.
    reply: object = None
    delay: float = 0.0


def _start_fake(reply_for: Callable[[FakeService, Recorded], tuple[int, object]]) -> Iterator[FakeService]:
    service = FakeService(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
            parts = urlsplit(self.path)
            recorded = Recorded(
                "POST", parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()}, body
            )
            service.requests.append(recorded)
            if service.delay:
                time.sleep(service.delay)
            status, payload = reply_for(service, recorded)
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout test)

        def log_message(self, format, *args):  # keep the test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="fake-translator", daemon=True)
    thread.start()
    service.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield service
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def microsoft_reply(service: FakeService, request: Recorded) -> tuple[int, object]:
    """Answer as Microsoft Translator v3.0 does, after checking the request's shape."""
    if service.reply is not None:
        return service.reply(request) if callable(service.reply) else service.reply
    if request.path != "/translate" or request.query.get("api-version") != ["3.0"]:
        return 404, {"error": {"code": 404000, "message": "The requested resource was not found."}}
    if request.headers.get("ocp-apim-subscription-key") != "test-key":
        return 401, {
            "error": {
                "code": 401000,
                "message": "The request is not authorized because credentials are missing or invalid.",
            }
        }
    if not isinstance(request.body, list) or not all(
        isinstance(item, dict) and "Text" in item for item in request.body
    ):
        return 400, {"error": {"code": 400074, "message": "The body of the request is not valid JSON."}}
    to = request.query["to"][0]
    return 200, [
        {"translations": [{"text": f"[{to}] {item['Text']}", "to": to}]}
        for item in request.body  # type: ignore[index]
    ]


def libretranslate_reply(service: FakeService, request: Recorded) -> tuple[int, object]:
    """Answer as LibreTranslate's POST /translate does."""
    if service.reply is not None:
        return service.reply(request) if callable(service.reply) else service.reply
    body = request.body
    if request.path != "/translate" or not isinstance(body, dict):
        return 404, {"error": "Not Found"}
    if not body.get("q"):
        return 400, {"error": "Invalid request: missing q parameter"}
    return 200, {"translatedText": f"[{body['target']}] {body['q']}"}


@pytest.fixture
def microsoft_service() -> Iterator[FakeService]:
    """A fake Microsoft Translator on a free local port."""
    yield from _start_fake(microsoft_reply)


@pytest.fixture
def libretranslate_service() -> Iterator[FakeService]:
    """A fake LibreTranslate server on a free local port."""
    yield from _start_fake(libretranslate_reply)


# A live server for the browser tests.


@pytest.fixture
def start_live_server(tmp_path) -> Iterator[Callable[..., str]]:
    """Start the real app (CSRF on, SQLite file) in a thread with extra settings; return its base URL."""
    running = []

    def start(**settings) -> str:
        config = {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / f'i18n-{len(running)}.db'}",
            "WTF_CSRF_ENABLED": True,
            "SECRET_KEY": "i18n-test-secret-key-0123456789abcdef",
            **settings,
        }
        app = create_app(type("I18nLiveServerConfig", (TestConfig,), config))
        with app.app_context():
            db.create_all()
        server = make_server("127.0.0.1", free_port(), app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, name="i18n-live-server", daemon=True)
        thread.start()
        running.append((app, server, thread))
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for app, server, thread in running:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()
