"""A per-process cache of rendered HTML fragments that never change once written.

A post's card (author link and avatar, body, time, translate link) reads the same for every reader
of the same language, and posts are never edited. Rendering it is most of the cost of a timeline
page, so each worker keeps the cards it has rendered: a page of 25 posts is then 25 lookups instead
of 25 template renders. The key must name everything the fragment shows; see `_post.html`.

Each process has its own cache, so no page pays a network round trip per fragment, and the least
recently used entries are dropped once FRAGMENT_CACHE_SIZE is reached (0 turns caching off).
"""

from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any

from cachetools import LRUCache
from flask import Flask, current_app
from markupsafe import Markup


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
    """Give the app its cache and the `cached_fragment(key, macro, *args)` template function."""
    app.extensions["fragment_cache"] = FragmentCache(app.config["FRAGMENT_CACHE_SIZE"])
    app.jinja_env.globals["cached_fragment"] = cached_fragment


def cached_fragment(key: Hashable, render: Callable[..., Any], *args: Any) -> Markup:
    """Template function: the current app's cached rendering of `render(*args)` under `key`."""
    return current_app.extensions["fragment_cache"].get_or_render(key, render, *args)
