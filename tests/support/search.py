"""Running one search contract on several backends: what a backend under test is, and cleaning up after it."""

from dataclasses import dataclass

import pytest
from elasticsearch import Elasticsearch

from app import search as search_service
from tests.support import services
from tests.support.fake_elasticsearch import FakeElasticsearch

# Every backend the contract runs on (the parameters of the `search_setup` fixture).
BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.postgres),
    pytest.param("mariadb", marks=pytest.mark.mariadb),
    "elasticsearch-fake",
]
# A real cluster joins the backends only when one is named: none can run on the project's machines.
if services.ELASTICSEARCH_URL:
    BACKENDS.append("elasticsearch-real")


@dataclass
class SearchSetup:
    """An app on one search backend, and how to wait for its index."""

    name: str
    app: object
    fake: FakeElasticsearch | None = None

    @property
    def is_elasticsearch(self) -> bool:
        return self.name.startswith("elasticsearch")

    def settle(self) -> None:
        """Make every committed change searchable (Elasticsearch is near real time; a database is not)."""
        if self.is_elasticsearch:
            search_service.get_backend().refresh("post")


def drop_index(url: str, index: str = "post") -> None:
    """Delete `index` from the cluster at `url`, so each test starts empty."""
    with Elasticsearch(url, request_timeout=10) as client:
        client.indices.delete(index=index, ignore_unavailable=True)


def close_backend(app) -> None:
    """Close the Elasticsearch client the app may have opened."""
    backend = app.extensions["search"].backend
    if hasattr(backend, "close"):
        backend.close()
