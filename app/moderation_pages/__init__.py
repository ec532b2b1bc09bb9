"""The moderation blueprint: reporting posts and accounts, the moderators' queue and the administrator pages."""

from app.moderation_pages.routes import bp

__all__ = ["bp"]
