"""Counters kept on rows (a post's replies, likes and reposts; a user's posts)."""

import sqlalchemy as sa

from app.extensions import db


def add_to(counter, row_id: int, delta: int) -> None:
    """Add `delta` to a counter column in the database itself, so concurrent writers never lose a change."""
    model = counter.class_
    statement = sa.update(model).where(model.id == row_id).values({counter: counter + delta})
    db.session.execute(statement.execution_options(synchronize_session=False))
