"""Fixtures of the inbox and delivery tests: this server with federation on, alice on it, and a remote peer.

The app's database is a file, not memory: the background deliveries' threads then have
connections of their own.
"""

import pytest

from app.extensions import db
from tests.support.apps import pushed
from tests.support.auth import signed_in
from tests.support.factories import UserFactory
from tests.support.peers import Peer, federated_app


@pytest.fixture
def app(tmp_path):
    yield from pushed(federated_app(tmp_path / "federation.db"))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def alice(app):
    user = UserFactory(username="alice")
    db.session.commit()
    return user


@pytest.fixture
def peer():
    """A remote server on loopback (tests/support/peers.py)."""
    with Peer() as server:
        yield server


@pytest.fixture
def reader(app, alice):
    """A client signed in as alice."""
    return signed_in(app, "alice")


@pytest.fixture
def bob(peer):
    """The peer's account bob."""
    return peer.actor("bob")
