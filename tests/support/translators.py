"""Fake translation services: the real HTTP APIs of Microsoft Translator and LibreTranslate, on a local port."""

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from werkzeug.wrappers import Request, Response

from tests.support.live_server import serve


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


ReplyFor = Callable[[FakeService, Recorded], tuple[int, object]]


@contextmanager
def fake_service(reply_for: ReplyFor) -> Iterator[FakeService]:
    """Serve a fake translation API whose answers come from `reply_for`; yield it, its URL set."""
    service = FakeService(url="")

    @Request.application
    def application(request: Request) -> Response:
        raw = request.get_data()
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        query = parse_qs(request.query_string.decode("latin-1"))
        headers = {key.lower(): value for key, value in request.headers.items()}
        recorded = Recorded(request.method, request.path, query, headers, body)
        service.requests.append(recorded)
        if service.delay:
            time.sleep(service.delay)  # a client that gives up first just closes the connection
        status, payload = reply_for(service, recorded)
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return Response(data, status=status, content_type="application/json; charset=utf-8")

    with serve(application, name="fake-translator") as server:
        service.url = server.url
        yield service


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
