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
    ideographs = [ch for ch in letters if "\u3400" <= ch <= "\u9fff"]
    return len(letters) >= 4 and len(ideographs) * 2 > len(letters)
