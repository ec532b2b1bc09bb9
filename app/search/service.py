"""The search service: index, unindex and query searchable models.

Views and models call these functions; only the backend knows the engine. The
database backend indexes rows in their own transaction. A backend outside the
database (Elasticsearch) gets each change after the commit; the change is also
recorded in `search_pending` in the same transaction, and stays there until the
backend confirms it, so an outage delays the index but never loses a change.
"""

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.services.search import SearchBackend, parse_query
from app.services.search.database import DatabaseBackend

log = logging.getLogger(__name__)

# After a failure, the request path leaves the backend alone for this long.
RETRY_AFTER_SECONDS = 30
REPLAY_BATCH = 500


def _models() -> dict[str, Any]:
    from app.models import Post

    return {"post": Post}


def get_backend() -> SearchBackend:
    """Return the current app's backend (created once per app)."""
    state = current_app.extensions.setdefault("search", {})
    if "backend" not in state:
        url = current_app.config.get("ELASTICSEARCH_URL")
        if url:
            from app.services.search.elasticsearch import ElasticsearchBackend

            state["backend"] = ElasticsearchBackend(url)
        else:
            state["backend"] = DatabaseBackend()
        state["failed_at"] = None
    return state["backend"]


def _backend_resting() -> bool:
    """Return whether the backend failed so recently that the request path should not wait on it."""
    failed_at = current_app.extensions["search"].get("failed_at")
    return failed_at is not None and time.monotonic() - failed_at < RETRY_AFTER_SECONDS


def _note_outcome(ok: bool) -> None:
    current_app.extensions["search"]["failed_at"] = None if ok else time.monotonic()


def _fields(model: Any) -> dict[str, str]:
    return {name: getattr(model, name) or "" for name in model.__searchable__}


def add_to_index(index: str, model: Any) -> None:
    """Index `model`'s searchable fields now (errors propagate to the caller)."""
    get_backend().add(index, model.id, _fields(model))


def remove_from_index(index: str, model: Any) -> None:
    """Remove `model` from the index now (errors propagate to the caller)."""
    get_backend().remove(index, model.id)


class SearchUnavailable(RuntimeError):
    """The search backend cannot answer right now."""


def query_index(index: str, query: str, page: int, per_page: int) -> tuple[list[int], int]:
    """Return the ids of one page of matches, best first, and the total number of matches.

    Raises SearchUnavailable when a backend outside the database fails.
    """
    parsed = parse_query(query.replace("\x00", ""))
    if not parsed:
        return [], 0
    backend = get_backend()
    if getattr(backend, "transactional", False):
        return backend.query(index, parsed, page, per_page)
    try:
        return backend.query(index, parsed, page, per_page)
    except Exception as exc:
        _note_outcome(False)
        log.warning("search backend %s failed a query", backend.name, exc_info=True)
        raise SearchUnavailable(str(exc)) from exc


def record_pending(connection: sa.Connection, changes: dict) -> None:
    """Record changes in the writer's transaction when the backend lives outside the database."""
    if getattr(get_backend(), "transactional", False):
        return
    from app.models import SearchPending

    rows = [
        {"index_name": index, "object_id": object_id, "operation": "add" if doc is not None else "remove"}
        for (index, object_id), doc in changes.items()
    ]
    connection.execute(sa.insert(SearchPending), rows)


def apply_changes(changes: dict) -> None:
    """Send committed changes to the backend; on failure they stay pending. Never raises."""
    backend = get_backend()
    if getattr(backend, "transactional", False) or _backend_resting():
        return
    try:
        for (index, object_id), document in changes.items():
            if document is None:
                backend.remove(index, object_id)
            else:
                backend.add(index, object_id, _fields(document))
    except Exception:
        _note_outcome(False)
        log.warning("search backend unavailable; %d change(s) stay pending", len(changes), exc_info=True)
        return
    _note_outcome(True)
    _forget_pending(changes.keys())
    replay_pending()


def _forget_pending(keys) -> None:
    from app.models import SearchPending

    with db.engine.begin() as connection:
        for index, object_id in keys:
            connection.execute(
                sa.delete(SearchPending).where(SearchPending.index_name == index, SearchPending.object_id == object_id)
            )


def replay_pending(limit: int = REPLAY_BATCH) -> int:
    """Apply up to `limit` recorded changes (current row content wins); return how many were applied."""
    from app.models import SearchPending

    backend = get_backend()
    if getattr(backend, "transactional", False):
        return 0
    with db.engine.connect() as connection:
        pending = connection.execute(
            sa.select(SearchPending.id, SearchPending.index_name, SearchPending.object_id)
            .order_by(SearchPending.id)
            .limit(limit)
        ).all()
    applied = 0
    for row in pending:
        model = _models()[row.index_name]
        with db.engine.connect() as connection:
            current = connection.execute(
                sa.select(*(getattr(model, name) for name in model.__searchable__)).where(model.id == row.object_id)
            ).first()
        try:
            if current is None:
                backend.remove(row.index_name, row.object_id)
            else:
                backend.add(row.index_name, row.object_id, dict(zip(model.__searchable__, current, strict=False)))
        except Exception:
            _note_outcome(False)
            log.warning("search backend still unavailable; %d change(s) pending", len(pending) - applied)
            break
        with db.engine.begin() as connection:
            connection.execute(
                sa.delete(SearchPending)
                .where(SearchPending.id <= row.id)
                .where(SearchPending.index_name == row.index_name, SearchPending.object_id == row.object_id)
            )
        applied += 1
    return applied


def _rows(model: Any, batch: int = 5000) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield every row's id and searchable fields, by keyset pages."""
    columns = [getattr(model, name) for name in model.__searchable__]
    last_id = 0
    while True:
        rows = db.session.execute(
            sa.select(model.id, *columns).where(model.id > last_id).order_by(model.id).limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield row[0], dict(zip(model.__searchable__, row[1:], strict=False))
        last_id = rows[-1][0]


def reindex(model: Any, backend: SearchBackend | None = None, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild `model`'s index in bulk from the database; return how many rows were indexed."""
    from app.models import SearchPending

    backend = backend or get_backend()
    index = model.__tablename__
    started_at = db.session.scalar(sa.select(sa.func.max(SearchPending.id)).where(SearchPending.index_name == index))
    done = backend.rebuild(index, _rows(model), progress)
    if started_at is not None and not getattr(backend, "transactional", False):
        # Everything recorded before the rebuild began is now in the index.
        db.session.execute(
            sa.delete(SearchPending).where(SearchPending.index_name == index, SearchPending.id <= started_at)
        )
        db.session.commit()
    return done


def status() -> dict[str, Any]:
    """Return the backend's name, pending changes and document counts per index."""
    from app.models import SearchPending

    backend = get_backend()
    pending = db.session.scalar(sa.select(sa.func.count(SearchPending.id)))
    counts = {}
    for index, model in _models().items():
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(model))
        try:
            indexed: int | str = backend.count(index)
        except Exception as exc:
            indexed = f"unavailable ({exc.__class__.__name__})"
        counts[index] = {"rows": rows, "indexed": indexed}
    return {"backend": backend.name, "pending": pending, "indexes": counts}
