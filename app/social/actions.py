"""The part of a post card drawn on every view: reply link, like and repost toggles, Delete.

A page shows up to 50 cards, and this part cannot be cached (it holds counts and the reader's
own state). As a Jinja macro it cost about 0.2 ms a card, most of a timeline page's time, so
it is written here by string formatting: the labels, the CSRF token and the URL patterns are
worked out once per page, and each card only fills in numbers. Every value inserted is an
integer or was escaped once by markupsafe.
"""

from flask import url_for
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.models import Post

# An id no post has, so that the URLs of a page are built once and filled in per card.
_ID = 987654321

_BUTTON = (
    '<button type="submit" formaction="{url}/{off}{kind}" class="btn btn-link btn-sm p-0 reaction-button" '
    'data-kind="{kind}" aria-pressed="{pressed}">{label} <span class="reaction-count">{count}</span></button>'
)


class ActionBars:
    """Renders the action bars of one page's cards for one reader."""

    def __init__(self, reader_id: int | None, next_url: str, csrf: str) -> None:
        self.reader_id = reader_id
        self.thread_url = url_for("social.thread", id=_ID)
        self.delete_url = str(escape(url_for("main.delete_post", id=_ID, next=next_url)))
        self.hidden = (
            f'<input type="hidden" name="csrf_token" value="{escape(csrf)}">'
            f'<input type="hidden" name="next" value="{escape(next_url)}">'
        )
        self.reply, self.like, self.repost, self.delete = (
            escape(label) for label in (_("Reply"), _("Like"), _("Repost"), _("Delete"))
        )

    def __call__(self, post: Post) -> Markup:
        """Return the action bar of `post` (a shown post: not a repost, not a tombstone)."""
        url = self.thread_url.replace(str(_ID), str(post.id))
        liked, reposted = post.reader_liked, post.reader_reposted
        parts = [
            f'<form method="post" action="{url}/{"un" if liked else ""}like" '
            f'class="post-actions reactions d-flex flex-wrap gap-3 small align-items-center" data-url="{url}">',
            self.hidden,
            f'<a href="{url}#reply">{self.reply} <span class="reaction-count">{post.replies_count:d}</span></a>',
            _toggle(url, "like", liked, self.like, post.likes_count),
            _toggle(url, "repost", reposted, self.repost, post.reposts_count),
        ]
        if post.user_id == self.reader_id:
            delete_url = self.delete_url.replace(str(_ID), str(post.id))
            parts.append(
                f'<button type="submit" formaction="{delete_url}" class="btn btn-link btn-sm p-0 text-danger">'
                f"{self.delete}</button>"
            )
        parts.append("</form>")
        return Markup("".join(parts))


def _toggle(url: str, kind: str, on: bool, label: str, count: int) -> str:
    """A like or repost button: pressed when `on`, posting to the URL that undoes it."""
    pressed, off = ("true", "un") if on else ("false", "")
    return _BUTTON.format(url=url, off=off, kind=kind, pressed=pressed, label=label, count=int(count))
