"""Other servers' HTML, made into the plain text local posts are: only text survives, links as URLs.

Notes arrive as HTML (Mastodon's `content`). Nothing of it is kept as markup: the text is taken
out with the standard library's HTML parser, paragraphs and line breaks become new lines, a
mention becomes `@name@host` (or `@name` for an account of this server) and a link its URL, so
that the post renders through the same escaping and linking as one written here
(app.conversations.markup). Scripts and styles are dropped with their text.
"""

import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import urlsplit

# The longest note kept: longer ones are cut, with an ellipsis.
MAX_NOTE_CHARACTERS = 5000
_BLOCKS = frozenset({"p", "div", "blockquote", "li", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})
_DROPPED = frozenset({"script", "style", "template"})
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def note_text(html: str, own_host: str) -> str:
    """Return the plain text of a note's HTML `content`; `own_host` is this server's SERVER_NAME."""
    reader = _TextReader(own_host.lower())
    reader.feed(html)
    reader.close()
    text = "".join(reader.parts)
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs", "Co", "Cn"))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
    if len(text) > MAX_NOTE_CHARACTERS:
        text = text[: MAX_NOTE_CHARACTERS - 1].rstrip() + "…"
    return text


class _TextReader(HTMLParser):
    def __init__(self, own_host: str):
        super().__init__(convert_charrefs=True)
        self.own_host = own_host
        self.parts: list[str] = []
        self._dropping = 0
        # The open <a>: its href, its classes and the text read inside it so far.
        self._link: tuple[str, str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self._dropping += 1
        elif tag == "br":
            self._write("\n")
        elif tag in _BLOCKS:
            self._write("\n\n")
        elif tag == "a" and self._link is None:
            values = dict(attrs)
            self._link = (values.get("href") or "", values.get("class") or "", [])

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self._dropping = max(0, self._dropping - 1)
        elif tag in _BLOCKS:
            self._write("\n\n")
        elif tag == "a" and self._link is not None:
            href, classes, inside = self._link
            self._link = None
            self._write(self._link_text(href, classes.split(), "".join(inside).strip()))

    def handle_data(self, data: str) -> None:
        if self._dropping:
            return
        if self._link is not None:
            self._link[2].append(data)
        else:
            self.parts.append(data)

    def close(self) -> None:
        super().close()
        if self._link is not None:  # an <a> never closed: its text stays
            self.parts.append("".join(self._link[2]))
            self._link = None

    def _write(self, text: str) -> None:
        if self._link is not None:
            self._link[2].append(" " if text.strip() == "" else text)
        else:
            self.parts.append(text)

    def _link_text(self, href: str, classes: list[str], text: str) -> str:
        """What a link becomes: a mention its full handle, a hashtag its text, a web link its URL."""
        try:
            parts = urlsplit(href)
        except ValueError:
            return text
        host = parts.netloc.lower()
        if "mention" in classes and "hashtag" not in classes and text.startswith("@") and host:
            name = text.lstrip("@").split("@", 1)[0]
            return f"@{name}" if host == self.own_host else f"@{name}@{host}"
        if "hashtag" in classes or text.startswith("#") or parts.scheme not in ("http", "https"):
            return text
        if text in (href, href.split("://", 1)[-1]) or not text:
            return href
        return f"{text} ({href})"
