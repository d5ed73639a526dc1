"""The appraisal app on a real database and a real nats-server, with a seeded directory and event helpers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import nats
import pytest
from sqlalchemy import select

from kernel.contracts import rank_v1
from kernel.contracts.base import Contract
from kernel.contracts.vocabulary import AgencyLevel, CadreCategory, Gender
from kernel.deps import today
from kernel.directory import directory_handlers
from kernel.envelope import encode
from kernel.outbox import OutboxWriter, with_sequence
from kernel.testing.helpers import eventually, running, settings_for
from services.appraisal.adapters import orm
from services.appraisal.main import create_app
from services.appraisal.service_layer.index import recompute_dirty
from services.appraisal.settings import AppraisalSettings

UNITS = {"city": ["city"], "finance": ["city", "finance"], "finance-div1": ["city", "finance", "finance-div1"],
         "health": ["city", "health"]}
CADRES = {  # id: (unit, gender, birth year, rank, leadership, relatives)
    "c-fin-1": ("finance", "MALE", 1985, "C08", True, ["c-fin-2"]),
    "c-fin-2": ("finance", "FEMALE", 1992, "C09", False, ["c-fin-1"]),
    "c-fin-3": ("finance-div1", "FEMALE", 1968, "C07", False, []),
    "c-fin-4": ("finance", "MALE", 1979, "C09", False, []),
    "c-fin-5": ("finance", "MALE", 1990, "C10", False, []),
    "c-health-1": ("health", "MALE", 1980, "C08", False, []),
}


@dataclass
class App:
    client: Any
    runtime: Any
    auth: Any
    nats_url: str
    namespace: str
    clock: dict[str, dt.date] = field(default_factory=dict)
    seq: dict[str, int] = field(default_factory=dict)

    def at(self, day: dt.date) -> None:
        """Moves the API's `today` (the request date) to `day`."""
        self.clock["today"] = day

    def h(self, role: str, unit: str | None = "city", cadre_id: str | None = None, **extra: str) -> dict[str, str]:
        """Headers of a caller with one role."""
        return {**self.auth.headers(role, unit=unit, cadre_id=cadre_id), **extra}

    def hk(self, role: str, unit: str | None = "city", cadre_id: str | None = None) -> dict[str, str]:
        """Headers with a fresh Idempotency-Key."""
        return self.h(role, unit, cadre_id, **{"Idempotency-Key": uuid.uuid4().hex})

    async def publish(self, payload: Contract, *, seq: int | None = None) -> str:
        """Publishes a producer's contract event through NATS, as its relay would (with a sequence)."""
        producer = payload.event_name.producer
        self.seq[producer] = seq if seq is not None else self.seq.get(producer, 0) + 1
        writer = OutboxWriter(orm.kernel_tables.outbox, producer, "cadre")
        env = writer.envelope(payload, now=dt.datetime.now(dt.UTC))
        nc = await nats.connect(self.nats_url)
        try:
            js = nc.jetstream()
            await js.publish(f"{self.namespace}.{payload.event_name.key}",
                             with_sequence(encode(env).decode(), self.seq[producer]), headers={"Nats-Msg-Id": env.id})
        finally:
            await nc.close()
        return env.id

    async def applied(self, count: int, producer: str) -> None:
        """Waits until a producer's consumer has applied (or skipped as stale/duplicate) `count` events."""
        runner = next(r for r in self.runtime.runners if r.subscription.producer == producer)

        def check() -> None:
            stats = runner.stats
            assert stats.applied + stats.stale + stats.duplicates + stats.dead_lettered >= count, stats
        await eventually(check, timeout=20)

    async def recompute(self) -> int:
        """Drains the index queue now (the periodic job does the same in the background)."""
        return await recompute_dirty(self.runtime.uow, limit=500)

    async def outbox(self, event: str) -> list[dict]:
        """Returns the data of the outbox rows of one event type, oldest first."""
        import orjson

        t = orm.kernel_tables.outbox
        async with self.runtime.db.reader.connect() as conn:
            rows = (await conn.execute(select(t.c.payload).where(t.c.subject == f"appraisal.{event}.v1")
                                       .order_by(t.c.seq))).scalars().all()
        return [orjson.loads(r)["data"] for r in rows]

    async def scalar(self, query: Any) -> Any:
        async with self.runtime.db.reader.connect() as conn:
            return (await conn.execute(query)).scalar()

    async def rows(self, query: Any) -> list[Any]:
        async with self.runtime.db.reader.connect() as conn:
            return list((await conn.execute(query)).all())


async def seed_directory(runtime: Any) -> None:
    """Fills the directory as rank's events would (the handlers themselves, without the broker)."""
    handlers = directory_handlers(orm.directory)
    async with runtime.uow() as uow:
        for unit, path in UNITS.items():
            await handlers[rank_v1.OrgUnitChanged].fn(rank_v1.OrgUnitChanged(
                org_unit_id=unit, parent_id=path[-2] if len(path) > 1 else None, name=unit,
                agency_level=AgencyLevel.MUNICIPAL_AGENCY, path=path), None, uow)
        for cadre, (unit, gender, born, rank, lead, relatives) in CADRES.items():
            await handlers[rank_v1.CadreRegistered].fn(rank_v1.CadreRegistered(
                cadre_id=cadre, name=cadre, gender=Gender(gender), birth_date=dt.date(born, 6, 1), org_unit_id=unit,
                org_path=UNITS[unit], category=CadreCategory.COMPREHENSIVE, party_member=True,
                entry_date=dt.date(2010, 1, 1), rank_code=rank, leadership=lead, relative_ids=relatives), None, uow)
        await uow.commit()


@pytest.fixture
async def app(fresh_db, nats_url, events_ns, test_auth) -> AsyncIterator[App]:
    settings = settings_for(AppraisalSettings, database_url=await fresh_db("appraisal"), nats_url=nats_url,
                            namespace=events_ns, auth=test_auth, index_job_interval_s=3600.0,
                            talk_schedule_job_interval_s=3600.0)
    application = create_app(settings)
    clock = {"today": dt.date(2026, 1, 12)}

    async def fixed_today() -> dt.date:
        return clock["today"]

    application.dependency_overrides[today] = fixed_today
    async with running(application) as client:
        runtime = application.state.runtime
        await runtime.wait_ready()
        await seed_directory(runtime)
        yield App(client=client, runtime=runtime, auth=test_auth, nats_url=nats_url, namespace=events_ns, clock=clock)
