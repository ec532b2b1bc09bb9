"""boot.sh end to end: migrate and serve a new PostgreSQL database with two gunicorn workers."""

import os
import re
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests

from tests.support.live_server import free_port, production_env
from tests.support.pages import csrf_token_from
from tests.support.paths import ROOT

BOOT = ROOT / "boot.sh"
PASSWORD = "boot-test-password"


def csrf_token(session: requests.Session, url: str) -> str:
    response = session.get(url, timeout=10)
    assert response.status_code == 200, url
    return csrf_token_from(response.text)


def wait_for_health(base: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"boot.sh exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            response = requests.get(f"{base}/healthz", timeout=5)
            if response.status_code == 200:
                return response.json()
        except requests.ConnectionError:
            pass
        time.sleep(0.3)
    pytest.fail(f"/healthz never answered 200:\n{log.read_text()[-4000:]}")


def stop(process: subprocess.Popen, timeout: float = 40) -> None:
    """SIGTERM the process group (gunicorn and its workers) and wait for gunicorn to exit."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        pytest.fail("gunicorn did not exit on SIGTERM")


@pytest.mark.postgres
def test_boot_migrates_and_serves_postgresql_with_two_workers(pg_scratch, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "boot.log"
    env = production_env(pg_scratch(), PORT=str(port), WEB_CONCURRENCY="2")
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(BOOT)], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        health = wait_for_health(base, process, log)
        assert health["checks"]["database"] == {"status": "ok", "backend": "postgresql"}

        web = requests.Session()
        username = f"boot{uuid.uuid4().hex[:6]}"
        form = {
            "csrf_token": csrf_token(web, f"{base}/auth/register"),
            "username": username,
            "email": f"{username}@example.com",
            "password": PASSWORD,
            "password2": PASSWORD,
        }
        response = web.post(f"{base}/auth/register", data=form, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text[:2000]

        form = {"csrf_token": csrf_token(web, f"{base}/auth/login"), "username": username, "password": PASSWORD}
        response = web.post(f"{base}/auth/login", data=form, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text[:2000]

        body = f"Hello from gunicorn {uuid.uuid4().hex[:8]}"
        form = {"csrf_token": csrf_token(web, f"{base}/index"), "post": body}
        response = web.post(f"{base}/index", data=form, allow_redirects=False, timeout=10)
        assert response.status_code == 302
        # Several requests, so both workers are likely to serve some: the signed session works in any worker.
        for _ in range(4):
            page = web.get(f"{base}/index", timeout=10)
            assert page.status_code == 200
            assert body in page.text
    finally:
        stop(process)

    output = log.read_text()
    assert process.returncode == 0, output[-4000:]
    assert "Booting worker" in output
    assert len(set(re.findall(r"Booting worker with pid: (\d+)", output))) >= 2
    assert re.search(r"request_id=\S+ method=POST path=/index status=302", output)
    # One line per request: the app's own (LOG_TO_STDOUT), not gunicorn's access line as well.
    assert len(re.findall(r"method=GET path=/auth/login status=200", output)) == 1
    assert '"GET /auth/login' not in output
    # Each worker warmed up (templates, catalogues, a connection) before it took a request.
    assert len(re.findall(r"warmed up: \d+ templates, 3 languages", output)) >= 2
    assert PASSWORD not in output
    # Nothing of the process group is left behind.
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)
