"""The token-authenticated JSON API."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from app.api import posts, tokens, users  # noqa: E402,F401
