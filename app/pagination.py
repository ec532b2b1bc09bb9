"""The one paginator: pages of the site, of the API and of search results.

`paginate` reads one page of a select. Site pages need not know how many rows there are: one
row more than a page tells whether an older page exists, so long lists never pay for a COUNT.
The API and search know their totals (a counter, a COUNT, the search backend's answer), and a
`Page` built with one can say how many pages there are, as the API's collections do.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort, request, url_for

from app.extensions import db

# Deeper than any real list; refusing earlier keeps absurd offsets away from the database.
MAX_PAGE = 100_000

FetchPage = Callable[[sa.Select, int, int], list[Any]]


@dataclass
class Page:
    """One page of results and where it stands among the others."""

    items: list[Any]
    page: int
    per_page: int
    has_next: bool
    total: int | None = None

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def pages(self) -> int:
        """How many pages there are (known only when the total is)."""
        if self.total is None:
            raise ValueError("this page was read without a total")
        return math.ceil(self.total / self.per_page)

    def links(self, endpoint: str, **kwargs: Any) -> dict[str, str | None]:
        """Return the URLs of this page and of the pages next to it (None at the ends)."""

        def link(number: int | None) -> str | None:
            return None if number is None else url_for(endpoint, page=number, per_page=self.per_page, **kwargs)

        return {"self": link(self.page), "next": link(self.next_num), "prev": link(self.prev_num)}


def limit_offset(query: sa.Select, limit: int, offset: int) -> list[Any]:
    """Return `limit` rows of `query` after `offset`: the plain way to read one page."""
    return list(db.session.scalars(query.limit(limit).offset(offset)).unique())


def count(query: sa.Select) -> int:
    """Return how many rows `query` selects."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))


def paginate(
    query: sa.Select, page: int, per_page: int, fetch: FetchPage = limit_offset, total: int | None = None
) -> Page:
    """Return page `page` of `query`, read with `fetch(query, limit, offset)`.

    With a known `total` the page is read only when it exists; without one, a row more than a
    page is read to tell whether there is a next page.
    """
    offset = (page - 1) * per_page
    if total is not None:
        rows = fetch(query, per_page, offset) if offset < total else []
        return Page(items=list(rows), page=page, per_page=per_page, has_next=offset + per_page < total, total=total)
    rows = fetch(query, per_page + 1, offset)
    return Page(items=list(rows[:per_page]), page=page, per_page=per_page, has_next=len(rows) > per_page)


def page_arg(name: str = "page") -> int:
    """Return the page number a site page was asked for, or answer 404 for a malformed or absurd one."""
    raw = request.args.get(name, "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        abort(404)
    page = int(raw)
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    return page


def paginate_request(query: sa.Select, per_page: int, fetch: FetchPage = limit_offset) -> Page:
    """Return the page of `query` that the request's `?page=` names; 404 past the last page."""
    result = paginate(query, page_arg(), per_page, fetch)
    if result.page > 1 and not result.items:
        abort(404)
    return result


def found_page(items: list[Any], page: int, per_page: int, total: int) -> Page:
    """Return a page whose items were already found elsewhere (a search backend) out of `total`."""
    return Page(items=items, page=page, per_page=per_page, has_next=page * per_page < total, total=total)
