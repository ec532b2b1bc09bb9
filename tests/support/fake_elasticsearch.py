"""A small, strict stand-in for an Elasticsearch 8 node, served over real HTTP.

It implements the part of the REST API the search backend uses, the way the
real server answers it: the product and media-type headers the official
client checks, ES-shaped error bodies, index mappings with custom analyzers
(standard tokenizer, lowercase, asciifolding, pattern_replace char filters),
dynamic templates and copy_to, near-real-time visibility (a change is
searchable after a refresh), BM25 scoring, sorting, search_after, the result
window and exact or capped totals. Anything it does not implement is refused
with a 400 instead of being silently accepted.

It can also play a cluster in trouble (`outage`): answer 503, close the
connection without answering, or hang past the client's timeout.
"""

import contextlib
import json
import math
import re
import socket
import sys
import threading
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.support.live_server import LiveServer

VERSION = "8.15.0"
MAX_RESULT_WINDOW = 10_000
DEFAULT_TRACK_TOTAL_HITS = 10_000
POSITION_INCREMENT_GAP = 100
MAX_TOKEN_LENGTH = 255
BM25_K1 = 1.2
BM25_B = 0.75

_CJK_RANGES = "\u3040-\u309f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Approximation of the Unicode word-break rules of the standard tokenizer:
# ideographs and hiragana are one token each; other words may hold inner
# apostrophes and dots ("don't", "e.g") or digit separators ("1,000.5").
_STANDARD_TOKEN = re.compile(
    rf"[{_CJK_RANGES}]"
    rf"|[^\W{_CJK_RANGES}]+(?:['’.][^\W{_CJK_RANGES}]+)*"
    r"|\d+(?:[,.]\d+)+"
)
_COMPAT = re.compile(r"compatible-with\s*=\s*(\d+)")
_INVALID_INDEX_CHARS = set('\\/*?"<>| ,#:')
# Letters that asciifolding maps although Unicode does not decompose them.
_FOLD_EXTRA = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d",
     "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "ı": "i", "ĸ": "q", "ŋ": "n", "Ŋ": "N"}
)  # fmt: skip


class EsError(Exception):
    """An error answered with Elasticsearch's error body."""

    def __init__(self, status: int, error_type: str, reason: str, **extra: Any):
        super().__init__(reason)
        self.status = status
        self.body = error_body(status, error_type, reason, **extra)


def error_body(status: int, error_type: str, reason: str, **extra: Any) -> dict[str, Any]:
    """Return the JSON body Elasticsearch answers for an error."""
    cause = {"type": error_type, "reason": reason, **extra}
    return {"error": {"root_cause": [cause], **cause}, "status": status}


def index_not_found(index: str) -> EsError:
    return EsError(
        404,
        "index_not_found_exception",
        f"no such index [{index}]",
        **{"resource.type": "index_or_alias", "resource.id": index, "index_uuid": "_na_", "index": index},
    )


# --- analysis -------------------------------------------------------------------------------------------------------


def standard_tokenizer(text: str) -> list[str]:
    tokens = []
    for match in _STANDARD_TOKEN.finditer(text):
        token = match.group()
        tokens.extend(token[i : i + MAX_TOKEN_LENGTH] for i in range(0, len(token), MAX_TOKEN_LENGTH))
    return tokens


def ascii_fold(token: str) -> str:
    decomposed = unicodedata.normalize("NFKD", token.translate(_FOLD_EXTRA))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


TOKEN_FILTERS = {"lowercase": str.lower, "asciifolding": ascii_fold}


@dataclass
class Analyzer:
    char_filters: list[tuple[re.Pattern, str]] = field(default_factory=list)
    filters: list = field(default_factory=lambda: [str.lower])

    def __call__(self, text: str) -> list[str]:
        for pattern, replacement in self.char_filters:
            text = pattern.sub(replacement, text)
        tokens = standard_tokenizer(text)
        for token_filter in self.filters:
            tokens = [token_filter(token) for token in tokens]
        return [token for token in tokens if token]


def java_regex(pattern: str, flags: str = "") -> re.Pattern:
    """Compile a Java regex of the simple kind analyzers use (Python's classes are Unicode already)."""
    pattern = pattern.replace("(?U)", "")
    python_flags = re.IGNORECASE if "CASE_INSENSITIVE" in flags else 0
    try:
        return re.compile(pattern, python_flags)
    except re.error as exc:
        raise EsError(400, "illegal_argument_exception", f"invalid pattern [{pattern}]: {exc}") from exc


def build_analyzers(settings: dict[str, Any]) -> dict[str, Analyzer]:
    """Return the index's analyzers by name, validating the custom ones."""
    analysis = settings.get("analysis", {})
    char_filters = {}
    for name, spec in analysis.get("char_filter", {}).items():
        if spec.get("type") != "pattern_replace":
            raise EsError(400, "illegal_argument_exception", f"fake: char_filter type [{spec.get('type')}] unsupported")
        char_filters[name] = (java_regex(spec["pattern"], spec.get("flags", "")), spec.get("replacement", ""))
    analyzers = {"standard": Analyzer()}
    for name, spec in analysis.get("analyzer", {}).items():
        kind = spec.get("type", "custom")
        if kind == "standard":
            analyzers[name] = Analyzer()
            continue
        if kind != "custom":
            raise EsError(400, "illegal_argument_exception", f"fake: analyzer type [{kind}] unsupported")
        if spec.get("tokenizer") != "standard":
            raise EsError(400, "illegal_argument_exception", f"fake: tokenizer [{spec.get('tokenizer')}] unsupported")
        filters = []
        for filter_name in spec.get("filter", []):
            if filter_name not in TOKEN_FILTERS:
                raise EsError(400, "illegal_argument_exception", f"failed to find filter under name [{filter_name}]")
            filters.append(TOKEN_FILTERS[filter_name])
        chars = []
        for char_name in spec.get("char_filter", []):
            if char_name not in char_filters:
                raise EsError(400, "illegal_argument_exception", f"failed to find char_filter under [{char_name}]")
            chars.append(char_filters[char_name])
        analyzers[name] = Analyzer(char_filters=chars, filters=filters)
    return analyzers


# --- indices --------------------------------------------------------------------------------------------------------


@dataclass
class Doc:
    id: str
    source: dict[str, Any]
    version: int
    seq_no: int
    # field -> tokens by position (None marks a gap between values).
    postings: dict[str, list[str | None]] = field(default_factory=dict)
    numbers: dict[str, float] = field(default_factory=dict)


class Index:
    """One index: its mapping, its latest documents and the refreshed (searchable) view."""

    def __init__(self, name: str, settings: dict[str, Any], mappings: dict[str, Any], refresh_interval: float):
        self.name = name
        self.uuid = uuid.uuid4().hex[:22]
        self.settings = settings.get("index", settings)
        self.analyzers = build_analyzers(self.settings)
        self.dynamic_templates = mappings.get("dynamic_templates", [])
        self.properties: dict[str, dict[str, Any]] = {}
        for name_, spec in mappings.get("properties", {}).items():
            self._add_field(name_, spec)
        for template in self.dynamic_templates:
            ((_, spec),) = template.items()
            self._check_field_spec(spec.get("mapping", {}))
        self.latest: dict[str, Doc] = {}
        self.searchable: dict[str, Doc] = {}
        self.seq_no = -1
        self.dirty = False
        self.refresh_interval = refresh_interval
        self.last_refresh = time.monotonic()

    # mapping

    def _check_field_spec(self, spec: dict[str, Any]) -> None:
        kind = spec.get("type", "object")
        if kind not in {"text", "keyword", "long", "integer", "float", "double", "date", "boolean"}:
            raise EsError(400, "mapper_parsing_exception", f"No handler for type [{kind}] declared on field")
        for key in ("analyzer", "search_analyzer"):
            if key in spec and spec[key] not in self.analyzers:
                raise EsError(400, "mapper_parsing_exception", f"analyzer [{spec[key]}] has not been configured")

    def _add_field(self, name: str, spec: dict[str, Any]) -> None:
        self._check_field_spec(spec)
        self.properties[name] = dict(spec)

    def mapping_body(self) -> dict[str, Any]:
        mappings: dict[str, Any] = {"properties": self.properties}
        if self.dynamic_templates:
            mappings["dynamic_templates"] = self.dynamic_templates
        return mappings

    def _field_spec(self, name: str, value: Any) -> dict[str, Any]:
        """Return the field's mapping, adding a dynamic one for a new field as Elasticsearch does."""
        if name in self.properties:
            return self.properties[name]
        if isinstance(value, str):
            kind = "string"
            spec = {"type": "text", "fields": {"keyword": {"type": "keyword", "ignore_above": 256}}}
        elif isinstance(value, bool):
            kind, spec = "boolean", {"type": "boolean"}
        elif isinstance(value, int):
            kind, spec = "long", {"type": "long"}
        elif isinstance(value, float):
            kind, spec = "double", {"type": "float"}
        else:
            raise EsError(400, "document_parsing_exception", f"fake: cannot map field [{name}]")
        for template in self.dynamic_templates:
            ((_, rule),) = template.items()
            if rule.get("match_mapping_type", "*") in {kind, "*"} and re.fullmatch(
                rule.get("match", "*").replace("*", ".*"), name
            ):
                spec = dict(rule["mapping"])
                break
        self._add_field(name, spec)
        return spec

    def analyzer_for(self, name: str, search: bool = False) -> Analyzer:
        spec = self.properties.get(name, {})
        analyzer = spec.get("search_analyzer") if search else None
        return self.analyzers[analyzer or spec.get("analyzer", "standard")]

    # documents

    def make_doc(self, doc_id: str, source: Any, version: int) -> Doc:
        if not isinstance(source, dict):
            raise EsError(400, "document_parsing_exception", "failed to parse, document is empty or not an object")
        self.seq_no += 1
        doc = Doc(id=doc_id, source=source, version=version, seq_no=self.seq_no)
        values: dict[str, list[Any]] = {}
        for name, value in source.items():
            if value is None:
                continue
            items = value if isinstance(value, list) else [value]
            for item in items:
                spec = self._field_spec(name, item)
                values.setdefault(name, []).append(item)
                for target in [spec["copy_to"]] if isinstance(spec.get("copy_to"), str) else spec.get("copy_to", []):
                    values.setdefault(target, []).append(item)
        for name, items in values.items():
            spec = self._field_spec(name, items[0])
            if spec["type"] == "text":
                analyzer = self.analyzer_for(name)
                tokens: list[str | None] = []
                for item in items:
                    if tokens:
                        tokens.extend([None] * POSITION_INCREMENT_GAP)
                    tokens.extend(analyzer(str(item)))
                doc.postings[name] = tokens
            elif spec["type"] in {"long", "integer", "float", "double"}:
                try:
                    doc.numbers[name] = float(items[0])
                except (TypeError, ValueError) as exc:
                    raise EsError(400, "document_parsing_exception", f"failed to parse field [{name}]") from exc
        return doc

    def put(self, doc_id: str, source: Any, op_type: str = "index") -> tuple[Doc, bool]:
        previous = self.latest.get(doc_id)
        if previous is not None and op_type == "create":
            raise EsError(
                409,
                "version_conflict_engine_exception",
                f"[{doc_id}]: version conflict, document already exists (current version [{previous.version}])",
                index=self.name,
                shard="0",
                index_uuid=self.uuid,
            )
        doc = self.make_doc(doc_id, source, previous.version + 1 if previous else 1)
        self.latest[doc_id] = doc
        self.dirty = True
        return doc, previous is None

    def delete(self, doc_id: str) -> Doc | None:
        doc = self.latest.pop(doc_id, None)
        if doc is not None:
            self.seq_no += 1
            self.dirty = True
        return doc

    def refresh(self) -> None:
        self.searchable = dict(self.latest)
        self.dirty = False
        self.last_refresh = time.monotonic()

    def visible_docs(self) -> list[Doc]:
        # The periodic refresh, done lazily when someone looks.
        if self.dirty and time.monotonic() - self.last_refresh >= self.refresh_interval:
            self.refresh()
        return list(self.searchable.values())


# --- queries --------------------------------------------------------------------------------------------------------


class Searcher:
    """Evaluate a query DSL tree over an index's searchable documents: {doc id: score} for the matches."""

    def __init__(self, index: Index):
        self.index = index
        self.docs = index.visible_docs()

    def run(self, query: dict[str, Any] | None) -> dict[str, float]:
        return self.evaluate(query or {"match_all": {}})

    def evaluate(self, query: Any) -> dict[str, float]:
        if not isinstance(query, dict) or len(query) != 1:
            raise EsError(
                400, "parsing_exception", "[_na] query malformed, must start with start_object", line=1, col=1
            )
        ((kind, spec),) = query.items()
        handler = getattr(self, f"q_{kind}", None)
        if handler is None:
            raise EsError(400, "parsing_exception", f"unknown query [{kind}] (not implemented by the fake)")
        return handler(spec)

    # helpers

    @staticmethod
    def _field_and_options(kind: str, spec: Any, key: str) -> tuple[str, dict[str, Any]]:
        if not isinstance(spec, dict) or not spec:
            raise EsError(400, "parsing_exception", f"[{kind}] query malformed, no start_object after query name")
        fields = [name for name in spec if name not in {"boost", "_name"}]
        if len(fields) != 1:
            raise EsError(400, "parsing_exception", f"[{kind}] query doesn't support multiple fields, found {fields}")
        options = spec[fields[0]]
        if not isinstance(options, dict):
            options = {key: options}
        if key not in options:
            raise EsError(400, "parsing_exception", f"[{kind}] requires [{key}]")
        return fields[0], options

    def _stats(self, field_name: str) -> tuple[int, float]:
        lengths = [sum(1 for t in d.postings[field_name] if t) for d in self.docs if field_name in d.postings]
        return len(lengths), (sum(lengths) / len(lengths) if lengths else 0.0)

    def _bm25(self, field_name: str, doc: Doc, freq: int, doc_freq: int, count: int, avg_len: float) -> float:
        idf = math.log(1 + (count - doc_freq + 0.5) / (doc_freq + 0.5))
        length = sum(1 for t in doc.postings[field_name] if t)
        norm = BM25_K1 * (1 - BM25_B + BM25_B * length / avg_len) if avg_len else BM25_K1
        return idf * freq * (BM25_K1 + 1) / (freq + norm)

    def _term_scores(self, field_name: str, term: str) -> dict[str, float]:
        matches = {
            d.id: d.postings[field_name].count(term) for d in self.docs if term in d.postings.get(field_name, ())
        }
        count, avg_len = self._stats(field_name)
        by_id = {d.id: d for d in self.docs}
        return {i: self._bm25(field_name, by_id[i], f, len(matches), count, avg_len) for i, f in matches.items()}

    @staticmethod
    def _combine(parts: list[dict[str, float]], require_all: bool) -> dict[str, float]:
        if not parts:
            return {}
        ids = set(parts[0])
        for part in parts[1:]:
            ids = ids & set(part) if require_all else ids | set(part)
        return {i: sum(part.get(i, 0.0) for part in parts) for i in ids}

    @staticmethod
    def _boost(scores: dict[str, float], spec: dict[str, Any]) -> dict[str, float]:
        boost = float(spec.get("boost", 1.0))
        return {i: s * boost for i, s in scores.items()} if boost != 1.0 else scores

    # query types

    def q_match_all(self, spec: dict[str, Any]) -> dict[str, float]:
        return {d.id: float(spec.get("boost", 1.0)) for d in self.docs}

    def q_match_none(self, spec: dict[str, Any]) -> dict[str, float]:
        return {}

    def q_bool(self, spec: dict[str, Any]) -> dict[str, float]:
        def clauses(key: str) -> list[Any]:
            value = spec.get(key, [])
            return value if isinstance(value, list) else [value]

        unknown = set(spec) - {"must", "should", "filter", "must_not", "minimum_should_match", "boost", "_name"}
        if unknown:
            raise EsError(400, "parsing_exception", f"[bool] query does not support [{sorted(unknown)[0]}]")
        must = [self.evaluate(q) for q in clauses("must")]
        filters = [self.evaluate(q) for q in clauses("filter")]
        should = [self.evaluate(q) for q in clauses("should")]
        must_not = [self.evaluate(q) for q in clauses("must_not")]
        ids = {d.id for d in self.docs}
        for part in must + filters:
            ids &= set(part)
        for part in must_not:
            ids -= set(part)
        minimum = spec.get("minimum_should_match", 0 if (must or filters) else 1 if should else 0)
        minimum = int(minimum)
        if minimum:
            ids = {i for i in ids if sum(i in part for part in should) >= minimum}
        scores = {i: sum(part[i] for part in must) + sum(part.get(i, 0.0) for part in should) for i in ids}
        if not must and not should:
            scores = dict.fromkeys(ids, 0.0)
        return self._boost(scores, spec)

    def q_term(self, spec: dict[str, Any]) -> dict[str, float]:
        field_name, options = self._field_and_options("term", spec, "value")
        return self._boost(self._term_scores(field_name, str(options["value"])), options)

    def q_prefix(self, spec: dict[str, Any]) -> dict[str, float]:
        # Term level: the value is not analysed. Constant score, as the default rewrite gives.
        field_name, options = self._field_and_options("prefix", spec, "value")
        value = str(options["value"])
        return self._boost(
            {d.id: 1.0 for d in self.docs if any(t and t.startswith(value) for t in d.postings.get(field_name, ()))},
            options,
        )

    def q_match(self, spec: dict[str, Any]) -> dict[str, float]:
        field_name, options = self._field_and_options("match", spec, "query")
        terms = self.index.analyzer_for(field_name, search=True)(str(options["query"]))
        parts = [self._term_scores(field_name, term) for term in terms]
        require_all = str(options.get("operator", "or")).lower() == "and"
        return self._boost(self._combine(parts, require_all), options)

    def q_match_bool_prefix(self, spec: dict[str, Any]) -> dict[str, float]:
        field_name, options = self._field_and_options("match_bool_prefix", spec, "query")
        terms = self.index.analyzer_for(field_name, search=True)(str(options["query"]))
        if not terms:
            return {}
        parts = [self._term_scores(field_name, term) for term in terms[:-1]]
        parts.append(self.q_prefix({field_name: {"value": terms[-1]}}))
        require_all = str(options.get("operator", "or")).lower() == "and"
        return self._boost(self._combine(parts, require_all), options)

    def q_match_phrase(self, spec: dict[str, Any]) -> dict[str, float]:
        field_name, options = self._field_and_options("match_phrase", spec, "query")
        if options.get("slop", 0):
            raise EsError(400, "parsing_exception", "fake: [match_phrase] slop is not implemented")
        terms = self.index.analyzer_for(field_name, search=True)(str(options["query"]))
        if not terms:
            return {}
        frequencies = {}
        for doc in self.docs:
            tokens = doc.postings.get(field_name, [])
            freq = sum(
                1 for start in range(len(tokens) - len(terms) + 1) if tokens[start : start + len(terms)] == terms
            )
            if freq:
                frequencies[doc.id] = freq
        count, avg_len = self._stats(field_name)
        by_id = {d.id: d for d in self.docs}
        scores = {}
        for doc_id, freq in frequencies.items():
            scores[doc_id] = sum(
                self._bm25(
                    field_name,
                    by_id[doc_id],
                    freq,
                    sum(1 for d in self.docs if term in d.postings.get(field_name, ())),
                    count,
                    avg_len,
                )
                for term in set(terms)
            )
        return self._boost(scores, options)


# --- the node -------------------------------------------------------------------------------------------------------


class FakeElasticsearch:
    """The node's state; `serve()` puts it on a local port."""

    def __init__(self, refresh_interval: float = 1.0):
        self.indices: dict[str, Index] = {}
        self.lock = threading.RLock()
        self.refresh_interval = refresh_interval
        # None, "503" (cluster unavailable), "close" (drop the connection) or "hang" (answer too late).
        self.outage: str | None = None
        self.hang_seconds = 5.0
        self.requests: list[tuple[str, str]] = []
        self._recovered = threading.Event()
        self._live: LiveServer | None = None
        self._connections: set[socket.socket] = set()
        self.url = ""

    # lifecycle

    def serve(self) -> "FakeElasticsearch":
        """Answer on a free local port (`.url`) until `stop()`."""
        node = self

        class Handler(RequestHandler):
            fake = node

        self._live = LiveServer(QuietServer(("127.0.0.1", 0), Handler), name="fake-elasticsearch")
        self.url = self._live.url
        return self

    def stop(self) -> None:
        """Stop answering, and break the connections clients still hold open (keep-alive, hung requests)."""
        self._recovered.set()
        if self._live is not None:
            self._live.stop()
            with self.lock:
                connections = list(self._connections)
            for conn in connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
            self._live = None

    def __enter__(self) -> "FakeElasticsearch":
        return self.serve()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def fail(self, mode: str = "503") -> None:
        """Start an outage: `503`, `close` or `hang`."""
        assert mode in {"503", "close", "hang"}, mode
        self._recovered.clear()
        self.outage = mode

    def recover(self) -> None:
        """End the outage."""
        self.outage = None
        self._recovered.set()

    def refresh_all(self) -> None:
        with self.lock:
            for index in self.indices.values():
                index.refresh()

    def documents(self, index: str) -> dict[str, dict[str, Any]]:
        """Return the latest (real-time) sources of `index` by id, for assertions."""
        with self.lock:
            found = self.indices.get(index)
            return {} if found is None else {doc_id: doc.source for doc_id, doc in found.latest.items()}

    # REST API

    def handle(self, method: str, path: str, params: dict[str, str], body: bytes, content_type: str):
        """Return (status, body) for one request; body is a dict or None."""
        parts = [unquote(part) for part in path.strip("/").split("/") if part]
        with self.lock:
            if not parts:
                if method in {"GET", "HEAD"}:
                    return 200, self.info()
            elif parts[0] == "_bulk" and len(parts) == 1 and method in {"POST", "PUT"}:
                return self.bulk(None, params, body)
            elif parts[0] == "_refresh" and len(parts) == 1 and method in {"POST", "GET"}:
                self.refresh_all()
                return 200, self._shards()
            elif not parts[0].startswith("_"):
                return self.index_api(method, parts, params, body)
        return 405 if parts and parts[0] in {"_bulk", "_refresh"} else 400, {
            "error": f"no handler found for uri [{path}] and method [{method}]"
        }

    def index_api(self, method: str, parts: list[str], params: dict[str, str], body: bytes):
        name = parts[0]
        rest = parts[1:]
        if not rest:
            if method == "HEAD":
                return (200 if name in self.indices else 404), None
            if method == "PUT":
                return self.create_index(name, self.json(body) if body else {})
            if method == "DELETE":
                if name not in self.indices:
                    if params.get("ignore_unavailable") == "true":
                        return 200, {"acknowledged": True}
                    raise index_not_found(name)
                del self.indices[name]
                return 200, {"acknowledged": True}
            if method == "GET":
                index = self.get_index(name)
                return 200, {
                    name: {
                        "aliases": {},
                        "mappings": index.mapping_body(),
                        "settings": {
                            "index": {
                                **index.settings,
                                "uuid": index.uuid,
                                "number_of_shards": "1",
                                "number_of_replicas": "1",
                            }
                        },
                    }
                }
        elif rest == ["_mapping"] and method == "GET":
            return 200, {name: {"mappings": self.get_index(name).mapping_body()}}
        elif rest == ["_refresh"] and method in {"POST", "GET"}:
            self.get_index(name).refresh()
            return 200, self._shards()
        elif rest == ["_bulk"] and method in {"POST", "PUT"}:
            return self.bulk(name, params, body)
        elif rest == ["_search"] and method in {"POST", "GET"}:
            return 200, self.search(self.get_index(name), params, self.json(body) if body else {})
        elif rest == ["_count"] and method in {"POST", "GET"}:
            request = self.json(body) if body else {}
            unknown = set(request) - {"query"}
            if unknown:
                raise EsError(400, "parsing_exception", f"request does not support [{sorted(unknown)[0]}]")
            matches = Searcher(self.get_index(name)).run(request.get("query"))
            return 200, {"count": len(matches), "_shards": self._shards()["_shards"]}
        elif len(rest) == 2 and rest[0] in {"_doc", "_create"}:
            return self.doc_api(method, name, rest[1], rest[0] == "_create", params, body)
        elif rest == ["_doc"] and method == "POST":
            return self.doc_api("PUT", name, uuid.uuid4().hex[:20], False, params, body)
        return 405, {"error": f"Incorrect HTTP method for uri [/{'/'.join(parts)}] and method [{method}]"}

    def doc_api(self, method: str, name: str, doc_id: str, create: bool, params: dict[str, str], body: bytes):
        if method in {"PUT", "POST"}:
            index = self.indices.get(name) or self.auto_create(name)
            op_type = "create" if create else params.get("op_type", "index")
            doc, created = index.put(doc_id, self.json(body), op_type)
            self._maybe_refresh(index, params)
            return (201 if created else 200), self._doc_result(index, doc, "created" if created else "updated")
        if method == "DELETE":
            index = self.get_index(name)
            doc = index.delete(doc_id)
            self._maybe_refresh(index, params)
            if doc is None:
                return 404, self._doc_result(index, Doc(doc_id, {}, 1, index.seq_no), "not_found")
            return 200, self._doc_result(index, Doc(doc_id, {}, doc.version + 1, index.seq_no), "deleted")
        if method in {"GET", "HEAD"}:
            index = self.get_index(name)
            doc = index.latest.get(doc_id)
            if doc is None:
                return 404, None if method == "HEAD" else {"_index": name, "_id": doc_id, "found": False}
            if method == "HEAD":
                return 200, None
            found = {"_index": name, "_id": doc_id, "_version": doc.version, "_seq_no": doc.seq_no}
            return 200, {**found, "_primary_term": 1, "found": True, "_source": doc.source}
        return 405, {"error": f"Incorrect HTTP method for uri [/{name}/_doc/{doc_id}] and method [{method}]"}

    # helpers

    def info(self) -> dict[str, Any]:
        return {
            "name": "fake-node",
            "cluster_name": "fake-elasticsearch",
            "cluster_uuid": "fakefakefakefakefake00",
            "version": {
                "number": VERSION,
                "build_flavor": "default",
                "build_type": "docker",
                "build_hash": "0" * 40,
                "build_date": "2024-08-05T10:05:34.233336849Z",
                "build_snapshot": False,
                "lucene_version": "9.11.1",
                "minimum_wire_compatibility_version": "7.17.0",
                "minimum_index_compatibility_version": "7.0.0",
            },
            "tagline": "You Know, for Search",
        }

    @staticmethod
    def json(body: bytes) -> Any:
        try:
            return json.loads(body)
        except ValueError as exc:
            raise EsError(400, "x_content_parse_exception", f"Failed to parse request body: {exc}") from exc

    @staticmethod
    def _shards() -> dict[str, Any]:
        return {"_shards": {"total": 2, "successful": 1, "failed": 0}}

    def _doc_result(self, index: Index, doc: Doc, result: str) -> dict[str, Any]:
        return {
            "_index": index.name,
            "_id": doc.id,
            "_version": doc.version,
            "result": result,
            **self._shards(),
            "_seq_no": doc.seq_no,
            "_primary_term": 1,
        }

    @staticmethod
    def _maybe_refresh(index: Index, params: dict[str, str]) -> None:
        if params.get("refresh") in {"", "true", "wait_for"}:
            index.refresh()

    def get_index(self, name: str) -> Index:
        if name not in self.indices:
            raise index_not_found(name)
        return self.indices[name]

    @staticmethod
    def check_index_name(name: str) -> None:
        if (
            name != name.lower()
            or name[0] in "_-+"
            or name in {".", ".."}
            or _INVALID_INDEX_CHARS & set(name)
            or len(name.encode()) > 255
        ):
            raise EsError(400, "invalid_index_name_exception", f"Invalid index name [{name}]", index=name)

    def create_index(self, name: str, request: dict[str, Any]):
        self.check_index_name(name)
        unknown = set(request) - {"settings", "mappings", "aliases"}
        if unknown:
            raise EsError(400, "parse_exception", f"unknown key [{sorted(unknown)[0]}] for create index")
        if name in self.indices:
            raise EsError(
                400,
                "resource_already_exists_exception",
                f"index [{name}/{self.indices[name].uuid}] already exists",
                index_uuid=self.indices[name].uuid,
                index=name,
            )
        self.indices[name] = Index(
            name, request.get("settings", {}), request.get("mappings", {}), self.refresh_interval
        )
        return 200, {"acknowledged": True, "shards_acknowledged": True, "index": name}

    def auto_create(self, name: str) -> Index:
        self.create_index(name, {})
        return self.indices[name]

    def bulk(self, default_index: str | None, params: dict[str, str], body: bytes):
        text = body.decode()
        if text and not text.endswith("\n"):
            raise EsError(400, "illegal_argument_exception", "The bulk request must be terminated by a newline [\\n]")
        lines = [line for line in text.split("\n") if line.strip()]
        if not lines:
            raise EsError(400, "action_request_validation_exception", "Validation Failed: 1: no requests added;")
        items, errors, touched = [], False, set()
        position = 0
        while position < len(lines):
            action = self.json(lines[position].encode())
            position += 1
            ((kind, meta),) = action.items()
            name = meta.get("_index", default_index)
            doc_id = str(meta["_id"]) if "_id" in meta else uuid.uuid4().hex[:20]
            if kind not in {"index", "create", "delete"}:
                raise EsError(400, "illegal_argument_exception", f"fake: bulk action [{kind}] is not implemented")
            source = None
            if kind != "delete":
                source = self.json(lines[position].encode())
                position += 1
            try:
                if kind == "delete":
                    index = self.get_index(name)
                    doc = index.delete(doc_id)
                    status, result = (200, "deleted") if doc else (404, "not_found")
                    tombstone = Doc(doc_id, {}, doc.version + 1 if doc else 1, index.seq_no)
                    item = {**self._doc_result(index, tombstone, result), "status": status}
                else:
                    index = self.indices.get(name) or self.auto_create(name)
                    doc, created = index.put(doc_id, source, kind)
                    result = "created" if created else "updated"
                    item = {**self._doc_result(index, doc, result), "status": 201 if created else 200}
                touched.add(index.name)
            except EsError as exc:
                errors = True
                error = {key: value for key, value in exc.body["error"].items() if key != "root_cause"}
                item = {"_index": name, "_id": doc_id, "status": exc.status, "error": error}
            items.append({kind: item})
        for name in touched:
            self._maybe_refresh(self.indices[name], params)
        return 200, {"errors": errors, "took": 1, "items": items}

    def search(self, index: Index, params: dict[str, str], request: dict[str, Any]) -> dict[str, Any]:
        allowed = {"query", "from", "size", "sort", "_source", "track_total_hits", "search_after", "track_scores"}
        unknown = set(request) - allowed
        if unknown:
            raise EsError(400, "parsing_exception", f"Unknown key for a START_OBJECT in [{sorted(unknown)[0]}].")
        start = int(request.get("from", params.get("from", 0)))
        size = int(request.get("size", params.get("size", 10)))
        if start < 0 or size < 0:
            raise EsError(400, "illegal_argument_exception", "[from] and [size] parameters cannot be negative")
        search_after = request.get("search_after")
        if start + size > MAX_RESULT_WINDOW:
            raise EsError(
                400,
                "illegal_argument_exception",
                f"Result window is too large, from + size must be less than or equal to: [{MAX_RESULT_WINDOW}] "
                f"but was [{start + size}]. See the scroll api for a more efficient way to request large data sets.",
            )
        if search_after is not None and start:
            raise EsError(400, "illegal_argument_exception", "Cannot use [search_after] with [from] > 0")
        sort = self._sort_spec(index, request.get("sort", params.get("sort")))
        searcher = Searcher(index)
        scores = searcher.run(request.get("query"))
        by_id = {doc.id: doc for doc in searcher.docs}

        def sort_values(doc_id: str) -> list[Any]:
            return [scores[doc_id] if key == "_score" else by_id[doc_id].numbers.get(key) for key, _ in sort]

        def order_key(doc_id: str):
            # Missing numeric values sort last, as Elasticsearch does by default.
            key = []
            for value, (_, order) in zip(sort_values(doc_id), sort, strict=True):
                missing = value is None
                value = 0.0 if missing else value
                key.append((missing, -value if order == "desc" else value))
            return key

        if sort:
            ranked = sorted(scores, key=lambda i: (order_key(i), by_id[i].seq_no))
        else:
            ranked = sorted(scores, key=lambda i: (-scores[i], by_id[i].seq_no))
        if search_after is not None:
            if not sort or len(search_after) != len(sort):
                raise EsError(400, "illegal_argument_exception", "search_after has the wrong number of sort values")
            pairs = zip(search_after, sort, strict=True)
            after_key = [(False, -float(value) if order == "desc" else float(value)) for value, (_, order) in pairs]
            ranked = [i for i in ranked if order_key(i) > after_key]
        page = ranked[start : start + size]
        source = request.get("_source", params.get("_source", True))
        source = source not in {False, "false"}
        sorted_by_score = not sort or any(key == "_score" for key, _ in sort)
        hits = []
        for doc_id in page:
            hit: dict[str, Any] = {"_index": index.name, "_id": doc_id, "_score": None}
            if sorted_by_score or request.get("track_scores"):
                hit["_score"] = scores[doc_id]
            if source:
                hit["_source"] = by_id[doc_id].source
            if sort:
                # Long fields come back as integers, scores as floats.
                values = zip(sort_values(doc_id), sort, strict=True)
                hit["sort"] = [
                    int(value)
                    if value is not None and key != "_score" and index.properties[key]["type"] in {"long", "integer"}
                    else value
                    for value, (key, _) in values
                ]
            hits.append(hit)
        hits_body: dict[str, Any] = {
            "max_score": max((h["_score"] for h in hits if h["_score"] is not None), default=None),
            "hits": hits,
        }
        track = request.get("track_total_hits", params.get("track_total_hits", DEFAULT_TRACK_TOTAL_HITS))
        if track in {True, "true"}:
            hits_body["total"] = {"value": len(scores), "relation": "eq"}
        elif track not in {False, "false"}:
            limit = int(track)
            hits_body["total"] = (
                {"value": len(scores), "relation": "eq"}
                if len(scores) <= limit
                else {"value": limit, "relation": "gte"}
            )
        return {"took": 1, "timed_out": False, **self._shards(), "hits": hits_body}

    @staticmethod
    def _sort_spec(index: Index, sort: Any) -> list[tuple[str, str]]:
        if sort is None:
            return []
        if isinstance(sort, str):
            sort = [dict([part.split(":", 1)]) if ":" in part else part for part in sort.split(",")]
        spec = []
        for item in sort if isinstance(sort, list) else [sort]:
            if isinstance(item, str):
                key, order = item, "desc" if item == "_score" else "asc"
            else:
                ((key, options),) = item.items()
                order = options.get("order", "asc") if isinstance(options, dict) else options
            if key == "_id":
                raise EsError(
                    400,
                    "illegal_argument_exception",
                    "Fielddata access on the _id field is disallowed, you can re-enable it by updating the dynamic "
                    "cluster setting: indices.id_field_data.enabled",
                )
            if key != "_score":
                kind = index.properties.get(key, {}).get("type")
                if kind == "text":
                    raise EsError(
                        400,
                        "illegal_argument_exception",
                        f"Text fields are not optimised for operations that require per-document field data like "
                        f"aggregations and sorting, so these operations are disabled by default. [{key}]",
                    )
                if kind not in {"long", "integer", "float", "double"}:
                    raise EsError(400, "query_shard_exception", f"No mapping found for [{key}] in order to sort on")
            spec.append((key, order))
        return spec


class QuietServer(ThreadingHTTPServer):
    """A threaded server that does not print the clients' hang-ups (timeouts and outage tests cause them)."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class RequestHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with keep-alive, Elasticsearch's headers, outage modes."""

    protocol_version = "HTTP/1.1"
    fake: FakeElasticsearch
    timeout = 30

    def setup(self) -> None:
        super().setup()
        with self.fake.lock:
            self.fake._connections.add(self.connection)

    def finish(self) -> None:
        with self.fake.lock:
            self.fake._connections.discard(self.connection)
        super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    def do_GET(self) -> None:
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_GET

    def dispatch(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        params = {key: values[-1] for key, values in parse_qs(url.query, keep_blank_values=True).items()}
        self.fake.requests.append((self.command, self.path))

        outage = self.fake.outage
        if outage == "close":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if outage == "hang":
            self.fake._recovered.wait(self.fake.hang_seconds)
        if outage == "503":
            reason = "blocked by: [SERVICE_UNAVAILABLE/2/no master];"
            return self.reply(503, error_body(503, "cluster_block_exception", reason), compat="8")

        try:
            compat = self.compatibility()
            status, payload = self.fake.handle(
                self.command, url.path, params, body, self.headers.get("Content-Type", "")
            )
        except EsError as exc:
            status, payload, compat = exc.status, exc.body, "8"
        self.reply(status, payload, compat)

    def compatibility(self) -> str | None:
        """Return the requested compatibility version; refuse the ones an 8.x node does not speak."""
        versions = {
            header: match.group(1)
            for header in ("Accept", "Content-Type")
            if (match := _COMPAT.search(self.headers.get(header, "")))
        }
        if any(version not in {"7", "8"} for version in versions.values()) or len(set(versions.values())) > 1:
            raise EsError(
                400,
                "media_type_header_exception",
                "Invalid media-type value on headers [Accept, Content-Type]",
            )
        return next(iter(versions.values()), None)

    def reply(self, status: int, payload: Any, compat: str | None) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("X-Elastic-Product", "Elasticsearch")
        content_type = f"application/vnd.elasticsearch+json;compatible-with={compat}" if compat else "application/json"
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
