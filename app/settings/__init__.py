"""The settings blueprint: what a person does to their account as a whole (deleting it)."""

from app.settings.routes import bp

__all__ = ["bp"]
