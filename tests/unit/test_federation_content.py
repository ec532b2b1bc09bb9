"""Other servers' note HTML made plain text: what survives (text, mentions, hashtags, link URLs) and what does not."""

import pytest

from app.federation.content import MAX_NOTE_CHARACTERS, note_text
from app.validators import is_valid_account_name

OWN = "micro.test"


def test_paragraphs_and_line_breaks_become_new_lines():
    assert note_text("<p>one<br>two</p><p>three</p>", OWN) == "one\ntwo\n\nthree"


def test_a_mention_becomes_its_handle_and_one_of_this_server_its_name():
    html = (
        '<span class="h-card"><a href="https://peer.test/@bob" class="u-url mention">@<span>bob</span></a></span> '
        '<a href="https://micro.test/user/alice" class="u-url mention">@<span>alice</span></a>'
    )
    assert note_text(html, OWN) == "@bob@peer.test @alice"


def test_a_hashtag_keeps_its_text_and_a_link_its_url():
    html = (
        '<a href="https://peer.test/tags/cats" class="mention hashtag" rel="tag">#<span>cats</span></a> '
        '<a href="https://example.com/a/long"><span class="invisible">https://</span>'
        '<span class="ellipsis">example.com/a</span><span class="invisible">/long</span></a> '
        '<a href="https://example.com/other">words</a>'
    )
    assert note_text(html, OWN) == "#cats https://example.com/a/long words (https://example.com/other)"


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<style>p { color: red }</style>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)"></a>',
    ],
)
def test_scripts_styles_and_markup_leave_nothing(html):
    assert note_text(html, OWN) == ""


def test_entities_are_text_and_markup_written_as_text_stays_text():
    assert note_text("<p>&lt;b&gt;bold&lt;/b&gt; &amp; more</p>", OWN) == "<b>bold</b> & more"


def test_control_characters_go_and_a_long_note_is_cut():
    assert note_text("a\x00b\x1bc", OWN) == "abc"
    cut = note_text("<p>" + "x" * (MAX_NOTE_CHARACTERS + 10) + "</p>", OWN)
    assert len(cut) == MAX_NOTE_CHARACTERS and cut.endswith("…")


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("alice", True),
        ("bob@peer.test", True),
        ("bob@127.0.0.1:8000", True),
        ("bob@", False),
        ("@bob@peer.test", False),
        ("bob@peer test", False),
        ("bob@peer.test/x", False),
        ("a@b@c.test", False),
    ],
)
def test_account_names_are_local_names_or_name_at_host(name, valid):
    assert is_valid_account_name(name) is valid
