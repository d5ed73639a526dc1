"""Small SQL helpers shared by the rank adapters (dialect-aware upsert, JSON columns, path prefixes)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import orjson
from sqlalchemy import Table, bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

CHUNK = 500  # ids per IN (...) list: well under SQLite's variable limit, small enough to keep rows in memory


_UPSERTS: dict[tuple[int, str, tuple[str, ...], tuple[str, ...]], Any] = {}


async def upsert(conn: AsyncConnection, table: Table, values: dict[str, Any], keys: Sequence[str]) -> None:
    """Runs INSERT … ON CONFLICT (keys) DO UPDATE for the connection's dialect, with bound parameters: the statement
    is built once per table, columns and dialect (a consumer writes a projection row per event, and building a
    Core statement each time cost more CPU than running it)."""
    cache_key = (id(table), conn.dialect.name, tuple(values), tuple(keys))
    stmt = _UPSERTS.get(cache_key)
    if stmt is None:
        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        insert = dialect.insert(table).values({c: bindparam(c) for c in values})
        stmt = insert.on_conflict_do_update(index_elements=list(keys),
                                            set_={c: insert.excluded[c] for c in values if c not in keys})
        _UPSERTS[cache_key] = stmt
    await conn.execute(stmt, values)


def insert_ignore(conn: AsyncConnection, table: Table, values: dict[str, Any], keys: Sequence[str]) -> Any:
    """Builds INSERT … ON CONFLICT (keys) DO NOTHING for the connection's dialect."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).values(**values).on_conflict_do_nothing(index_elements=list(keys))


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
