"""API fixtures: a token for a user, its Authorization headers, a second user."""

import pytest

from tests.support.api import bearer, token_for
from tests.support.factories import UserFactory


@pytest.fixture
def token(client, user) -> str:
    """A bearer token for `user` (susan)."""
    return token_for(client, "susan")


@pytest.fixture
def headers(token) -> dict[str, str]:
    """Authorization headers for `user` (susan)."""
    return bearer(token)


@pytest.fixture
def other():
    """A second user, 'bob'."""
    return UserFactory(username="bob", email="bob@example.com")
