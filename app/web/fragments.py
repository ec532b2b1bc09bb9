"""A per-process cache of rendered HTML fragments that never change once written.

A post's card (author link and avatar, body, time, translate link) reads the same for every reader
of the same language, and posts are never edited. Rendering it is most of the cost of a timeline
page, so each worker keeps the cards it has rendered: a page of 25 posts is then 25 lookups instead
of 25 template renders. The key must name everything the fragment shows; see `_post.html`.

`cached_form` does the same for a form not yet submitted: its HTML is the same for every writer of
a language but for the CSRF token, which is put back in on each use.

Each process has its own cache, so no page pays a network round trip per fragment, and the least
recently used entries are dropped once FRAGMENT_CACHE_SIZE is reached (0 turns caching off).
"""

from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any

from cachetools import LRUCache
from flask import Flask, current_app
from flask_wtf import FlaskForm
from markupsafe import Markup

# Stands for the CSRF token in a cached form.
_TOKEN_MARK = "@@csrf-token@@"


class FragmentCache:
    """A thread-safe LRU map from a fragment's key to its rendered HTML."""

    def __init__(self, size: int):
        self.size = size
        self._entries: LRUCache = LRUCache(maxsize=max(size, 1))
        self._lock = Lock()  # a lookup reorders the LRU list, so even reads take the lock

    def get_or_render(self, key: Hashable, render: Callable[..., Any], *args: Any) -> Markup:
        """Return the cached HTML for `key`, rendering it with `render(*args)` on a miss."""
        if not self.size:
            return Markup(render(*args))
        with self._lock:
            html = self._entries.get(key)
        if html is None:
            html = Markup(render(*args))
            with self._lock:
                self._entries[key] = html
        return html

    def __len__(self) -> int:
        return len(self._entries)


def init_fragment_cache(app: Flask) -> None:
    """Give the app its cache and the `cached_fragment(key, macro, *args)` and `cached_form` template functions."""
    app.extensions["fragment_cache"] = FragmentCache(app.config["FRAGMENT_CACHE_SIZE"])
    app.jinja_env.globals["cached_fragment"] = cached_fragment
    app.jinja_env.globals["cached_form"] = cached_form


def cached_fragment(key: Hashable, render: Callable[..., Any], *args: Any) -> Markup:
    """Template function: the current app's cached rendering of `render(*args)` under `key`."""
    return current_app.extensions["fragment_cache"].get_or_render(key, render, *args)


def cached_form(key: Hashable, render: Callable[[FlaskForm], Any], form: FlaskForm) -> Markup:
    """Template function: `render(form)`, kept under `key` while the form is not submitted.

    An untouched form reads the same for every writer of a language but for its CSRF token (`key`
    must name the language and whatever else `render` shows). A submitted one, with its data and
    errors, is rendered each time.
    """
    if form.is_submitted():
        return Markup(render(form))
    field = getattr(form, "csrf_token", None)  # none when CSRF protection is off
    token = field.current_token if field is not None else None
    if not token:
        return cached_fragment((key, "no token"), render, form)

    def without_token(form: FlaskForm) -> str:
        return str(render(form)).replace(token, _TOKEN_MARK)

    return Markup(cached_fragment(key, without_token, form).replace(_TOKEN_MARK, token))
