"""Turn every error into a page in the site layout, or JSON for API clients."""

import logging

import sqlalchemy.exc
from flask import Blueprint, current_app, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.http import HTTP_STATUS_CODES

from app.extensions import READ_ONLY_METHODS, db, login, session_wrote
from app.search import SearchUnavailable

log = logging.getLogger(__name__)

bp = Blueprint("errors", __name__)

# Friendly words for each status the site answers with.
MESSAGES = {
    400: _l("The request could not be understood. Please go back and try again."),
    401: _l("Please log in to access this page."),
    403: _l("You are not allowed to do that."),
    404: _l("File Not Found"),
    405: _l("That action is not allowed here."),
    413: _l("What you sent is too large."),
    415: _l("That kind of content is not accepted here."),
    429: _l("Too many requests. Please wait a moment and try again."),
    500: _l("An unexpected error has occurred. The administrator has been notified. Sorry for the inconvenience!"),
    503: _l("The service is temporarily unavailable. Please try again in a moment."),
}


def wants_json() -> bool:
    """Return whether the client should get a JSON error body."""
    if request.path == "/api" or request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, message: str | None = None, headers=None):
    """Return the error as JSON `{error, message}` or as an HTML page."""
    reason = HTTP_STATUS_CODES.get(status, "Unknown Error")
    text = message or str(MESSAGES.get(status, reason))
    if wants_json():
        return {"error": reason, "message": text}, status, headers or {}
    return render_template("errors/error.html", title=reason, status=status, message=text), status, headers or {}


@bp.app_errorhandler(CSRFError)
def csrf_error(error: CSRFError):
    return error_response(
        400, str(_l("Your session expired or the form was not sent from this site. Please try again."))
    )


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    headers = {}
    if error.code == 429 and error.response is not None:
        headers = {
            k: v for k, v in error.response.headers.items() if k.lower().startswith(("retry-after", "x-ratelimit"))
        }
    if error.code == 405 and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    message = None
    if error.code in (400, 409, 422) and wants_json() and error.description:
        message = error.description
    return error_response(error.code or 500, message, headers)


@bp.app_errorhandler(sqlalchemy.exc.OperationalError)
def database_unavailable(error: sqlalchemy.exc.OperationalError):
    db.session.rollback()
    if _may_serve_again(error):
        return _serve_again()
    # Render the page as for an anonymous visitor: loading the user would need the database.
    g._login_user = login.anonymous_user()
    log.error("database unavailable: %s", error)
    return error_response(ServiceUnavailable.code, headers={"Retry-After": "5"})


def _may_serve_again(error: sqlalchemy.exc.OperationalError) -> bool:
    """Whether to serve the request once more, because its connection turned out to be dead.

    The pool pings no connection before use. A connection that a database restart or a network cut
    left dead fails at its first statement, and SQLAlchemy then retires every pooled connection of that
    age. The request is repeated, once, on a new one when that is safe: a GET or HEAD, or any request
    that had sent no write yet (a form post fails at the session's user load, before its view runs).
    """
    if not error.connection_invalidated or g.get("served_again"):
        return False
    return request.method in READ_ONLY_METHODS or not session_wrote()


def _serve_again():
    """Run the request's hooks and view again; what they raise is handled as it would have been."""
    g.served_again = True
    g.pop("_login_user", None)  # Flask-Login's user, loaded (or not) through the dead connection
    try:
        return current_app.preprocess_request() or current_app.dispatch_request()
    except Exception as again:  # noqa: BLE001 - handed to the app's own error handling
        return current_app.handle_user_exception(again)


@bp.app_errorhandler(SearchUnavailable)
def search_unavailable(error: SearchUnavailable):
    message = str(_l("Search is unavailable right now. Please try again in a moment."))
    return error_response(ServiceUnavailable.code, message, headers={"Retry-After": "30"})


@bp.app_errorhandler(InternalServerError)
def internal_error(error: InternalServerError):
    db.session.rollback()
    return error_response(500)
