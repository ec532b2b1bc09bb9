"""HTTP Signatures (draft-cavage, as Mastodon signs): what `sign` makes, `verify` takes, and what it refuses."""

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.datastructures import Headers

from app.federation.signatures import SignatureError, digest, parse, sign, verify

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
URL = "https://micro.test/user/alice/inbox?x=1"
KEY_ID = "https://remote.example/users/bob#main-key"
BODY = b'{"type": "Follow"}'


@pytest.fixture(scope="module")
def pair():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(private_key) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def received(headers: dict, body: bytes = BODY, pair=None, now=NOW, target="/user/alice/inbox?x=1"):
    return verify("POST", target, Headers(headers), body, lambda key_id: pem(pair), now=now)


def test_a_signed_request_verifies(pair):
    headers = sign("POST", URL, BODY, KEY_ID, pair, now=NOW)
    assert headers["Host"] == "micro.test"
    assert headers["Date"] == "Mon, 07 Dec 2026 12:00:00 GMT"
    assert headers["Digest"] == digest(BODY)
    signature = received(headers, pair=pair)
    assert signature.key_id == KEY_ID
    assert signature.headers == ("(request-target)", "host", "date", "digest")


def test_header_names_are_matched_in_any_case(pair):
    headers = {name.lower(): value for name, value in sign("POST", URL, BODY, KEY_ID, pair, now=NOW).items()}
    assert received(headers, pair=pair).key_id == KEY_ID


def test_the_authorization_form_is_taken_too(pair):
    headers = sign("POST", URL, BODY, KEY_ID, pair, now=NOW)
    headers["Authorization"] = "Signature " + headers.pop("Signature")
    assert received(headers, pair=pair).key_id == KEY_ID


def test_a_mastodon_style_header_is_read():
    # The shape of Mastodon's documented example (docs.joinmastodon.org, "Security": HTTP signatures).
    value = (
        'keyId="https://my-example.com/actor#main-key",headers="(request-target) host date",'
        'signature="Y2FiYWIxNGRiZDk4ZA=="'
    )
    signature = parse(value)
    assert signature.key_id == "https://my-example.com/actor#main-key"
    assert signature.headers == ("(request-target)", "host", "date")
    assert signature.algorithm == "hs2019"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda h: h.pop("Signature"), "not signed"),
        (lambda h: h.update(Signature="nonsense"), "malformed"),
        (lambda h: h.update(Date="Mon, 07 Dec 2026 11:54:59 GMT"), "five minutes"),
        (lambda h: h.update(Date="Mon, 07 Dec 2026 12:05:01 GMT"), "five minutes"),
        (lambda h: h.update(Date="yesterday"), "Date"),
        (lambda h: h.update(Digest=digest(b"another body")), "Digest"),
        (lambda h: h.update(Host="elsewhere.example"), "does not match"),
        (lambda h: h.update(Signature=h["Signature"].replace("rsa-sha256", "hmac-sha1")), "algorithm"),
        (lambda h: h.update(Signature=h["Signature"].replace(" digest", "")), "does not cover digest"),
        (lambda h: h.update(Signature=h["Signature"].replace("(request-target) ", "")), "(request-target)"),
    ],
)
def test_what_is_refused(pair, change, reason):
    headers = sign("POST", URL, BODY, KEY_ID, pair, now=NOW)
    change(headers)
    with pytest.raises(SignatureError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        received(headers, pair=pair)


def test_another_target_or_body_does_not_verify(pair):
    headers = sign("POST", URL, BODY, KEY_ID, pair, now=NOW)
    with pytest.raises(SignatureError, match="does not match"):
        received(headers, pair=pair, target="/inbox")
    with pytest.raises(SignatureError, match="Digest"):
        received(headers, body=b'{"type": "Delete"}', pair=pair)


def test_another_key_does_not_verify(pair):
    headers = sign("POST", URL, BODY, KEY_ID, pair, now=NOW)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(SignatureError, match="does not match"):
        received(headers, pair=other)


def test_the_clock_window_is_five_minutes_either_way(pair):
    headers = sign("POST", URL, BODY, KEY_ID, pair, now=NOW)
    assert received(headers, pair=pair, now=NOW + timedelta(minutes=5))
    assert received(headers, pair=pair, now=NOW - timedelta(minutes=5))
