"""A post's text as HTML: escaped text with links for URLs, @mentions and #hashtags, and nothing else.

Users write plain text. No HTML or Markdown they write is interpreted: the text is cut into
tokens (a URL, a mention, a hashtag, or anything else), every token is escaped by markupsafe,
and only the three kinds of links are wrapped in an `<a>` this module writes itself. The
properties that make this safe are checked with hypothesis in tests/unit/test_markup.py.
"""

import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping

from markupsafe import Markup, escape

# Bidirectional controls: never part of a link, so a URL cannot be shown reversed.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
MAX_TAG_LENGTH = 64

# A URL runs to the next space, quote, angle bracket or bidi control.
_URL = rf"https?://[^\s<>\"'`{BIDI_CONTROLS}]+"
# A name as usernames are written (app.validators), not preceded by a word character or another @
# (so "me@example.com" is not a mention), with the host of its server for an account of another
# (`@name@host`, app.federation).
_MENTION = r"(?<![\w@])@([\w.\-]*\w(?:@[\w\-]+(?:\.[\w\-]+)*(?::\d{1,5})?)?)"
# Combining marks: `re`'s \w leaves them out, but a decomposed "é" is still part of a word.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_TAG_CHARACTERS = rf"[\w{_MARKS}]*[^\W\d][\w{_MARKS}]*"
# A hashtag: word characters with at least one letter, not preceded by a word character.
_TAG = rf"(?<![\w#&])#({_TAG_CHARACTERS})"
_TAG_NAME = re.compile(_TAG_CHARACTERS)
_TOKENS = re.compile(f"(?P<url>{_URL})|{_MENTION}|{_TAG}")
_TRAILING = ".,;:!?"


def canonical_tag(tag: str) -> str:
    """Return a hashtag's canonical form: one for every case and Unicode composition (`Café` = `café`)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", tag).casefold())[:MAX_TAG_LENGTH]


def is_tag(text: str) -> bool:
    """Return whether `text` (without the `#`) is a hashtag as posts write them."""
    return len(text) <= MAX_TAG_LENGTH and _TAG_NAME.fullmatch(text) is not None


def find_tags(text: str) -> list[str]:
    """Return the canonical hashtags of `text`, each once, in order of appearance."""
    tags = (canonical_tag(match[3]) for match in _tokens(text) if match[3])
    return list(dict.fromkeys(tags))


def find_mentions(text: str) -> list[str]:
    """Return the lower-cased names `text` mentions with `@name`, each once, in order."""
    names = (match[2].lower() for match in _tokens(text) if match[2])
    return list(dict.fromkeys(names))


def _tokens(text: str) -> Iterator[tuple[str, str, str, str]]:
    """Yield `(plain, url, mention, tag)` tuples covering `text`: exactly one part is non-empty."""
    position = 0
    for match in _TOKENS.finditer(text):
        start, end = match.span()
        url, mention, tag = match["url"], match[2], match[3]
        if url:
            url = _trim_url(url)
            end = start + len(url)
        if start < position:  # inside a URL trimmed short: already yielded as text
            continue
        if start > position:
            yield text[position:start], "", "", ""
        yield "", url or "", mention or "", tag or ""
        position = end
    if position < len(text):
        yield text[position:], "", "", ""


def _trim_url(url: str) -> str:
    """Leave sentence punctuation and an unmatched closing bracket after a URL out of it."""
    while url and (url[-1] in _TRAILING or (url[-1] == ")" and url.count("(") < url.count(")"))):
        url = url[:-1]
    return url


def render(
    text: str,
    mentioned: Mapping[str, str],
    user_url: Callable[[str], str],
    tag_url: Callable[[str], str],
) -> Markup:
    """Return `text` as safe HTML.

    `mentioned` maps the lower-cased names of known users to their current usernames: only those
    become profile links, and an unknown `@name` stays text. `user_url(username)` and
    `tag_url(tag)` build the links.
    """
    parts: list[str] = []
    for plain, url, mention, tag in _tokens(text):
        if plain:
            parts.append(escape(plain))
        elif url:
            parts.append(Markup('<a href="{0}" rel="nofollow noopener ugc">{0}</a>').format(url))
        elif mention:
            username = mentioned.get(mention.lower())
            if username is None:
                parts.append(escape("@" + mention))
            else:
                parts.append(Markup('<a href="{}" class="mention">@{}</a>').format(user_url(username), mention))
        else:
            parts.append(Markup('<a href="{}" class="hashtag">#{}</a>').format(tag_url(canonical_tag(tag)), tag))
    return Markup("").join(parts)
