"""The model tests of tests/unit/test_models.py, on PostgreSQL (this folder's `any_db_app`)."""

from tests.unit.test_models import *  # noqa: F403  (every test there runs on `any_db_app`)
