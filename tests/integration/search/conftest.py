"""Search fixtures: the same app on every search backend, and a fake Elasticsearch node."""

import pytest

from app.extensions import db
from tests.support import services
from tests.support.apps import make_app, reset_database
from tests.support.fake_elasticsearch import FakeElasticsearch
from tests.support.search import BACKENDS, SearchSetup, close_backend, drop_index


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
        real_url = services.require_elasticsearch()
        drop_index(real_url)
        settings["ELASTICSEARCH_URL"] = real_url
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
            drop_index(services.ELASTICSEARCH_URL)


@pytest.fixture
def fake_elasticsearch():
    """A fake Elasticsearch node on a free local port; yields the node (its address is `.url`)."""
    with FakeElasticsearch() as node:
        yield node


@pytest.fixture
def fake_elasticsearch_url(fake_elasticsearch):
    """The URL of a fake Elasticsearch node."""
    return fake_elasticsearch.url
