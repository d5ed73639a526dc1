"""Vault key rotation: re-seals every sealed value of the petitions database under the current key.

    PETITIONS_VAULT_KEY=<new> PETITIONS_VAULT_PREVIOUS_KEYS='["<old>"]' python -m services.petitions.rotate
    (then remove PETITIONS_VAULT_PREVIOUS_KEYS: the old key is retired)

Embedded mode (`youwei up`) has `youwei vault-rotate`, which generates the new key under var/keys itself.
Sealed values name the key they were sealed with, so a value already under the current key is skipped and a run
that was interrupted can simply be run again. Each value is replaced only if it is still the value that was read
(a conditional UPDATE), so the running service may keep writing. The reporter fingerprints (keyed pseudonyms that
link the reports of one reporter) are derived from the key too: they are recomputed from the sealed identity in the
same transaction, and reporter flags follow them.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass, field

import orjson
from sqlalchemy import Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.db import make_database
from services.petitions.adapters import orm
from services.petitions.adapters.crypto import Sealer

# (table, key column, sealed column, context of the associated data)
SEALED_COLUMNS: tuple[tuple[Table, str, str, str], ...] = (
    (orm.report, "id", "content_sealed", "content"),
    (orm.report, "id", "accused_text_sealed", "accused"),
    (orm.report, "id", "objection_sealed", "objection"),
    (orm.report_question, "id", "answer_sealed", "answer"),
    (orm.reporter_vault, "report_id", "sealed", "reporter"),
)


@dataclass
class Rotation:
    """What a rotation did: values re-sealed, values already under the current key, fingerprints and flags moved."""

    resealed: dict[str, int] = field(default_factory=dict)
    current: int = 0
    raced: int = 0
    fingerprints: int = 0
    flags: int = 0

    @property
    def total_resealed(self) -> int:
        return sum(self.resealed.values())


def _fingerprint(sealer: Sealer, identity: bytes) -> str:
    from services.petitions.service_layer import commands
    from services.petitions.service_layer.reports import _identity_fingerprint

    reporter = commands.Reporter(**orjson.loads(identity))
    return _identity_fingerprint(types.SimpleNamespace(sealer=sealer), reporter)  # type: ignore[arg-type]


async def _move_flag(conn: AsyncConnection, old: str, new: str) -> int:
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
        await conn.execute(update(f).where(f.c.id == other.id)
                           .values(unfounded_count=max(other.unfounded_count, flag.unfounded_count)))
        await conn.execute(delete(f).where(f.c.id == flag.id))
    return 1


async def rotate(database_url: str, keys: Sequence[bytes], *, batch: int = 200) -> Rotation:
    """Re-seals every value not sealed with keys[0]; keys[1:] are the previous keys that open the old values."""
    sealer = Sealer(list(keys))
    result = Rotation()
    db = make_database(database_url, pool_size=1)
    try:
        for table, key_name, column_name, context in SEALED_COLUMNS:
            pk, col = table.c[key_name], table.c[column_name]
            vault = table is orm.reporter_vault
            done, last = 0, ""
            while True:
                async with db.writer.begin() as conn:
                    columns = [pk, col, table.c.fingerprint] if vault else [pk, col]
                    rows = (await conn.execute(select(*columns).where(pk > last, col.is_not(None))
                                               .order_by(pk).limit(batch))).all()
                    if not rows:
                        break
                    for row in rows:
                        record_id, sealed = row[0], bytes(row[1])
                        last = record_id
                        if sealer.is_current(sealed):
                            result.current += 1
                            continue
                        plain = sealer.open(sealed, context=context, record_id=record_id)
                        values = {column_name: sealer.seal(plain, context=context, record_id=record_id)}
                        if vault and row[2] is not None:
                            values["fingerprint"] = _fingerprint(sealer, plain)
                        changed = (await conn.execute(update(table).where(pk == record_id, col == sealed)
                                                      .values(**values))).rowcount
                        if changed != 1:
                            result.raced += 1  # rewritten meanwhile by the service, with the current key
                            continue
                        done += 1
                        if "fingerprint" in values:
                            result.fingerprints += 1
                            result.flags += await _move_flag(conn, row[2], values["fingerprint"])
            result.resealed[f"{table.name}.{column_name}"] = done
    finally:
        await db.dispose()
    return result


async def not_current(database_url: str, keys: Sequence[bytes]) -> int:
    """Counts the sealed values that are not sealed with keys[0] (0 once a rotation has finished)."""
    sealer = Sealer(list(keys))
    db = make_database(database_url, pool_size=1)
    count = 0
    try:
        async with db.reader.connect() as conn:
            for table, _key, column_name, _context in SEALED_COLUMNS:
                col = table.c[column_name]
                for (sealed,) in await conn.execute(select(col).where(col.is_not(None))):
                    count += not sealer.is_current(bytes(sealed))
    finally:
        await db.dispose()
    return count


async def sealed_count(database_url: str) -> int:
    """Counts the sealed values in the database."""
    db = make_database(database_url, pool_size=1)
    try:
        async with db.reader.connect() as conn:
            return sum([int((await conn.execute(select(func.count()).where(table.c[c].is_not(None)))).scalar_one())
                        for table, _k, c, _x in SEALED_COLUMNS])
    finally:
        await db.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    """Re-seals the petitions database under PETITIONS_VAULT_KEY (old keys from PETITIONS_VAULT_PREVIOUS_KEYS)."""
    from services.petitions.settings import PetitionsSettings, VaultKeyError

    parser = argparse.ArgumentParser(prog="python -m services.petitions.rotate", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only count values not sealed with the current key")
    args = parser.parse_args(argv)
    settings = PetitionsSettings()
    try:
        keys = settings.vault_keys()
    except VaultKeyError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.check:
        left = asyncio.run(not_current(settings.database_url, keys))
        print(f"{left} sealed values are not under the current key")
        return 1 if left else 0
    result = asyncio.run(rotate(settings.database_url, keys))
    report(result)
    left = asyncio.run(not_current(settings.database_url, keys))
    if left:
        print(f"{left} values are still under an old key: run again", file=sys.stderr)
        return 1
    print("every sealed value is under the current key: remove PETITIONS_VAULT_PREVIOUS_KEYS to retire the old key")
    return 0


def report(result: Rotation) -> None:
    """Prints what a rotation did."""
    for name, count in result.resealed.items():
        print(f"  {name}: {count} re-sealed")
    print(f"re-sealed {result.total_resealed} values ({result.current} already under the current key, "
          f"{result.raced} rewritten meanwhile); {result.fingerprints} fingerprints and {result.flags} flags moved")


if __name__ == "__main__":
    sys.exit(main())
