"""Pagination arguments shared by every collection endpoint."""

from functools import wraps
from typing import Any

from app.api.blueprint import bp
from app.api.schemas import MAX_PER_PAGE, PaginationArgs


def paginated(args_schema: type = PaginationArgs):
    """Parse `page` and `per_page` (capped at 100) from the query string into the view's keyword arguments."""

    def decorator(view):
        @wraps(view)
        def capped(*args: Any, **kwargs: Any):
            kwargs["per_page"] = min(kwargs["per_page"], MAX_PER_PAGE)
            return view(*args, **kwargs)

        return bp.arguments(args_schema, location="query", as_kwargs=True)(capped)

    return decorator
