"""A producer (rank's database) and a probe consumer whose handler records every application it makes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import create_async_engine

from kernel.consumer import Handler, Subscription
from kernel.contracts import rank_v1
from kernel.contracts.vocabulary import CadreCategory, Gender
from kernel.runtime import ServiceRuntime
from kernel.testing.helpers import settings_for
from kernel.uow import UnitOfWork
from services.appraisal.adapters import orm as appraisal_orm
from services.appraisal.settings import AppraisalSettings
from services.rank.adapters import orm as rank_orm
from services.rank.service_layer.publishing import to_contracts as rank_contracts
from services.rank.settings import RankSettings

probe_metadata = MetaData()
applied = Table(
    "probe_applied",
    probe_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False),
    Column("cadre_id", String(64), nullable=False),
    Column("name", String(200), nullable=False),
)


def cadre_event(cadre_id: str, name: str = "Probe", cls: type = rank_v1.CadreRegistered) -> Any:
    return cls(
        cadre_id=cadre_id,
        name=name,
        gender=Gender.MALE,
        birth_date=dt.date(1980, 1, 1),
        org_unit_id="city",
        org_path=["city"],
        category=CadreCategory.COMPREHENSIVE,
        party_member=False,
        entry_date=dt.date(2000, 1, 1),
    )


async def record(payload: rank_v1.CadreSnapshot, event: Any, uow: UnitOfWork) -> None:
    if payload.name == "poison":
        raise RuntimeError("this handler always fails for poison")
    await uow.conn.execute(insert(applied).values(event_id=event.id, cadre_id=payload.cadre_id, name=payload.name))


@dataclass
class Harness:
    nats_url: str
    namespace: str
    producer_db: str
    consumer_db: str
    auth: Any
    runtimes: list[ServiceRuntime] = field(default_factory=list)

    async def producer(self, *, relay: bool = True, **overrides: Any) -> ServiceRuntime:
        settings = settings_for(
            RankSettings, database_url=self.producer_db, nats_url=self.nats_url, namespace=self.namespace, **overrides
        )
        runtime = ServiceRuntime(
            settings, tables=rank_orm.kernel_tables, uow_class=UnitOfWork, to_contracts=rank_contracts
        )
        await runtime.start()
        await runtime.wait_ready()
        if not relay:
            await runtime.relay.stop()
        self.runtimes.append(runtime)
        return runtime

    async def consumer(
        self, handler: Callable = record, guard: bool = False, handlers: dict | None = None, **overrides: Any
    ) -> ServiceRuntime:
        settings = settings_for(
            AppraisalSettings,
            database_url=self.consumer_db,
            nats_url=self.nats_url,
            namespace=self.namespace,
            **overrides,
        )
        sub = Subscription(
            producer="rank",
            handlers=handlers
            or {
                rank_v1.CadreRegistered: Handler(handler, guard=guard),
                rank_v1.CadreUpdated: Handler(handler, guard=guard),
            },
        )
        runtime = ServiceRuntime(
            settings,
            tables=appraisal_orm.kernel_tables,
            uow_class=UnitOfWork,
            to_contracts=lambda e: (),
            subscriptions=[sub],
        )
        await runtime.start()
        await runtime.wait_ready()
        self.runtimes.append(runtime)
        return runtime

    async def emit(self, runtime: ServiceRuntime, *payloads: Any) -> None:
        async with runtime.uow() as uow:
            uow.emit(*payloads)
            await uow.commit()

    async def applied_rows(self) -> list[tuple[str, str, str]]:
        engine = create_async_engine(self.consumer_db)
        try:
            async with engine.connect() as conn:
                rows = (
                    await conn.execute(
                        select(applied.c.event_id, applied.c.cadre_id, applied.c.name).order_by(applied.c.id)
                    )
                ).all()
        finally:
            await engine.dispose()
        return [tuple(r) for r in rows]

    async def applied_count(self) -> tuple[int, int]:
        engine = create_async_engine(self.consumer_db)
        try:
            async with engine.connect() as conn:
                total, distinct = (
                    await conn.execute(select(func.count(), func.count(func.distinct(applied.c.event_id))))
                ).one()
        finally:
            await engine.dispose()
        return int(total), int(distinct)


@pytest.fixture
async def harness(fresh_db, nats_url, events_ns, test_auth) -> AsyncIterator[Harness]:
    consumer_db = await fresh_db("appraisal")
    engine = create_async_engine(consumer_db)
    async with engine.begin() as conn:
        await conn.run_sync(probe_metadata.create_all)
    await engine.dispose()
    h = Harness(
        nats_url=nats_url,
        namespace=events_ns,
        producer_db=await fresh_db("rank"),
        consumer_db=consumer_db,
        auth=test_auth,
    )
    try:
        yield h
    finally:
        for runtime in reversed(h.runtimes):
            await runtime.stop()


def new_id() -> str:
    return uuid.uuid4().hex[:12]


@pytest.fixture
async def engine(fresh_db, request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    """An engine on a new rank database holding the test module's own tables (its module-level `metadata`)."""
    engine = create_async_engine(await fresh_db("rank"))
    async with engine.begin() as conn:
        await conn.run_sync(request.module.metadata.create_all)
    yield engine
    await engine.dispose()
