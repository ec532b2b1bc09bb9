"""HTTP Signatures as the fediverse uses them (draft-cavage-http-signatures-12, as Mastodon sends them).

A server signs a request with its actor's RSA key over a few of its headers: the pseudo-header
`(request-target)` (method and path), `host`, `date` and, for a POST, `digest` (SHA-256 of the
body), and names them in the `Signature` header with the key's id (`keyId`, the actor's key URL).
The receiver rebuilds the same lines, fetches the key and checks the signature with RSA-SHA256.

`verify` refuses, with the reason, a request that signs too little, whose `Date` is more than
five minutes away from now, whose `Digest` does not match its body, or whose signature does not
check out. It takes the key from a function, so that fetching and caching keys stay apart.
"""

import base64
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

# How far a request's Date may be from the receiver's clock, either way.
CLOCK_WINDOW = timedelta(minutes=5)
# What every signed request must cover; a request with a body covers its digest too.
REQUIRED = ("(request-target)", "host", "date")
# The algorithm names Mastodon sends or accepts: both mean RSASSA-PKCS1-v1_5 with SHA-256 here.
ALGORITHMS = frozenset({"rsa-sha256", "hs2019"})
_PARAMETER = re.compile(r'\s*(\w+)\s*=\s*"([^"]*)"\s*(?:,|$)')


class SignatureError(Exception):
    """The request's signature is missing, incomplete, stale or wrong; `str()` says which."""


@dataclass(frozen=True)
class Signature:
    key_id: str
    algorithm: str
    headers: tuple[str, ...]
    signature: bytes


def digest(body: bytes) -> str:
    """The `Digest` header's value for `body`."""
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def sign(
    method: str, url: str, body: bytes | None, key_id: str, private_key: rsa.RSAPrivateKey, now: datetime | None = None
) -> dict[str, str]:
    """Return the headers that sign a request to `url`: Host, Date, Digest (with a body) and Signature."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Host": parts.netloc, "Date": format_datetime(now or datetime.now(UTC), usegmt=True)}
    if body is not None:
        headers["Digest"] = digest(body)
    names = ["(request-target)", *(name.lower() for name in headers)]
    lines = _signing_string(method, target, {name.lower(): value for name, value in headers.items()}, names)
    signed = private_key.sign(lines.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    headers["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signed).decode("ascii")}"'
    )
    return headers


def parse(value: str) -> Signature:
    """Read a `Signature` header (or an `Authorization: Signature ...` value)."""
    if value[:10].lower() == "signature ":
        value = value[10:]
    found = {}
    position = 0
    while position < len(value):
        match = _PARAMETER.match(value, position)
        if match is None:
            raise SignatureError("the Signature header is malformed")
        found[match[1].lower()] = match[2]
        position = match.end()
    if "keyid" not in found or "signature" not in found:
        raise SignatureError("the Signature header names no keyId or no signature")
    try:
        signature = base64.b64decode(found["signature"], validate=True)
    except ValueError as error:
        raise SignatureError("the signature is not base64") from error
    headers = tuple(found.get("headers", "date").lower().split())
    return Signature(found["keyid"], found.get("algorithm", "hs2019").lower(), headers, signature)


def verify(
    method: str,
    target: str,
    headers: Mapping[str, str],
    body: bytes,
    public_key_for: Callable[[str], str],
    now: datetime | None = None,
) -> Signature:
    """Check a received request's signature and return it; SignatureError says why one is refused.

    `target` is the path with its query string; `headers` must look up names in any case (as
    Werkzeug's do); `public_key_for(key_id)` returns the key's PEM, or raises SignatureError.
    """
    value = headers.get("Signature") or headers.get("Authorization")
    if not value:
        raise SignatureError("the request is not signed")
    signature = parse(value)
    if signature.algorithm not in ALGORITHMS:
        raise SignatureError(f"the algorithm {signature.algorithm!r} is not accepted")
    required = REQUIRED + (("digest",) if body else ())
    missing = [name for name in required if name not in signature.headers]
    if missing:
        raise SignatureError(f"the signature does not cover {', '.join(missing)}")
    _check_date(headers.get("Date"), now or datetime.now(UTC))
    if body and not _digest_matches(headers.get("Digest", ""), body):
        raise SignatureError("the Digest does not match the body")
    lowered = {name: headers.get(name) for name in signature.headers if not name.startswith("(")}
    if any(value is None for value in lowered.values()):
        raise SignatureError("a signed header is missing from the request")
    lines = _signing_string(method, target, lowered, signature.headers)
    try:
        key = serialization.load_pem_public_key(public_key_for(signature.key_id).encode("ascii"))
        if not isinstance(key, rsa.RSAPublicKey):
            raise SignatureError("the key is not an RSA key")
        key.verify(signature.signature, lines.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as error:
        raise SignatureError("the signature does not match") from error
    except (ValueError, UnsupportedAlgorithm) as error:
        raise SignatureError("the key cannot be read") from error
    return signature


def _signing_string(method: str, target: str, values: Mapping[str, str], names) -> str:
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"(request-target): {method.lower()} {target}")
        elif name.startswith("("):
            raise SignatureError(f"the pseudo-header {name} is not supported")
        else:
            lines.append(f"{name}: {values[name]}")
    return "\n".join(lines)


def _check_date(value: str | None, now: datetime) -> None:
    try:
        sent = parsedate_to_datetime(value or "")
    except (TypeError, ValueError) as error:
        raise SignatureError("the Date header is missing or malformed") from error
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=UTC)
    if abs(now - sent) > CLOCK_WINDOW:
        raise SignatureError("the Date is more than five minutes from now")


def _digest_matches(value: str, body: bytes) -> bool:
    expected = digest(body).split("=", 1)[1]
    for part in value.split(","):
        algorithm, _, encoded = part.strip().partition("=")
        if algorithm.lower() == "sha-256" and encoded == expected:
            return True
    return False
