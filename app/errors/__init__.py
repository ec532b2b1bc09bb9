"""Error pages and JSON error bodies."""

from app.errors.handlers import bp

__all__ = ["bp"]
