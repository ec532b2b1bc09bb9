"""`/favicon.ico` and `/manifest.webmanifest`: the site's icon where browsers look for it, and its app manifest.

The icons themselves are static files (app/static/icons, drawn by scripts/make_icons.py); pages
link them with fingerprinted URLs. These two fixed URLs cannot carry a fingerprint, so they are
cached for a day only.
"""

from flask import Blueprint, current_app, jsonify, request, send_from_directory, url_for
from flask_babel import _

bp = Blueprint("icons", __name__)

ONE_DAY = 24 * 3600
# The browser's colour for the app's window and toolbars: Bootstrap's primary blue, as in the icon.
THEME_COLOR = "#0d6efd"
PNG_SIZES = (192, 512)


@bp.route("/favicon.ico")
def favicon():
    """Answer the 32-pixel icon (a PNG: every current browser reads it under this name)."""
    return send_from_directory(current_app.static_folder, "icons/icon-32.png", mimetype="image/png", max_age=ONE_DAY)


@bp.route("/manifest.webmanifest")
def manifest():
    """Describe the site as an installable web app (name, start page, colours, icons)."""
    home = request.script_root + "/"  # the site's root, wherever it is mounted
    icons = [
        {"src": url_for("static", filename=f"icons/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in PNG_SIZES
    ]
    icons.append({"src": url_for("static", filename="icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"})
    response = jsonify(
        name="Microblog",
        short_name="Microblog",
        description=_("Short posts from the people you follow."),
        start_url=home,
        scope=home,
        display="standalone",
        background_color="#ffffff",
        theme_color=THEME_COLOR,
        icons=icons,
    )
    response.mimetype = "application/manifest+json"
    response.cache_control.max_age = ONE_DAY
    return response
