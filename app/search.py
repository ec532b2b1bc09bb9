"""The search service: index, unindex and query searchable models.

The default backend is the application database itself, so search works with
no configuration.
"""

import logging
from typing import Any

import sqlalchemy as sa

from app.extensions import db

log = logging.getLogger(__name__)


def _model_for(index: str):
    from app.models import Post

    models = {"post": Post}
    return models[index]


def add_to_index(index: str, model: Any) -> None:
    """Make `model`'s searchable fields findable (the database backend reads the table itself)."""


def remove_from_index(index: str, model: Any) -> None:
    """Make `model` unfindable (the database backend reads the table itself)."""


def query_index(index: str, query: str, page: int, per_page: int) -> tuple[list[int], int]:
    """Return the ids of one page of matches, best first, and the total number of matches."""
    model = _model_for(index)
    words = [word for word in query.split() if word]
    if not words:
        return [], 0
    conditions = [
        sa.or_(*(getattr(model, field).contains(word, autoescape=True) for field in model.__searchable__))
        for word in words
    ]
    where = sa.and_(*conditions)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(model).where(where))
    ids = db.session.scalars(
        sa.select(model.id).where(where).order_by(model.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(ids), total


def reindex(model) -> int:
    """Rebuild the index for `model`; return how many rows are indexed."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))
