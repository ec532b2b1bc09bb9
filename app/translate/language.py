"""Guess the language of a short text, deterministically."""

from langdetect import DetectorFactory, LangDetectException, detect_langs

# A fixed seed makes langdetect's sampling repeatable: the same text, the same answer.
DetectorFactory.seed = 0

MIN_WORDS = 3
MIN_PROBABILITY = 0.90


def detect_language(text: str) -> str:
    """Return a language code of at most 5 characters, or '' when unsure."""
    if len(text.split()) < MIN_WORDS and not _is_cjk(text):
        return ""
    if _is_han_only(text):
        # langdetect calls short Han-only text Korean or is unsure; Japanese and Korean would show kana or hangul.
        return "zh"
    try:
        best = detect_langs(text)[0]
    except LangDetectException:
        return ""
    if best.prob < MIN_PROBABILITY:
        return ""
    return best.lang.split("-")[0][:5]


def _is_cjk(text: str) -> bool:
    """Return whether most letters are Chinese/Japanese ideographs (words there have no spaces)."""
    letters = [ch for ch in text if ch.isalpha()]
    # Kana (U+3040-U+30FF) and ideographs: Japanese sentences mix both.
    ideographs = [ch for ch in letters if "\u3040" <= ch <= "\u30ff" or "\u3400" <= ch <= "\u9fff"]
    return len(letters) >= 4 and len(ideographs) * 2 > len(letters)


def _is_han_only(text: str) -> bool:
    """Return whether every letter is a Chinese ideograph (at least four of them)."""
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 4 and all("\u3400" <= ch <= "\u4dbf" or "\u4e00" <= ch <= "\u9fff" for ch in letters)
