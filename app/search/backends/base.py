"""The protocol every search backend follows."""

from collections.abc import Callable, Iterable
from typing import Protocol

from app.search.text import ParsedQuery

Rows = Iterable[tuple[int, dict[str, str]]]
Progress = Callable[[int], None] | None


class SearchBackend(Protocol):
    """What the search service needs from a backend."""

    name: str
    # True when the index lives in the application's own transaction (nothing to queue or replay).
    transactional: bool

    def add(self, index: str, object_id: int, fields: dict[str, str]) -> None:
        """Index (or re-index) one object's searchable fields."""

    def remove(self, index: str, object_id: int) -> None:
        """Remove one object from the index."""

    def query(self, index: str, query: ParsedQuery, page: int, per_page: int) -> tuple[list[int], int]:
        """Return one page of matching ids, best first, and the total number of matches."""

    def rebuild(self, index: str, rows: Rows, progress: Progress = None) -> int:
        """Replace the whole index with `rows`; return how many were indexed."""

    def count(self, index: str) -> int:
        """Return how many objects the index holds."""

    def ping(self) -> bool:
        """Return whether the backend answers (raise or return False when it does not)."""
