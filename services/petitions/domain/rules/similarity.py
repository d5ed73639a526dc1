"""Similar facts about the same accused (repeat detection): Jaccard similarity of character bigrams; pure."""

from __future__ import annotations

import re
import unicodedata

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
# At or above this score two reports about the same cadre are flagged as possibly repeating [D]; configurable.
DEFAULT_THRESHOLD = 0.6


def shingles(text: str) -> frozenset[str]:
    """Returns the character bigrams of a text, ignoring case, width, spaces and punctuation."""
    normal = _NOISE.sub("", unicodedata.normalize("NFKC", text).lower())
    if len(normal) < 2:
        return frozenset({normal}) if normal else frozenset()
    return frozenset(normal[i : i + 2] for i in range(len(normal) - 1))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Returns |a ∩ b| / |a ∪ b| (0 for two empty texts)."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
