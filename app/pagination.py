"""One way to read `?page=` and paginate a select, for pages and the API."""

import sqlalchemy as sa
from flask import abort, request
from flask_sqlalchemy.pagination import Pagination

from app.extensions import db

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


def paginate(query: sa.Select, per_page: int) -> Pagination:
    """Return the requested page of `query`; 404 past the last page."""
    return db.paginate(query, page=page_arg(), per_page=per_page, error_out=True, count=True)
