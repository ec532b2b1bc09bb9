"""WTForms validators shared by the auth and main forms."""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms import ValidationError

# Letters of any script, digits, underscore, dot and hyphen.
USERNAME_PATTERN = re.compile(r"^[\w.\-]+$")


def is_valid_username(value: str) -> bool:
    """Return whether `value` is a well-formed username (1-64 allowed characters)."""
    # A name of dots alone ("." or "..") would make an unreachable /user/<name> URL.
    return 0 < len(value) <= 64 and bool(USERNAME_PATTERN.fullmatch(value)) and value.strip(".") != ""


def username_characters(form, field) -> None:
    """Refuse spaces, slashes, control, invisible and other non-name characters."""
    if field.data and not is_valid_username(field.data):
        raise ValidationError(_l("Use only letters, digits, underscores, dots and hyphens."))


def printable_text(form, field) -> None:
    """Refuse null bytes and other control or format characters (line breaks and tabs are fine)."""
    for ch in field.data or "":
        if ch in "\n\r\t":
            continue
        if unicodedata.category(ch) in {"Cc", "Cs", "Co", "Cn"}:
            raise ValidationError(_l("This text contains characters that are not allowed."))
