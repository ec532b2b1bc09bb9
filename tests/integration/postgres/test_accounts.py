"""The account deletion tests of tests/unit/test_accounts.py on PostgreSQL."""

from tests.unit.test_accounts import *  # noqa: F403  (every test there runs on `any_db_app`)
