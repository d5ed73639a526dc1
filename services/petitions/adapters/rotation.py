"""The statements of a vault key rotation (services.petitions.rotate): the sealed columns read in batches, each
value replaced only if unchanged since it was read, reporter flags moved to the new pseudonyms, and the counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.petitions.adapters import orm

# (table, key column, sealed column, context of the associated data)
SEALED_COLUMNS: tuple[tuple[Table, str, str, str], ...] = (
    (orm.report, "id", "content_sealed", "content"),
    (orm.report, "id", "accused_text_sealed", "accused"),
    (orm.report, "id", "objection_sealed", "objection"),
    (orm.report_question, "id", "answer_sealed", "answer"),
    (orm.reporter_vault, "report_id", "sealed", "reporter"),
)


def holds_identity(table: Table) -> bool:
    """Tells whether a sealed table is the reporter vault (its rows carry a fingerprint derived from the key)."""
    return table is orm.reporter_vault


async def sealed_batch(
    conn: AsyncConnection, table: Table, key_name: str, column_name: str, *, after: str, limit: int
) -> list[Any]:
    """Returns the next batch of (key, sealed value[, fingerprint in the vault]) after a key, in key order."""
    pk, col = table.c[key_name], table.c[column_name]
    columns = [pk, col, table.c.fingerprint] if holds_identity(table) else [pk, col]
    return list(
        (await conn.execute(select(*columns).where(pk > after, col.is_not(None)).order_by(pk).limit(limit))).all()
    )


async def replace_sealed(
    conn: AsyncConnection,
    table: Table,
    key_name: str,
    column_name: str,
    record_id: str,
    sealed: bytes,
    values: dict[str, Any],
) -> int:
    """Writes new values into a row only if its sealed value is still the one read; returns the rows changed."""
    pk, col = table.c[key_name], table.c[column_name]
    return (await conn.execute(update(table).where(pk == record_id, col == sealed).values(**values))).rowcount


async def move_flag(conn: AsyncConnection, old: str, new: str) -> int:
    """Moves a reporter flag from an old pseudonym to its new one (1 if a flag was moved or merged)."""
    f = orm.reporter_flag
    if old == new:
        return 0
    flag = (await conn.execute(select(f.c.id, f.c.unfounded_count).where(f.c.fingerprint == old))).first()
    if flag is None:
        return 0
    other = (await conn.execute(select(f.c.id, f.c.unfounded_count).where(f.c.fingerprint == new))).first()
    if other is None:
        await conn.execute(update(f).where(f.c.id == flag.id).values(fingerprint=new))
    else:  # the service flagged the new pseudonym already: keep one flag with the larger count
        await conn.execute(
            update(f).where(f.c.id == other.id).values(unfounded_count=max(other.unfounded_count, flag.unfounded_count))
        )
        await conn.execute(delete(f).where(f.c.id == flag.id))
    return 1


async def sealed_values(conn: AsyncConnection, table: Table, column_name: str) -> list[bytes]:
    """Returns every sealed value of one column."""
    col = table.c[column_name]
    return [bytes(sealed) for (sealed,) in await conn.execute(select(col).where(col.is_not(None)))]


async def count_sealed(conn: AsyncConnection) -> int:
    """Counts the sealed values of every sealed column."""
    return sum(
        [
            int((await conn.execute(select(func.count()).where(table.c[c].is_not(None)))).scalar_one())
            for table, _k, c, _x in SEALED_COLUMNS
        ]
    )
