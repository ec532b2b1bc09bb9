"""Search with an Elasticsearch cluster (ELASTICSEARCH_URL).

One index per searchable model, named after its table (`post`). Every string
field is analysed the way queries are parsed: punctuation becomes a space, then
the standard tokenizer (which also splits CJK text into single characters),
lower case and ASCII folding, so "cancion" finds "canción". All fields are copied into one
`all_text` field, which the queries target.

Elasticsearch is near real time: a change becomes searchable after the next
refresh (every second by default). Client errors are raised unchanged; the
search facade decides what to do with them (queue the change, answer "no
results").
"""

import contextlib
import threading
from itertools import islice
from typing import Any

from elasticsearch import BadRequestError, Elasticsearch, NotFoundError
from elasticsearch.helpers import bulk

from app.search.backends.base import Progress, Rows
from app.search.text import ParsedQuery

SEARCH_FIELD = "all_text"
ANALYZER = "folding"
# Elasticsearch refuses from + size beyond index.max_result_window (10,000 by default).
MAX_RESULT_WINDOW = 10_000
BULK_CHUNK = 500
REBUILD_CREATE_ATTEMPTS = 3
# A rebuild runs offline (`flask search reindex`): a bulk of 500 posts may take longer than a request should.
REBUILD_REQUEST_TIMEOUT = 60.0

INDEX_SETTINGS: dict[str, Any] = {
    "analysis": {
        # Queries are split into words at every non-word character (see parse_query), so the indexed
        # text is too: otherwise the standard tokenizer keeps "example.com" or "don't" as one token
        # that the query's words "example" "com" could never match as a phrase.
        "char_filter": {
            "punctuation_to_space": {"type": "pattern_replace", "pattern": "(?U)[^\\w\\s]", "replacement": " "},
        },
        "analyzer": {
            ANALYZER: {
                "type": "custom",
                "char_filter": ["punctuation_to_space"],
                "tokenizer": "standard",
                "filter": ["lowercase", "asciifolding"],
            },
        },
    }
}
INDEX_MAPPINGS: dict[str, Any] = {
    "dynamic_templates": [
        {
            "searchable_strings": {
                "match_mapping_type": "string",
                "mapping": {"type": "text", "analyzer": ANALYZER, "copy_to": SEARCH_FIELD},
            }
        }
    ],
    "properties": {
        "id": {"type": "long"},
        "body": {"type": "text", "analyzer": ANALYZER, "copy_to": SEARCH_FIELD},
        SEARCH_FIELD: {"type": "text", "analyzer": ANALYZER},
    },
}
SORT = [{"_score": {"order": "desc"}}, {"id": {"order": "desc"}}]


def build_query(query: ParsedQuery) -> dict[str, Any]:
    """Return the Elasticsearch query for `query`: every word as a prefix, every phrase exact, all required.

    A whole-word match of each word is added as an optional clause, so posts
    that contain the word itself (and contain it more often) rank above posts
    that only contain a longer word starting with it.
    """
    must: list[dict[str, Any]] = []
    should: list[dict[str, Any]] = []
    for word in query.words:
        # match_bool_prefix analyses the word like the indexed text, so folding applies to the prefix too.
        must.append({"match_bool_prefix": {SEARCH_FIELD: {"query": word}}})
        should.append({"match": {SEARCH_FIELD: {"query": word}}})
    for phrase in query.phrases:
        must.append({"match_phrase": {SEARCH_FIELD: {"query": " ".join(phrase)}}})
    return {"bool": {"must": must, "should": should}}


class ElasticsearchBackend:
    """Search with an Elasticsearch cluster through the official 8.x client."""

    name = "elasticsearch"
    transactional = False

    def __init__(self, url: str, request_timeout: float = 2.0) -> None:
        self.url = url
        # A cluster that is down must cost a request at most one timeout: no retry
        # after a timeout, and no retry on 429/5xx answers either (the facade
        # queues the change and replays it later).
        self.client = Elasticsearch(
            url,
            request_timeout=request_timeout,
            max_retries=1,
            retry_on_timeout=False,
            retry_on_status=(),
        )
        self._ready: set[str] = set()
        self._lock = threading.Lock()

    def ping(self) -> bool:
        """Return whether the cluster answers."""
        return bool(self.client.ping())

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()

    def ensure_index(self, index: str) -> None:
        """Create `index` with the explicit mapping unless it exists."""
        if index in self._ready:
            return
        with self._lock:
            if index in self._ready:
                return
            if not self.client.indices.exists(index=index):
                self._create_index(index)
            self._ready.add(index)

    def _create_index(self, index: str) -> None:
        try:
            self.client.indices.create(index=index, settings=INDEX_SETTINGS, mappings=INDEX_MAPPINGS)
        except BadRequestError as exc:
            # Another process created it between our check and our create.
            if exc.error != "resource_already_exists_exception":
                raise

    def add(self, index: str, object_id: int, fields: dict[str, str]) -> None:
        """Index (or re-index) one object's searchable fields."""
        self.ensure_index(index)
        self.client.index(index=index, id=str(object_id), document=self._document(object_id, fields))

    def remove(self, index: str, object_id: int) -> None:
        """Remove one object from the index; a missing object or index is already removed."""
        with contextlib.suppress(NotFoundError):
            self.client.delete(index=index, id=str(object_id))

    def query(self, index: str, query: ParsedQuery, page: int, per_page: int) -> tuple[list[int], int]:
        """Return one page of matching ids, best score first (newest first on ties), and the exact total."""
        if not query or page < 1 or per_page < 1:
            return [], 0
        self.ensure_index(index)
        es_query = build_query(query)
        offset = (page - 1) * per_page
        if offset + per_page <= MAX_RESULT_WINDOW:
            response = self._search(index, es_query, from_=offset, size=per_page)
            return [int(hit["_id"]) for hit in response["hits"]["hits"]], response["hits"]["total"]["value"]
        return self._deep_page(index, es_query, offset, per_page)

    def _search(self, index: str, es_query: dict[str, Any], **window: Any) -> Any:
        """Run `es_query` for ids only, in result order, with the exact total; `window` picks the page."""
        return self.client.search(index=index, query=es_query, sort=SORT, source=False, track_total_hits=True, **window)

    def _deep_page(self, index: str, es_query: dict[str, Any], offset: int, per_page: int) -> tuple[list[int], int]:
        """Walk past the result window with search_after to reach a page beyond 10,000 hits."""
        search_after = None
        total = 0
        while True:
            size = min(MAX_RESULT_WINDOW, offset) if offset else per_page
            response = self._search(index, es_query, size=size, search_after=search_after)
            hits = response["hits"]["hits"]
            total = response["hits"]["total"]["value"]
            if not offset:
                return [int(hit["_id"]) for hit in hits], total
            if len(hits) < size:
                return [], total
            offset -= len(hits)
            search_after = hits[-1]["sort"]

    def rebuild(
        self,
        index: str,
        rows: Rows,
        progress: Progress = None,
    ) -> int:
        """Replace the whole index with `rows` (recreated with the current mapping); return how many were indexed."""
        client = self.client.options(request_timeout=REBUILD_REQUEST_TIMEOUT)
        with self._lock:
            self._ready.discard(index)
            for attempt in range(REBUILD_CREATE_ATTEMPTS):
                client.indices.delete(index=index, ignore_unavailable=True)
                try:
                    client.indices.create(index=index, settings=INDEX_SETTINGS, mappings=INDEX_MAPPINGS)
                    break
                except BadRequestError as exc:
                    # A write from another process auto-created the index (without our mapping)
                    # between the delete and the create: drop it again.
                    if exc.error != "resource_already_exists_exception" or attempt == REBUILD_CREATE_ATTEMPTS - 1:
                        raise
            self._ready.add(index)
        done = 0
        rows = iter(rows)
        while chunk := list(islice(rows, BULK_CHUNK)):
            actions = [
                {"_index": index, "_id": str(object_id), "_source": self._document(object_id, fields)}
                for object_id, fields in chunk
            ]
            # Raises BulkIndexError if any document is refused.
            indexed, _ = bulk(client, actions, chunk_size=BULK_CHUNK)
            done += indexed
            if progress:
                progress(indexed)
        client.indices.refresh(index=index)
        return done

    def count(self, index: str) -> int:
        """Return how many objects the index holds (after its last refresh)."""
        try:
            return self.client.count(index=index)["count"]
        except NotFoundError:
            return 0

    def refresh(self, index: str) -> None:
        """Make every change so far searchable now (Elasticsearch is near real time)."""
        self.ensure_index(index)
        self.client.indices.refresh(index=index)

    @staticmethod
    def _document(object_id: int, fields: dict[str, str]) -> dict[str, Any]:
        return {**{name: value or "" for name, value in fields.items()}, "id": object_id}
