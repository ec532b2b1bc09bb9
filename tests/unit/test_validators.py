"""Username and text validators, and the safe-redirect check."""

from types import SimpleNamespace

import pytest
from wtforms import ValidationError

from app.validators import is_valid_username, printable_text, username_characters
from app.web.security import is_safe_next


def field(data):
    """Return a stand-in for a WTForms field holding `data`."""
    return SimpleNamespace(data=data)


# Usernames


@pytest.mark.parametrize(
    "name",
    [
        "susan",
        "Susan_99",
        "j.doe",
        "mary-jane",
        "a",
        "_",
        "张伟",  # Chinese
        "محمد",  # Arabic
        "Ольга",  # Cyrillic
        "José",
        "Ærøskøbing",
        "ユーザー",  # Japanese katakana (with the prolonged sound mark, a letter)
        "x" * 64,
    ],
)
def test_valid_usernames_are_accepted(name):
    assert is_valid_username(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "x" * 65,
        "张" * 65,
        "susan smith",
        " susan",
        "susan ",
        "susan\t",
        "susan\n",
        "a/b",
        "a\\b",
        "../admin",
        "nul\x00byte",
        "zero\u200dwidth",  # zero-width joiner
        "zero\u200bspace",  # zero-width space
        "evil\u202etxt.exe",  # right-to-left override
        "no\u00a0break",  # no-break space
        "at@sign",
        "hash#tag",
        "question?",
        "percent%2F",
        "emoji😀",
        "<script>",
    ],
)
def test_invalid_usernames_are_refused(name):
    assert not is_valid_username(name)


def test_username_validator_raises_on_bad_characters_only():
    username_characters(None, field("张伟"))
    username_characters(None, field(""))  # emptiness is DataRequired's job
    with pytest.raises(ValidationError):
        username_characters(None, field("a b"))


# Free text


@pytest.mark.parametrize(
    "text",
    [
        "",
        None,
        "plain words",
        "line one\nline two\r\n\ttabbed",
        "中文 and العربية",
        "family 👨\u200d👩\u200d👧 emoji",  # a zero-width-joiner emoji sequence
        "<b>escaped later</b>",
    ],
)
def test_printable_text_accepts_ordinary_text(text):
    printable_text(None, field(text))


@pytest.mark.parametrize(
    "text",
    [
        "null\x00byte",
        "bell\x07",
        "escape\x1b[31m",
        "delete\x7f",
        "c1 control\x85",
        "private use \ue000",
        "unassigned \u0378",
        "lone surrogate \ud800",
    ],
)
def test_printable_text_refuses_control_and_unusable_characters(text):
    with pytest.raises(ValidationError):
        printable_text(None, field(text))


# Redirect targets


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "https://evil.example/",
        "http:/evil.example",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,hi",
        "index",
        "evil.example/index",
        "/\tevil",
        "/index\r\nSet-Cookie: x=1",
    ],
)
def test_unsafe_next_targets_are_refused(target):
    assert not is_safe_next(target)


@pytest.mark.parametrize("target", ["/", "/index?page=2", "/user/susan", "/search?q=a%2Fb", "/explore#top"])
def test_local_paths_are_safe_next_targets(target):
    assert is_safe_next(target)
