"""Read and check JSON request bodies and pagination arguments."""

from flask import request

from app.api.errors import bad_request, error_response

MAX_PER_PAGE = 100


class ApiError(Exception):
    """An error that becomes the API's JSON error response."""

    def __init__(self, response):
        super().__init__()
        self.response = response


def json_body() -> dict:
    """Return the request's JSON object, or raise an ApiError (415 or 400)."""
    if not request.is_json:
        raise ApiError(error_response(415, "Send a JSON body with Content-Type: application/json."))
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(bad_request("The body must be a JSON object."))
    return data


def pagination_args(default_per_page: int = 10) -> tuple[int, int]:
    """Return `(page, per_page)` from the query string, per_page capped at 100."""
    try:
        page = int(request.args.get("page", 1))
        per_page = int(request.args.get("per_page", default_per_page))
    except ValueError:
        raise ApiError(bad_request("page and per_page must be whole numbers.")) from None
    if not 1 <= page <= 100_000 or per_page < 1:
        raise ApiError(bad_request("page must be 1 to 100000 and per_page at least 1."))
    return page, min(per_page, MAX_PER_PAGE)
