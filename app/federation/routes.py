"""The federation blueprint: discovery, actors and notes by content negotiation, and collections.

Registered only with FEDERATION on (app.federation.init_app). A profile URL (`/user/<name>`) and
a thread URL (`/post/<id>`) answer ActivityPub JSON to a client that asks for it in `Accept`
(Mastodon asks for `application/activity+json`), and the site's page to everyone else; both
answers say `Vary: Accept`, so a cache keeps them apart.
"""

import json
import re
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Blueprint, Response, current_app, request
from werkzeug.http import HTTP_STATUS_CODES

from app.extensions import db, limiter
from app.federation import documents
from app.federation import inbox as federation_inbox
from app.federation.documents import ACTIVITY_JSON
from app.federation.inbox import Refused
from app.models import Post, RemoteActor, RemoteFollower, User, followers
from app.validators import is_valid_id, is_valid_username
from config import VERSION

bp = Blueprint("federation", __name__)

# What Accept values ask for ActivityPub rather than a page.
ACTIVITYPUB_TYPES = ("application/activity+json", "application/ld+json")
# The views that answer ActivityPub to a client asking for it.
NEGOTIATED = frozenset({"main.user", "social.thread"})
# The deepest page of a collection served: beyond it, a crawler is told no.
MAX_PAGE = 500
_ACCT = re.compile(r"acct:@?(?P<name>[^@\s]+)@(?P<host>[^@\s]+)")


def wants_activitypub() -> bool:
    """Whether the client prefers ActivityPub JSON to HTML."""
    accept = request.accept_mimetypes
    best = accept.best_match(["text/html", *ACTIVITYPUB_TYPES])
    return best in ACTIVITYPUB_TYPES and accept[best] > accept["text/html"]


@bp.before_app_request
def negotiate():
    """Answer a profile or thread URL with its actor or note when the client asks for ActivityPub."""
    if request.endpoint not in NEGOTIATED or request.method not in ("GET", "HEAD") or not wants_activitypub():
        return None
    if request.endpoint == "main.user":
        return _activity(documents.actor(_local_user_or_404(request.view_args["username"])))
    return _note_response(request.view_args["id"])


@bp.after_app_request
def vary_on_accept(response: Response) -> Response:
    if request.endpoint in NEGOTIATED:
        response.vary.add("Accept")
    return response


@bp.route("/.well-known/webfinger")
def webfinger():
    """Answer `?resource=acct:name@host` (or an actor's URL) with where that account's actor is."""
    name = _account_named_by(request.args.get("resource", "").strip())
    response = _json(documents.webfinger(_local_user_or_404(name)), "application/jrd+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/actor", endpoint="instance_actor")
def instance_actor():
    """The server's own actor: the key its signed fetches and forwarded reports are checked against."""
    return _activity(documents.instance_actor())


@bp.route("/.well-known/nodeinfo")
def nodeinfo_links():
    return _json(documents.nodeinfo_links(), "application/json")


@bp.route("/nodeinfo/2.1")
def nodeinfo():
    document = documents.nodeinfo(VERSION, open_registrations=True)
    profile = f'application/json; profile="{documents.NODEINFO_SCHEMA}#"'
    return _json(document, profile)


@bp.route("/.well-known/host-meta")
def host_meta():
    return Response(documents.host_meta(), mimetype="application/xrd+xml")


@bp.route("/user/<username>/outbox")
def outbox(username: str):
    """The account's public posts and reposts, newest first, as Create and Announce activities."""
    user = _local_user_or_404(username)
    url = documents.absolute("federation.outbox", username=user.username)
    page = _page_number()
    if page is None:
        return _activity(documents.collection(url, user.posts_counter or 0))
    query = Post.newest_first(user.posts.select().where(Post.visible_to(None)))
    posts = list(db.session.scalars(query.limit(documents.PAGE_SIZE + 1).offset((page - 1) * documents.PAGE_SIZE)))
    has_next = len(posts) > documents.PAGE_SIZE
    posts = posts[: documents.PAGE_SIZE]
    activities = documents.outbox_items(posts)
    items = [activities[post.id] for post in posts]
    return _activity(documents.collection_page(url, page, items, has_next))


@bp.route("/user/<username>/followers", endpoint="followers")
def followers_collection(username: str):
    """The accounts that follow this one: local ones, then those of other servers."""
    user = _local_user_or_404(username)
    follower, followed = followers.c.follower_id, followers.c.followed_id
    remote = (
        sa.select(RemoteActor.uri)
        .join(RemoteFollower, RemoteFollower.actor_id == RemoteActor.id)
        .where(RemoteFollower.user_id == user.id)
    )
    return _people(user, "federation.followers", followed, follower, user.followers_counter, remote)


@bp.route("/user/<username>/following", endpoint="following")
def following_collection(username: str):
    """The local accounts this one follows."""
    user = _local_user_or_404(username)
    follower, followed = followers.c.follower_id, followers.c.followed_id
    return _people(user, "federation.following", follower, followed, user.following_counter, None)


def inbox_limit() -> str:
    """Deliveries one remote address may make (FEDERATION_INBOX_LIMIT)."""
    return current_app.config["FEDERATION_INBOX_LIMIT"]


@bp.route("/user/<username>/inbox", methods=["POST"])
@limiter.limit(inbox_limit)
def inbox(username: str):
    """Take a delivery addressed to one account: 202 once applied (or seen before), else a JSON error."""
    return _receive(_local_user_or_404(username))


@bp.route("/inbox", methods=["POST"])
@limiter.limit(inbox_limit)
def shared_inbox():
    """Take a delivery for the whole server (Mastodon's shared inbox)."""
    return _receive(None)


@bp.app_errorhandler(Refused)
def refused(error: Refused):
    # App-wide: `negotiate` raises it for the main and social blueprints' URLs too.
    return _error(error.status, error.message)


def _note_response(post_id: int) -> Response:
    """A post's Note; a Tombstone (410) for a deleted one that still holds a thread; else 404."""
    # One statement: the post, if an anonymous reader may see it (tombstones included), it is no
    # repost, and it was written here (another server's note kept here is that server's to serve).
    shown = sa.select(Post).where(
        Post.id == post_id,
        Post.repost_of_id.is_(None),
        Post.uri.is_(None),
        Post.visible_to(None, tombstones=True),
    )
    post = db.session.scalar(shown.options(so.joinedload(Post.author))) if is_valid_id(post_id) else None
    if post is None:
        raise Refused(404, "no such post")
    if post.is_deleted:
        return _activity(documents.tombstone(post_id), status=410)
    return _activity(documents.note(post))


def _people(
    user: User, endpoint: str, own_column, other_column, local_total: int, remote: sa.Select | None
) -> Response:
    """A followers or following collection: local accounts' actor URLs (most recent id first), then
    the remote actors' of `remote` (a select of their URIs), in pages; `local_total` from the counters."""
    url = documents.absolute(endpoint, username=user.username)
    local = (
        sa.select(User.username)
        .join(followers, other_column == User.id)
        .where(own_column == user.id, User.suspended_at.is_(None))
        .order_by(User.id.desc())
    )
    page = _page_number()
    if page is None:
        remote_total = (
            db.session.scalar(sa.select(sa.func.count()).select_from(remote.subquery())) if remote is not None else 0
        )
        return _activity(documents.collection(url, (local_total or 0) + remote_total))
    start, size = (page - 1) * documents.PAGE_SIZE, documents.PAGE_SIZE
    items = [documents.actor_url(name) for name in db.session.scalars(local.limit(size + 1).offset(start))]
    if remote is not None and len(items) <= size:
        # How many local accounts the pages hold: they end on this one, or ended before it (counted then).
        listed = (
            start + len(items)
            if items
            else db.session.scalar(sa.select(sa.func.count()).select_from(local.order_by(None).subquery()))
        )
        skip = max(start - listed, 0)
        wanted = size + 1 - len(items)
        items += db.session.scalars(remote.order_by(RemoteActor.id.desc()).limit(wanted).offset(skip))
    return _activity(documents.collection_page(url, page, items[:size], len(items) > size))


def _account_named_by(resource: str) -> str:
    """The username `resource` names: `acct:name@host` or an actor's URL; 400 when it is neither.

    An account on another host is answered 404, as any account this server does not have.
    """
    found = _ACCT.fullmatch(resource)
    if found:
        return found["name"] if found["host"].lower() == current_app.config["SERVER_NAME"].lower() else ""
    prefix = documents.actor_url("")
    name = resource[len(prefix) :]
    if not resource.lower().startswith(prefix.lower()) or not name or "/" in name:
        raise Refused(400, "resource must be acct:name@host or the URL of an actor")
    return name


def _local_user_or_404(username: str) -> User:
    user = db.session.scalar(User.by_username(username)) if is_valid_username(username) else None
    if user is None or user.is_suspended:
        raise Refused(404, "no such account")
    return user


def _page_number() -> int | None:
    """The `page` asked for (None: the collection itself); 400 for one that is not 1 to MAX_PAGE."""
    raw = request.args.get("page")
    if raw is None:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise Refused(400, f"page must be a whole number from 1 to {MAX_PAGE}")
    return int(raw)


def _receive(addressee: User | None) -> Response:
    federation_inbox.receive(request, addressee)  # a Refused is answered by `refused`
    return Response(status=202)


def _activity(document: dict[str, Any], status: int = 200) -> Response:
    return _json(document, ACTIVITY_JSON, status)


def _json(document: dict[str, Any], content_type: str, status: int = 200) -> Response:
    return Response(json.dumps(document, ensure_ascii=False), status=status, content_type=content_type)


def _error(status: int, message: str) -> Response:
    body = {"error": HTTP_STATUS_CODES.get(status, "Error"), "message": message}
    return _json(body, "application/json", status)
