"""Request plumbing: what every request goes through, whichever blueprint serves it.

Request ids and log lines, the reader's language and `last_seen`, security headers, fingerprinted
static URLs, the optional `X-Query-Count` header, the cache of rendered post cards, the navbar's
shells, the bigger body limit of upload views, the permission helpers of templates, `/healthz`,
and the icon and app manifest at their fixed URLs.
`init_app` installs all of it, in the order the hooks must run.
"""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.web import health, icons
from app.web.fragments import init_fragment_cache
from app.web.hooks import register_hooks
from app.web.navbar import init_navbar
from app.web.permissions import init_permissions
from app.web.query_count import register_query_count
from app.web.request_log import register_request_logging
from app.web.security import add_security_headers
from app.web.static_files import register_static_fingerprints
from app.web.uploads import init_uploads
from app.web.urls import init_fixed_urls


def init_app(app: Flask) -> None:
    """Install the request plumbing on `app`."""
    if app.config.get("TRUSTED_PROXIES"):
        # Behind N reverse proxies, trust their X-Forwarded-For/Proto/Host (client address, HTTPS).
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    register_request_logging(app)  # first, so its timer and request id wrap every other hook
    register_hooks(app)
    app.after_request(add_security_headers)
    init_permissions(app)
    register_static_fingerprints(app)
    init_fixed_urls(app)  # the layout's links, built once
    register_query_count(app)  # X-Query-Count for benchmarks, only with QUERY_COUNT_HEADER=1
    init_fragment_cache(app)
    init_navbar(app)  # the navbar, rendered once per language and kind of reader
    init_uploads(app)  # the views marked accepts_uploads take bodies up to MAX_UPLOAD_LENGTH
    app.register_blueprint(health.bp)
    app.register_blueprint(icons.bp)
    app.add_template_global(icons.THEME_COLOR, "theme_color")
