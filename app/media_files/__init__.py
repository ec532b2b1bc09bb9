"""The media_files blueprint: serves the stored images at /media/<key>/<variant>."""

from app.media_files.routes import bp

__all__ = ["bp"]
