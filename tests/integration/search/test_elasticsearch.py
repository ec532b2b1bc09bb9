"""The Elasticsearch backend against the fake node: mapping, writes, queries, rebuilds, failures."""

import time

import pytest
from elasticsearch import ApiError, ConnectionError, ConnectionTimeout, Elasticsearch
from elasticsearch.helpers import BulkIndexError

from app.search.backends import elasticsearch as es_module
from app.search.backends.elasticsearch import ElasticsearchBackend
from app.search.text import parse_query
from tests.support import fake_elasticsearch as fake_module


@pytest.fixture
def backend(fake_elasticsearch):
    backend = ElasticsearchBackend(fake_elasticsearch.url)
    yield backend
    backend.close()


@pytest.fixture
def es(fake_elasticsearch):
    """A plain client on the fake node, to look at what the backend did."""
    with Elasticsearch(fake_elasticsearch.url) as client:
        yield client


def search(backend, expression: str, page: int = 1, per_page: int = 10) -> tuple[list[int], int]:
    return backend.query("post", parse_query(expression), page, per_page)


def test_index_is_created_with_the_folding_mapping_before_the_first_document(backend, es, fake_elasticsearch):
    backend.add("post", 1, {"body": "Hola"})
    mapping = es.indices.get_mapping(index="post")["post"]["mappings"]
    assert mapping["properties"]["body"] == {"type": "text", "analyzer": "folding", "copy_to": "all_text"}
    assert mapping["properties"]["id"] == {"type": "long"}
    assert fake_elasticsearch.requests[:2] == [("HEAD", "/post"), ("PUT", "/post")]


def test_an_index_created_meanwhile_by_another_process_is_fine(backend, es, fake_elasticsearch):
    es.indices.create(index="post", settings=es_module.INDEX_SETTINGS, mappings=es_module.INDEX_MAPPINGS)
    backend._create_index("post")  # loses the race: "resource_already_exists_exception" is not an error
    backend.add("post", 1, {"body": "still works"})
    assert fake_elasticsearch.documents("post") == {"1": {"body": "still works", "id": 1}}


def test_changes_are_searchable_after_a_refresh(backend):
    backend.add("post", 1, {"body": "near real time"})
    assert search(backend, "near") == ([], 0)
    backend.refresh("post")
    assert search(backend, "near") == ([1], 1)


def test_re_adding_replaces_the_document(backend):
    backend.add("post", 1, {"body": "first words"})
    backend.add("post", 1, {"body": "second words"})
    backend.refresh("post")
    assert search(backend, "first") == ([], 0)
    assert search(backend, "second") == ([1], 1)
    assert backend.count("post") == 1


def test_removing_a_missing_document_or_index_is_not_an_error(backend):
    backend.remove("post", 42)
    backend.add("post", 1, {"body": "here"})
    backend.remove("post", 42)
    backend.remove("post", 1)
    backend.refresh("post")
    assert backend.count("post") == 0


def test_count_of_a_missing_index_is_zero(backend):
    assert backend.count("post") == 0


def test_query_follows_parse_query(backend):
    backend.add("post", 1, {"body": "Visit example.com, don't wait"})
    backend.add("post", 2, {"body": "Straße und Ærøskøbing"})
    backend.add("post", 3, {"body": "ひらがなと漢字"})
    backend.refresh("post")
    assert search(backend, "example.com") == ([1], 1)
    assert search(backend, "don't") == ([1], 1)
    assert search(backend, "strasse") == ([2], 1)
    assert search(backend, "straß") == ([2], 1)
    assert search(backend, "aeroskob") == ([2], 1)
    assert search(backend, "漢字") == ([3], 1)
    assert search(backend, "字漢") == ([], 0)
    assert search(backend, "") == ([], 0)


def test_whole_word_ranks_above_a_longer_word_with_the_prefix(backend):
    backend.add("post", 1, {"body": "cat"})
    backend.add("post", 2, {"body": "catalogue"})
    backend.refresh("post")
    assert search(backend, "cat") == ([1, 2], 2)


def test_totals_are_exact_beyond_ten_thousand(backend, fake_elasticsearch, monkeypatch):
    rows = [(i, {"body": "many"}) for i in range(1, 10_051)]
    assert backend.rebuild("post", rows) == 10_050
    ids, total = search(backend, "many", page=2, per_page=5)
    assert (ids, total) == ([10_045, 10_044, 10_043, 10_042, 10_041], 10_050)


def test_pages_past_the_result_window_use_search_after(backend, fake_elasticsearch, monkeypatch):
    monkeypatch.setattr(es_module, "MAX_RESULT_WINDOW", 20)
    monkeypatch.setattr(fake_module, "MAX_RESULT_WINDOW", 20)
    backend.rebuild("post", [(i, {"body": "deep page"}) for i in range(1, 51)])
    expected = list(range(50, 0, -1))
    pages = [search(backend, "deep", page, 7) for page in range(1, 9)]
    assert all(total == 50 for _, total in pages)
    assert [i for ids, _ in pages for i in ids] == expected
    # Pages 3 and later start past the window of 20: one extra search per 20 skipped hits.
    assert sum(path == "/post/_search" for _, path in fake_elasticsearch.requests) > len(pages)


def test_rebuild_replaces_the_index_in_bulk_and_reports_progress(backend, fake_elasticsearch):
    backend.add("post", 999, {"body": "stale document"})
    seen = []
    rows = ((i, {"body": f"fresh {i}"}) for i in range(1, 1201))
    assert backend.rebuild("post", rows, progress=seen.append) == 1200
    assert seen == [500, 500, 200]
    assert search(backend, "stale") == ([], 0)
    assert search(backend, "fresh")[1] == 1200
    assert backend.count("post") == 1200
    assert sum(path == "/_bulk" for _, path in fake_elasticsearch.requests) == 3


def test_rebuild_replaces_an_index_auto_created_by_a_racing_write(backend, es, monkeypatch):
    indices_client = type(backend.client.indices)
    delete = indices_client.delete
    raced = []

    def delete_then_race(self, **kwargs):
        response = delete(self, **kwargs)
        if not raced:
            # Another process writes between our delete and our create: the index appears, unmapped.
            raced.append(es.index(index="post", id="7", document={"body": "racing write"}))
        return response

    monkeypatch.setattr(indices_client, "delete", delete_then_race)
    assert backend.rebuild("post", [(1, {"body": "canción"})]) == 1
    assert raced
    assert search(backend, "cancion") == ([1], 1)
    assert es.indices.get_mapping(index="post")["post"]["mappings"]["properties"]["body"]["analyzer"] == "folding"


def test_rebuild_raises_when_documents_are_refused(backend, monkeypatch):
    document = backend._document
    monkeypatch.setattr(backend, "_document", lambda i, fields: {**document(i, fields), "id": f"not a number {i}"})
    with pytest.raises(BulkIndexError):
        backend.rebuild("post", [(1, {"body": "refused"})])


def test_a_hanging_cluster_costs_one_timeout_without_retry(fake_elasticsearch):
    backend = ElasticsearchBackend(fake_elasticsearch.url, request_timeout=0.5)
    try:
        backend.add("post", 1, {"body": "index exists"})
        fake_elasticsearch.fail("hang")
        before = len(fake_elasticsearch.requests)
        started = time.monotonic()
        with pytest.raises(ConnectionTimeout):
            backend.add("post", 2, {"body": "too late"})
        assert time.monotonic() - started < 1.5
        assert len(fake_elasticsearch.requests) - before == 1
    finally:
        fake_elasticsearch.recover()
        backend.close()


def test_an_unavailable_cluster_raises_without_retry(backend, fake_elasticsearch):
    backend.add("post", 1, {"body": "index exists"})
    fake_elasticsearch.fail("503")
    before = len(fake_elasticsearch.requests)
    with pytest.raises(ApiError) as info:
        search(backend, "index")
    assert info.value.status_code == 503
    assert len(fake_elasticsearch.requests) - before == 1


def test_a_dropped_connection_raises(backend, fake_elasticsearch):
    fake_elasticsearch.fail("close")
    with pytest.raises(ConnectionError):
        backend.add("post", 1, {"body": "dropped"})
    fake_elasticsearch.recover()
    backend.add("post", 1, {"body": "dropped"})
    assert fake_elasticsearch.documents("post") == {"1": {"body": "dropped", "id": 1}}


# --- the fake itself answers like Elasticsearch -------------------------------------------------------------------


def test_fake_identifies_as_elasticsearch_8(es):
    info = es.info()
    assert info["version"]["number"].startswith("8.")
    assert info.meta.headers["x-elastic-product"] == "Elasticsearch"


def test_fake_refuses_a_9x_client_compatibility_header(fake_elasticsearch):
    import urllib.request

    request = urllib.request.Request(
        fake_elasticsearch.url + "/", headers={"Accept": "application/vnd.elasticsearch+json; compatible-with=9"}
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    assert info.value.code == 400
    info.value.close()


def test_fake_error_bodies_have_the_elasticsearch_shape(es):
    with pytest.raises(ApiError) as info:
        es.search(index="missing", query={"match_all": {}})
    assert info.value.status_code == 404
    body = info.value.body
    assert body["status"] == 404
    assert body["error"]["type"] == "index_not_found_exception"
    assert body["error"]["root_cause"][0]["type"] == "index_not_found_exception"
    es.indices.create(index="post")
    with pytest.raises(ApiError) as info:
        es.indices.create(index="post")
    assert info.value.error == "resource_already_exists_exception"


def test_fake_refuses_what_it_does_not_implement(es):
    es.indices.create(index="post")
    with pytest.raises(ApiError) as info:
        es.search(index="post", query={"fuzzy": {"body": "x"}})
    assert info.value.status_code == 400
    with pytest.raises(ApiError) as info:
        es.search(index="post", sort=[{"_id": "desc"}])
    assert info.value.status_code == 400


def test_fake_bulk_reports_each_item(es):
    es.indices.create(index="post", mappings={"properties": {"id": {"type": "long"}}})
    response = es.bulk(
        operations=[
            {"index": {"_index": "post", "_id": "1"}},
            {"id": 1},
            {"index": {"_index": "post", "_id": "2"}},
            {"id": "two"},
            {"delete": {"_index": "post", "_id": "3"}},
        ]
    )
    assert response["errors"] is True
    assert [item[next(iter(item))]["status"] for item in response["items"]] == [201, 400, 404]


def test_fake_without_an_explicit_mapping_does_not_fold_accents(es):
    es.index(index="auto", id="1", document={"body": "canción"}, refresh=True)
    assert es.count(index="auto", query={"match": {"body": "cancion"}})["count"] == 0
    assert es.count(index="auto", query={"match": {"body": "canción"}})["count"] == 1
