"""Search backends behind one narrow interface.

`database` (the default) keeps the index inside the application database, in
the same transaction as the rows; `elasticsearch` is used when
ELASTICSEARCH_URL is set.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

# Ideographs and kana are written without spaces: each becomes a token of its own.
_CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
_QUERY_PART = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+")


def normalize_text(text: str) -> str:
    """Return the text as it is indexed: lower case, no accents, CJK characters spaced."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_CJK.sub(r" \1 ", text).split())


@dataclass
class ParsedQuery:
    """A user's query: words (matched as prefixes) and quoted phrases (matched exactly)."""

    words: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)


def parse_query(expression: str) -> ParsedQuery:
    """Split a query into prefix words and exact phrases; CJK runs become phrases."""
    parsed = ParsedQuery()
    for quoted, bare in _QUERY_PART.findall(expression[:200]):
        tokens = _WORD.findall(normalize_text(quoted or bare))
        if not tokens:
            continue
        if quoted or len(tokens) > 1 or _CJK.fullmatch(tokens[0]):
            parsed.phrases.append(tokens)
        else:
            parsed.words.append(tokens[0])
    return parsed


class SearchBackend(Protocol):
    """What the search service needs from a backend."""

    name: str

    def add(self, index: str, object_id: int, fields: dict[str, str]) -> None:
        """Index (or re-index) one object's searchable fields."""

    def remove(self, index: str, object_id: int) -> None:
        """Remove one object from the index."""

    def query(self, index: str, query: ParsedQuery, page: int, per_page: int) -> tuple[list[int], int]:
        """Return one page of matching ids, best first, and the total number of matches."""

    def rebuild(self, index: str, rows: Iterable[tuple[int, dict[str, str]]], progress=None) -> int:
        """Replace the whole index with `rows`; return how many were indexed."""

    def count(self, index: str) -> int:
        """Return how many objects the index holds."""
