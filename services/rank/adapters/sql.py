"""Small SQL helpers shared by the rank adapters (JSON columns, path prefixes); upserts are kernel.sql's."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson

CHUNK = 500  # ids per IN (...) list: well under SQLite's variable limit, small enough to keep rows in memory


def dumps(value: Any) -> str:
    """Serializes a value for a JSON text column."""
    return orjson.dumps(value, default=_default).decode()


def _default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(type(value).__name__)


def loads(text: str | None, default: Any = None) -> Any:
    """Reads a JSON text column."""
    return default if text is None else orjson.loads(text)


def path_str(path: Sequence[str]) -> str:
    """Encodes ancestor ids (root first) as a prefix-searchable path."""
    return "/" + "/".join(path) + "/"


def path_list(path: str) -> list[str]:
    """Decodes a stored path."""
    return [p for p in path.split("/") if p]


def chunks(ids: Iterable[str], size: int = CHUNK) -> Iterable[list[str]]:
    """Splits ids into lists of at most `size`."""
    batch: list[str] = []
    for cadre_id in ids:
        batch.append(cadre_id)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
