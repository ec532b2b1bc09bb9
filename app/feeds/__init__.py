"""Atom feeds of a user's posts and of a hashtag, for feed readers (public, no login)."""

from app.feeds.routes import bp

__all__ = ["bp"]
