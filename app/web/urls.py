"""Links repeated on every item of a list or on every page, built without paying `url_for` each time.

`url_for` finds the endpoint's rule and converts every value on each call (about 10 µs). An API
page of 100 users carries 300 links, which cost more than the queries behind the page. For routes
whose only variable is an integer id, `id_url` builds the URL once per process with a marker id and
splices each real id into that shape afterwards; the result is exactly what `url_for` returns.

The layout links every page to the same twenty-odd places (the navbar, the stylesheets and scripts
with their fingerprints). `fixed_url`, the templates' `fixed_url()`, builds each once per app and
mount point.
"""

from functools import lru_cache

from flask import Flask, current_app, has_request_context, request, url_for

_MARKER = 918_273_645


def id_url(endpoint: str, id: int) -> str:
    """Return `url_for(endpoint, id=id)` for a route whose only variable is an integer `id`."""
    if not has_request_context():
        return url_for(endpoint, id=id)
    head, tail = _url_shape(endpoint, request.script_root)
    return f"{head}{int(id)}{tail}"


@lru_cache(maxsize=64)
def _url_shape(endpoint: str, script_root: str) -> tuple[str, str]:
    """Return the URL of `endpoint` around its id; `script_root` keys it because it prefixes every URL."""
    head, _, tail = url_for(endpoint, id=_MARKER).partition(str(_MARKER))
    return head, tail


def fixed_url(endpoint: str, **values: str) -> str:
    """Return `url_for(endpoint, **values)` for values that are the same on every page (a file name, a code)."""
    if not has_request_context():
        return url_for(endpoint, **values)
    key = (endpoint, request.script_root, *sorted(values.items()))
    urls = current_app.extensions["fixed_urls"]
    url = urls.get(key)
    if url is None:
        url = urls[key] = url_for(endpoint, **values)
    return url


def init_fixed_urls(app: Flask) -> None:
    """Give the app its store of built URLs and the templates `fixed_url()`."""
    app.extensions["fixed_urls"] = {}
    app.add_template_global(fixed_url, "fixed_url")
