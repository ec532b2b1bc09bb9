"""What every collection endpoint shares: its query arguments and its answer."""

from functools import wraps
from typing import Any

from marshmallow import Schema

from app.api.blueprint import bp
from app.api.schemas import MAX_PER_PAGE, PaginationArgs


def paginated(collection: type[Schema], args_schema: type[Schema] = PaginationArgs):
    """Answer 200 with a page of `collection`; `page` and `per_page` (capped at 100) come from the query string.

    The view gets them (and any other field of `args_schema`) as keyword arguments.
    """

    def decorator(view):
        view = bp.response(200, collection)(view)

        @wraps(view)
        def capped(*args: Any, **kwargs: Any):
            kwargs["per_page"] = min(kwargs["per_page"], MAX_PER_PAGE)
            return view(*args, **kwargs)

        return bp.arguments(args_schema, location="query", as_kwargs=True)(capped)

    return decorator
