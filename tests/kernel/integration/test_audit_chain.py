"""The audit chain verifies, and altering or deleting any single row is detected (docs/reliability.md S9)."""

from __future__ import annotations

from sqlalchemy import MetaData, delete, update
from sqlalchemy.ext.asyncio import create_async_engine

from kernel import audit
from kernel.auth import Principal, Role

meta = MetaData()
log = audit.audit_table(meta)


async def test_tampering_with_any_row_breaks_the_chain(fresh_db):
    engine = create_async_engine(await fresh_db("rank"))
    principal = Principal(subject="u1", roles=frozenset({Role.ORG_ADMIN}), unit_id="city")
    try:
        async with engine.begin() as conn:
            await conn.run_sync(meta.create_all)
            for i in range(20):
                await audit.record(conn, log, principal=principal, action="READ", object_type="dossier",
                                   object_id=f"c-{i}", purpose="APPOINTMENT")
        async with engine.connect() as conn:
            assert await audit.verify_chain(conn, log) is None
        for mutate, expected in (
            (update(log).where(log.c.id == 7).values(object_id="c-99"), 7),
            (update(log).where(log.c.id == 3).values(actor="someone-else"), 3),
            (delete(log).where(log.c.id == 2), 3),
        ):
            async with engine.connect() as conn:
                await conn.begin()
                await conn.execute(mutate)
                assert await audit.verify_chain(conn, log) == expected
                await conn.rollback()
    finally:
        await engine.dispose()
