"""App-wide request hooks: the reader's language, and when a user was last seen."""

from flask import Flask, current_app, g, request
from flask_babel import get_locale
from flask_login import current_user

from app import translate
from app.extensions import db
from app.models import utcnow

# Requests that say nothing about a user being around: polling, assets, health checks.
# Feeds are read by feed readers, so they are quiet too (and stay read-only).
QUIET_ENDPOINTS = frozenset(
    {"static", "main.notifications", "health.healthz", "icons.favicon", "icons.manifest"}
    | {"feeds.user_feed", "feeds.tag_feed"}
)


def remember_locale() -> None:
    """Resolve the UI language once per request; templates read it as `g.locale`."""
    g.locale = str(get_locale())


def record_last_seen() -> None:
    """Update `last_seen` at most once per LAST_SEEN_INTERVAL, so a page view rarely writes."""
    endpoint = request.endpoint or ""
    if endpoint in QUIET_ENDPOINTS or endpoint.startswith("bootstrap.") or not current_user.is_authenticated:
        return
    now = utcnow()
    last = current_user.last_seen
    if last is None or (now - last).total_seconds() >= current_app.config["LAST_SEEN_INTERVAL"]:
        current_user.last_seen = now
        db.session.commit()


def inject_translator_flag() -> dict:
    """Tell every template whether posts can offer a "Translate" link."""
    return {"translator_enabled": translate.translator_configured()}


def register_hooks(app: Flask) -> None:
    """Run the hooks before every request and give templates the translator flag."""
    # First of all the hooks (the extensions registered theirs already): a request that CSRF protection
    # or a rate limit turns down still gets its error page in the reader's language.
    app.before_request_funcs.setdefault(None, []).insert(0, remember_locale)
    app.before_request(record_last_seen)
    app.context_processor(inject_translator_flag)
