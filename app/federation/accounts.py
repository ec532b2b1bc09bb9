"""Accounts of other servers in the site: found by `@name@host`, kept as `user` rows, their notes as posts.

A remote account is a `user` row with a `domain` and no email or password (it never signs in
here), named `name@host`, so that profiles, follows, timelines, mentions and moderation treat
it as any account. Its actor (inbox, key) is the `remote_actor` row linked to it.

`find_account` asks the account's server by WebFinger, reads its actor and the first page of its
outbox, and keeps what it found: the profile then shows its recent public posts at once.
`store_note` keeps a public note as a post, its HTML made plain text (app.federation.content) and
its images links to their files, with their descriptions.
"""

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from flask import current_app
from markupsafe import escape

from app import conversations
from app.extensions import db
from app.federation import documents, domains, remote
from app.federation.content import note_text
from app.models import Post, RemoteActor, User, followers, utcnow
from app.translate import detect_language
from app.validators import is_valid_username

# `@name@host` or `name@host`, as people write another server's account.
HANDLE = re.compile(r"@?([\w.\-]+)@([a-z0-9\-]+(?:\.[a-z0-9\-]+)*(?::\d{1,5})?)", re.IGNORECASE)
PUBLIC_ADDRESSES = frozenset({documents.PUBLIC, "as:Public", "Public"})
# An account looked up again within this time is not fetched again.
FRESH_FOR = timedelta(hours=1)
# The notes of an outbox's first page kept when an account is looked up, if the server answered
# WebFinger and the actor within OUTBOX_AFTER_SECONDS (each fetch may take remote.FETCH_SECONDS).
OUTBOX_NOTES = 20
OUTBOX_AFTER_SECONDS = 3
MAX_USERNAME = 128
# The attachments of a note kept, as links (the site shows no other server's files).
MAX_ATTACHMENTS = 4
# The mentions of a note looked at for accounts of this server.
MAX_NAMED = 20


class LookupFailed(Exception):
    """No account could be had for a handle: its server is blocked, down, or knows no such account."""


def parse_handle(text: str) -> tuple[str, str] | None:
    """Return `(name, host)` of `@name@host` (host lower-cased), or None when `text` is no handle."""
    match = HANDLE.fullmatch(text.strip())
    if match is None or not is_valid_username(match[1]):
        return None
    return match[1], match[2].lower()


def find_account(name: str, host: str) -> User | None:
    """Return the account `name@host`: this server's own, or another's (fetched, then kept); the caller commits.

    None for a local name no one has; LookupFailed when another server's account cannot be had.
    """
    if host == current_app.config["SERVER_NAME"].lower():
        return db.session.scalar(User.by_username(name))
    if domains.blocked(host):
        raise LookupFailed(f"{host} is blocked")
    known = db.session.execute(
        sa.select(User, RemoteActor.fetched_at)
        .join(RemoteActor, RemoteActor.user_id == User.id)
        .where(User.username_lower == f"{name}@{host}".lower())
    ).one_or_none()
    if known is not None and known[1] > utcnow() - FRESH_FOR:
        return known[0]
    started = time.monotonic()
    try:
        actor_uri = _webfinger(name, host)
        document = remote.fetch_document(actor_uri)
        actor = remote.store_actor(document)
    except remote.FetchFailed as error:
        raise LookupFailed(str(error)) from error
    user = account_of(actor, document)
    if time.monotonic() - started < OUTBOX_AFTER_SECONDS:  # a slow server: the profile waits no longer
        _keep_recent_notes(document, user, actor)
    return user


def account_of(actor: RemoteActor, document: dict[str, Any] | None = None) -> User:
    """Return the remote actor's account in the site, made (or updated from `document`) here; the caller commits."""
    user = db.session.get(User, actor.user_id) if actor.user_id is not None else None
    username = f"{actor.username}@{actor.domain}"
    if user is None:
        if not is_valid_username(actor.username) or len(username) > MAX_USERNAME:
            raise LookupFailed(f"{actor.uri} has no usable name")
        user = db.session.scalar(User.by_username(username))  # kept before its actor moved
        if user is None or user.domain is None:
            user = User(username=username, domain=actor.domain, email=None, confirmed=True)
            db.session.add(user)
            db.session.flush()
        else:  # the account's old actor (another id for the same name) no longer stands for it
            db.session.execute(
                sa.update(RemoteActor)
                .where(RemoteActor.user_id == user.id, RemoteActor.id != actor.id)
                .values(user_id=None)
                .execution_options(synchronize_session=False)
            )
        actor.user_id = user.id
    if document is not None:
        summary = document.get("summary")
        user.about_me = (
            note_text(summary, current_app.config["SERVER_NAME"])[:140] if isinstance(summary, str) else None
        )
    return user


def is_followed_here(actor: RemoteActor) -> bool:
    """Whether someone on this server follows the remote actor's account."""
    if actor.user_id is None:
        return False
    query = sa.select(followers.c.follower_id).where(followers.c.followed_id == actor.user_id).limit(1)
    return db.session.scalar(query) is not None


def store_note(note: Any, author: User, actor: RemoteActor) -> Post | None:
    """Keep a remote actor's public note as a post of its account (once); None for what is not one.

    Only a `Note` attributed to `actor`, on its host, addressed to the public is kept: the site has
    no private posts. A reply to a post known here joins its thread.
    """
    if not _is_public_note_of(note, actor):
        return None
    known = db.session.scalar(sa.select(Post).where(Post.uri == note["id"]))
    if known is not None:
        return known
    text = "\n\n".join(part for part in (_text_of(note), _attachment_links(note)) if part)
    if not text:
        return None
    languages = note.get("contentMap")
    language = next(iter(languages), "")[:5] if isinstance(languages, dict) and languages else detect_language(text)
    try:
        post = conversations.publish(
            author, text, language, in_reply_to=known_post(note.get("inReplyTo")), timestamp=_published(note)
        )
    except conversations.CannotReply:
        return None
    post.uri = note["id"]
    return post


def update_note(note: Any, actor: RemoteActor) -> None:
    """Apply a remote actor's edit of a note kept here: its new text."""
    if not _is_public_note_of(note, actor):
        return
    post = db.session.scalar(sa.select(Post).where(Post.uri == note["id"], Post.user_id == actor.user_id))
    text = "\n\n".join(part for part in (_text_of(note), _attachment_links(note)) if part)
    if post is not None and text:
        post.body = text


def delete_note(uri: Any, actor: RemoteActor) -> None:
    """Delete the post kept for a remote actor's note, as its author deleted it."""
    if not isinstance(uri, str) or actor.user_id is None:
        return
    post = db.session.scalar(sa.select(Post).where(Post.uri == uri, Post.user_id == actor.user_id))
    if post is not None:
        conversations.delete(post)


def _text_of(note: dict[str, Any]) -> str:
    content = note.get("content")
    return note_text(content, current_app.config["SERVER_NAME"]) if isinstance(content, str) else ""


def _attachment_links(note: dict[str, Any]) -> str:
    """A note's images as lines of text: their description and URL (the files stay on their server)."""
    attachments = note.get("attachment")
    lines = []
    for item in attachments[:MAX_ATTACHMENTS] if isinstance(attachments, list) else []:
        url = item.get("url") if isinstance(item, dict) else None
        if isinstance(url, list):  # Mastodon may give several links, the first the file's
            url = next((link.get("href") for link in url if isinstance(link, dict)), None)
        if not isinstance(url, str) or not url.startswith(("https://", "http://")) or len(url) > remote.MAX_URI:
            continue
        name = item.get("name") if isinstance(item.get("name"), str) else ""
        description = note_text(escape(name), current_app.config["SERVER_NAME"])[:200]
        lines.append(f"{description}: {url}" if description else url)
    return "\n".join(lines)


def _is_public_note_of(note: Any, actor: RemoteActor) -> bool:
    if not isinstance(note, dict) or note.get("type") != "Note":
        return False
    uri = note.get("id")
    if not isinstance(uri, str) or len(uri) > remote.MAX_URI or remote.host_of(uri) != actor.domain:
        return False
    if note.get("attributedTo") != actor.uri:
        return False
    addressed = []
    for field in ("to", "cc"):
        value = note.get(field)
        addressed += value if isinstance(value, list) else [value]
    return any(address in PUBLIC_ADDRESSES for address in addressed)


def known_post(uri: Any) -> Post | None:
    """The post a note answers: one of this server's (by its thread URL) or a note kept here."""
    if not isinstance(uri, str):
        return None
    prefix = documents.note_url(0)[:-1]
    if uri.startswith(prefix) and uri[len(prefix) :].isdigit():
        return db.session.get(Post, int(uri[len(prefix) :]))
    return db.session.scalar(sa.select(Post).where(Post.uri == uri))


def _published(note: dict[str, Any]) -> datetime:
    """When the note was published, never later than now (a server's clock may be ahead)."""
    try:
        moment = datetime.fromisoformat(str(note.get("published")).replace("Z", "+00:00"))
    except ValueError:
        return utcnow()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return min(moment.astimezone(UTC), utcnow())


def _webfinger(name: str, host: str) -> str:
    """The actor URL `host`'s WebFinger gives for `name@host`, on that same host."""
    scheme = current_app.config["FEDERATION_PEER_SCHEME"]
    answer = remote.fetch_document(
        f"{scheme}://{host}/.well-known/webfinger?resource={quote(f'acct:{name}@{host}', safe=':@')}"
    )
    links = answer.get("links") if isinstance(answer.get("links"), list) else []
    for link in links:
        if (
            isinstance(link, dict)
            and link.get("rel") == "self"
            and str(link.get("type", "")).startswith(("application/activity+json", "application/ld+json"))
            and isinstance(link.get("href"), str)
            and remote.host_of(link["href"]) == host
        ):
            return link["href"]
    raise remote.FetchFailed(f"{host} knows no actor for {name}")


def _keep_recent_notes(document: dict[str, Any], user: User, actor: RemoteActor) -> None:
    """Keep the public notes on the first page of the actor's outbox (a failure keeps none, and is no error)."""
    outbox = document.get("outbox")
    if not isinstance(outbox, str) or remote.host_of(outbox) != actor.domain:
        return
    try:
        page = remote.fetch_document(outbox)
        first = page.get("first")
        if isinstance(first, str) and remote.host_of(first) == actor.domain:
            page = remote.fetch_document(first)
        elif isinstance(first, dict):
            page = first
    except remote.FetchFailed:
        return
    items = page.get("orderedItems")
    if not isinstance(items, list):
        return
    for item in items[:OUTBOX_NOTES]:
        if isinstance(item, dict) and item.get("type") == "Create" and item.get("actor") == actor.uri:
            store_note(item.get("object"), user, actor)
