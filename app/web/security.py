"""Security helpers: safe redirects and response headers."""

from functools import cache
from urllib.parse import urlsplit

from flask import Response

from app import avatars, media


@cache
def content_security_policy(image_hosts: tuple[str, ...] = ()) -> str:
    """Return the policy of every page; `image_hosts` are the other hosts pictures may come from.

    Pictures come from the site itself unless the avatar provider names another host (Gravatar), or
    images on posts are served from a bucket's public URL (S3_PUBLIC_URL).
    """
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            " ".join(["img-src 'self' data:", *image_hosts]),
            "connect-src 'self'",
            "font-src 'self'",
            "manifest-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def is_safe_next(target: str | None) -> bool:
    """Return whether `target` is a path on this site (no scheme, host or backslash tricks)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def add_security_headers(response: Response) -> Response:
    """Add the CSP and the other hardening headers to every response."""
    response.headers.setdefault(
        "Content-Security-Policy", content_security_policy(avatars.image_hosts() + media.image_hosts())
    )
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response
