"""How text is indexed and how a user's query is read: the same rules for every backend."""

import re
import unicodedata
from dataclasses import dataclass, field

# Ideographs and kana are written without spaces: each becomes a token of its own.
_CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff])")
_QUERY_PART = re.compile(r'"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+")


def normalize_text(text: str) -> str:
    """Return the text as it is indexed: lower case, no accents, CJK characters spaced."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(_CJK.sub(r" \1 ", text).split())


@dataclass
class ParsedQuery:
    """A user's query: words (matched as prefixes) and quoted phrases (matched exactly)."""

    words: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)


def parse_query(expression: str) -> ParsedQuery:
    """Split a query into prefix words and exact phrases; CJK runs become phrases."""
    parsed = ParsedQuery()
    for quoted, bare in _QUERY_PART.findall(expression[:200]):
        tokens = _WORD.findall(normalize_text(quoted or bare))
        if not tokens:
            continue
        if quoted or len(tokens) > 1 or _CJK.fullmatch(tokens[0]):
            parsed.phrases.append(tokens)
        else:
            parsed.words.append(tokens[0])
    return parsed
