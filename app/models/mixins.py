"""Behaviour shared by several models: API pagination and search indexing."""

from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask import url_for

from app.extensions import db
from app.pagination import limit_offset


class PaginatedAPIMixin:
    """Turn a select into the API's collection shape."""

    @classmethod
    def to_collection_dict(
        cls, query: sa.Select, page: int, per_page: int, endpoint: str, total: int | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Return one page of `query` as `{items, _meta, _links}`; a known `total` spares the COUNT."""
        if total is None:
            total = db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
        rows = cls.fetch_page(query, per_page, (page - 1) * per_page) if (page - 1) * per_page < total else []
        return collection_dict(cls.page_to_dicts(rows), page, per_page, total, endpoint, **kwargs)

    @classmethod
    def fetch_page(cls, query: sa.Select, limit: int, offset: int) -> list:
        """Return `limit` rows of `query` after `offset` (models override this to load them faster)."""
        return limit_offset(query, limit, offset)

    @classmethod
    def page_to_dicts(cls, items: list) -> list[dict[str, Any]]:
        """Return the API representations of one page of items (models override this to batch queries)."""
        return [item.to_dict() for item in items]


def collection_dict(
    items: list[dict[str, Any]], page: int, per_page: int, total: int, endpoint: str, **kwargs: Any
) -> dict[str, Any]:
    """Return already serialised `items` as page `page` of `total` in the API's collection shape."""
    pages = max(0, -(-total // per_page))

    def link(number: int | None) -> str | None:
        if number is None:
            return None
        return url_for(endpoint, page=number, per_page=per_page, **kwargs)

    return {
        "items": items,
        "_meta": {"page": page, "per_page": per_page, "total_pages": pages, "total_items": total},
        "_links": {
            "self": link(page),
            "next": link(page + 1 if page < pages else None),
            "prev": link(page - 1 if page > 1 else None),
        },
    }


class SearchableMixin:
    """Keep a model's `__searchable__` fields in the search index.

    Changes are collected when the session flushes and handed to the search
    service after the commit, so a rolled-back write never reaches the index.
    For a backend outside the database the service also records each change in
    the same transaction, so an outage delays the index but never loses a change.
    """

    __searchable__: list[str] = []

    @classmethod
    def search_options(cls) -> list:
        """Return loader options for search results (override to load relationships)."""
        return []

    @classmethod
    def search(cls, expression: str, page: int, per_page: int) -> tuple[list, int]:
        """Return the page of matching objects in rank order and the total match count."""
        from app import search as search_service

        ids, total = search_service.query_index(cls.__tablename__, expression, page, per_page)
        if not ids:
            return [], total
        rows = db.session.scalars(sa.select(cls).where(cls.id.in_(ids)).options(*cls.search_options())).all()
        by_id = {row.id: row for row in rows}
        return [by_id[i] for i in ids if i in by_id], total

    @classmethod
    def reindex(cls) -> int:
        """Rebuild this model's index from the database; return the number indexed."""
        from app import search as search_service

        return search_service.reindex(cls)

    def search_document(self) -> SimpleNamespace:
        """Return a detached snapshot of the indexed fields, safe to use after the commit."""
        fields = {name: getattr(self, name) for name in self.__searchable__}
        return SimpleNamespace(id=self.id, __searchable__=self.__searchable__, **fields)

    @staticmethod
    def after_flush(session, flush_context) -> None:
        """Remember which searchable rows this transaction wrote or deleted."""
        from app import search as search_service

        changes = {}
        for obj in session.new | session.dirty:
            if isinstance(obj, SearchableMixin) and session.is_modified(obj, include_collections=False):
                changes[(obj.__tablename__, obj.id)] = obj.search_document()
        for obj in session.deleted:
            if isinstance(obj, SearchableMixin):
                changes[(obj.__tablename__, obj.id)] = None
        if changes:
            session.info.setdefault("search_changes", {}).update(changes)
            search_service.record_pending(session.connection(), changes)

    @staticmethod
    def after_commit(session) -> None:
        """Send the committed changes to the search service."""
        from app import search as search_service

        changes = session.info.pop("search_changes", None)
        if changes:
            search_service.apply_changes(changes)

    @staticmethod
    def after_rollback(session, previous_transaction) -> None:
        """Forget changes that were rolled back."""
        if previous_transaction.parent is None:
            session.info.pop("search_changes", None)


db.event.listen(db.session, "after_flush", SearchableMixin.after_flush)
db.event.listen(db.session, "after_commit", SearchableMixin.after_commit)
db.event.listen(db.session, "after_soft_rollback", SearchableMixin.after_rollback)
