"""The entries of a post list, drawn on every view: the article around each card, its action bar.

A page shows up to 50 entries. The card itself (author, time, text) is rendered once per worker
by the `post_card` macro and then served from the fragment cache (app/web/fragments.py); what is
around it cannot be cached, since it holds counts and the reader's own state. As Jinja macros
that part cost most of a timeline page's time (a macro call per entry, about 60 µs each), so it is
written here by string formatting: the labels, the CSRF token and the URL patterns are worked out
once per page, and each entry only fills in numbers. Every value inserted is an integer or was
escaped once by markupsafe.
"""

import functools
from collections.abc import Callable
from typing import NamedTuple

from flask import current_app, g, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from app import translate
from app.models import Post

# An id no post has, so that the URLs of a page are built once and filled in per entry.
_ID = 987654321


class PostEntries:
    """Renders the entries of one post list for the signed-in reader of this request.

    `card` renders the cached part of a post's card (the `post_card` macro of `_post.html`).
    """

    def __init__(self, card: Callable[[Post], str], extra_class: str = "") -> None:
        self.card = card
        self.cache = current_app.extensions["fragment_cache"]
        self.card_context = (g.locale, translate.translator_configured(), request.script_root)
        self.reader_id = current_user.id if current_user.is_authenticated else None
        self.opening = (
            f'<article class="py-2 border-bottom{" " + escape(extra_class) if extra_class else ""}" id="post-'
        )
        self.thread_url = url_for("social.thread", id=_ID)
        next_url = request.full_path
        self.delete_url = str(escape(url_for("main.delete_post", id=_ID, next=next_url)))
        self.hidden = (
            f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">'
            f'<input type="hidden" name="next" value="{escape(next_url)}">'
        )
        self.words = _words(g.locale)

    def __call__(self, entry: Post) -> Markup:
        """Return the entry of `entry`: a post, a repost ("@x reposted" above the original card) or a tombstone."""
        post = entry.shown
        parts = [self.opening, str(entry.id), '">']
        if entry.repost_of_id is not None:
            name = entry.author.username
            parts.append(
                f'<div class="small text-body-secondary mb-1"><a href="{escape(url_for("main.user", username=name))}">'
                f"@{escape(name)}</a> {self.words.reposted}</div>"
            )
        if post.is_deleted:
            parts.append(self.words.tombstone)
        else:
            parts.append(self.cache.get_or_render(post.card_key(*self.card_context), self.card, post))
            parts.append(self.actions(post))
        parts.append("</article>")
        return Markup("".join(parts))

    def actions(self, post: Post) -> str:
        """The action bar of `post` (a shown post: not a repost, not a tombstone)."""
        url = self.thread_url.replace(str(_ID), str(post.id))
        liked, reposted = post.reader_liked, post.reader_reposted
        parts = [
            f'<form method="post" action="{url}/{"un" if liked else ""}like" '
            f'class="post-actions reactions d-flex flex-wrap gap-3 small align-items-center" data-url="{url}">',
            self.hidden,
            f'<a href="{url}#reply">{self.words.reply} <span class="reaction-count">{post.replies_count:d}</span></a>',
            _toggle(url, "like", liked, self.words.like, post.likes_count),
            _toggle(url, "repost", reposted, self.words.repost, post.reposts_count),
        ]
        if post.user_id == self.reader_id:
            delete_url = self.delete_url.replace(str(_ID), str(post.id))
            parts.append(
                f'<button type="submit" formaction="{delete_url}" class="btn btn-link btn-sm p-0 text-danger">'
                f"{self.words.delete}</button>"
            )
        parts.append("</form>")
        return "".join(parts)


class _Words(NamedTuple):
    reply: str
    like: str
    repost: str
    delete: str
    reposted: str
    tombstone: str


@functools.cache
def _words(locale: str) -> _Words:
    """The words of a post list in `locale`, the request's: translated and escaped once per worker."""
    reply, like, repost, delete, reposted, deleted = (
        str(escape(word))
        for word in (_("Reply"), _("Like"), _("Repost"), _("Delete"), _("reposted"), _("This post was deleted"))
    )
    return _Words(
        reply, like, repost, delete, reposted, f'<p class="text-body-secondary fst-italic mb-0">{deleted}</p>'
    )


def _toggle(url: str, kind: str, on: bool, label: str, count: int) -> str:
    """A like or repost button: pressed when `on`, posting to the URL that undoes it."""
    pressed, off = ("true", "un") if on else ("false", "")
    return (
        f'<button type="submit" formaction="{url}/{off}{kind}" class="btn btn-link btn-sm p-0 reaction-button" '
        f'data-kind="{kind}" aria-pressed="{pressed}">{label} <span class="reaction-count">{count:d}</span></button>'
    )
