"""The translation service: translate post text with the configured service, and detect languages.

Microsoft Translator is used when MS_TRANSLATOR_KEY is set, else a LibreTranslate server when
LIBRETRANSLATE_URL is set; with neither, the site offers no "Translate" link. Translations of
stored posts are kept per application process (`init_app`), least recently used dropped first.
"""

import logging
import threading

import requests
from cachetools import LRUCache
from flask import Flask, current_app
from flask_babel import _

from app.translate.backends import MS_TRANSLATOR_URL, LibreTranslate, MicrosoftTranslator, Translator
from app.translate.language import detect_language

__all__ = [
    "TranslationUnavailable",
    "detect_language",
    "get_translator",
    "init_app",
    "translate",
    "translate_post",
    "translator_configured",
]

# Translations kept per application process.
CACHE_SIZE = 1024

log = logging.getLogger(__name__)


class TranslationUnavailable(RuntimeError):
    """No translator is configured, or the configured one failed."""


def init_app(app: Flask) -> None:
    """Give the app its cache of post translations (one per app, so tests never share one)."""
    app.extensions["translation_cache"] = (LRUCache(maxsize=CACHE_SIZE), threading.Lock())


def get_translator() -> Translator | None:
    """Return the configured service: Microsoft when it has a key, else LibreTranslate, else None."""
    config = current_app.config
    if config.get("MS_TRANSLATOR_KEY"):
        return MicrosoftTranslator(
            config["MS_TRANSLATOR_KEY"],
            config.get("MS_TRANSLATOR_REGION"),
            config.get("MS_TRANSLATOR_URL") or MS_TRANSLATOR_URL,
        )
    if config.get("LIBRETRANSLATE_URL"):
        return LibreTranslate(config["LIBRETRANSLATE_URL"], config.get("LIBRETRANSLATE_API_KEY"))
    return None


def translator_configured() -> bool:
    """Return whether a translation service is configured."""
    return get_translator() is not None


def translate(text: str, source_language: str, dest_language: str) -> str:
    """Return `text` translated into `dest_language`, or raise TranslationUnavailable."""
    translator = get_translator()
    if translator is None:
        raise TranslationUnavailable(_("Error: the translation service is not configured."))
    try:
        return translator.translate(text, source_language, dest_language)
    except requests.Timeout:
        log.warning("%s did not answer in time", translator.name)
        raise TranslationUnavailable(_("Error: the translation service did not answer in time.")) from None
    except (requests.RequestException, ValueError, LookupError, TypeError):
        log.warning("%s failed from %s to %s", translator.name, source_language, dest_language, exc_info=True)
        raise TranslationUnavailable(_("Error: the translation service failed.")) from None


def translate_post(post, dest_language: str) -> str:
    """Return the post's body in `dest_language`, asking the service once per (post, language)."""
    cache, lock = current_app.extensions["translation_cache"]
    # The body is part of the key: SQLite may give a deleted post's id to a new post.
    key = (post.id, dest_language, post.body)
    with lock:  # a lookup reorders the LRU list, so even reads take the lock
        cached = cache.get(key)
    if cached is not None:
        return cached
    text = translate(post.body, post.language or "", dest_language)
    with lock:
        cache[key] = text
    return text
