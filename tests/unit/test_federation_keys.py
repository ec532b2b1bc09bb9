"""Each account's key pair (made once, sealed at rest under SECRET_KEY, rotated, gone with the account)
and the `flask federation` commands.

Runs on SQLite here and on PostgreSQL in tests/integration/postgres/test_federation_keys.py.
"""

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from app import accounts, federation
from app.extensions import db
from app.models import ActorKey
from config import ConfigError
from tests.support.apps import build_app
from tests.support.factories import UserFactory

pytestmark = pytest.mark.usefixtures("request_ctx")


def signs_for(key: ActorKey, data: bytes = b"(request-target): post /inbox") -> bool:
    """Whether what the private half signs, the public half verifies."""
    signature = federation.private_key(key).sign(data, padding.PKCS1v15(), hashes.SHA256())
    public = serialization.load_pem_public_key(key.public_key_pem.encode())
    try:
        public.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return False
    return True


def test_a_pair_is_made_on_first_need_and_then_reused():
    user = UserFactory()
    db.session.commit()
    key = federation.key_for(user)
    assert key.public_key_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert federation.private_key(key).key_size == 2048
    assert signs_for(key)
    db.session.expire_all()
    assert federation.key_for(user).public_key_pem == key.public_key_pem


def test_the_private_key_is_stored_sealed():
    user = UserFactory()
    db.session.commit()
    key = federation.key_for(user)
    assert "PRIVATE KEY" not in key.private_key_sealed
    private_pem = federation.private_key(key).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert private_pem.decode() not in key.private_key_sealed


def test_another_secret_key_cannot_open_it(any_db_app):
    user = UserFactory()
    db.session.commit()
    key = federation.key_for(user)
    any_db_app.config["SECRET_KEY"] = "another-secret-key-entirely-of-sufficient-length"
    with pytest.raises(federation.KeyUnusable):
        federation.private_key(key)


def test_a_tampered_key_does_not_open():
    user = UserFactory()
    db.session.commit()
    key = federation.key_for(user)
    key.private_key_sealed = key.private_key_sealed[:-4] + "AAAA"
    with pytest.raises(federation.KeyUnusable):
        federation.private_key(key)


def test_rotation_gives_a_new_pair_that_signs():
    user = UserFactory()
    db.session.commit()
    old = federation.key_for(user).public_key_pem
    key = federation.rotate(user)
    db.session.commit()
    assert key.public_key_pem != old
    assert signs_for(db.session.get(ActorKey, user.id))


def test_the_pair_goes_with_the_account():
    user = UserFactory()
    db.session.commit()
    federation.key_for(user)
    user_id = user.id
    accounts.delete_account(user)
    db.session.commit()
    assert db.session.get(ActorKey, user_id) is None


def test_federation_needs_a_server_name():
    with pytest.raises(ConfigError, match="SERVER_NAME"):
        build_app(FEDERATION=True, SERVER_NAME=None)


# flask federation keys


def test_the_command_rotates_the_named_accounts(any_db_app):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    db.session.commit()
    before = {user.username: federation.key_for(user).public_key_pem for user in (alice, bob)}
    result = any_db_app.test_cli_runner().invoke(args=["federation", "keys", "alice"])
    assert result.exit_code == 0, result.output
    assert "1 of 1 accounts have a new key pair" in result.output
    db.session.expire_all()
    assert db.session.get(ActorKey, alice.id).public_key_pem != before["alice"]
    assert db.session.get(ActorKey, bob.id).public_key_pem == before["bob"]


def test_the_command_rotates_every_key_after_a_secret_key_change(any_db_app):
    users = [UserFactory() for _ in range(3)]
    db.session.commit()
    for user in users:
        federation.key_for(user)
    any_db_app.config["SECRET_KEY"] = "the-new-secret-key-after-the-old-one-leaked"
    result = any_db_app.test_cli_runner().invoke(args=["federation", "keys", "--all"])
    assert result.exit_code == 0, result.output
    assert "3 of 3 accounts" in result.output
    db.session.expire_all()
    assert all(signs_for(db.session.get(ActorKey, user.id)) for user in users)


@pytest.mark.parametrize("args", [[], ["alice", "--all"], ["nobody"]])
def test_the_command_refuses_what_it_cannot_do(any_db_app, args):
    UserFactory(username="alice")
    db.session.commit()
    result = any_db_app.test_cli_runner().invoke(args=["federation", "keys", *args])
    assert result.exit_code != 0
    assert "Error" in result.output


# flask federation block | unblock | blocks


def test_the_commands_block_list_and_unblock_a_domain(any_db_app):
    runner = any_db_app.test_cli_runner()
    result = runner.invoke(args=["federation", "block", "Spam.Example", "--reason", "spam wave"])
    assert result.exit_code == 0, result.output
    assert "spam.example is blocked." in result.output
    assert federation.domains.blocked("spam.example")
    listed = runner.invoke(args=["federation", "blocks"])
    assert "spam.example" in listed.output and "spam wave" in listed.output
    assert runner.invoke(args=["federation", "unblock", "spam.example"]).exit_code == 0
    assert "No domain is blocked." in runner.invoke(args=["federation", "blocks"]).output
    assert runner.invoke(args=["federation", "unblock", "spam.example"]).exit_code != 0
