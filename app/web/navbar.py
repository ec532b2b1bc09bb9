"""The navigation bar, rendered once per language and kind of reader, then filled in for each request.

Most of the navbar reads the same on every page: a dozen translated labels and links. Rendering
`_navbar.html` on each page cost about a fifth of the layout (eleven gettext calls, the language
menu). Instead `navbar()` renders it once per language, mount point, sign-in state and the
moderation and admin links, with a marker in each place that varies (`SLOTS`), and then only
joins the request's values into that shell: the unread badges, the profile link, the CSRF token,
the page to come back to after a change of language and the search box's text.
"""

import re
from typing import Any

from flask import Flask, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app.models import Permission
from app.models.user import BADGE_CAP
from app.web.permissions import can

# What varies from one request to the next; the shell holds `@@slot:NAME@@` in each place.
SLOTS = (
    "csrf_token",
    "next_path",
    "search_value",
    "profile_url",
    "activity_count",
    "activity_hidden",
    "message_count",
    "message_hidden",
)
_MARKERS = {name: f"@@slot:{name}@@" for name in SLOTS}
_SLOT = re.compile(r"@@slot:(\w+)@@")
# Beyond this, the activity badge reads "99+" (the count itself stops at BADGE_CAP).
_BADGE_MAX = BADGE_CAP - 1


def init_navbar(app: Flask) -> None:
    """Give the templates `navbar(page_status)`, and the app its shells (a few: see `navbar`'s key)."""
    app.extensions["navbar_shells"] = {}
    app.add_template_global(navbar)


def navbar(page_status: Any) -> Markup:
    """Return the navbar for this request; `page_status` is the reader's (None for an anonymous one)."""
    # The language the labels are rendered in: `g.locale` is unset on an error page answered before
    # the request's hooks ran (a refused CSRF token, a rate limit), where Babel still picks the reader's.
    locale = str(get_locale())
    key = (
        "navbar",
        locale,
        request.script_root,
        current_user.is_authenticated,
        can(Permission.MODERATE),
        can(Permission.ADMIN),
    )
    shells = current_app.extensions["navbar_shells"]
    parts = shells.get(key)
    if parts is None:
        parts = shells[key] = _shell_parts(locale)
    values = _slot_values(page_status)
    return Markup("".join(values[part] if index % 2 else part for index, part in enumerate(parts)))


def _shell_parts(locale: str) -> tuple[str, ...]:
    """Render the shell in `locale` and split it at its markers: text, slot name, text, ..., text."""
    return tuple(_SLOT.split(render_template("_navbar.html", slot=_MARKERS, locale=locale)))


def _slot_values(page_status: Any) -> dict[str, str]:
    """The request's value of each slot, escaped for HTML."""
    values = dict.fromkeys(SLOTS, "")
    values["csrf_token"] = str(escape(generate_csrf()))
    if request.method == "GET":
        values["next_path"] = str(escape(request.full_path))
    if request.endpoint == "main.search":
        values["search_value"] = str(escape(request.args.get("q", "")))
    if page_status is not None:
        unread_activity, unread_messages = page_status.unread_activity, page_status.unread_messages
        values["profile_url"] = str(escape(url_for("main.user", username=current_user.username)))
        values["activity_count"] = "99+" if unread_activity > _BADGE_MAX else str(unread_activity)
        values["activity_hidden"] = "" if unread_activity else " hidden"
        values["message_count"] = str(unread_messages)
        values["message_hidden"] = "" if unread_messages else " hidden"
    return values
