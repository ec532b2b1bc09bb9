"""Where the real services the tests use live, and the one check for a service that is missing.

`service_missing` is the only way a test may skip: locally it skips naming the service, under `CI=true`
it fails, so CI never passes with a service it was meant to test silently left out.
"""

import os
import socket
from urllib.parse import urlsplit

import pytest

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://root@127.0.0.1:5432/test")
MARIADB_URL = os.environ.get("TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4")
# Database 13 keeps the tests' keys away from a developer's own Redis data.
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
CHROMIUM = os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium")
# A real cluster is used only when one is named: none runs on the project's machines.
ELASTICSEARCH_URL = os.environ.get("TEST_ELASTICSEARCH_URL")


def in_ci() -> bool:
    """Return whether we run under CI, where a missing service is a failure."""
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def reachable(url: str, default_port: int) -> bool:
    """Return whether something accepts TCP connections at the URL's host and port."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def service_missing(name: str, where: str, detail: str = "") -> None:
    """Fail under CI, skip locally, naming the service that is down (and what showed it, if given)."""
    message = f"{name} is not reachable at {where}" + (f": {detail}" if detail else "")
    if in_ci():
        pytest.fail(f"{message} (CI=true: the tests need it)", pytrace=False)
    pytest.skip(message)


def require_postgres() -> str:
    if not reachable(POSTGRES_URL, 5432):
        service_missing("PostgreSQL", POSTGRES_URL)
    return POSTGRES_URL


def require_mariadb() -> str:
    if not reachable(MARIADB_URL, 3306):
        service_missing("MariaDB", MARIADB_URL)
    return MARIADB_URL


def require_redis() -> str:
    if not reachable(REDIS_URL, 6379):
        service_missing("Redis", REDIS_URL)
    return REDIS_URL


def require_elasticsearch() -> str:
    if not ELASTICSEARCH_URL or not reachable(ELASTICSEARCH_URL, 9200):
        service_missing("Elasticsearch", ELASTICSEARCH_URL or "TEST_ELASTICSEARCH_URL (unset)")
    return ELASTICSEARCH_URL


def require_chromium() -> str:
    if not os.path.exists(CHROMIUM):
        service_missing("Chromium", CHROMIUM)
    return CHROMIUM
