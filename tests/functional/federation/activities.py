"""Activities the federation tests' peer sends, and what they do with the site as a reader."""

from werkzeug.datastructures import Headers

from app.federation import key_for
from app.federation.signatures import verify
from tests.support.peers import ORIGIN

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def note(actor, number: int, content: str, **fields) -> dict:
    return {
        "id": f"{actor.uri}/statuses/{number}",
        "type": "Note",
        "attributedTo": actor.uri,
        "content": content,
        "published": "2026-12-01T10:00:00Z",
        "to": [PUBLIC],
        "cc": [f"{actor.uri}/followers"],
        **fields,
    }


def create(actor, number: int, content: str, **fields) -> dict:
    return {
        "id": f"{actor.uri}/statuses/{number}/activity",
        "type": "Create",
        "actor": actor.uri,
        "object": note(actor, number, content, **fields),
    }


def deliver(client, peer, actor, activity):
    body, headers = peer.signed(actor, f"{ORIGIN}/inbox", activity)
    response = client.post("/inbox", data=body, headers=headers)
    assert response.status_code == 202, response.text
    return response


def found(reader, peer, actor):
    """Search for the actor's handle; return its profile page."""
    response = reader.get("/search", query_string={"q": f"@{actor.username}@{peer.host}"})
    assert response.status_code == 302, response.text
    assert response.location == f"/user/{actor.username}@{peer.host}"
    return reader.get(response.location)


def signed_by(delivery, user) -> dict:
    public_key = key_for(user).public_key_pem
    verify("POST", delivery.path, Headers(delivery.headers), delivery.body, lambda key_id: public_key)
    return delivery.activity
