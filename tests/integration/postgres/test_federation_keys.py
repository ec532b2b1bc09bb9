"""The key pair tests of tests/unit/test_federation_keys.py on PostgreSQL."""

from tests.unit.test_federation_keys import *  # noqa: F403  (every test there runs on `any_db_app`)
