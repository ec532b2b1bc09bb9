"""Fingerprinted static URLs, so browsers may cache every asset for a year.

`url_for("static", filename=...)` (and Bootstrap-Flask's own static files) get a
`v=<content hash>` argument: a changed file gets a new URL, an unchanged one is
served from the browser's cache without even a revalidation.
"""

import hashlib
import os
from functools import cache

from flask import Flask, current_app

ONE_YEAR = 365 * 24 * 3600


@cache
def _fingerprint(path: str, modified: float) -> str:
    """Return a short hash of the file's content (cached until the file changes)."""
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()[:12]


def _add_fingerprint(endpoint: str, values: dict) -> None:
    if endpoint == "static":
        folder = current_app.static_folder
    elif endpoint.endswith(".static"):
        blueprint = current_app.blueprints.get(endpoint.rsplit(".", 1)[0])
        folder = blueprint.static_folder if blueprint is not None else None
    else:
        return
    filename = values.get("filename")
    if not folder or not filename or "v" in values:
        return
    path = os.path.join(folder, filename)
    try:
        values["v"] = _fingerprint(path, os.path.getmtime(path))
    except OSError:
        return  # a missing file is answered 404 by the static view


def register_static_fingerprints(app: Flask) -> None:
    """Version every static URL by content and let clients cache static files for a year."""
    if app.config.get("SEND_FILE_MAX_AGE_DEFAULT") is None:
        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = ONE_YEAR
    app.url_defaults(_add_fingerprint)
