"""What a username and user text may hold: the rules, and their WTForms validators."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import ValidationError

# Letters of any script, digits, underscore, dot and hyphen.
USERNAME_PATTERN = re.compile(r"^[\w.\-]+$")
# A server's host, with its port if any, as remote accounts' names end (`name@host`).
HOST_PATTERN = re.compile(r"[a-z0-9\-]+(\.[a-z0-9\-]+)*(:\d{1,5})?", re.IGNORECASE)
# Unicode categories refused in user text: control, surrogate, private-use and unassigned.
NOT_PRINTABLE = frozenset({"Cc", "Cs", "Co", "Cn"})


# The largest id an INTEGER primary key holds: a larger one in a URL is no row (and PostgreSQL would refuse it).
MAX_ID = 2**31 - 1


def is_valid_id(value: int) -> bool:
    """Whether `value` can be a row's id: looking up a larger one would overflow the column."""
    return 0 < value <= MAX_ID


def is_valid_username(value: str) -> bool:
    """Return whether `value` is a well-formed username (1-64 allowed characters)."""
    # A name of dots alone ("." or "..") would make an unreachable /user/<name> URL.
    return 0 < len(value) <= 64 and bool(USERNAME_PATTERN.fullmatch(value)) and value.strip(".") != ""


def is_valid_account_name(value: str) -> bool:
    """Return whether `value` names an account: a username, or `name@host` for another server's."""
    name, at, host = value.partition("@")
    if not at:
        return is_valid_username(value)
    return is_valid_username(name) and 0 < len(value) <= 128 and bool(HOST_PATTERN.fullmatch(host))


def username_characters(form, field) -> None:
    """Refuse spaces, slashes, control, invisible and other non-name characters."""
    if field.data and not is_valid_username(field.data):
        raise ValidationError(_l("Use only letters, digits, underscores, dots and hyphens."))


def is_printable(value: str) -> bool:
    """Return whether `value` has no null bytes, other control characters, surrogates or unassigned ones.

    Line breaks and tabs are fine.
    """
    return not any(ch not in "\n\r\t" and unicodedata.category(ch) in NOT_PRINTABLE for ch in value)


def printable_text(form, field) -> None:
    """Refuse text with characters `is_printable` refuses."""
    if field.data and not is_printable(field.data):
        raise ValidationError(_l("This text contains characters that are not allowed."))
