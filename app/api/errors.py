"""The API's single JSON error shape."""

from werkzeug.http import HTTP_STATUS_CODES


def error_response(status: int, message: str | None = None, headers: dict | None = None):
    """Return `{"error": <reason>, "message": ...}` with the status code."""
    payload = {"error": HTTP_STATUS_CODES.get(status, "Unknown error")}
    payload["message"] = message or payload["error"]
    return payload, status, headers or {}


def bad_request(message: str, fields: dict | None = None):
    """Return a 400 naming what was wrong, field by field when known."""
    body, status, headers = error_response(400, message)
    if fields:
        body["fields"] = fields
    return body, status, headers
