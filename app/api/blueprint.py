"""The API's blueprint: flask-smorest's, with request errors in the API's own terms."""

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
