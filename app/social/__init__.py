"""The conversation pages: threads and replies, likes and reposts, hashtags and activity."""

from app.social.routes import bp

__all__ = ["bp"]
