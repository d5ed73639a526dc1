"""What every past fact recorded in appraisal shares (awards, talks, performance records; pure).

A past fact carries its real dates and its provenance (source, 文号). Its natural key names the fact (recording it
again finds it); its values may be corrected. docs/appraisal.md, "Recording past awards", "... talks",
"... performance records".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from typing import Any

from kernel.errors import RuleViolation
from services.appraisal.domain.past_grades import EARLIEST_YEAR, SOURCES

__all__ = ["SOURCES", "check_day", "check_source", "history_key", "normalized"]


def normalized(text: str | None) -> str:
    """Compares texts as a clerk would: NFKC (full-width and half-width alike), without whitespace."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def history_key(kind: str, *parts: Any) -> str:
    """The digest of a fact's natural key (stored unique on the object: recording it again finds it)."""
    text = "\x1f".join([kind, *(normalized(p) if isinstance(p, str) else str(p) for p in parts)])
    return hashlib.sha256(text.encode()).hexdigest()


def check_source(source: str, rule: str) -> None:
    if source not in SOURCES:
        raise RuleViolation("source must be one of " + ", ".join(SOURCES), rule=f"{rule}.source", field="source")


def check_day(day: dt.date | None, name: str, *, today: dt.date, rule: str) -> None:
    """A day of a past fact: never in the future (a past fact is a past fact), never before 1900."""
    if day is None:
        return
    if day > today:
        raise RuleViolation(
            f"{name} cannot be in the future: a past fact is a past fact", rule=f"{rule}.{name}", field=name
        )
    if day.year < EARLIEST_YEAR:
        raise RuleViolation(f"{name} cannot be before {EARLIEST_YEAR}", rule=f"{rule}.{name}", field=name)
