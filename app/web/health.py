"""`/healthz`: whether this process can reach the database, Redis, search and mail.

The answer is 200 when the database is reachable (the site can serve pages) and 503 otherwise; the
other services degrade the site without taking it down, so they are reported but do not fail the
check. Each dependency is "ok", "down" (with a short reason) or "not configured" (the embedded
default is in use). Every check runs in its own thread under a deadline, so a black-holed server
costs at most `CHECK_TIMEOUT` seconds. Nothing secret is returned: no URLs, no passwords.
"""

import contextlib
import re
import smtplib
import threading
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, g, jsonify

from app import search
from app.extensions import db, limiter, login
from config import VERSION

# Seconds each check may take before it counts as down.
CHECK_TIMEOUT = 3.0

bp = Blueprint("health", __name__)

Check = Callable[[], dict[str, Any]]
_URL_CREDENTIALS = re.compile(r"(\w[\w+.-]*://)[^@/\s]*@")


@bp.url_value_preprocessor
def anonymous_health_checks(endpoint: str | None, values: dict | None) -> None:
    """Treat health checks as anonymous before any other hook runs.

    Loading the user from a session cookie needs the database, which may be the thing that is
    down; marking the request anonymous here (URL value preprocessors run before every
    `before_request` hook) also keeps `last_seen` untouched.
    """
    g._login_user = login.anonymous_user()


@bp.route("/healthz")
@limiter.exempt
def healthz():
    """Report the reachability of each dependency; 503 when the database is down."""
    checks = {
        "database": _database_check(),
        "redis": _redis_check(),
        "search": _search_check(),
        "mail": _mail_check(),
    }
    results = _run_bounded(checks, CHECK_TIMEOUT, _secrets())
    healthy = results["database"]["status"] == "ok"
    body = {"status": "ok" if healthy else "down", "version": VERSION, "checks": results}
    response = jsonify(body)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _database_check() -> Check:
    engine = db.engine
    backend = engine.url.get_backend_name()

    def check() -> dict[str, Any]:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
        return {"status": "ok", "backend": backend}

    return check


def _redis_check() -> Check:
    connection = current_app.extensions["tasks"].connection()
    if connection is None:
        return _not_configured("in-process")

    def check() -> dict[str, Any]:
        connection.ping()
        return {"status": "ok", "backend": "redis"}

    return check


def _search_check() -> Check:
    backend = search.get_backend()
    if backend.transactional:
        return _not_configured(backend.name)

    def check() -> dict[str, Any]:
        if not backend.ping():
            raise ConnectionError("no answer from the cluster")
        return {"status": "ok", "backend": backend.name}

    return check


def _mail_check() -> Check:
    server = current_app.config.get("MAIL_SERVER")
    if not server:
        return _not_configured("console")
    port = current_app.config.get("MAIL_PORT") or 25

    def check() -> dict[str, Any]:
        # Connecting reads the server's greeting; QUIT ends the session without sending anything.
        with smtplib.SMTP(server, port, timeout=CHECK_TIMEOUT) as smtp:
            smtp.noop()
        return {"status": "ok", "backend": "smtp"}

    return check


def _not_configured(backend: str) -> Check:
    return lambda: {"status": "not configured", "backend": backend}


def _run_bounded(checks: dict[str, Check], timeout: float, secrets: list[str]) -> dict[str, dict[str, Any]]:
    """Run the checks side by side; one that raises or overruns `timeout` is reported down."""
    results: dict[str, dict[str, Any]] = {}

    def run(name: str, check: Check) -> None:
        try:
            results[name] = check()
        except Exception as exc:
            results[name] = {"status": "down", "reason": _reason(exc, secrets)}

    threads = [
        threading.Thread(target=run, args=item, name=f"healthz-{item[0]}", daemon=True) for item in checks.items()
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return {name: results.get(name, {"status": "down", "reason": f"no answer within {timeout:g}s"}) for name in checks}


def _secrets() -> list[str]:
    """Return the configured passwords, which must never appear in a reason."""
    config = current_app.config
    found = [config.get("SECRET_KEY"), config.get("MAIL_PASSWORD")]
    for key in ("SQLALCHEMY_DATABASE_URI", "REDIS_URL", "ELASTICSEARCH_URL", "RATELIMIT_STORAGE_URI"):
        if config.get(key):
            with contextlib.suppress(Exception):  # not an RFC-1738 URL: nothing to extract
                found.append(sa.engine.make_url(str(config[key])).password)
    return [secret for secret in found if secret and len(str(secret)) >= 3]


def _reason(exc: BaseException, secrets: list[str]) -> str:
    """Return a one-line description of a failure with credentials removed."""
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    text = _URL_CREDENTIALS.sub(r"\1***@", text)
    for secret in secrets:
        text = text.replace(str(secret), "***")
    return f"{exc.__class__.__name__}: {text}"[:200]
