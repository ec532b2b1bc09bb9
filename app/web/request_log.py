"""One log line per request, tied together by a request id.

Every request gets an id: the caller's `X-Request-ID` when it looks like an id (so a proxy's or a
load balancer's id follows the request through), else a new random one. The id is echoed in the
`X-Request-ID` response header and written in a `key=value` line per request on the `app.request`
logger, which `register_logging` sends to stdout (LOG_TO_STDOUT) or the log file:

    request_id=9f0c... method=POST path=/auth/login status=302 duration_ms=41.7 user_id=- remote_addr=10.0.0.7

Unhandled errors are logged with their traceback by Flask (`app.logger`); their request line is
written at ERROR level with the same id, so the two can be matched.

`remote_addr` is the client's address once TRUSTED_PROXIES tells the app how many proxies to look
through (1 behind the nginx in deployment/); see `app.web.init_app`.
"""

import json
import logging
import re
import time
import uuid
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, g, request
from flask_login import AnonymousUserMixin

REQUEST_ID_HEADER = "X-Request-ID"
# Letters, digits and a little punctuation, as produced by nginx ($request_id), uuid4 or AWS/GCP.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+=/-]{0,127}")
# A value holding one of these is quoted (JSON), as one that is empty or has a character that does not print.
_NEEDS_QUOTES = re.compile(r'[\s"=\\]')

log = logging.getLogger("app.request")


def register_request_logging(app: Flask) -> None:
    """Give each request an id, echo it, and log one line per request."""
    app.before_request(start_request)
    app.after_request(log_request)


def incoming_request_id(value: str | None) -> str:
    """Return the caller's request id when it is sane, else a new random one."""
    if value and _SANE_REQUEST_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def start_request() -> None:
    """Note the request's id and start time."""
    g.request_id = incoming_request_id(request.headers.get(REQUEST_ID_HEADER))
    g.request_log_started = time.perf_counter()


def log_request(response: Response) -> Response:
    """Echo the request id and write the request's log line."""
    request_id = g.get("request_id") or incoming_request_id(request.headers.get(REQUEST_ID_HEADER))
    response.headers[REQUEST_ID_HEADER] = request_id
    started = g.get("request_log_started")
    duration = (time.perf_counter() - started) * 1000 if started is not None else None
    fields = {
        "request_id": request_id,
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "duration_ms": f"{duration:.1f}" if duration is not None else None,
        "user_id": _user_id(),
        "remote_addr": request.remote_addr,
    }
    log.log(logging.ERROR if response.status_code >= 500 else logging.INFO, format_fields(fields))
    return response


def _user_id() -> Any:
    """Return the id of the user the request was served for, without loading one just for the log."""
    for user in (g.get("current_user"), g.get("_login_user")):  # the API's token user, Flask-Login's
        if user is None or isinstance(user, AnonymousUserMixin):
            continue
        # The identity key holds the id even when a commit has expired the row: `user.id` would reload it.
        state = sa.inspect(user, raiseerr=False)
        return state.identity[0] if state is not None and state.identity else getattr(user, "id", None)
    return None


def format_fields(fields: dict[str, Any]) -> str:
    """Return `key=value` pairs on one line; values with spaces, quotes or control characters are quoted."""
    return " ".join(f"{key}={_value(value)}" for key, value in fields.items())


def _value(value: Any) -> str:
    if value is None:
        return "-"
    text = str(value)
    if not text or not text.isprintable() or _NEEDS_QUOTES.search(text):
        return json.dumps(text)
    return text
