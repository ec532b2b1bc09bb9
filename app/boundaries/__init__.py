"""The boundaries blueprint: block and mute buttons on profiles, and the settings page that lists and lifts them."""

from app.boundaries.routes import bp

__all__ = ["bp"]
