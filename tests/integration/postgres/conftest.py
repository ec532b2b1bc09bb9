"""The database suites of tests/unit and tests/security again, on the PostgreSQL server.

The modules here import those tests; this folder's `database_url` puts `any_db_app` on PostgreSQL.
"""

import pytest

from tests.support import services


def pytest_collection_modifyitems(items):
    """Mark every test in this folder `postgres`, so `-m "not postgres"` leaves them out."""
    for item in items:
        if "/tests/integration/postgres/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture
def database_url() -> str:
    """The PostgreSQL server's test database (the app drops its tables after each test)."""
    return services.require_postgres()
