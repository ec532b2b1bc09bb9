"""The JSON other servers read: actors, notes, collections, WebFinger and NodeInfo documents.

Every id is an absolute URL on this site's public origin (PREFERRED_URL_SCHEME and SERVER_NAME),
whatever host a request came in by: an actor or a note keeps one name wherever it is fetched from.
An account's actor is its profile URL and a post's note its thread URL, served as JSON to a client
that asks for ActivityPub (app.federation.routes negotiates).

Only what an anonymous reader of the site may see is published: nothing of a suspended account,
no deleted post (a Tombstone), and none of the reader-specific filtering a page applies.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, url_for
from markupsafe import Markup, escape

from app import conversations, media
from app.extensions import db
from app.federation.keys import instance_key, key_for
from app.models import Mention, Post, PostTag, RemoteActor, User, utcnow

ACTIVITY_JSON = "application/activity+json"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]
NODEINFO_SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/2.1"
# Items in one page of an outbox, followers or following collection.
PAGE_SIZE = 20


def origin() -> str:
    """The site's public origin, e.g. `https://social.example`."""
    return f"{current_app.config['PREFERRED_URL_SCHEME']}://{current_app.config['SERVER_NAME']}"


def absolute(endpoint: str, **values: Any) -> str:
    """Return the absolute URL of `endpoint` on the public origin."""
    # The path alone, in a request or not (outside one, url_for would add the host itself).
    return origin() + url_for(endpoint, _external=False, **values)


def actor_url(username: str) -> str:
    return absolute("main.user", username=username)


def key_url(username: str) -> str:
    """The id of the account's public key: what its signatures name as their keyId."""
    return f"{actor_url(username)}#main-key"


def note_url(post_id: int) -> str:
    return absolute("social.thread", id=post_id)


def handle(username: str) -> str:
    """Return the account's address as other servers write it: `name@host`."""
    return f"{username}@{current_app.config['SERVER_NAME']}"


def timestamp(moment: datetime | None) -> str | None:
    """ActivityStreams' form of a time: UTC, to the second, with a `Z`."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None


def actor(user: User) -> dict[str, Any]:
    """Return `user` as a Person, with the public key servers check its signatures against."""
    url = actor_url(user.username)
    icon = user.avatar(400)
    return {
        "@context": CONTEXT,
        "id": url,
        "type": "Person",
        "preferredUsername": user.username,
        "name": user.username,
        "summary": str(Markup("<p>{}</p>").format(user.about_me)) if user.about_me else "",
        "url": url,
        "published": timestamp(user.created_at),
        "inbox": absolute("federation.inbox", username=user.username),
        "outbox": absolute("federation.outbox", username=user.username),
        "followers": absolute("federation.followers", username=user.username),
        "following": absolute("federation.following", username=user.username),
        "endpoints": {"sharedInbox": absolute("federation.shared_inbox")},
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "icon": {"type": "Image", "url": origin() + icon if icon.startswith("/") else icon},
        "publicKey": {"id": key_url(user.username), "owner": url, "publicKeyPem": key_for(user).public_key_pem},
    }


def instance_actor_url() -> str:
    return absolute("federation.instance_actor")


def instance_key_url() -> str:
    """The keyId of what the server itself signs: fetches of other servers' documents, forwarded reports."""
    return f"{instance_actor_url()}#main-key"


def instance_actor() -> dict[str, Any]:
    """The server as an actor of its own (an Application), whose key servers in secure mode check fetches against."""
    url = instance_actor_url()
    return {
        "@context": CONTEXT,
        "id": url,
        "type": "Application",
        "preferredUsername": current_app.config["SERVER_NAME"],
        "name": "Microblog",
        "url": origin() + "/",
        "inbox": absolute("federation.shared_inbox"),
        "endpoints": {"sharedInbox": absolute("federation.shared_inbox")},
        "manuallyApprovesFollowers": True,
        "publicKey": {"id": instance_key_url(), "owner": url, "publicKeyPem": instance_key().public_key_pem},
    }


def notes(posts: list[Post]) -> dict[int, dict[str, Any]]:
    """Return the Note of each post (none a repost), by post id, in five queries at most."""
    mentions = _mentions_of(posts)
    tags = _tags_of(posts)
    images = media.images_of(posts)
    answered = _answered_of(posts)
    return {
        post.id: _note(
            post, mentions.get(post.id, []), tags.get(post.id, []), images.get(post.id, []), answered.get(post.id)
        )
        for post in posts
    }


def note(post: Post) -> dict[str, Any]:
    """Return one post as a Note, with the JSON-LD context of a document of its own."""
    return {"@context": CONTEXT, **notes([post])[post.id]}


def tombstone(post_id: int) -> dict[str, Any]:
    """What stands for a deleted post."""
    return {"@context": CONTEXT, "id": note_url(post_id), "type": "Tombstone"}


def outbox_items(posts: list[Post]) -> dict[int, dict[str, Any]]:
    """Each post as its author's activity, by post id: Create of its Note, or Announce of what a repost shares.

    Six queries at most: the notes' five, and the ids of reposted notes of other servers.
    """
    shown = notes([post for post in posts if post.repost_of_id is None])
    reposted = {post.repost_of_id for post in posts if post.repost_of_id is not None}
    remote: dict[int, str] = {}
    if reposted:
        rows = db.session.execute(sa.select(Post.id, Post.uri).where(Post.id.in_(reposted), Post.uri.is_not(None)))
        remote = dict(rows.all())
    return {post.id: _outbox_item(post, shown, remote) for post in posts}


def _outbox_item(post: Post, shown: dict[int, dict[str, Any]], remote: dict[int, str]) -> dict[str, Any]:
    author = actor_url(post.author.username)
    addressing = {"to": [PUBLIC], "cc": [absolute("federation.followers", username=post.author.username)]}
    if post.repost_of_id is not None:
        kind, shared = "Announce", remote.get(post.repost_of_id) or note_url(post.repost_of_id)
    else:
        kind, shared = "Create", shown[post.id]
    return {
        "id": activity_url(post.id),
        "type": kind,
        "actor": author,
        "published": timestamp(post.timestamp),
        "object": shared,
        **addressing,
    }


def activity_url(post_id: int) -> str:
    """The id of the activity that published a post: its Create, or a repost's Announce."""
    return f"{note_url(post_id)}/activity"


def undo_of_announce(repost_id: int, username: str) -> dict[str, Any]:
    """The activity that tells followers a repost of `username`'s was taken back."""
    actor = actor_url(username)
    return {
        "@context": CONTEXT,
        "id": f"{note_url(repost_id)}#undo",
        "type": "Undo",
        "actor": actor,
        "object": {"id": activity_url(repost_id), "type": "Announce", "actor": actor},
        "to": [PUBLIC],
        "cc": [absolute("federation.followers", username=username)],
    }


def delete_of(post_id: int, username: str) -> dict[str, Any]:
    """The activity that tells followers a post of `username`'s is gone."""
    return {
        "@context": CONTEXT,
        "id": f"{note_url(post_id)}#delete",
        "type": "Delete",
        "actor": actor_url(username),
        "object": {"id": note_url(post_id), "type": "Tombstone"},
        "to": [PUBLIC],
        "cc": [absolute("federation.followers", username=username)],
    }


def delete_of_account(username: str) -> dict[str, Any]:
    """The activity that tells followers an account is gone."""
    actor = actor_url(username)
    return {
        "@context": CONTEXT,
        "id": f"{actor}#delete",
        "type": "Delete",
        "actor": actor,
        "object": actor,
        "to": [PUBLIC],
    }


def collection(url: str, total: int) -> dict[str, Any]:
    """An OrderedCollection's first document: its size and a link to its first page."""
    return {"@context": CONTEXT, "id": url, "type": "OrderedCollection", "totalItems": total, "first": f"{url}?page=1"}


def collection_page(url: str, page: int, items: list, has_next: bool) -> dict[str, Any]:
    """One page of an OrderedCollection (pages count from 1, newest items first)."""
    document = {
        "@context": CONTEXT,
        "id": f"{url}?page={page}",
        "type": "OrderedCollectionPage",
        "partOf": url,
        "orderedItems": items,
    }
    if page > 1:
        document["prev"] = f"{url}?page={page - 1}"
    if has_next:
        document["next"] = f"{url}?page={page + 1}"
    return document


def webfinger(user: User) -> dict[str, Any]:
    """Return the JRD that tells a server where `user`'s actor and profile page are."""
    url = actor_url(user.username)
    return {
        "subject": f"acct:{handle(user.username)}",
        "aliases": [url],
        "links": [
            {"rel": "self", "type": ACTIVITY_JSON, "href": url},
            {"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": url},
        ],
    }


def nodeinfo_links() -> dict[str, Any]:
    return {"links": [{"rel": NODEINFO_SCHEMA, "href": absolute("federation.nodeinfo")}]}


def nodeinfo(version: str, open_registrations: bool) -> dict[str, Any]:
    """Return NodeInfo 2.1: the software, its protocol and the community's size, from the counters (one query)."""
    active = sa.and_(User.suspended_at.is_(None), User.domain.is_(None))  # this server's own accounts
    month, half_year = utcnow() - timedelta(days=30), utcnow() - timedelta(days=180)
    users, monthly, half_yearly, posts = db.session.execute(
        sa.select(
            sa.func.count(User.id),
            sa.func.count(User.id).filter(User.last_seen >= month),
            sa.func.count(User.id).filter(User.last_seen >= half_year),
            sa.func.coalesce(sa.func.sum(User.posts_counter), 0),
        ).where(active)
    ).one()
    return {
        "version": "2.1",
        "software": {"name": "microblog", "version": version},
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["atom1.0"]},
        "openRegistrations": open_registrations,
        "usage": {
            "users": {"total": users, "activeMonth": monthly, "activeHalfyear": half_yearly},
            "localPosts": int(posts),
        },
        "metadata": {"nodeName": current_app.config["SERVER_NAME"]},
    }


def host_meta() -> str:
    """Return the XRD document that points older clients at WebFinger."""
    template = escape(absolute("federation.webfinger") + "?resource={uri}")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n'
        f'  <Link rel="lrdd" type="application/jrd+json" template="{template}"/>\n'
        "</XRD>\n"
    )


def _note(
    post: Post, mentions: list[tuple[str, str, str | None]], tags: list[str], images: list, answered: tuple | None
) -> dict[str, Any]:
    """A post as a Note; `mentions` are (name as written, username, remote actor or None), `answered`
    is (note id, remote author or None) of the post it answers."""
    author = post.author.username
    names = {written: username for written, username, _ in mentions}
    hrefs = {username: remote or actor_url(username) for _, username, remote in mentions}
    content = str(conversations.render(post.body, names, hrefs.get, lambda tag: absolute("social.tag", tag=tag)))
    # The accounts of other servers it names or answers are addressed, so that theirs show it to them.
    addressed = [remote for _, _, remote in mentions if remote] + ([answered[1]] if answered and answered[1] else [])
    document = {
        "id": note_url(post.id),
        "type": "Note",
        "attributedTo": actor_url(author),
        "content": f"<p>{content}</p>",
        "published": timestamp(post.timestamp),
        "url": note_url(post.id),
        "to": [PUBLIC],
        "cc": [absolute("federation.followers", username=author), *dict.fromkeys(addressed)],
        "inReplyTo": answered[0] if answered else None,
        "sensitive": False,
        "tag": [
            {"type": "Mention", "href": hrefs[username], "name": f"@{username if remote else handle(username)}"}
            for _, username, remote in mentions
        ]
        + [{"type": "Hashtag", "href": absolute("social.tag", tag=tag), "name": f"#{tag}"} for tag in tags],
        "attachment": [
            {
                "type": "Document",
                "mediaType": image.content_type,
                "url": origin() + media.url(image, "original", external=False),
                "name": image.alt_text,
                "width": image.width,
                "height": image.height,
            }
            for image in images
        ],
    }
    if post.language:
        document["contentMap"] = {post.language: document["content"]}
    return document


def _mentions_of(posts: Iterable[Post]) -> dict[int, list[tuple[str, str, str | None]]]:
    """The known users each post names, as (name as written, current username, remote actor or None), in one query."""
    ids = [post.id for post in posts]
    found: dict[int, list[tuple[str, str, str | None]]] = {}
    if ids:
        rows = db.session.execute(
            sa.select(Mention.post_id, Mention.name, User.username, RemoteActor.uri)
            .join(User, User.id == Mention.user_id)
            .outerjoin(RemoteActor, RemoteActor.user_id == User.id)
            .where(Mention.post_id.in_(ids))
            .order_by(Mention.post_id, Mention.name)
        )
        for post_id, name, username, remote in rows:
            found.setdefault(post_id, []).append((name, username, remote))
    return found


def _answered_of(posts: Iterable[Post]) -> dict[int, tuple[str, str | None]]:
    """What each reply answers: (the note's id, its author's actor when on another server), in one query.

    A post of this server's is named by its thread URL; another server's note by its own id.
    """
    parents = {post.in_reply_to_id for post in posts if post.in_reply_to_id is not None}
    remote: dict[int, tuple[str, str | None]] = {}
    if parents:
        rows = db.session.execute(
            sa.select(Post.id, Post.uri, RemoteActor.uri)
            .outerjoin(RemoteActor, RemoteActor.user_id == Post.user_id)
            .where(Post.id.in_(parents), Post.uri.is_not(None))
        )
        remote = {parent_id: (uri, author) for parent_id, uri, author in rows}
    return {
        post.id: remote.get(post.in_reply_to_id, (note_url(post.in_reply_to_id), None))
        for post in posts
        if post.in_reply_to_id is not None
    }


def _tags_of(posts: Iterable[Post]) -> dict[int, list[str]]:
    """Each post's hashtags, canonical, in one query."""
    ids = [post.id for post in posts]
    found: dict[int, list[str]] = {}
    if ids:
        rows = db.session.execute(
            sa.select(PostTag.post_id, PostTag.tag)
            .where(PostTag.post_id.in_(ids))
            .order_by(PostTag.post_id, PostTag.tag)
        )
        for post_id, tag in rows:
            found.setdefault(post_id, []).append(tag)
    return found
