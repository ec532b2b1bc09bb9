"""One application's search: its backend, a breaker for outages and the queue of pending changes.

The database backend indexes rows in their own transaction. A backend outside the database
(Elasticsearch) gets each change after the commit; the change is also recorded in
`search_pending` in the same transaction, and stays there until the backend confirms it, so an
outage delays the index but never loses a change.
"""

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import SearchPending
from app.search.backends import SearchBackend
from app.search.text import parse_query

log = logging.getLogger(__name__)

# After a failure, the request path leaves the backend alone for this long.
RETRY_AFTER_SECONDS = 30
REPLAY_BATCH = 500
ROWS_BATCH = 5000

# (index, object id) -> a snapshot of the searchable fields, or None for a removal.
Changes = dict[tuple[str, int], Any]


class SearchUnavailable(RuntimeError):
    """The search backend cannot answer right now."""


def fields_of(model: Any) -> dict[str, str]:
    """Return the searchable fields of a model (or of its snapshot) as text."""
    return {name: getattr(model, name) or "" for name in model.__searchable__}


class SearchService:
    """Index, unindex and query the searchable models of one application."""

    def __init__(self, backend: SearchBackend, models: dict[str, Any]) -> None:
        self.backend = backend
        # Index name (the table name) -> searchable model class.
        self.models = models
        self._failed_at: float | None = None

    # The tutorial's interface: errors propagate to the caller.

    def add_to_index(self, index: str, model: Any) -> None:
        """Index `model`'s searchable fields now."""
        self.backend.add(index, model.id, fields_of(model))

    def remove_from_index(self, index: str, model: Any) -> None:
        """Remove `model` from the index now."""
        self.backend.remove(index, model.id)

    def query_index(self, index: str, query: str, page: int, per_page: int) -> tuple[list[int], int]:
        """Return the ids of one page of matches, best first, and the total number of matches.

        Raises SearchUnavailable when a backend outside the database fails.
        """
        parsed = parse_query(query.replace("\x00", ""))
        if not parsed:
            return [], 0
        if self.backend.transactional:
            return self.backend.query(index, parsed, page, per_page)
        try:
            return self.backend.query(index, parsed, page, per_page)
        except Exception as exc:
            self._note_outcome(ok=False)
            log.warning("search backend %s failed a query", self.backend.name, exc_info=True)
            raise SearchUnavailable(str(exc)) from exc

    # Changes made by the application's transactions (see app.search.events).

    def record_pending(self, connection: sa.Connection, changes: Changes) -> None:
        """Record changes in the writer's transaction when the backend lives outside the database."""
        if self.backend.transactional:
            return
        rows = [
            {"index_name": index, "object_id": object_id, "operation": "add" if doc is not None else "remove"}
            for (index, object_id), doc in changes.items()
        ]
        connection.execute(sa.insert(SearchPending), rows)

    def apply_changes(self, changes: Changes) -> None:
        """Send committed changes to the backend; on failure they stay pending. Never raises."""
        if self.backend.transactional or self._resting():
            return
        try:
            for (index, object_id), document in changes.items():
                if document is None:
                    self.remove_from_index(index, SimpleNamespace(id=object_id))
                else:
                    self.add_to_index(index, document)
        except Exception:
            self._note_outcome(ok=False)
            log.warning("search backend unavailable; %d change(s) stay pending", len(changes), exc_info=True)
            return
        self._note_outcome(ok=True)
        self._forget_pending(changes.keys())
        self.replay_pending()

    def replay_pending(self, limit: int = REPLAY_BATCH) -> int:
        """Apply up to `limit` recorded changes (current row content wins); return how many were applied."""
        if self.backend.transactional:
            return 0
        with db.engine.connect() as connection:
            pending = connection.execute(
                sa.select(SearchPending.id, SearchPending.index_name, SearchPending.object_id)
                .order_by(SearchPending.id)
                .limit(limit)
            ).all()
        applied = 0
        for row in pending:
            current = self._current_fields(row.index_name, row.object_id)
            try:
                if current is None:
                    self.remove_from_index(row.index_name, SimpleNamespace(id=row.object_id))
                else:
                    self.add_to_index(row.index_name, current)
            except Exception:
                self._note_outcome(ok=False)
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

    def _current_fields(self, index: str, object_id: int) -> SimpleNamespace | None:
        """Return a snapshot of a row's searchable fields as they are now, or None when it is gone."""
        model = self.models[index]
        with db.engine.connect() as connection:
            row = connection.execute(
                sa.select(*(getattr(model, name) for name in model.__searchable__)).where(model.id == object_id)
            ).first()
        if row is None:
            return None
        return SimpleNamespace(id=object_id, __searchable__=model.__searchable__, **dict(row._mapping))

    def _forget_pending(self, keys: Iterable[tuple[str, int]]) -> None:
        with db.engine.begin() as connection:
            for index, object_id in keys:
                connection.execute(
                    sa.delete(SearchPending).where(
                        SearchPending.index_name == index, SearchPending.object_id == object_id
                    )
                )

    # Bulk work for the CLI.

    def reindex(
        self, model: Any, backend: SearchBackend | None = None, progress: Callable[[int], None] | None = None
    ) -> int:
        """Rebuild `model`'s index in bulk from the database; return how many rows were indexed."""
        backend = backend or self.backend
        index = model.__tablename__
        started_at = db.session.scalar(
            sa.select(sa.func.max(SearchPending.id)).where(SearchPending.index_name == index)
        )
        done = backend.rebuild(index, _rows(model), progress)
        if started_at is not None and not backend.transactional:
            # Everything recorded before the rebuild began is now in the index.
            db.session.execute(
                sa.delete(SearchPending).where(SearchPending.index_name == index, SearchPending.id <= started_at)
            )
            db.session.commit()
        return done

    def status(self) -> dict[str, Any]:
        """Return the backend's name, pending changes and document counts per index."""
        pending = db.session.scalar(sa.select(sa.func.count(SearchPending.id)))
        counts = {}
        for index, model in self.models.items():
            rows = db.session.scalar(sa.select(sa.func.count()).select_from(model))
            try:
                indexed: int | str = self.backend.count(index)
            except Exception as exc:
                indexed = f"unavailable ({exc.__class__.__name__})"
            counts[index] = {"rows": rows, "indexed": indexed}
        return {"backend": self.backend.name, "pending": pending, "indexes": counts}

    # The breaker: after a failure the request path does not wait on the backend for a while.

    def _resting(self) -> bool:
        return self._failed_at is not None and time.monotonic() - self._failed_at < RETRY_AFTER_SECONDS

    def _note_outcome(self, ok: bool) -> None:
        self._failed_at = None if ok else time.monotonic()


def _rows(model: Any, batch: int = ROWS_BATCH) -> Iterator[tuple[int, dict[str, str]]]:
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
            if any(row[1:]):  # rows without text (reposts, tombstones) are not indexed
                yield row[0], dict(zip(model.__searchable__, row[1:], strict=False))
        last_id = rows[-1][0]
