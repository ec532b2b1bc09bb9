"""The base of the site's forms: Flask-WTF's form, with WTForms' own messages from a catalogue read once.

Flask-WTF reads WTForms' message catalogue ("This field is required.") from disk again in every
request that builds a form, about 0.25 ms, and the home page builds one on every view. `SiteForm`
keeps one catalogue per language per process instead; the messages are the same.
"""

from functools import lru_cache

from babel import support
from flask import current_app
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path


class SiteForm(FlaskForm):
    """A Flask-WTF form (CSRF token, request data) whose built-in messages are in the reader's language."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return super().get_translations(form)
            return _wtforms_catalogue(str(get_locale()))


@lru_cache(maxsize=16)
def _wtforms_catalogue(locale: str) -> support.Translations:
    """WTForms' messages in `locale` (English, untranslated, when WTForms has no catalogue for it)."""
    return support.Translations.load(messages_path(), [locale], domain="wtforms")
