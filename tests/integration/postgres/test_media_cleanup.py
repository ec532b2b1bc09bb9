"""The image cleanup tests of tests/unit/test_media_cleanup.py on PostgreSQL."""

from tests.unit.test_media_cleanup import *  # noqa: F403  (every test there runs on `database_url`)
