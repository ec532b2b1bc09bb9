"""Room for images: the views that take uploads accept bigger request bodies than the rest.

Every request body is capped by MAX_CONTENT_LENGTH (1 MiB by default), which is plenty for text.
A view decorated with `accepts_uploads` takes up to MAX_UPLOAD_LENGTH instead: room for a post's
four images of MAX_IMAGE_BYTES each. The limit has to be known before anything reads the body, and
CSRF protection reads the form in a `before_request` hook, so the request itself decides it from
the view its URL matched, not the view at run time.
"""

from collections.abc import Callable

from flask import Flask, Request, current_app


def accepts_uploads(view: Callable) -> Callable:
    """Mark `view` as one whose requests may carry images (up to MAX_UPLOAD_LENGTH bytes)."""
    view.accepts_uploads = True
    return view


class UploadAwareRequest(Request):
    """A request whose body limit is MAX_UPLOAD_LENGTH for the views that take uploads."""

    @property
    def max_content_length(self) -> int | None:
        view = current_app.view_functions.get(self.endpoint) if self.url_rule is not None else None
        if getattr(view, "accepts_uploads", False):
            return current_app.config["MAX_UPLOAD_LENGTH"]
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        Request.max_content_length.fset(self, value)


def init_uploads(app: Flask) -> None:
    """Give `app` the upload-aware request class."""
    app.request_class = UploadAwareRequest
