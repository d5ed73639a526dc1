"""Baselines measured beside the suite: a bare endpoint, and the raw write path (row + outbox row in one
transaction, relayed to JetStream by a minimal relay). `uvicorn --factory bench.raw_app:create_raw_app`."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import uuid
from contextlib import asynccontextmanager

import nats
from fastapi import FastAPI, Request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, insert, select, update

from kernel.db import make_database
from kernel.nats_client import ensure_stream, stream_config

metadata = MetaData()
item = Table(
    "raw_item",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
outbox = Table(
    "raw_outbox",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False),
    Column("payload", Text, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=True),
)


def create_bare_app() -> FastAPI:
    """A FastAPI app with one trivial endpoint (the machine's HTTP ceiling)."""
    app = FastAPI()

    @app.get("/ping")
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    return app


def create_raw_app() -> FastAPI:
    """The raw write path: POST /items inserts a row and an outbox row in one transaction; a relay publishes."""
    url, nats_url, namespace = os.environ["RAW_DATABASE_URL"], os.environ["RAW_NATS_URL"], os.environ["RAW_NS"]
    state: dict = {}

    async def relay(wake: asyncio.Event) -> None:
        js = state["js"]
        db = state["db"]
        while True:
            try:
                await asyncio.wait_for(wake.wait(), timeout=1)
            except TimeoutError:
                pass
            wake.clear()
            while True:
                async with db.reader.connect() as conn:
                    rows = (
                        await conn.execute(
                            select(outbox.c.seq, outbox.c.event_id, outbox.c.payload)
                            .where(outbox.c.published_at.is_(None))
                            .order_by(outbox.c.seq)
                            .limit(100)
                        )
                    ).all()
                if not rows:
                    break
                for row in rows:
                    await js.publish(
                        f"{namespace}.raw.item_created.v1",
                        row.payload.encode(),
                        headers={"Nats-Msg-Id": row.event_id},
                        stream=f"{namespace}_RAW".upper(),
                    )
                async with db.writer.begin() as conn:
                    await conn.execute(
                        update(outbox)
                        .where(outbox.c.seq.in_([r.seq for r in rows]))
                        .values(published_at=dt.datetime.now(dt.UTC))
                    )

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        db = make_database(url)
        async with db.writer.begin() as conn:
            await conn.run_sync(metadata.create_all)
        nc = await nats.connect(nats_url)
        js = nc.jetstream()
        await ensure_stream(js, stream_config(namespace, "raw"))
        wake = asyncio.Event()
        state.update(db=db, js=js, wake=wake)
        task = asyncio.create_task(relay(wake))
        yield
        task.cancel()
        await nc.drain()
        await db.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.post("/items", status_code=201)
    async def create_item(request: Request) -> dict[str, str]:
        body = await request.body()
        item_id = str(uuid.uuid4())
        now = dt.datetime.now(dt.UTC)
        db = state["db"]
        lock = db.write_lock
        if lock is not None:
            await lock.acquire()
        try:
            async with db.writer.begin() as conn:
                await conn.execute(insert(item).values(id=item_id, body=body.decode(), created_at=now))
                await conn.execute(
                    insert(outbox).values(
                        event_id=str(uuid.uuid4()), payload=json.dumps({"id": item_id, "time": now.isoformat()})
                    )
                )
        finally:
            if lock is not None:
                lock.release()
        state["wake"].set()
        return {"id": item_id}

    return app
