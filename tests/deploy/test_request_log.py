"""The per-request log line and the X-Request-ID header."""

import logging
import re

import pytest

from app.web.request_log import format_fields, incoming_request_id
from tests.support.apps import make_app
from tests.support.factories import UserFactory

LOGGER = "app.request"


def request_lines(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == LOGGER]


def parse(line: str) -> dict[str, str]:
    """Parse `key=value` pairs (values may be JSON-quoted)."""
    pairs = re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)', line)
    return {key: value for key, value in pairs}


def test_one_line_per_request_with_the_fields(client, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    response = client.get("/auth/login?next=/x", headers={"X-Request-ID": "req-42"})
    assert response.status_code == 200
    [record] = request_lines(caplog)
    assert record.levelno == logging.INFO
    assert "\n" not in record.getMessage()
    fields = parse(record.getMessage())
    assert fields["request_id"] == "req-42"
    assert fields["method"] == "GET"
    assert fields["path"] == "/auth/login"  # the query string (which may hold tokens) is not logged
    assert fields["status"] == "200"
    assert float(fields["duration_ms"]) >= 0
    assert fields["user_id"] == "-"


def test_logged_in_user_id_is_logged(app, client, auth, caplog):
    user = UserFactory(username="susan", email="susan@example.com")
    auth.login("susan")
    caplog.set_level(logging.INFO, logger=LOGGER)
    client.get("/index")
    [record] = request_lines(caplog)
    assert parse(record.getMessage())["user_id"] == str(user.id)


def test_api_token_user_id_is_logged(app, client, caplog):
    user = UserFactory(username="susan", email="susan@example.com")
    token = user.get_token()
    from app.extensions import db

    db.session.commit()
    caplog.set_level(logging.INFO, logger=LOGGER)
    response = client.get(f"/api/users/{user.id}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    [record] = request_lines(caplog)
    assert parse(record.getMessage())["user_id"] == str(user.id)


def test_request_id_is_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "3f2a9c1e-aaaa-4bbb-8ccc-0123456789ab"})
    assert response.headers["X-Request-ID"] == "3f2a9c1e-aaaa-4bbb-8ccc-0123456789ab"


@pytest.mark.parametrize("header", [None, "", "a b", "x" * 300, "evil\tvalue", "<script>", "é"])
def test_missing_or_insane_request_id_is_replaced(client, caplog, header):
    caplog.set_level(logging.INFO, logger=LOGGER)
    headers = {} if header is None else {"X-Request-ID": header}
    response = client.get("/healthz", headers=headers)
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    [record] = request_lines(caplog)
    assert parse(record.getMessage())["request_id"] == request_id


def test_each_request_gets_its_own_id(client):
    assert client.get("/healthz").headers["X-Request-ID"] != client.get("/healthz").headers["X-Request-ID"]


def test_error_pages_carry_the_id_too(client, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    response = client.get("/no-such-page", headers={"X-Request-ID": "missing-1"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "missing-1"
    assert parse(request_lines(caplog)[0].getMessage())["status"] == "404"


def test_unhandled_error_is_logged_with_traceback_and_an_error_line(caplog):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    def boom():
        raise RuntimeError("kaboom")

    caplog.set_level(logging.INFO)
    response = app.test_client().get("/boom", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "boom-1"
    tracebacks = [record for record in caplog.records if record.exc_info and "kaboom" in str(record.exc_info[1])]
    assert tracebacks, "the exception and its traceback are logged"
    [line] = request_lines(caplog)
    assert line.levelno == logging.ERROR
    assert parse(line.getMessage())["request_id"] == "boom-1"


def test_hostile_path_stays_on_one_line(client, caplog):
    caplog.set_level(logging.INFO, logger=LOGGER)
    client.get("/user/a%0Aforged=1%20x")
    [record] = request_lines(caplog)
    message = record.getMessage()
    assert "\n" not in message
    assert parse(message)["path"].startswith('"')


def test_format_quotes_only_when_needed():
    assert format_fields({"a": "plain", "b": None, "c": "two words", "d": 'q"uote'}) == (
        'a=plain b=- c="two words" d="q\\"uote"'
    )


def test_sane_request_ids_are_kept():
    for value in ("abc", "0123456789abcdef0123456789abcdef", "Root=1-67891233-abcdef012345678912345678"):
        assert incoming_request_id(value) == value


def test_line_goes_to_stdout_when_log_to_stdout(capsys):
    """In production (not testing) with LOG_TO_STDOUT the line reaches stdout through the root handler."""
    from app import create_app
    from tests.support.apps import TestConfig

    config = type("StdoutConfig", (TestConfig,), {"TESTING": False, "LOG_TO_STDOUT": True})
    root = logging.getLogger()
    before = list(root.handlers)
    level = root.level
    try:
        app = create_app(config)
        app.test_client().get("/healthz", headers={"X-Request-ID": "stdout-1"})
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
        root.setLevel(level)
    out = capsys.readouterr().out
    assert "request_id=stdout-1 method=GET path=/healthz status=200" in out
