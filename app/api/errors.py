"""The API's single JSON error shape: `{"error": <HTTP reason>, "message": ..., "fields"?: {...}}`."""

from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from app import media
from app.api.blueprint import bp
from app.extensions import db

# Headers of an HTTPException worth passing on to the client.
FORWARDED_HEADERS = ("allow", "www-authenticate", "retry-after")


def error_body(status: int, message: str | None = None, fields: dict | None = None) -> dict[str, Any]:
    """Return the error payload for `status`."""
    reason = HTTP_STATUS_CODES.get(status, "Unknown Error")
    body: dict[str, Any] = {"error": reason, "message": message or reason}
    if fields:
        body["fields"] = fields
    return body


def field_messages(messages: Any) -> dict[str, Any]:
    """Flatten webargs' `{location: {field: [messages]}}` into `{field: [messages]}`."""
    fields: dict[str, Any] = {}
    if not isinstance(messages, dict):
        return fields
    for location, problems in messages.items():
        if isinstance(problems, dict):
            fields.update({str(name): value for name, value in problems.items()})
        else:
            fields[str(location)] = problems
    return fields


def summary(fields: dict[str, Any]) -> str:
    """Return a one-line description of what was wrong with the request."""
    if set(fields) == {"json"}:
        return " ".join(str(item) for item in fields["json"]) if isinstance(fields["json"], list) else "Bad JSON."
    if set(fields) == {"_schema"}:
        return " ".join(str(item) for item in fields["_schema"])
    return "Some fields are missing or invalid: " + ", ".join(sorted(fields)) + "."


@bp.errorhandler(media.MediaError)
def api_media_error(error: media.MediaError):
    """Answer a refused image (not an image, too large, bad alt text, not attachable) with its status."""
    db.session.rollback()  # the files of images stored in this transaction go with it
    return error_body(error.status, str(error.message)), error.status


@bp.errorhandler(HTTPException)
def api_http_error(error: HTTPException):
    """Answer any HTTP error raised inside the API with the JSON error shape."""
    status = error.code or 500
    if status >= 500:
        db.session.rollback()
    headers = {k: v for k, v in error.get_headers() if k.lower() in FORWARDED_HEADERS}
    data = getattr(error, "data", None) or {}
    fields = field_messages(data.get("messages"))
    if status == 400 and fields:
        return error_body(400, summary(fields), fields), 400, headers
    if status == 415:
        # The parser says which body it expected (JSON, or multipart for an upload); Werkzeug's own 415s are JSON ones.
        said = " ".join(str(item) for problems in fields.values() if isinstance(problems, list) for item in problems)
        return error_body(415, said or "Send a JSON body with Content-Type: application/json."), 415, headers
    if status == 429:
        # Flask-Limiter adds Retry-After and X-RateLimit-* to the response after this handler.
        return error_body(429, f"Too many requests: the limit is {error.description}."), 429, headers
    return error_body(status, error.description), status, headers
