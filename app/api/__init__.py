"""The token-authenticated JSON API, documented by an OpenAPI document built from its schemas."""

from flask_smorest import Blueprint

from app.api.parser import ApiParser


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose request errors are 400/415 in the API's error shape."""

    ARGUMENTS_PARSER = ApiParser()


bp = ApiBlueprint("api", __name__, description="Microblog's JSON API.")

from app.api import errors, messages, notifications, posts, search, social, tasks, tokens, users  # noqa: E402,F401
from app.api.openapi import init_openapi  # noqa: E402

# Runs when the app registers the blueprint, after every route above is known.
bp.record_once(lambda state: init_openapi(state.app, bp))
