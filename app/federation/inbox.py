"""The inbox: what other servers deliver, checked before anything changes, then applied once.

Each delivery must be signed (app.federation.signatures) with the key of the actor it says sent
it; the key is fetched from the actor the first time and kept (app.federation.remote), and fetched
again once when a signature fails against the kept one (the actor may have a new key). An activity
whose id was taken before changes nothing. What this server does not act on yet is taken and
dropped, as servers drop what concerns nobody here.

Acted on: Follow of a local account (recorded, answered with an Accept delivered in the
background), Undo of such a Follow, Delete of the sender's own account (forgotten, with its
follows and its account in the site; one never known costs no fetch) and Update of it (fetched
again). Create of a public note, kept as a post (app.federation.accounts) when someone here
follows its author or it answers a post here; Update and Delete of such a note. Reject of a
local account's Follow ends it (an Accept changes nothing: a follow counts from the start). A
server whose domain is blocked is refused before anything is fetched.
"""

import contextlib
import hashlib
import json
from typing import Any

import sqlalchemy as sa
from flask import Request, current_app

from app import accounts as local_accounts
from app import conversations
from app.extensions import db
from app.federation import accounts, documents, domains, remote
from app.federation.delivery import deliver_later
from app.federation.signatures import SignatureError, parse, verify
from app.models import ReceivedActivity, RemoteActor, RemoteFollower, User

# The largest delivery taken: a note with its tags and attachments is a few kilobytes.
MAX_INBOX_BYTES = 256 * 1024
MAX_URI = 512
_REACTIONS = ("Like", "Announce")


class Refused(Exception):
    """A request of another server answered `status` with a JSON `message`, with nothing changed."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def receive(request: Request, addressee: User | None) -> None:
    """Check and apply one delivery to `addressee`'s inbox (None: the shared inbox); raise Refused."""
    if request.content_length is not None and request.content_length > MAX_INBOX_BYTES:
        raise Refused(413, f"a delivery is at most {MAX_INBOX_BYTES} bytes")
    body = request.get_data(cache=False)
    if len(body) > MAX_INBOX_BYTES:
        raise Refused(413, f"a delivery is at most {MAX_INBOX_BYTES} bytes")
    if request.headers.get("Host", "").lower() != current_app.config["SERVER_NAME"].lower():
        # The signature covers the Host: one made for another server is a delivery replayed here.
        raise Refused(401, "signature refused: it was made for another host")
    activity = _activity(body)
    claimed_key = _claimed_key_id(request)
    if domains.blocked(remote.host_of(claimed_key), remote.host_of(str(activity.get("actor", "")))):
        raise Refused(403, "this server does not federate with yours")
    if _is_self_delete(activity) and not _known_key(claimed_key):
        return  # an account we never knew was deleted: nothing to fetch, nothing to remove
    sender = _signed_sender(request, body)
    if activity.get("actor") != sender.uri:
        raise Refused(401, "the activity is signed by another actor than its own")
    activity_id = activity["id"]
    if db.session.get(ReceivedActivity, activity_id) is not None:
        return  # delivered before: already applied
    db.session.add(ReceivedActivity(uri=activity_id))
    replies = _apply(activity, sender)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()  # the same activity, delivered twice at once: the other one applied it
        return
    for local_sender, inbox, reply in replies:
        deliver_later(local_sender, inbox, reply)


def _signed_sender(request: Request, body: bytes) -> RemoteActor:
    """Return the remote actor whose valid signature the request carries; Refused (401) otherwise."""
    found: dict[str, RemoteActor] = {}

    def public_key_for(key_id: str, refresh: bool = False) -> str:
        if len(key_id) > MAX_URI:
            raise SignatureError("the keyId is too long")
        try:
            found["actor"] = remote.actor_for_key(key_id, refresh=refresh)
        except remote.FetchFailed as error:
            raise SignatureError(f"the key could not be had: {error}") from error
        return found["actor"].public_key_pem

    target = request.full_path if request.query_string else request.path
    try:
        try:
            verify(request.method, target, request.headers, body, public_key_for)
        except SignatureError as error:
            if "actor" not in found or "does not match" not in str(error):
                raise
            # The kept key may be an old one: fetch the actor's current key, and try once more.
            verify(request.method, target, request.headers, body, lambda key_id: public_key_for(key_id, True))
    except SignatureError as error:
        db.session.rollback()  # nothing fetched for a refused delivery is kept
        raise Refused(401, f"signature refused: {error}") from error
    return found["actor"]


def _claimed_key_id(request: Request) -> str:
    """The keyId the request's signature names (unchecked yet); 401 when it is not signed at all."""
    value = request.headers.get("Signature") or request.headers.get("Authorization")
    if not value:
        raise Refused(401, "signature refused: the request is not signed")
    try:
        return parse(value).key_id
    except SignatureError as error:
        raise Refused(401, f"signature refused: {error}") from error


def _is_self_delete(activity: dict[str, Any]) -> bool:
    deleted = activity.get("object")
    deleted = deleted.get("id") if isinstance(deleted, dict) else deleted
    return activity["type"] == "Delete" and deleted == activity.get("actor")


def _known_key(key_id: str) -> bool:
    return db.session.scalar(sa.select(RemoteActor.id).where(RemoteActor.key_id == key_id)) is not None


def _activity(body: bytes) -> dict[str, Any]:
    try:
        activity = json.loads(body)
    except (ValueError, RecursionError) as error:  # RecursionError: nested too deep to read
        raise Refused(400, "the body is not JSON") from error
    if not isinstance(activity, dict) or not isinstance(activity.get("type"), str):
        raise Refused(400, "the body is not an activity")
    if not isinstance(activity.get("id"), str) or not 0 < len(activity["id"]) <= MAX_URI:
        raise Refused(400, "the activity has no usable id")
    return activity


def _apply(activity: dict[str, Any], sender: RemoteActor) -> list[tuple[User, str, dict[str, Any]]]:
    """Apply the activity (the caller commits); return the replies to deliver once it is committed."""
    kind = activity["type"]
    if kind == "Follow":
        return [_follow(activity, sender)]
    if _is_self_delete(activity):
        _forget(sender)
        return []
    subject = activity.get("object")
    if kind == "Update" and isinstance(subject, dict) and subject.get("id") == sender.uri:
        remote.actor_for_key(sender.key_id, refresh=True)  # its key or inbox may have changed
        if sender.user_id is not None:
            _account(sender, subject)  # and its account here shows its new summary
        return []
    if kind == "Create" and _concerns_this_server(subject, sender) and (author := _account(sender)) is not None:
        accounts.store_note(subject, author, sender)
    elif kind == "Update":
        accounts.update_note(subject, sender)
    elif kind == "Delete":
        accounts.delete_note(subject.get("id") if isinstance(subject, dict) else subject, sender)
    elif kind == "Reject" and isinstance(subject, dict) and subject.get("type") == "Follow":
        _rejected(subject, sender)
    elif kind in _REACTIONS:
        _react(kind, subject, sender, undone=False)
    if kind == "Undo":
        undone = activity.get("object")
        if isinstance(undone, dict) and undone.get("type") == "Follow":
            _unfollow(undone, sender)
        elif isinstance(undone, dict) and undone.get("type") in _REACTIONS and undone.get("actor") == sender.uri:
            _react(undone["type"], undone.get("object"), sender, undone=True)
        elif isinstance(undone, str):  # the Follow named by its id alone
            db.session.execute(
                sa.delete(RemoteFollower).where(
                    RemoteFollower.actor_id == sender.id, RemoteFollower.follow_uri == undone
                )
            )
    return []


def _forget(sender: RemoteActor) -> None:
    """The sender's account is gone: forget its actor (and follows), and delete its account here with its posts."""
    user = db.session.get(User, sender.user_id) if sender.user_id is not None else None
    db.session.delete(sender)
    db.session.flush()
    if user is not None:
        local_accounts.delete_account(user)


def _concerns_this_server(note: Any, sender: RemoteActor) -> bool:
    """Whether a note is kept here: someone follows its author, or it answers or names something of this server's."""
    if not isinstance(note, dict):
        return False
    if accounts.is_followed_here(sender):
        return True
    answered = note.get("inReplyTo")
    if isinstance(answered, str) and answered.startswith(documents.origin() + "/"):
        return True
    tags = note.get("tag") if isinstance(note.get("tag"), list) else []
    named = [tag.get("href") for tag in tags if isinstance(tag, dict) and tag.get("type") == "Mention"]
    return any(_local_user(href) is not None for href in named[: accounts.MAX_NAMED])


def _react(kind: str, subject: Any, sender: RemoteActor, undone: bool) -> None:
    """A remote account likes or reposts a post known here (`Like`, `Announce`), or takes it back."""
    post = accounts.known_post(subject.get("id") if isinstance(subject, dict) else subject)
    account = _account(sender) if post is not None else None
    if account is None:
        return
    toggle = {
        ("Like", False): conversations.like,
        ("Like", True): conversations.unlike,
        ("Announce", False): conversations.repost,
        ("Announce", True): conversations.unrepost,
    }[kind, undone]
    with contextlib.suppress(conversations.CannotReact):  # a deleted post: nothing to like
        toggle(account, post)  # it commits


def _account(sender: RemoteActor, document: dict[str, Any] | None = None) -> User | None:
    """The sender's account in the site (made on first need, updated from `document`); None for an unusable name."""
    try:
        return accounts.account_of(sender, document)
    except accounts.LookupFailed:
        return None


def _rejected(follow: dict[str, Any], sender: RemoteActor) -> None:
    """The sender's server refused a local account's follow of it: the follow ends, and nothing is sent back."""
    follower = _local_user(follow.get("actor"))
    followed = db.session.get(User, sender.user_id) if sender.user_id is not None else None
    if follower is not None and followed is not None and follow.get("object") == sender.uri:
        follower.unfollow(followed, tell=False)


def _follow(activity: dict[str, Any], sender: RemoteActor) -> tuple[User, str, dict[str, Any]]:
    followed = _local_user(activity.get("object"))
    if followed is None:
        raise Refused(404, "the Follow names no account of this server")
    exists = db.session.get(RemoteFollower, (followed.id, sender.id))
    if exists is None:
        db.session.add(RemoteFollower(user_id=followed.id, actor_id=sender.id, follow_uri=activity["id"]))
    actor = documents.actor_url(followed.username)
    accept = {
        "@context": documents.CONTEXT[0],
        "id": f"{actor}#accepts/{hashlib.sha256(activity['id'].encode()).hexdigest()[:24]}",
        "type": "Accept",
        "actor": actor,
        "object": {key: activity[key] for key in ("id", "type", "actor", "object") if key in activity},
    }
    return followed, sender.inbox, accept


def _unfollow(follow: dict[str, Any], sender: RemoteActor) -> None:
    if follow.get("actor") != sender.uri:
        raise Refused(403, "an actor may only undo its own Follow")
    followed = _local_user(follow.get("object"))
    if followed is not None:
        db.session.execute(
            sa.delete(RemoteFollower).where(RemoteFollower.user_id == followed.id, RemoteFollower.actor_id == sender.id)
        )


def _local_user(uri: Any) -> User | None:
    """The local account an actor URL names, if it is one of this server's and not suspended."""
    prefix = documents.actor_url("")
    if not isinstance(uri, str) or not uri.startswith(prefix) or "/" in uri[len(prefix) :]:
        return None
    user = db.session.scalar(User.by_username(uri[len(prefix) :]))
    return None if user is None or user.is_suspended else user
