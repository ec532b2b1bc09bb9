"""The site itself: timelines, profiles, messages and notifications."""

from app.main.routes import bp

__all__ = ["bp"]
