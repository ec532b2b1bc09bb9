"""Writing and deleting posts: replies, mentions and hashtags are recorded with the post."""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from app import media, safety
from app.conversations.counters import add_to
from app.conversations.markup import find_mentions, find_tags
from app.extensions import db
from app.models import Activity, ActivityKind, Like, Mention, Post, PostTag, User

# At most this many users are told about one post's mentions.
MAX_MENTIONS = 10


class CannotReply(Exception):
    """The post to answer is gone (deleted, or a tombstone), or a block stands between its author and the replier."""


def publish(
    author: User,
    body: str,
    language: str,
    in_reply_to: Post | None = None,
    media_ids: list[int] | None = None,
    timestamp: datetime | None = None,
) -> Post:
    """Add `author`'s post (a reply when `in_reply_to` is given) with its tags, mentions and images; the caller commits.

    `media_ids` are the author's own unattached images (app.media.store), at most four, in order;
    any other raises `media.CannotAttach`, and the caller rolls back. `timestamp` dates a note
    another server published (app.federation); a post written here is dated now.

    A reply to a repost answers the reposted post. The author of the answered post is told of the
    reply, and each known user named with `@name` of the mention, once per post whatever the kinds.
    """
    parent = None
    if in_reply_to is not None:
        parent = in_reply_to.shown
        if parent.is_deleted or safety.blocked_between(author, parent.author):
            raise CannotReply
    post = Post.publish(author, body, language, parent=parent, timestamp=timestamp)
    db.session.flush()
    media.attach(list(media_ids or ()), post, author)
    for tag in find_tags(post.body):
        db.session.add(PostTag(post_id=post.id, tag=tag, timestamp=post.timestamp))
    named = _known_users(find_mentions(post.body)[:MAX_MENTIONS])
    # Whoever the author may not mention (a block either way) stays plain text: no Mention row, no
    # entry; whoever mutes the author gets the link but is not told.
    concerned = [user.id for user in named] + ([parent.user_id] if parent is not None else [])
    blocked = safety.blockers_among(author, [user.id for user in named])
    muting = safety.muters_among(author, concerned)
    told = {author.id} | muting
    if parent is not None:
        add_to(Post.replies_count, parent.id, 1)
        if parent.user_id not in told:
            parent.author.tell(ActivityKind.REPLY, author, post.id)
        told.add(parent.user_id)
    for user in named:
        if user.id in blocked:
            continue
        db.session.add(Mention(post_id=post.id, user_id=user.id, name=user.username_lower))
        if user.id not in told:
            user.tell(ActivityKind.MENTION, author, post.id)
            told.add(user.id)
    return post


def _known_users(names: list[str]) -> list[User]:
    if not names:
        return []
    return list(db.session.scalars(sa.select(User).where(User.username_lower.in_(names))))


def delete(post: Post) -> None:
    """Delete `post` and all that hangs on it (likes, reposts, tags, mentions, activity, images); the caller commits.

    A post with replies leaves a tombstone, so that its thread still holds together and reads
    "This post was deleted" in its place. A reply's parent counts one reply fewer.
    """
    if post.repost_of_id is not None:
        add_to(Post.reposts_count, post.repost_of_id, -1)
        db.session.delete(post)
        return
    federation = current_app.extensions.get("federation")
    if federation is not None:  # on: the remote accounts it answered or named are told once this commits
        federation.post_leaving(post)
    if post.in_reply_to_id is not None:
        add_to(Post.replies_count, post.in_reply_to_id, -1)
    _delete_reposts_of(post)
    media.delete_for_posts([post.id])  # a tombstone keeps its row: its images go all the same
    if not post.replies_count:
        db.session.delete(post)  # the database cascades its likes, tags, mentions and activity
        return
    for model in (Like, Mention, PostTag, Activity):
        db.session.execute(sa.delete(model).where(model.post_id == post.id))
    add_to(User.posts_counter, post.user_id, -1)
    post.user_id = None
    post.author = None
    post.body = ""
    post.language = None
    post.likes_count = post.reposts_count = post.media_count = 0


def _delete_reposts_of(post: Post) -> None:
    """Delete every repost of `post`, keeping their authors' post counters right."""
    if not post.reposts_count:
        return
    reposters = sa.select(Post.user_id).where(Post.repost_of_id == post.id)
    users = User.__table__
    db.session.execute(sa.update(users).where(users.c.id.in_(reposters)).values(post_count=users.c.post_count - 1))
    db.session.execute(sa.delete(Post).where(Post.repost_of_id == post.id).execution_options(synchronize_session=False))
