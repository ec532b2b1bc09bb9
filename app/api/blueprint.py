"""How an API endpoint is declared: its route, who may call it, what it answers and its errors.

A flask-smorest blueprint whose request errors are 400/415 in the API's error shape, whose
`route` puts the view behind a Bearer token (or Basic credentials, or nothing) and documents the
error statuses it may answer with, and whose `response` sends the view's dict as it is.
"""

from collections.abc import Callable, Iterable
from functools import wraps
from http import HTTPStatus

from flask import g, jsonify
from flask_smorest import Blueprint
from flask_smorest.utils import unpack_tuple_response
from werkzeug.exceptions import Forbidden

from app import confirmation
from app.api.auth import basic_limits, basic_user_or_401, token_limits, token_user_or_401
from app.api.parser import MULTIPART, ApiParser

# How each kind of caller is recognised and limited, and its OpenAPI security scheme.
AUTHENTICATION = {
    "token": (token_user_or_401, token_limits, "bearerAuth"),
    "basic": (basic_user_or_401, basic_limits, "basicAuth"),
}


class ApiBlueprint(Blueprint):
    """The API's flask-smorest blueprint."""

    ARGUMENTS_PARSER = ApiParser()
    # An upload's body (`location=MULTIPART`): its files and fields, documented as one multipart request body.
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        MULTIPART: "multipart/form-data",
    }

    def route(self, rule: str, *, auth: str | None = "token", errors: Iterable[int] = (), **options):
        """Register a view for `rule`, callable with `auth` ("token", "basic" or None), documenting `errors`.

        The authenticated user is `g.current_user`; a 401, the 403 of an account that has not confirmed
        its address yet (with REQUIRE_EMAIL_CONFIRMATION) and the 429 of the rate limit are documented.
        """
        register = super().route(rule, **options)

        def decorator(view: Callable) -> Callable:
            view = self.documents_errors(*errors)(view)
            if auth is not None:
                view = self._authenticated(view, *AUTHENTICATION[auth])
            return register(view)

        return decorator

    def _authenticated(self, view: Callable, authenticate: Callable, limits: Callable, scheme: str) -> Callable:
        @wraps(view)
        def authenticated(*args, **kwargs):
            g.current_user = authenticate()
            if confirmation.needs_confirmation(g.current_user):
                raise Forbidden("Confirm your email address (follow the emailed link) before using the API.")
            return view(*args, **kwargs)

        authenticated = self.doc(security=[{scheme: []}])(authenticated)
        return limits(self.documents_errors(401, 403, 429)(authenticated))

    def documents_errors(self, *statuses: int) -> Callable[[Callable], Callable]:
        """Declare in the OpenAPI document that a view may answer with these error statuses."""

        def decorator(view: Callable) -> Callable:
            for status in statuses:
                view = self.alt_response(status, response=HTTPStatus(status).name)(view)
            return view

        return decorator

    def response(self, status_code, schema=None, **kwargs):
        """Document `schema` as the response; a dict the view returns is sent as it is.

        The views return what `app.api.representation` dumped with this same schema, compiled
        (Schemathesis checks every response against the OpenAPI document); dumping it through
        marshmallow again would serialise every item twice.
        """
        document = super().response(status_code, schema, **kwargs)

        def decorator(view):
            @wraps(view)
            def send_built_dict(*args, **view_kwargs):
                result, status, headers = unpack_tuple_response(view(*args, **view_kwargs))
                if isinstance(result, dict):
                    result = jsonify(result)
                    result.status_code = status or status_code
                return result, status, headers

            return document(send_built_dict)

        return decorator


bp = ApiBlueprint("api", __name__, description="Microblog's JSON API.")
