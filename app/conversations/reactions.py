"""Likes and reposts, and what a page of posts shows its reader about them.

Each toggle changes its row and the post's counter in one transaction. A like or repost that
already exists (two clicks racing, say) hits the database's unique constraint: the transaction
is rolled back and the toggle reports the state as it is.
"""

from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app import media
from app.conversations.counters import add_to
from app.extensions import db
from app.models import ActivityKind, Like, Mention, Post, User, visibility


class CannotReact(Exception):
    """The post is a tombstone: there is nothing to like or repost."""


def like(user: User, post: Post) -> Post:
    """Like `post` (the reposted post, for a repost) and commit; liking twice changes nothing."""
    post = _target(post)
    return _add(user, post, Like, lambda: Like(user_id=user.id, post_id=post.id), Post.likes_count, ActivityKind.LIKE)


def unlike(user: User, post: Post) -> Post:
    """Take back a like and commit; unliking what was not liked changes nothing."""
    post = _target(post)
    if db.session.execute(sa.delete(Like).where(*_mine(Like, user, post))).rowcount:
        add_to(Post.likes_count, post.id, -1)
        post.author.untell(ActivityKind.LIKE, user, post.id)
    db.session.commit()
    return _refreshed(post, user)


def repost(user: User, post: Post) -> Post:
    """Repost `post` to `user`'s followers and commit; reposting twice changes nothing."""
    post = _target(post)
    # The repost carries the reposted post's author, which the visibility rule reads on its row.
    new_repost = lambda: Post(author=user, body="", repost_of=post, repost_of_user_id=post.user_id)  # noqa: E731
    return _add(user, post, Post, new_repost, Post.reposts_count, ActivityKind.REPOST)


def unrepost(user: User, post: Post) -> Post:
    """Take back a repost and commit (the repost is a post of `user`'s, so their post counter goes down)."""
    post = _target(post)
    # Deleted through the session, not by a bulk statement: its author's post counter follows (Post's
    # delete event), and so does what watches the session (the search index, the federation fan-out).
    repost = db.session.scalar(sa.select(Post).where(*_mine(Post, user, post)))
    if repost is not None:
        post.author.untell(ActivityKind.REPOST, user, post.id)  # first: a remote author's server is told of this repost
        db.session.delete(repost)
        add_to(Post.reposts_count, post.id, -1)
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()  # a concurrent request took it back first
    return _refreshed(post, user)


def _add(user: User, post: Post, model: type, new_row: Callable[[], Like | Post], counter, kind: ActivityKind) -> Post:
    """Add `new_row()` (`user`'s like or repost of `post`), count it and tell the author, unless one exists."""
    if db.session.scalar(sa.select(sa.literal(1)).where(*_mine(model, user, post))) is None:
        db.session.add(new_row())
        add_to(counter, post.id, 1)
        post.author.tell(kind, user, post.id)
        _commit_unless_duplicate()
    return _refreshed(post, user)


def _target(post: Post) -> Post:
    post = post.shown
    if post.is_deleted:
        raise CannotReact
    return post


# The columns naming a like's or a repost's person and post.
_OWNER_AND_POST = {Like: (Like.user_id, Like.post_id), Post: (Post.user_id, Post.repost_of_id)}


def _mine(model: type, user: User, post: Post) -> tuple:
    """The conditions for `user`'s like (model Like) or repost (model Post) of `post`."""
    owner, target = _OWNER_AND_POST[model]
    return owner == user.id, target == post.id


def _commit_unless_duplicate() -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # a concurrent request made the same like or repost first


def _refreshed(post: Post, user: User) -> Post:
    """Return `post` with its counters read afresh and the user's own state on it."""
    db.session.refresh(post)
    post.read_for = post.annotated_for = None  # what a page read with it is out of date now
    annotate([post], user)
    return post


def annotate(posts: Iterable[Post], reader: User | None) -> None:
    """Set on each shown post what its card needs beyond its row.

    `reader_liked` and `reader_reposted`, `mentioned`: the names written in it mapped to the
    current names of those users (looked up only for posts that name someone), and `images`: its
    Media rows in order (one more query, only when a post on the page carries any). A page read
    for this reader by `Post.load_newest_first` already holds all but the images; for the others
    one query reads the rest. Posts already annotated for this reader (`annotated_for`) are skipped,
    so a view may annotate all its lists at once and the templates' `cards` then costs nothing.
    """
    reader_id = visibility.signed_in_id(reader)
    shown = {
        post.shown.id: post.shown
        for post in posts
        if not post.shown.is_deleted and (reader_id is None or post.shown.annotated_for != reader_id)
    }
    if not shown:
        return
    for post in shown.values():
        post.annotated_for = reader_id
        post.images = []
    for post_id, images in media.images_of(shown.values()).items():
        shown[post_id].images = images
    unread = {post_id: post for post_id, post in shown.items() if reader_id is None or post.read_for != reader_id}
    if not unread:
        return
    for post in unread.values():
        post.reader_liked = post.reader_reposted = False
    naming = [post_id for post_id, post in unread.items() if "@" in post.body]
    if reader_id is None and not naming:
        return
    mentioned: dict[int, dict[str, str]] = {}
    rows = db.session.execute(_READER_STATE, {"reader": reader_id, "ids": list(unread), "naming": naming})
    for post_id, kind, written, username in rows:
        if kind == _LIKED:
            unread[post_id].reader_liked = True
        elif kind == _REPOSTED:
            unread[post_id].reader_reposted = True
        else:
            mentioned.setdefault(post_id, {})[written] = username
    for post_id, names in mentioned.items():
        unread[post_id].mentioned = names


# What `annotate` reads, built once: the reader's likes and reposts among the page's posts (`ids`),
# and the users named in those that mention someone (`naming`).
_LIKED, _REPOSTED, _MENTIONED = 1, 2, 3
_IDS = sa.bindparam("ids", expanding=True)
_READER = sa.bindparam("reader", type_=sa.Integer)
# An untyped NULL: MariaDB refuses a UNION of CAST(NULL AS CHAR), in the connection's collation, with
# the name columns, in the table's ("Illegal mix of collations").
_NO_NAME = sa.null()
_READER_STATE = sa.union_all(
    sa.select(Like.post_id, sa.literal_column(str(_LIKED)), _NO_NAME, _NO_NAME).where(
        Like.user_id == _READER, Like.post_id.in_(_IDS)
    ),
    sa.select(Post.repost_of_id, sa.literal_column(str(_REPOSTED)), _NO_NAME, _NO_NAME).where(
        Post.user_id == _READER, Post.repost_of_id.in_(_IDS)
    ),
    sa.select(Mention.post_id, sa.literal_column(str(_MENTIONED)), Mention.name, User.username)
    .join(User, User.id == Mention.user_id)
    .where(Mention.post_id.in_(sa.bindparam("naming", expanding=True))),
)


def unique_entries(posts: list[Post]) -> list[Post]:
    """Drop the entries of a page that show a post already shown above (several reposts of one post)."""
    seen: set[int] = set()
    kept = []
    for post in posts:
        if post.shown.id not in seen:
            seen.add(post.shown.id)
            kept.append(post)
    return kept
