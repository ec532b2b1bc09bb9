"""One way to read `?page=` and paginate a select for the site's pages."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort, request

from app.extensions import db

FetchPage = Callable[[sa.Select, int, int], list[Any]]

# Deeper than any real list; refusing earlier keeps absurd offsets away from the database.
MAX_PAGE = 100_000


def page_arg(name: str = "page") -> int:
    """Return the requested page number, or answer 404 for a malformed or absurd one."""
    raw = request.args.get(name, "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        abort(404)
    page = int(raw)
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    return page


@dataclass
class Page:
    """One page of results and whether there are newer/older pages around it."""

    items: list[Any]
    page: int
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None


def paginate(query: sa.Select, per_page: int, fetch_page: FetchPage | None = None) -> Page:
    """Return the requested page of `query`; 404 past the last page.

    Fetching one row more than a page tells whether an older page exists, so
    long lists never pay for a COUNT over every matching row. `fetch_page(query,
    limit, offset)` reads the rows (default: a plain LIMIT/OFFSET), as
    `Post.fetch_page` does for post lists.
    """
    page = page_arg()
    rows = (fetch_page or limit_offset)(query, per_page + 1, (page - 1) * per_page)
    if page > 1 and not rows:
        abort(404)
    return Page(items=list(rows[:per_page]), page=page, has_next=len(rows) > per_page)


def limit_offset(query: sa.Select, limit: int, offset: int) -> list[Any]:
    """Return `limit` rows of `query` after `offset`: the plain way to read one page."""
    return list(db.session.scalars(query.limit(limit).offset(offset)).unique())
