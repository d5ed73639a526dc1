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
from typing import Any

import orjson

from kernel.db import make_database
from services.petitions.adapters import rotation
from services.petitions.adapters.crypto import Sealer
from services.petitions.adapters.rotation import SEALED_COLUMNS


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


async def _reseal_row(conn: Any, sealer: Sealer, column: tuple[Any, str, str, str], row: Any, result: Rotation) -> bool:
    """Re-seals one value under the current key (its fingerprint and flag too); tells whether it was rewritten."""
    table, key_name, column_name, context = column
    record_id, sealed = row[0], bytes(row[1])
    if sealer.is_current(sealed):
        result.current += 1
        return False
    plain = sealer.open(sealed, context=context, record_id=record_id)
    values = {column_name: sealer.seal(plain, context=context, record_id=record_id)}
    if rotation.holds_identity(table) and row[2] is not None:
        values["fingerprint"] = _fingerprint(sealer, plain)
    if await rotation.replace_sealed(conn, table, key_name, column_name, record_id, sealed, values) != 1:
        result.raced += 1  # rewritten meanwhile by the service, with the current key
        return False
    if "fingerprint" in values:
        result.fingerprints += 1
        result.flags += await rotation.move_flag(conn, row[2], values["fingerprint"])
    return True


async def rotate(database_url: str, keys: Sequence[bytes], *, batch: int = 200) -> Rotation:
    """Re-seals every value not sealed with keys[0]; keys[1:] are the previous keys that open the old values."""
    sealer = Sealer(list(keys))
    result = Rotation()
    db = make_database(database_url, pool_size=1)
    try:
        for column in SEALED_COLUMNS:
            table, key_name, column_name, _context = column
            done, last = 0, ""
            while True:
                async with db.writer.begin() as conn:
                    rows = await rotation.sealed_batch(conn, table, key_name, column_name, after=last, limit=batch)
                    if not rows:
                        break
                    for row in rows:
                        last = row[0]
                        done += await _reseal_row(conn, sealer, column, row, result)
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
                for sealed in await rotation.sealed_values(conn, table, column_name):
                    count += not sealer.is_current(sealed)
    finally:
        await db.dispose()
    return count


async def sealed_count(database_url: str) -> int:
    """Counts the sealed values in the database."""
    db = make_database(database_url, pool_size=1)
    try:
        async with db.reader.connect() as conn:
            return await rotation.count_sealed(conn)
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
    print(
        f"re-sealed {result.total_resealed} values ({result.current} already under the current key, "
        f"{result.raced} rewritten meanwhile); {result.fingerprints} fingerprints and {result.flags} flags moved"
    )


if __name__ == "__main__":
    sys.exit(main())
