"""The one paginator: pages of the site, of the API and of search results.

`paginate` reads one page of a select. Site pages need not know how many rows there are: one
row more than a page tells whether an older page exists, so long lists never pay for a COUNT.
The API and search know their totals (a counter, a COUNT, the search backend's answer), and a
`Page` built with one can say how many pages there are, as the API's collections do.

A list ordered newest first by (timestamp, id) can also be read by cursor (keyset pagination,
as Mastodon's `max_id`): the link to the next page carries the place of the last item shown
(`?page=N&before=…`), the link to the previous page that of the first (`after=…`), and the
database starts reading there instead of counting its way past every earlier page, so page 50
costs what page 1 costs. `?page=N` alone still works (it skips N - 1 pages, as it always did).
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import abort, request, url_for

from app.extensions import db
from app.validators import is_valid_id

# Deeper than any real list; refusing earlier keeps absurd offsets away from the database.
MAX_PAGE = 100_000

FetchPage = Callable[[sa.Select, int, int], list[Any]]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# A cursor's text: the item's time in microseconds since the epoch, a hyphen, and its id.
CURSOR_PATTERN = r"^[0-9]{1,18}-[0-9]{1,10}$"


@dataclass(frozen=True)
class Cursor:
    """A place in a list ordered newest first by (timestamp, id): just older or just newer than one item."""

    timestamp: datetime
    id: int
    older: bool = True  # the page holds the items older than this place ("before"), else the newer ones ("after")

    @property
    def arg(self) -> str:
        """The query argument that carries this cursor."""
        return "before" if self.older else "after"

    @classmethod
    def of(cls, item: Any, older: bool) -> "Cursor":
        """Return the place of `item` (anything with a `timestamp` and an `id`)."""
        return cls(item.timestamp, item.id, older)

    @classmethod
    def parse(cls, text: str, older: bool) -> "Cursor":
        """Return the cursor written as `text` (`str(cursor)`); ValueError when it is malformed or out of range."""
        if not re.fullmatch(CURSOR_PATTERN, text):
            raise ValueError(f"not a cursor: {text!r}")
        microseconds, _, id = text.partition("-")
        if not is_valid_id(int(id)):
            raise ValueError(f"no row has the id {id}")
        try:
            timestamp = _EPOCH + int(microseconds) * _MICROSECOND
        except OverflowError:
            raise ValueError(f"no time is {microseconds} microseconds after 1970") from None
        return cls(timestamp, int(id), older)

    def __str__(self) -> str:
        return f"{(self.timestamp - _EPOCH) // _MICROSECOND}-{self.id}"


# Restricts a select to the rows on a cursor's side of its place (`paginate`).
Seek = Callable[[sa.Select, Cursor], sa.Select]


@dataclass
class Page:
    """One page of results and where it stands among the others."""

    items: list[Any]
    page: int
    per_page: int
    has_next: bool
    total: int | None = None
    # A list read by cursor (`paginate(..., seek=...)`): the links to the pages next to this one carry
    # cursors, and `cursor` is the one this page was read from (None: read by its number).
    keyset: bool = False
    cursor: Cursor | None = None

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

    def link_args(self, rel: str, **kwargs: Any) -> dict[str, Any] | None:
        """Return the query arguments of this page ("self") or of the next ("next", older) or previous one ("prev").

        None past either end. The pages next to one read by cursor are found by cursor too: the
        next one from this page's last item, the previous one from its first (page 1 is simply
        the newest). `kwargs` are added (the endpoint's own arguments).
        """
        if rel == "self":
            number, cursor = self.page, self.cursor
        elif rel == "next":
            number = self.next_num
            cursor = Cursor.of(self.items[-1], older=True) if self.keyset and self.items else None
        else:
            number = self.prev_num
            cursor = Cursor.of(self.items[0], older=False) if self.keyset and self.items and self.page > 2 else None
        if number is None:
            return None
        args: dict[str, Any] = {"page": number}
        if cursor is not None:
            args[cursor.arg] = str(cursor)
        return args | kwargs

    def links(self, endpoint: str, **kwargs: Any) -> dict[str, str | None]:
        """Return the URLs of this page and of the pages next to it (None at the ends)."""

        def link(rel: str) -> str | None:
            args = self.link_args(rel, per_page=self.per_page, **kwargs)
            return None if args is None else url_for(endpoint, **args)

        return {"self": link("self"), "next": link("next"), "prev": link("prev")}


def limit_offset(query: sa.Select, limit: int, offset: int) -> list[Any]:
    """Return `limit` rows of `query` after `offset`: the plain way to read one page."""
    return list(db.session.scalars(query.limit(limit).offset(offset)).unique())


def count(query: sa.Select) -> int:
    """Return how many rows `query` selects."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))


def paginate(
    query: sa.Select,
    page: int,
    per_page: int,
    fetch: FetchPage = limit_offset,
    total: int | None = None,
    seek: Seek | None = None,
    cursor: Cursor | None = None,
) -> Page:
    """Return page `page` of `query`, read with `fetch(query, limit, offset)`.

    With a known `total` the page is read only when it exists; without one, a row more than a
    page is read to tell whether there is a next page.

    `seek(query, cursor)` makes the list one read by cursor (see `Cursor`): it returns `query`
    restricted to the rows on the cursor's side of its place, nearest first, and `fetch` returns
    them newest first (as `Post.seek` and `Post.fetch_page` do). A `cursor` then names where the
    page starts, and `page` only numbers it.
    """
    if seek is not None:
        return _keyset_page(query, page, per_page, fetch, total, seek, cursor)
    offset = (page - 1) * per_page
    if total is not None:
        rows = fetch(query, per_page, offset) if offset < total else []
        return Page(items=list(rows), page=page, per_page=per_page, has_next=offset + per_page < total, total=total)
    rows = fetch(query, per_page + 1, offset)
    return Page(items=list(rows[:per_page]), page=page, per_page=per_page, has_next=len(rows) > per_page)


def _keyset_page(
    query: sa.Select, page: int, per_page: int, fetch: FetchPage, total: int | None, seek: Seek, cursor: Cursor | None
) -> Page:
    """Return the page of a list read by cursor: from `cursor`, or by its number when there is none."""
    if cursor is None:
        found = paginate(query, page, per_page, fetch, total)
        return Page(found.items, page, per_page, found.has_next, total, keyset=True)
    # A row more than a page: beyond an older page's last row, whether an even older one exists.
    rows = fetch(seek(query, cursor), per_page + 1, 0)
    if cursor.older:
        items, has_next = rows[:per_page], len(rows) > per_page
    else:  # the newer rows nearest the cursor end the (newest first) list; the cursor's own row is older
        items, has_next = rows[-per_page:], True
    return Page(items, page, per_page, has_next, total, keyset=True, cursor=cursor)


def page_arg(name: str = "page") -> int:
    """Return the page number a site page was asked for, or answer 404 for a malformed or absurd one."""
    raw = request.args.get(name, "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        abort(404)
    page = int(raw)
    if not 1 <= page <= MAX_PAGE:
        abort(404)
    return page


def cursor_arg() -> Cursor | None:
    """Return the cursor of the request's `?before=` or `?after=` (None: neither); 404 for a malformed one."""
    before, after = request.args.get("before"), request.args.get("after")
    if before is None and after is None:
        return None
    if before is not None and after is not None:
        abort(404)  # a page starts from one place
    try:
        return Cursor.parse(before, older=True) if before is not None else Cursor.parse(after, older=False)
    except ValueError:
        abort(404)


def paginate_request(
    query: sa.Select, per_page: int, fetch: FetchPage = limit_offset, seek: Seek | None = None
) -> Page:
    """Return the page of `query` that the request's `?page=` names; 404 past the last page.

    With `seek` (see `paginate`), the request's cursor, if any, says where the page starts.
    """
    result = paginate(query, page_arg(), per_page, fetch, seek=seek, cursor=cursor_arg() if seek else None)
    if result.page > 1 and not result.items:
        abort(404)
    return result


def found_page(items: list[Any], page: int, per_page: int, total: int) -> Page:
    """Return a page whose items were already found elsewhere (a search backend) out of `total`."""
    return Page(items=items, page=page, per_page=per_page, has_next=page * per_page < total, total=total)
