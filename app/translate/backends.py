"""Translate post text with Microsoft Translator or a LibreTranslate server, as configured."""

import logging
import threading
from collections import OrderedDict
from typing import Protocol

import requests
from flask import current_app
from flask_babel import _

MS_TRANSLATOR_URL = "https://api.cognitive.microsofttranslator.com/translate"
# Seconds to wait for the service (connecting and reading each); tests lower it.
TIMEOUT_SECONDS = 10
# Translations kept per application process, least recently used dropped first.
CACHE_SIZE = 1024

log = logging.getLogger(__name__)


class TranslationUnavailable(RuntimeError):
    """No translator is configured, or the configured one failed."""


class Translator(Protocol):
    """A machine translation service."""

    name: str

    def translate(self, text: str, source_language: str, dest_language: str) -> str:
        """Return `text` in `dest_language`; raise requests/ValueError/LookupError on failure."""
        ...


class MicrosoftTranslator:
    """Azure AI Translator, text API v3.0."""

    name = "Microsoft Translator"

    def __init__(self, key: str, region: str | None = None, url: str = MS_TRANSLATOR_URL):
        self.key = key
        self.region = region
        self.url = url

    def translate(self, text: str, source_language: str, dest_language: str) -> str:
        """Translate one text with a POST /translate?api-version=3.0."""
        headers = {"Ocp-Apim-Subscription-Key": self.key, "Content-Type": "application/json"}
        if self.region:
            headers["Ocp-Apim-Subscription-Region"] = self.region
        params = {"api-version": "3.0", "to": dest_language}
        if source_language:
            params["from"] = source_language
        response = requests.post(
            self.url, params=params, headers=headers, json=[{"Text": text}], timeout=TIMEOUT_SECONDS
        )
        _raise_for_service_error(response)
        return _require_str(response.json()[0]["translations"][0]["text"])


class LibreTranslate:
    """A LibreTranslate server (self-hosted or libretranslate.com)."""

    name = "LibreTranslate"

    def __init__(self, url: str, api_key: str | None = None):
        self.url = url.rstrip("/") + "/translate"
        self.api_key = api_key

    def translate(self, text: str, source_language: str, dest_language: str) -> str:
        """Translate one text with a POST /translate."""
        payload = {"q": text, "source": source_language or "auto", "target": dest_language, "format": "text"}
        if self.api_key:
            payload["api_key"] = self.api_key
        response = requests.post(self.url, json=payload, timeout=TIMEOUT_SECONDS)
        _raise_for_service_error(response)
        return _require_str(response.json()["translatedText"])


def _raise_for_service_error(response: requests.Response) -> None:
    """Log the service's own error message, then raise for a 4xx/5xx answer."""
    if response.ok:
        return
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    # Microsoft answers {"error": {"code", "message"}}, LibreTranslate {"error": "message"}.
    detail = error.get("message") if isinstance(error, dict) else error
    log.warning("translation service answered %s: %s", response.status_code, detail or response.text[:200])
    response.raise_for_status()


def _require_str(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"the translation service returned {type(value).__name__}, not text")
    return value


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
    """Return whether a translation backend is configured."""
    return get_translator() is not None


def translate(text: str, source_language: str, dest_language: str) -> str:
    """Return `text` translated into `dest_language`, or raise TranslationUnavailable."""
    translator = get_translator()
    if translator is None:
        raise TranslationUnavailable(_("Error: the translation service is not configured."))
    try:
        return translator.translate(text, source_language, dest_language)
    except requests.Timeout:
        log.warning("%s did not answer within %s s", translator.name, TIMEOUT_SECONDS)
        raise TranslationUnavailable(_("Error: the translation service did not answer in time.")) from None
    except (requests.RequestException, ValueError, LookupError, TypeError):
        log.warning("%s failed from %s to %s", translator.name, source_language, dest_language, exc_info=True)
        raise TranslationUnavailable(_("Error: the translation service failed.")) from None


class TranslationCache:
    """A bounded, thread-safe LRU map of (post id, language, body) to translated text."""

    def __init__(self, size: int = CACHE_SIZE):
        self.size = size
        self._items: OrderedDict[tuple[int, str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[int, str, str]) -> str | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: tuple[int, str, str], value: str) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


def get_cache() -> TranslationCache:
    """Return this application's translation cache (one per app, so tests never share one)."""
    return current_app.extensions.setdefault("translation_cache", TranslationCache())


def translate_post(post, dest_language: str) -> str:
    """Return the post's body in `dest_language`, asking the service once per (post, language)."""
    cache = get_cache()
    # The body is part of the key: SQLite may give a deleted post's id to a new post.
    key = (post.id, dest_language, post.body)
    cached = cache.get(key)
    if cached is not None:
        return cached
    text = translate(post.body, post.language or "", dest_language)
    cache.put(key, text)
    return text
