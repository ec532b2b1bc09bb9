"""Registration, login and password reset."""

from app.auth.routes import bp

__all__ = ["bp"]
