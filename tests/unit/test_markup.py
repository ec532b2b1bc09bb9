"""A post's text becomes escaped HTML with links for URLs, known @mentions and #hashtags, and nothing else."""

import html
import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from app.conversations.markup import canonical_tag, find_mentions, find_tags, is_tag, render


def user_url(username: str) -> str:
    return f"/user/{username}"


def tag_url(tag: str) -> str:
    return f"/tag/{tag}"


def rendered(text: str, known: dict[str, str] | None = None) -> str:
    return str(render(text, known or {}, user_url, tag_url))


class Elements(HTMLParser):
    """Collect every element and attribute of an HTML fragment, and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(fragment: str) -> Elements:
    parser = Elements()
    parser.feed(fragment)
    parser.close()
    return parser


def allowed_link(attrs: dict[str, str | None]) -> bool:
    href = attrs.get("href") or ""
    if href.startswith(("http://", "https://")):
        return attrs == {"href": href, "rel": "nofollow noopener ugc"}
    if href.startswith("/user/"):
        return attrs == {"href": href, "class": "mention"}
    return href.startswith("/tag/") and attrs == {"href": href, "class": "hashtag"}


# Hostile input


def test_script_tags_and_markup_stay_text():
    out = rendered('<script>alert("x")</script><b onmouseover=alert(1)>hi</b> **bold** [a](http://x)')
    assert "<script" not in out and "<b" not in out
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in out
    assert "**bold**" in out  # no Markdown either


def test_javascript_and_data_urls_are_never_links():
    out = rendered("javascript:alert(1) data:text/html,<script>x</script> JAVASCRIPT://%0aalert(1)")
    assert "<a" not in out


def test_a_quote_cannot_break_out_of_the_href():
    out = rendered('see https://example.com/"onmouseover="alert(1) now')
    tags = parse(out).tags
    assert tags == [("a", {"href": "https://example.com/", "rel": "nofollow noopener ugc"})]
    assert 'onmouseover="alert(1)' not in out.replace("&#34;", '"').split("</a>")[0]


def test_angle_brackets_and_ampersands_in_urls_are_escaped():
    out = rendered("https://example.com/?a=1&b=<2>")
    assert '<a href="https://example.com/?a=1&amp;b=" rel="nofollow noopener ugc">' in out
    assert "&lt;2&gt;" in out


def test_rtl_overrides_stay_out_of_links():
    out = rendered("https://example.com/\u202egnp.exe and \u202e@bob")
    tags = parse(out).tags
    assert tags[0] == ("a", {"href": "https://example.com/", "rel": "nofollow noopener ugc"})
    for _, attrs in tags:
        assert not re.search("[\u202a-\u202e\u2066-\u2069]", attrs.get("href") or "")


def test_urls_links_and_trailing_punctuation():
    out = rendered("Read https://example.com/a_(b). Or (https://example.com/c), ok?")
    hrefs = [attrs["href"] for _, attrs in parse(out).tags]
    assert hrefs == ["https://example.com/a_(b)", "https://example.com/c"]


# Mentions and hashtags


def test_known_mentions_link_in_any_case_and_unknown_stay_text():
    out = rendered("hi @Susan and @nobody, mail me@example.com", {"susan": "susan"})
    assert '<a href="/user/susan" class="mention">@Susan</a>' in out
    assert "@nobody" in out and "/user/nobody" not in out
    assert "/user/example.com" not in out


def test_find_mentions_is_lower_case_and_unique():
    assert find_mentions("@Ann @ann @bob. @carl-x me@x.org") == ["ann", "bob", "carl-x"]


def test_hashtags_are_case_insensitive_and_unicode_aware():
    decomposed = "Cafe\u0301"  # "Café" written with a combining accent
    assert find_tags(f"#Café #café #{decomposed} #CAFÉ") == ["café"]
    assert canonical_tag("Straße") == "strasse"
    out = rendered("#Café time")
    assert '<a href="/tag/café" class="hashtag">#Café</a>' in out


def test_numbers_anchors_and_entities_are_not_hashtags():
    assert find_tags("#1 #2024 a#b &#39; https://x.org/#frag") == []
    assert is_tag("python3") and not is_tag("123") and not is_tag("a b") and not is_tag("x" * 65)


# Properties


# Pieces that make URLs, mentions, tags, markup and bidi tricks when strung together.
PIECES = list("ab @#:/.<>\"'&;()=\u202e\n") + ["https://", "javascript:", "é", "中", "@susan"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_the_text_survives_and_only_our_links_appear(text):
    out = rendered(text, {"susan": "susan"})
    elements = parse(out)
    # Nothing the user wrote becomes an element: every element is one of the three links.
    assert all(tag == "a" and allowed_link(attrs) for tag, attrs in elements.tags)
    # The reader sees exactly the text that was written.
    assert "".join(elements.text) == text
    # And no raw markup character leaks out outside the links this module writes.
    assert "<" not in re.sub(r"<a [^>]*>|</a>", "", out)
    assert html.unescape(re.sub(r"<[^>]*>", "", out)) == text
