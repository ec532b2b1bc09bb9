"""Behaviour shared by several models: API representation and search indexing."""

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.pagination import count, limit_offset, paginate


class PaginatedAPIMixin:
    """A model with an API representation: the API's schema for it, reached through the app.

    The API stores its compiled schemas in `current_app.extensions["api"]` (app.api.representation),
    so the tutorial's `to_dict` and `to_collection_dict` give exactly what the API answers.
    """

    def to_dict(self, include: tuple[str, ...] = ()) -> dict[str, Any]:
        """Return this object's API representation, with fields it leaves out by default `include`d."""
        return current_app.extensions["api"].dump(self, include)

    @classmethod
    def to_collection_dict(
        cls, query: sa.Select, page: int, per_page: int, endpoint: str, total: int | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Return one page of `query` as `{items, _meta, _links}`; a known `total` spares the COUNT."""
        total = count(query) if total is None else total
        result = paginate(query, page, per_page, cls.fetch_page, total)
        return current_app.extensions["api"].collection(result, endpoint, **kwargs)

    @classmethod
    def fetch_page(cls, query: sa.Select, limit: int, offset: int) -> list:
        """Return `limit` rows of `query` after `offset` (models override this to load them faster)."""
        return limit_offset(query, limit, offset)


class SearchableMixin:
    """A model whose `__searchable__` fields are kept in the search index.

    The search service (app.search) registers the listeners that keep the index in step with the
    session, and keeps the model's `search_text` column (the text the database backend indexes)
    current; `search` and `reindex` reach that service through `current_app.extensions`.
    """

    __searchable__: list[str] = []

    @classmethod
    def search_options(cls) -> tuple:
        """Return loader options for search results (override to load relationships)."""
        return ()

    @classmethod
    def search(
        cls,
        expression: str,
        page: int,
        per_page: int,
        where: sa.ColumnElement[bool] | None = None,
        load: Callable[[sa.Select], list] | None = None,
    ) -> tuple[list, int]:
        """Return the page of matching objects in rank order and the total match count.

        `where` leaves out matches the reader may not see (the total still counts them); `load`
        reads the matches' select (by default, its objects), for a model that reads more with them.
        """
        ids, total = current_app.extensions["search"].query_index(cls.__tablename__, expression, page, per_page)
        if not ids:
            return [], total
        query = sa.select(cls).where(cls.id.in_(ids)).options(*cls.search_options())
        if where is not None:
            query = query.where(where)
        rows = load(query) if load is not None else db.session.scalars(query).all()
        by_id = {row.id: row for row in rows}
        return [by_id[i] for i in ids if i in by_id], total

    @classmethod
    def reindex(cls) -> int:
        """Rebuild this model's index from the database; return the number indexed."""
        return current_app.extensions["search"].reindex(cls)

    def is_searchable(self) -> bool:
        """Return whether this row belongs in the index (override to leave some rows out)."""
        return True

    def search_document(self) -> SimpleNamespace:
        """Return a detached snapshot of the indexed fields, safe to use after the commit."""
        fields = {name: getattr(self, name) for name in self.__searchable__}
        return SimpleNamespace(id=self.id, __searchable__=self.__searchable__, **fields)
