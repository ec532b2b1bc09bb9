"""Search backends behind one protocol (`base.SearchBackend`).

`database` (the default) keeps the index inside the application database, in the same transaction
as the rows; `elasticsearch` is used when ELASTICSEARCH_URL is set.
"""

from collections.abc import Iterable

from app.search.backends.base import SearchBackend
from app.search.backends.database import DatabaseBackend

__all__ = ["DatabaseBackend", "SearchBackend", "create_backend"]


def create_backend(name: str, config: dict, indexes: Iterable[str]) -> SearchBackend:
    """Return the backend called `name` ("database" or "elasticsearch") for these indexes."""
    if name == "database":
        return DatabaseBackend(indexes)
    if name == "elasticsearch":
        url = config.get("ELASTICSEARCH_URL")
        if not url:
            raise LookupError("ELASTICSEARCH_URL is not set")
        # Importing the client takes 0.2 s: only deployments that use it pay for it.
        from app.search.backends.elasticsearch import ElasticsearchBackend  # noqa: PLC0415

        return ElasticsearchBackend(url)
    raise LookupError(f"no search backend called {name!r}")
