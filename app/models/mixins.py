"""Behaviour shared by several models: API pagination and search indexing."""

from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from flask import url_for

from app.extensions import db


class PaginatedAPIMixin:
    """Turn a select into the API's collection shape."""

    @staticmethod
    def to_collection_dict(query: sa.Select, page: int, per_page: int, endpoint: str, **kwargs: Any) -> dict[str, Any]:
        """Return one page of `query` as `{items, _meta, _links}`."""
        resources = db.paginate(query, page=page, per_page=per_page, error_out=False)

        def link(number: int | None) -> str | None:
            if number is None:
                return None
            return url_for(endpoint, page=number, per_page=per_page, **kwargs)

        return {
            "items": [item.to_dict() for item in resources.items],
            "_meta": {
                "page": page,
                "per_page": per_page,
                "total_pages": resources.pages,
                "total_items": resources.total,
            },
            "_links": {
                "self": link(page),
                "next": link(resources.next_num if resources.has_next else None),
                "prev": link(resources.prev_num if resources.has_prev else None),
            },
        }


class SearchableMixin:
    """Keep a model's `__searchable__` fields in the search index.

    Changes are collected when the session flushes and handed to the search
    service only after the commit, so a rolled-back write never reaches the
    index and an index outage never fails the write.
    """

    __searchable__: list[str] = []

    @classmethod
    def search(cls, expression: str, page: int, per_page: int) -> tuple[list, int]:
        """Return the page of matching objects in rank order and the total match count."""
        from app import search as search_service

        ids, total = search_service.query_index(cls.__tablename__, expression, page, per_page)
        if not ids:
            return [], total
        rows = db.session.scalars(sa.select(cls).where(cls.id.in_(ids))).all()
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
        pending = session.info.setdefault("search_changes", {})
        for obj in session.new | session.dirty:
            if isinstance(obj, SearchableMixin):
                pending[(obj.__tablename__, obj.id)] = obj.search_document()
        for obj in session.deleted:
            if isinstance(obj, SearchableMixin):
                pending[(obj.__tablename__, obj.id)] = None

    @staticmethod
    def after_commit(session) -> None:
        """Send the committed changes to the search service."""
        from app import search as search_service

        pending = session.info.pop("search_changes", None)
        for (index, object_id), document in (pending or {}).items():
            if document is None:
                search_service.remove_from_index(index, SimpleNamespace(id=object_id))
            else:
                search_service.add_to_index(index, document)

    @staticmethod
    def after_rollback(session, previous_transaction) -> None:
        """Forget changes that were rolled back."""
        if previous_transaction.parent is None:
            session.info.pop("search_changes", None)


db.event.listen(db.session, "after_flush", SearchableMixin.after_flush)
db.event.listen(db.session, "after_commit", SearchableMixin.after_commit)
db.event.listen(db.session, "after_soft_rollback", SearchableMixin.after_rollback)
