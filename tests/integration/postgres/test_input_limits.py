"""The field-length tests of tests/security/test_input_limits.py, on PostgreSQL (this folder's `any_db_app`).

PostgreSQL refuses an over-long value where SQLite stores it: the limits must hold before the database.
"""

from tests.security.test_input_limits import (  # noqa: F401  (the fixture and the tests that run on `any_db_app`)
    db_app,
    test_a_full_length_multibyte_post_is_stored,
    test_over_long_api_fields_get_a_400,
    test_over_long_auth_fields_get_a_form_error,
    test_over_long_fields_get_a_form_error,
    test_over_long_search_terms_are_answered,
)
