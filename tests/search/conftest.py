"""Search fixtures: the same app on every search backend, and a fake Elasticsearch node."""

import os
from dataclasses import dataclass

import pytest

from app import search as search_service
from app.extensions import db
from tests import services
from tests.conftest import make_app, reset_database
from tests.search.fake_elasticsearch import FakeElasticsearch, fake_elasticsearch, fake_elasticsearch_url  # noqa: F401

REAL_ELASTICSEARCH_URL = os.environ.get("TEST_ELASTICSEARCH_URL")

BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.postgres),
    pytest.param("mariadb", marks=pytest.mark.mariadb),
    "elasticsearch-fake",
]
# A real cluster joins the backends only when one is named: none can run on the project's machines.
if REAL_ELASTICSEARCH_URL:
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
    from elasticsearch import Elasticsearch

    with Elasticsearch(url, request_timeout=10) as client:
        client.indices.delete(index=index, ignore_unavailable=True)


def close_backend(app) -> None:
    """Close the Elasticsearch client the app may have opened."""
    backend = app.extensions["search"].backend
    if hasattr(backend, "close"):
        backend.close()


@pytest.fixture(params=BACKENDS)
def search_setup(request):
    """Yield a SearchSetup for each backend, inside an app context, with an empty database and index."""
    fake = None
    settings = {}
    database_url = "sqlite://"
    if request.param == "postgresql":
        database_url = services.require_postgres()
    elif request.param == "mariadb":
        database_url = services.require_mariadb()
    elif request.param == "elasticsearch-fake":
        fake = FakeElasticsearch().serve()
        settings["ELASTICSEARCH_URL"] = fake.url
    elif request.param == "elasticsearch-real":
        if not services.reachable(REAL_ELASTICSEARCH_URL, 9200):
            services.service_missing("Elasticsearch", REAL_ELASTICSEARCH_URL)
        drop_index(REAL_ELASTICSEARCH_URL)
        settings["ELASTICSEARCH_URL"] = REAL_ELASTICSEARCH_URL
    app = make_app(database_url, **settings)
    try:
        with app.app_context():
            yield SearchSetup(request.param, app, fake)
            db.session.remove()
    finally:
        close_backend(app)
        if database_url != "sqlite://":
            reset_database(app)
        if fake is not None:
            fake.stop()
        if request.param == "elasticsearch-real":
            drop_index(REAL_ELASTICSEARCH_URL)
