"""Who sees whom: the visibility rule of blocks, mutes and suspensions, as SQL expressions.

Every query that lists posts adds `Post.visible_to(reader)` to its WHERE clause; the rule never
runs in Python. A reader does not see the posts, reposts and mentions of:

- people the reader blocks or mutes, and people who block the reader (a block works both ways);
- suspended accounts.

The people hidden from a reader are read by one *uncorrelated* subquery (`hidden_authors`): it
does not depend on the post row, so the database computes it once per statement and then checks
each row against it (PostgreSQL plans `NOT IN (subquery)` as a hashed subplan, SQLite builds an
ephemeral index once), through the indexes of `block`, `mute` and `user.suspended_at`. A repost
carries its reposted post's author on its own row (`Post.repost_of_user_id`), so checking a
repost needs no join, and a timeline's page is still picked from the (timestamp, id, user_id,
repost_of_user_id) index alone (see `Post.fetch_page`).
"""

from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa

from app.models.activity import Activity
from app.models.message import Message
from app.models.safety import Block, Mute

if TYPE_CHECKING:
    from app.models.user import User

# Nobody has this id: an anonymous reader blocks and mutes no one.
_NOBODY = 0
# The user table's columns the rule reads, without importing the User model (which imports Post,
# whose `visible_to` is built here).
_users = sa.table("user", sa.column("id", sa.Integer), sa.column("suspended_at"))


def reader_id(reader: Optional["User"] | int | sa.ColumnElement[int]) -> int | sa.ColumnElement[int]:
    """Return the id the rule reads for `reader` (0, nobody's, for an anonymous one).

    An id, or a column or bound parameter holding one, stands for itself (statements built once).
    """
    if isinstance(reader, int | sa.ColumnElement):
        return reader
    if reader is None or not getattr(reader, "is_authenticated", True):
        return _NOBODY
    return reader.id


def signed_in_id(reader: Optional["User"]) -> int | None:
    """Return the id of a signed-in `reader`, None for an anonymous one or none."""
    return reader.id if reader is not None and reader.is_authenticated else None


def suspended_accounts() -> sa.Select:
    """Return a select of the ids of suspended accounts (read through the index on `user.suspended_at`)."""
    return sa.select(_users.c.id).where(_users.c.suspended_at.is_not(None))


def shut_out(reader: Optional["User"]) -> sa.Select:
    """Return a select of the ids of the accounts `reader` may not reach: those who block them, and suspended ones.

    These answer 404 to the reader: profiles, threads, user documents. (Whom the reader blocks or
    mutes stays reachable, so that it can be undone.)
    """
    return sa.union_all(sa.select(Block.blocker_id).where(Block.blocked_id == reader_id(reader)), suspended_accounts())


def hidden_authors(reader: Optional["User"] | int | sa.ColumnElement[int]) -> sa.Select:
    """Return a select of the ids of every account whose posts `reader` does not see.

    Whom the reader blocks or mutes, who blocks the reader, and suspended accounts (a union of
    index lookups; the same id may come more than once, which `NOT IN` does not mind).
    """
    who = reader_id(reader)
    return sa.union_all(
        sa.select(Block.blocked_id).where(Block.blocker_id == who),
        sa.select(Block.blocker_id).where(Block.blocked_id == who),
        sa.select(Mute.muted_id).where(Mute.muter_id == who),
        suspended_accounts(),
    )


def visible_posts(
    author: sa.ColumnElement[int],
    original_author: sa.ColumnElement[int],
    reader: Optional["User"] | int,
    tombstones: bool,
) -> sa.ColumnElement[bool]:
    """Return the WHERE clause of `Post.visible_to`: neither `author` nor a repost's `original_author` is hidden.

    The hidden set never holds NULL, so `NOT IN` is exact; a tombstone (no author) is kept only
    when `tombstones` is set.
    """
    hidden = hidden_authors(reader)
    by_author = author.not_in(hidden)
    # (`NULL NOT IN` an empty set is true: tombstones are named either way.)
    by_author = sa.or_(author.is_(None), by_author) if tombstones else sa.and_(author.is_not(None), by_author)
    return sa.and_(by_author, sa.or_(original_author.is_(None), original_author.not_in(hidden)))


def reachable_posts(
    author: sa.ColumnElement[int], original_author: sa.ColumnElement[int], reader: Optional["User"]
) -> sa.ColumnElement[bool]:
    """Return the WHERE clause keeping the posts `reader` may open (app.safety.may_reach, as SQL).

    Not when a block stands between the reader and `author` or a repost's `original_author`,
    either way, nor when either is suspended; the reader's own posts and tombstones always.
    (A mute only hides an author from lists: a post opened on purpose still shows.)
    """
    who = reader_id(reader)
    shut = sa.union_all(
        sa.select(Block.blocked_id).where(Block.blocker_id == who),
        sa.select(Block.blocker_id).where(Block.blocked_id == who),
        suspended_accounts(),
    )
    return sa.and_(
        *(sa.or_(column.is_(None), column == who, column.not_in(shut)) for column in (author, original_author))
    )


def visible_actors(reader: Optional["User"] | sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """Return the WHERE clause keeping the activity entries whose actor `reader` sees."""
    return Activity.actor_id.not_in(hidden_authors(reader))


def reachable_users(user_id: sa.ColumnElement[int], reader: Optional["User"]) -> sa.ColumnElement[bool]:
    """Return the WHERE clause keeping the users (`user_id` is `User.id`) `reader` may see.

    Those who block the reader, and suspended accounts, are left out.
    """
    return user_id.not_in(shut_out(reader))


def visible_senders(reader: Optional["User"] | sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """Return the WHERE clause keeping the messages whose sender `reader` has not blocked (nor suspended)."""
    blocks = sa.select(Block.blocked_id).where(Block.blocker_id == reader_id(reader))
    blocked = sa.union_all(blocks, suspended_accounts())
    return sa.or_(Message.sender_id.is_(None), Message.sender_id.not_in(blocked))
