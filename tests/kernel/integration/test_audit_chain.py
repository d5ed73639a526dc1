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
                await audit.record(
                    conn,
                    log,
                    principal=principal,
                    action="READ",
                    object_type="dossier",
                    object_id=f"c-{i}",
                    purpose="APPOINTMENT",
                )
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


async def test_a_write_and_its_audit_row_commit_or_roll_back_together(harness):
    from services.rank.adapters import orm as rank_orm

    runtime = await harness.producer(relay=False)
    principal = Principal(subject="u1", roles=frozenset({Role.ORG_ADMIN}), unit_id="city")
    async with runtime.uow() as uow:
        await uow.audit(principal, "CREATE", "batch", "b-1")
        await uow.rollback()
    async with runtime.uow() as uow:
        await uow.audit(principal, "CREATE", "batch", "b-2")
        await uow.audit_many(None, [("DECIDE", "batch", "b-2", "APPOINTMENT"), ("NOTIFY", "batch", "b-2", "ROUTINE")])
        await uow.commit()
    async with runtime.db.reader.connect() as conn:
        table = rank_orm.kernel_tables.audit
        rows = (await conn.execute(table.select().order_by(table.c.id))).mappings().all()
        assert [(r["actor"], r["action"], r["object_id"], r["purpose"]) for r in rows] == [
            ("u1", "CREATE", "b-2", "ROUTINE"),
            ("system", "DECIDE", "b-2", "APPOINTMENT"),
            ("system", "NOTIFY", "b-2", "ROUTINE"),
        ]
        assert await audit.verify_chain(conn, table) is None
