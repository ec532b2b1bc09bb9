"""boot.sh gives up on a missing database; its gunicorn config.

boot.sh serving PostgreSQL with gunicorn is in tests/integration/test_boot.py.
"""

import gc
import logging
import os
import re
import subprocess
import time
import types

import pytest

from tests.support.apps import make_app
from tests.support.live_server import free_port, production_env
from tests.support.paths import ROOT

BOOT = ROOT / "boot.sh"
PASSWORD = "boot-test-password"


def gunicorn_settings() -> dict:
    """Evaluate gunicorn.conf.py as gunicorn does (a module with its own `__file__`), in this environment."""
    path = ROOT / "gunicorn.conf.py"
    settings: dict = {"__file__": str(path)}
    exec(compile(path.read_text(), str(path), "exec"), settings)
    return settings


def test_boot_gives_up_on_an_unreachable_database(tmp_path):
    url = f"postgresql://microblog:{PASSWORD}@127.0.0.1:{free_port()}/microblog"
    env = production_env(url, BOOT_DB_RETRIES="3", BOOT_DB_DELAY="0.2", PORT=str(free_port()))
    started = time.monotonic()
    # From another directory: boot.sh finds the project itself.
    result = subprocess.run(
        [str(BOOT)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, start_new_session=True
    )
    assert result.returncode != 0
    assert time.monotonic() - started < 30
    assert "giving up" in result.stderr
    assert "unreachable after 3 attempts" in result.stderr
    assert result.stderr.count("not ready (") == 3
    assert PASSWORD not in result.stderr + result.stdout
    assert "gunicorn" not in result.stdout.lower()


def test_boot_script_is_executable_and_uses_the_pinned_config():
    assert os.access(BOOT, os.X_OK)
    script = BOOT.read_text()
    assert script.startswith("#!")
    assert "exec " in script and "-m gunicorn --config gunicorn.conf.py" in script
    assert "-m flask db upgrade" in script and "-m flask translate compile" in script


def test_gunicorn_config_reads_port_and_web_concurrency(monkeypatch):
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.delenv("BIND", raising=False)
    monkeypatch.delenv("HOST", raising=False)
    settings = gunicorn_settings()
    assert settings["bind"] == ["127.0.0.1:8123"]
    assert settings["workers"] == 3
    assert settings["graceful_timeout"] > 0
    assert "forwarded_allow_ips" in settings


def test_gunicorn_workers_default_to_twice_the_cores_plus_one(monkeypatch):
    import multiprocessing

    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    settings = gunicorn_settings()
    assert settings["workers"] == 2 * multiprocessing.cpu_count() + 1


@pytest.mark.parametrize(("value", "access_log"), [(None, "-"), ("0", "-"), ("1", None), ("true", None)])
def test_gunicorn_access_log_is_off_when_the_app_logs_each_request(monkeypatch, value, access_log):
    if value is None:
        monkeypatch.delenv("LOG_TO_STDOUT", raising=False)
    else:
        monkeypatch.setenv("LOG_TO_STDOUT", value)
    assert gunicorn_settings()["accesslog"] == access_log


def test_gunicorn_recycles_workers_rarely_and_not_together(monkeypatch):
    monkeypatch.delenv("GUNICORN_MAX_REQUESTS", raising=False)
    settings = gunicorn_settings()
    assert settings["max_requests"] >= 50_000
    assert settings["max_requests_jitter"] >= settings["max_requests"] // 20
    monkeypatch.setenv("GUNICORN_MAX_REQUESTS", "0")
    assert gunicorn_settings()["max_requests"] == 0


def test_gunicorn_warms_each_worker_before_it_takes_requests(caplog):
    app = make_app()
    worker = types.SimpleNamespace(wsgi=app)
    gc.unfreeze()
    try:
        with caplog.at_level(logging.INFO, logger="app.web.warmup"):
            gunicorn_settings()["post_worker_init"](worker)
        assert gc.get_freeze_count() > 0  # what the worker made so far is left out of later collections
    finally:
        gc.unfreeze()
    assert "index.html" in " ".join(str(key) for key in app.jinja_env.cache)  # compiled already
    assert re.search(r"warmed up: \d+ templates, 3 languages", caplog.text)
