"""The translation catalogues the tests run with."""

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.support.paths import TRANSLATIONS_DIR

LANGUAGES = ("es", "zh")


def compile_catalogues() -> None:
    """Build any missing or stale .mo file (`make` normally does this; they are git-ignored)."""
    for po_path in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalog)
