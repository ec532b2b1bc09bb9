"""The token-authenticated JSON API, documented by an OpenAPI document built from its schemas."""

from functools import wraps

from flask import jsonify
from flask_smorest import Blueprint
from flask_smorest.utils import unpack_tuple_response

from app.api.parser import ApiParser


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose request errors are 400/415 in the API's error shape."""

    ARGUMENTS_PARSER = ApiParser()

    def response(self, status_code, schema=None, **kwargs):
        """Document `schema` as the response; a dict the view returns is sent as it is.

        The views return the models' `to_dict` output, which is already in the documented shape
        (Schemathesis checks every response against the OpenAPI document). Dumping it through marshmallow again
        would serialise every item twice, which was most of the cost of a page of 100 users.
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

from app.api import errors, messages, notifications, posts, search, social, tasks, tokens, users  # noqa: E402,F401
from app.api.openapi import init_openapi  # noqa: E402

# Runs when the app registers the blueprint, after every route above is known.
bp.record_once(lambda state: init_openapi(state.app, bp))
