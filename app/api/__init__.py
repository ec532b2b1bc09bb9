"""The token-authenticated JSON API, documented by an OpenAPI document built from its schemas."""

from flask.blueprints import BlueprintSetupState

from app.api import (
    boundaries,
    conversations,
    errors,
    media,
    messages,
    notifications,
    posts,
    reports,
    representation,
    search,
    social,
    tasks,
    tokens,
    users,
)
from app.api.blueprint import bp
from app.api.openapi import init_openapi
from app.api.schemas import REPRESENTATIONS

__all__ = [
    "boundaries",
    "bp",
    "conversations",
    "errors",
    "media",
    "messages",
    "notifications",
    "posts",
    "reports",
    "search",
    "social",
    "tasks",
    "tokens",
    "users",
]


@bp.record_once
def init_app(state: BlueprintSetupState) -> None:
    """Compile the representations and build the OpenAPI document when the app registers the API."""
    representation.init_app(state.app, REPRESENTATIONS)
    # After every route above is known.
    init_openapi(state.app, bp)
