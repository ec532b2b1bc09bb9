"""Each account's RSA key pair: made on first need, published in its actor, sealed at rest.

The private key is kept as a Fernet token (AES with an HMAC) under a key that HKDF derives from the
app's SECRET_KEY, so the database alone, a backup of it say, cannot sign as any account. Changing
SECRET_KEY therefore makes every stored key unusable: `rotate` gives an account a new pair.
"""

import base64

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

from app.extensions import db
from app.models import ActorKey, InstanceKey, User, utcnow

KEY_BITS = 2048
# Names this use of SECRET_KEY, so that the derived key serves nothing else.
_SEALING_CONTEXT = b"microblog federation: actor private keys"


class KeyUnusable(Exception):
    """A stored private key does not open under this SECRET_KEY (it was changed, or the row altered)."""


def key_for(user: User) -> ActorKey:
    """Return `user`'s key pair; on first need, make one and commit it."""
    user_id = user.id
    key = db.session.get(ActorKey, user_id)
    if key is not None:
        return key
    db.session.add(_new_key(user_id))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        # Two first requests for one actor raced: the later one keeps the pair stored first.
        db.session.rollback()
    return db.session.get(ActorKey, user_id)


def rotate(user: User) -> ActorKey:
    """Replace `user`'s key pair with a new one (the caller commits)."""
    fresh = _new_key(user.id)
    key = db.session.get(ActorKey, user.id)
    if key is None:
        db.session.add(fresh)
        return fresh
    key.public_key_pem, key.private_key_sealed, key.created_at = (
        fresh.public_key_pem,
        fresh.private_key_sealed,
        utcnow(),
    )
    return key


def private_key(key: ActorKey) -> rsa.RSAPrivateKey:
    """Return the private half of `key`, unsealed; KeyUnusable when SECRET_KEY does not open it."""
    return unseal(key.private_key_sealed, f"the private key of user {key.user_id}")


def unseal(sealed: str, what: str = "a private key") -> rsa.RSAPrivateKey:
    """Open a sealed private key (an ActorKey's `private_key_sealed`); KeyUnusable when it does not open."""
    try:
        pem = _fernet().decrypt(sealed.encode("ascii"))
    except (InvalidToken, ValueError) as error:
        raise KeyUnusable(f"{what} does not open under this SECRET_KEY") from error
    return serialization.load_pem_private_key(pem, password=None)


def instance_key() -> InstanceKey:
    """Return the server's own key pair (its instance actor's); on first need, make one and commit it."""
    key = db.session.get(InstanceKey, 1)
    if key is not None:
        return key
    public_pem, sealed = _new_pair()
    db.session.add(InstanceKey(id=1, public_key_pem=public_pem, private_key_sealed=sealed, created_at=utcnow()))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()  # two first needs raced: the pair stored first serves
    return db.session.get(InstanceKey, 1)


def _new_key(user_id: int) -> ActorKey:
    public_pem, sealed = _new_pair()
    return ActorKey(user_id=user_id, public_key_pem=public_pem, private_key_sealed=sealed, created_at=utcnow())


def _new_pair() -> tuple[str, str]:
    """A new RSA key pair: its public half in PEM, and its private half sealed."""
    pair = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    private_pem = pair.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = pair.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return public_pem.decode("ascii"), _fernet().encrypt(private_pem).decode("ascii")


def _fernet() -> Fernet:
    """The sealing key: 32 bytes HKDF derives from SECRET_KEY for this use alone."""
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SEALING_CONTEXT).derive(secret)
    return Fernet(base64.urlsafe_b64encode(derived))
