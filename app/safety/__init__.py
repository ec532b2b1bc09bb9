"""Blocks and mutes: one person's boundaries towards another.

A mute hides the muted person's posts, reposts and mentions from the muter; the muted person is
not told. A block does that too and more: follows between the two end both ways (their counters
with them), and neither can follow, message, answer or mention the other until it is lifted.
What each reader sees is decided in SQL by app.models.visibility; this package changes the rows
and answers the questions the blueprints ask before acting. The callers commit.
"""

from collections.abc import Iterable
from typing import NamedTuple

import sqlalchemy as sa

from app.extensions import db
from app.models import Block, Mute, User, followers
from app.pagination import Page, paginate


class CannotTargetYourself(ValueError):
    """Blocking or muting yourself means nothing."""


class Relation(NamedTuple):
    """Where `reader` stands towards another person."""

    blocking: bool  # the reader blocks them
    blocked_by: bool  # they block the reader
    muting: bool  # the reader mutes them
    following: bool = False  # the reader follows them (read with the rest, so a profile's button costs no query)

    @property
    def blocked(self) -> bool:
        """Whether a block stands between the two, either way."""
        return self.blocking or self.blocked_by


NO_RELATION = Relation(False, False, False, False)


def _relation_columns(reader_id: int, other_id) -> tuple:
    """The four facts of a `Relation` between `reader_id` and `other_id` (a value or a column), as EXISTS columns."""
    return (
        sa.select(Block.blocker_id).where(Block.blocker_id == reader_id, Block.blocked_id == other_id).exists(),
        sa.select(Block.blocker_id).where(Block.blocker_id == other_id, Block.blocked_id == reader_id).exists(),
        sa.select(Mute.muter_id).where(Mute.muter_id == reader_id, Mute.muted_id == other_id).exists(),
        sa.select(followers.c.follower_id)
        .where(followers.c.follower_id == reader_id, followers.c.followed_id == other_id)
        .exists(),
    )


def relation(reader: User, other: User) -> Relation:
    """Return whether `reader` blocks, is blocked by, mutes and follows `other` (one query)."""
    if reader is None or not reader.is_authenticated or reader.id == other.id:
        return NO_RELATION
    row = db.session.execute(sa.select(*_relation_columns(reader.id, other.id))).one()
    return Relation(*map(bool, row))


def user_with_relation(query: sa.Select, reader: User) -> tuple[User | None, Relation]:
    """Run `query` (a select of one User) and learn the reader's `relation` to that user in the same query."""
    if reader is None or not reader.is_authenticated:
        return db.session.scalar(query), NO_RELATION
    row = db.session.execute(query.add_columns(*_relation_columns(reader.id, User.id))).first()
    if row is None:
        return None, NO_RELATION
    user = row[0]
    if user.id == reader.id:
        return user, NO_RELATION
    return user, Relation(*map(bool, row[1:]))


def blocked_between(one: User, other: User) -> bool:
    """Return whether either of the two blocks the other."""
    return relation(one, other).blocked


def _check_other(user: User, other: User) -> None:
    if user.id == other.id:
        raise CannotTargetYourself


def block(blocker: User, blocked: User) -> None:
    """Block `blocked`: follows end both ways; blocking twice changes nothing. Raises CannotTargetYourself."""
    _check_other(blocker, blocked)
    if db.session.get(Block, (blocker.id, blocked.id)) is None:
        db.session.add(Block(blocker_id=blocker.id, blocked_id=blocked.id))
    blocker.unfollow(blocked)
    blocked.unfollow(blocker)
    db.session.flush()


def unblock(blocker: User, blocked: User) -> None:
    """Lift a block (follows that ended stay ended); unblocking someone not blocked changes nothing."""
    _check_other(blocker, blocked)
    db.session.execute(sa.delete(Block).where(Block.blocker_id == blocker.id, Block.blocked_id == blocked.id))


def mute(muter: User, muted: User) -> None:
    """Mute `muted` (who is not told); muting twice changes nothing. Raises CannotTargetYourself."""
    _check_other(muter, muted)
    if db.session.get(Mute, (muter.id, muted.id)) is None:
        db.session.add(Mute(muter_id=muter.id, muted_id=muted.id))
        db.session.flush()


def unmute(muter: User, muted: User) -> None:
    """Lift a mute; unmuting someone not muted changes nothing."""
    _check_other(muter, muted)
    db.session.execute(sa.delete(Mute).where(Mute.muter_id == muter.id, Mute.muted_id == muted.id))


def blockers_among(author: User, user_ids: Iterable[int]) -> set[int]:
    """Return which of `user_ids` block `author`, or are blocked by them (they may not be mentioned)."""
    ids = list(user_ids)
    if not ids:
        return set()
    query = sa.union(
        sa.select(Block.blocker_id).where(Block.blocked_id == author.id, Block.blocker_id.in_(ids)),
        sa.select(Block.blocked_id).where(Block.blocker_id == author.id, Block.blocked_id.in_(ids)),
    )
    return set(db.session.scalars(query))


def muters_among(author: User, user_ids: Iterable[int]) -> set[int]:
    """Return which of `user_ids` mute `author` (they are not told of the author's mentions and replies)."""
    ids = list(user_ids)
    if not ids:
        return set()
    return set(db.session.scalars(sa.select(Mute.muter_id).where(Mute.muted_id == author.id, Mute.muter_id.in_(ids))))


def blocked_users(user: User) -> sa.Select:
    """Return a select of the people `user` blocks, most recently blocked first."""
    return (
        sa.select(User)
        .join(Block, Block.blocked_id == User.id)
        .where(Block.blocker_id == user.id)
        .order_by(Block.timestamp.desc(), User.id.desc())
    )


def muted_users(user: User) -> sa.Select:
    """Return a select of the people `user` mutes, most recently muted first."""
    return (
        sa.select(User)
        .join(Mute, Mute.muted_id == User.id)
        .where(Mute.muter_id == user.id)
        .order_by(Mute.timestamp.desc(), User.id.desc())
    )


def blocks_count(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(Block.blocker_id == user.id))


def mutes_count(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(Mute.muter_id == user.id))


def page_of(query: sa.Select, page: int, per_page: int, total: int | None = None) -> Page:
    """Return a page of `blocked_users` or `muted_users`."""
    return paginate(query, page, per_page, total=total)


def may_reach(reader: User, author: User | None) -> bool:
    """Return whether `reader` may open what `author` wrote (a post, its thread) or act on it.

    Not when a block stands between them, either way, nor when the author is suspended. (A mute
    hides an author from the reader's lists, but a post opened on purpose still shows.)
    """
    if author is None or (reader is not None and reader.is_authenticated and author.id == reader.id):
        return True
    return not author.is_suspended and not relation(reader, author).blocked
