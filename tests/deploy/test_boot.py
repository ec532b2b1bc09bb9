"""boot.sh end to end: migrate and serve PostgreSQL with gunicorn, or give up on a missing database."""

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from tests import services
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
BOOT = ROOT / "boot.sh"
VENV_BIN = Path(sys.executable).parent
PASSWORD = "boot-test-password"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def boot_env(database_url: str, **extra: str) -> dict[str, str]:
    """Return an environment for boot.sh: the venv first on PATH, no external service but the database."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FLASK_", "PYTEST_"))}
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        SECRET_KEY=uuid.uuid4().hex * 2,
        DATABASE_URL=database_url,
        # Blank values override anything in a developer's .env (load_dotenv never replaces a set variable).
        REDIS_URL="",
        ELASTICSEARCH_URL="",
        MAIL_SERVER="",
        SERVER_NAME="",
        SESSION_COOKIE_SECURE="",
        LOG_TO_STDOUT="1",
        **extra,
    )
    env.pop("PYTHON", None)
    return env


@pytest.fixture
def scratch_postgres():
    """Create an empty PostgreSQL database for one test; drop it afterwards."""
    base = sa.engine.make_url(services.require_postgres())
    name = f"microblog_boot_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def csrf_token(session: requests.Session, url: str) -> str:
    response = session.get(url, timeout=10)
    assert response.status_code == 200, url
    match = CSRF.search(response.text)
    assert match, f"no csrf_token on {url}"
    return match.group(1) or match.group(2)


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
def test_boot_migrates_and_serves_postgresql_with_two_workers(scratch_postgres, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "boot.log"
    env = boot_env(scratch_postgres, PORT=str(port), WEB_CONCURRENCY="2")
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
    assert PASSWORD not in output
    # Nothing of the process group is left behind.
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)


def test_boot_gives_up_on_an_unreachable_database(tmp_path):
    url = f"postgresql://microblog:{PASSWORD}@127.0.0.1:{free_port()}/microblog"
    env = boot_env(url, BOOT_DB_RETRIES="3", BOOT_DB_DELAY="0.2", PORT=str(free_port()))
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
    settings: dict = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), settings)
    assert settings["bind"] == ["127.0.0.1:8123"]
    assert settings["workers"] == 3
    assert settings["accesslog"] == "-"
    assert settings["graceful_timeout"] > 0
    assert "forwarded_allow_ips" in settings


def test_gunicorn_workers_default_to_twice_the_cores_plus_one(monkeypatch):
    import multiprocessing

    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    settings: dict = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), settings)
    assert settings["workers"] == 2 * multiprocessing.cpu_count() + 1


def test_gunicorn_master_loads_language_profiles_before_forking(monkeypatch):
    from langdetect import detector_factory

    monkeypatch.setattr(detector_factory, "_factory", None)
    settings: dict = {}
    exec(compile((ROOT / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), settings)
    settings["on_starting"](server=None)
    assert detector_factory._factory is not None
    assert "en" in detector_factory._factory.get_lang_list()
