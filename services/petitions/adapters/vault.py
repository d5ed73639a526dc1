"""The reporter vault, receipt hashes and reporter flags: the only tables that know anything about a reporter."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kernel.db import utcnow
from kernel.ids import new_id
from kernel.sql import upsert
from services.petitions.adapters import orm

MAX_PREFIX_BUCKET = 4  # codes sharing a lookup prefix; a lookup never verifies more than this many hashes


class VaultRepository:
    """Sealed reporter identity per report, keyed pseudonyms, and receipt-code hashes."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def put(self, report_id: str, sealed: bytes, fingerprint: str | None) -> None:
        """Stores a report's sealed reporter identity."""
        await self.conn.execute(
            insert(orm.reporter_vault).values(
                report_id=report_id, sealed=sealed, fingerprint=fingerprint, created_at=utcnow()
            )
        )

    async def sealed(self, report_id: str) -> tuple[bool, bytes | None]:
        """Returns (a vault row exists, its sealed identity or None once purged)."""
        t = orm.reporter_vault
        row = (await self.conn.execute(select(t.c.sealed).where(t.c.report_id == report_id))).first()
        return (False, None) if row is None else (True, row[0])

    async def fingerprint(self, report_id: str) -> str | None:
        """Returns the reporter pseudonym of a report (None: anonymous or purged)."""
        t = orm.reporter_vault
        return (await self.conn.execute(select(t.c.fingerprint).where(t.c.report_id == report_id))).scalar()

    async def bucket_size(self, lookup_prefix: str) -> int:
        """Counts live receipt codes sharing a lookup prefix."""
        t = orm.receipt
        return int(
            (
                await self.conn.execute(
                    select(func.count()).where(t.c.lookup_prefix == lookup_prefix, t.c.revoked_at.is_(None))
                )
            ).scalar_one()
        )

    async def put_receipt(self, report_id: str, lookup_prefix: str, salt: bytes, digest: bytes, n: int) -> None:
        """Stores a receipt code's hash (revoking an earlier code of the report)."""
        t = orm.receipt
        now = utcnow()
        if (await self.conn.execute(select(t.c.report_id).where(t.c.report_id == report_id))).first():
            await self.conn.execute(
                update(t)
                .where(t.c.report_id == report_id)
                .values(
                    lookup_prefix=lookup_prefix, salt=salt, digest=digest, scrypt_n=n, created_at=now, revoked_at=None
                )
            )
        else:
            await self.conn.execute(
                insert(t).values(
                    report_id=report_id,
                    lookup_prefix=lookup_prefix,
                    salt=salt,
                    digest=digest,
                    scrypt_n=n,
                    created_at=now,
                )
            )

    async def receipt_candidates(self, lookup_prefix: str) -> list[tuple[str, bytes, bytes, int]]:
        """Returns (report id, salt, digest, n) of the live codes with this prefix (a bounded handful)."""
        t = orm.receipt
        rows = await self.conn.execute(
            select(t.c.report_id, t.c.salt, t.c.digest, t.c.scrypt_n)
            .where(t.c.lookup_prefix == lookup_prefix, t.c.revoked_at.is_(None))
            .limit(MAX_PREFIX_BUCKET * 2)
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    async def unfounded_count(self, fingerprint: str) -> int:
        """Counts closed reports of one reporter whose outcome was unfounded."""
        v, r = orm.reporter_vault, orm.report
        return int(
            (
                await self.conn.execute(
                    select(func.count())
                    .select_from(v.join(r, r.c.id == v.c.report_id))
                    .where(v.c.fingerprint == fingerprint, r.c.outcome == "UNFOUNDED")
                )
            ).scalar_one()
        )

    async def flag(self, fingerprint: str, count: int, today: dt.date) -> None:
        """Flags (or updates the flag of) a reporter with a history of unfounded reports."""
        await upsert(
            self.conn,
            orm.reporter_flag,
            {
                "id": new_id(),
                "fingerprint": fingerprint,
                "unfounded_count": count,
                "flagged_on": today,
                "updated_on": today,
            },
            ["fingerprint"],
            update=["unfounded_count", "updated_on"],
        )

    async def erase_freed_pages(self) -> None:
        """On SQLite, overwrites freed pages from now on in this connection, so that purged identities do not linger
        in the file (GlobaLeaks A15); PostgreSQL needs nothing here."""
        if self.conn.dialect.name == "sqlite":
            await self.conn.exec_driver_sql("PRAGMA secure_delete=ON")

    async def purge(self, *, closed_before: dt.date, limit: int) -> list[str]:
        """Purges reporter identity, pseudonyms and receipt codes of reports closed before a date."""
        v, r, rc = orm.reporter_vault, orm.report, orm.receipt
        closed = and_(r.c.closed_on.is_not(None), r.c.closed_on < closed_before)
        ids = [
            row[0]
            for row in await self.conn.execute(
                select(v.c.report_id)
                .join(r, r.c.id == v.c.report_id)
                .where(v.c.purged_at.is_(None), closed)
                .order_by(v.c.report_id)
                .limit(limit)
            )
        ]
        ids += [
            row[0]
            for row in await self.conn.execute(
                select(rc.c.report_id)
                .join(r, r.c.id == rc.c.report_id)
                .where(closed, ~exists().where(v.c.report_id == rc.c.report_id))
                .order_by(rc.c.report_id)
                .limit(limit)
            )
        ]
        if not ids:
            return []
        now = utcnow()
        await self.conn.execute(
            update(v)
            .where(v.c.report_id.in_(ids), v.c.purged_at.is_(None))
            .values(sealed=None, fingerprint=None, purged_at=now)
        )
        await self.conn.execute(orm.receipt.delete().where(rc.c.report_id.in_(ids)))
        return ids
