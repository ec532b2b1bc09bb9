"""The search service: index, unindex and query searchable models.

Views and models call these functions (models through `current_app.extensions["search"]`, which
`init_app` fills); only the backend knows the engine. The database backend is the default;
ELASTICSEARCH_URL switches to Elasticsearch.
"""

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

from app.extensions import db
from app.models import SearchableMixin
from app.search import events
from app.search.backends import SearchBackend, create_backend
from app.search.backends.database import install_ddl_events
from app.search.service import SearchService, SearchUnavailable

__all__ = [
    "SearchUnavailable",
    "add_to_index",
    "get_backend",
    "init_app",
    "note_removed",
    "query_index",
    "reindex",
    "remove_from_index",
    "replay_pending",
    "status",
]


def searchable_models() -> dict[str, Any]:
    """Return every model that mixes in SearchableMixin, by index name (its table name)."""
    return {
        mapper.class_.__tablename__: mapper.class_
        for mapper in db.Model.registry.mappers
        if issubclass(mapper.class_, SearchableMixin)
    }


def init_app(app: Flask) -> None:
    """Give the app its search service and keep every searchable model's index in step."""
    models = searchable_models()
    for model in models.values():
        # The database index exists on every deployment (migrations create it), whichever backend serves.
        install_ddl_events(model.__table__)
    events.install(models)
    backend_name = "elasticsearch" if app.config.get("ELASTICSEARCH_URL") else "database"
    app.extensions["search"] = SearchService(create_backend(backend_name, app.config, models), models)


def _service() -> SearchService:
    return current_app.extensions["search"]


def get_backend() -> SearchBackend:
    """Return the current app's backend."""
    return _service().backend


def add_to_index(index: str, model: Any) -> None:
    """Index `model`'s searchable fields now (errors propagate to the caller)."""
    _service().add_to_index(index, model)


def remove_from_index(index: str, model: Any) -> None:
    """Remove `model` from the index now (errors propagate to the caller)."""
    _service().remove_from_index(index, model)


def note_removed(index: str, ids: list[int]) -> None:
    """Tell the index that the current transaction deleted these rows with bulk SQL, which no ORM event sees.

    Like a change the session saw, it is recorded in the transaction (for a backend outside the
    database) and sent once the transaction commits.
    """
    if ids:
        events.note_changes(db.session, {(index, object_id): None for object_id in ids})


def query_index(index: str, query: str, page: int, per_page: int) -> tuple[list[int], int]:
    """Return one page of matching ids, best first, and the total; SearchUnavailable on an outage."""
    return _service().query_index(index, query, page, per_page)


def replay_pending(limit: int | None = None) -> int:
    """Apply recorded changes that the backend has not confirmed yet; return how many were applied."""
    service = _service()
    return service.replay_pending() if limit is None else service.replay_pending(limit)


def reindex(model: Any, backend: SearchBackend | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild `model`'s index in bulk from the database; return how many rows were indexed."""
    return _service().reindex(model, backend, progress)


def status() -> dict[str, Any]:
    """Return the backend's name, pending changes and document counts per index."""
    return _service().status()
