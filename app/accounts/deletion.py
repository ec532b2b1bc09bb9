"""Delete an account and everything its person wrote, in one transaction.

What goes: their posts (a post that others answered stays as a tombstone, as when a post is
deleted, so the thread holds together), their likes, reposts, tags, mentions, activity in both
directions, follows both ways, messages (the other party keeps theirs, from or to "deleted
account"), tokens and sessions (they live on the user row), and their images and uploaded picture
(the files once the transaction commits). Every counter their rows fed on other rows (likes, reposts and replies on
others' posts; others' follower, following and post counts) is corrected in the same transaction,
and the search index is told (durably, for a backend outside the database) which posts left it.

The work is done with set-based statements over chunks of ids, so an account with a hundred
thousand posts is one transaction of a few hundred statements, not a statement per row. Rows are
fetched by id first and updated by id: MariaDB refuses an UPDATE of `post` whose condition reads
`post` again.
"""

from collections import Counter
from collections.abc import Iterator

import sqlalchemy as sa
from flask import current_app

from app import avatars, media, search
from app.extensions import db
from app.models import Activity, AuditEntry, Like, Mention, Message, Post, PostTag, User, followers

CHUNK = 500


def delete_account(user: User, by: User | None = None) -> None:
    """Delete `user` and all they wrote; the caller commits (one transaction).

    `by` is the administrator who does it, written to the audit log (None: the person themselves).
    """
    user_id = user.id
    federation = current_app.extensions.get("federation")
    if federation is not None:  # on: its remote followers are told once this commits
        federation.note_leaving(user)
    if by is not None:
        db.session.add(
            AuditEntry(actor_id=by.id, actor_name=by.username, action="delete_account", target_name=user.username)
        )
    _uncount_likes(user_id)
    _uncount_follows(user_id)
    own_posts = list(db.session.scalars(sa.select(Post.id).where(Post.user_id == user_id)))
    _uncount_replies_and_reposts(user_id)
    _delete_reposts_of(own_posts)
    _tombstone_answered(own_posts)
    _delete_lone_messages(user_id)
    media.delete_for_user(user_id)
    avatars.remove_picture(user)
    search.note_removed(Post.__tablename__, own_posts)
    db.session.execute(sa.delete(Post).where(Post.user_id == user_id).execution_options(synchronize_session=False))
    db.session.execute(sa.delete(User).where(User.id == user_id).execution_options(synchronize_session=False))
    db.session.expunge(user)


def _uncount_likes(user_id: int) -> None:
    """Their likes go with their row (ON DELETE CASCADE): the liked posts count one fewer each."""
    liked = sa.select(Like.post_id).where(Like.user_id == user_id)
    db.session.execute(
        sa.update(Post).where(Post.id.in_(liked)).values(likes_count=Post.likes_count - 1),
        execution_options={"synchronize_session": False},
    )


def _uncount_follows(user_id: int) -> None:
    """The follows go with their row: whom they followed loses a follower, who followed them one followed."""
    users = User.__table__
    followed = sa.select(followers.c.followed_id).where(followers.c.follower_id == user_id)
    following = sa.select(followers.c.follower_id).where(followers.c.followed_id == user_id)
    db.session.execute(
        sa.update(users).where(users.c.id.in_(followed)).values(follower_count=users.c.follower_count - 1)
    )
    db.session.execute(
        sa.update(users).where(users.c.id.in_(following)).values(following_count=users.c.following_count - 1)
    )


def _uncount_replies_and_reposts(user_id: int) -> None:
    """Their replies and reposts go: each post they answered or reposted counts them no more."""
    rows = db.session.execute(
        sa.select(Post.in_reply_to_id, Post.repost_of_id).where(
            Post.user_id == user_id, sa.or_(Post.in_reply_to_id.is_not(None), Post.repost_of_id.is_not(None))
        )
    )
    replied, reposted = Counter(), Counter()
    for in_reply_to_id, repost_of_id in rows:
        if repost_of_id is not None:
            reposted[repost_of_id] += 1
        else:
            replied[in_reply_to_id] += 1
    _subtract(Post.__table__.c.replies_count, replied)
    _subtract(Post.__table__.c.reposts_count, reposted)


def _delete_reposts_of(post_ids: list[int]) -> None:
    """Others' reposts of their posts go (they show nothing any more): the reposters count one post fewer."""
    reposters: Counter = Counter()
    for ids in _chunks(post_ids):
        rows = db.session.execute(sa.select(Post.user_id).where(Post.repost_of_id.in_(ids)))
        reposters.update(user_id for (user_id,) in rows)
        db.session.execute(
            sa.delete(Post).where(Post.repost_of_id.in_(ids)).execution_options(synchronize_session=False)
        )
    _subtract(User.__table__.c.post_count, reposters)


def _tombstone_answered(post_ids: list[int]) -> None:
    """Their posts that others still answer become tombstones; what hung on them goes."""
    for ids in _chunks(post_ids):
        answered = list(db.session.scalars(sa.select(Post.id).where(Post.id.in_(ids), Post.replies_count > 0)))
        if not answered:
            continue
        for model in (Like, Mention, PostTag, Activity):
            db.session.execute(sa.delete(model).where(model.post_id.in_(answered)))
        db.session.execute(
            sa.update(Post)
            .where(Post.id.in_(answered))
            .values(user_id=None, body="", language=None, search_text=None, likes_count=0, reposts_count=0),
            execution_options={"synchronize_session": False},
        )


def _delete_lone_messages(user_id: int) -> None:
    """Messages whose other party is gone already (or who wrote to themselves) go with this account."""
    mine = sa.or_(Message.sender_id == user_id, Message.recipient_id == user_id)
    lone = sa.or_(
        Message.sender_id.is_(None), Message.recipient_id.is_(None), Message.sender_id == Message.recipient_id
    )
    db.session.execute(sa.delete(Message).where(mine, lone).execution_options(synchronize_session=False))


def _subtract(column: sa.Column, amounts: Counter) -> None:
    """Lower `column` of each row by its amount (one executemany statement)."""
    if not amounts:
        return
    table = column.table
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_id"))
        .values({column.name: column - sa.bindparam("amount")})
    )
    db.session.execute(statement, [{"row_id": row_id, "amount": amount} for row_id, amount in amounts.items()])


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
