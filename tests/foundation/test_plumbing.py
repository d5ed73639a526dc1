"""Request and correlation ids flow from HTTP into events; health, readiness and metrics; settings refuse placeholders."""

from __future__ import annotations

import uuid

import orjson
import pytest
from pydantic import ValidationError
from sqlalchemy import select

from kernel.settings import ServiceSettings
from services.rank.adapters import orm


async def test_the_request_and_correlation_ids_travel_into_the_event(rank, test_auth):
    correlation = "corr-" + uuid.uuid4().hex
    response = await rank.post(
        "/api/v1/cadres",
        headers={
            **test_auth.headers("org_admin", unit="city"),
            "Idempotency-Key": uuid.uuid4().hex,
            "X-Request-ID": "req-12345",
            "X-Correlation-ID": correlation,
            "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        },
        json={
            "name": "Qian Ba",
            "gender": "MALE",
            "birth_date": "1979-09-09",
            "entry_date": "2001-09-01",
            "org_unit_id": "city",
        },
    )
    assert response.status_code == 201
    assert response.headers["x-request-id"] == "req-12345"
    runtime = rank.app.state.runtime
    t = orm.kernel_tables.outbox
    async with runtime.db.reader.connect() as conn:
        payload = (
            await conn.execute(select(t.c.payload).where(t.c.subject == "rank.cadre_registered.v1"))
        ).scalar_one()
    event = orjson.loads(payload)
    assert event["correlationid"] == correlation
    assert event["traceparent"].startswith("00-0af7651916cd43dd8448eb211c80319c")
    assert event["data"]["cadreId"] == response.json()["id"]


async def test_health_readiness_and_metrics(rank):
    assert (await rank.get("/health/live")).json() == {"status": "ok"}
    await rank.app.state.runtime.wait_ready()
    ready = await rank.get("/health/ready")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": True, "nats": True, "consumers": True}
    metrics = (await rank.get("/metrics")).text
    assert 'youwei_http_requests_total{method="POST",route="/api/v1/org-units",service="rank",status="201"}' in metrics
    assert "youwei_outbox_enqueued_total" in metrics


async def test_metrics_count_the_sql_statements_of_every_engine(rank, tmp_path):
    """kernel.db.count_statements (read by `python -m bench cpu`): each statement once, an executemany once, on
    every engine given; the running service exports its counter."""
    from prometheus_client import REGISTRY
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    from kernel.db import count_statements

    assert 'youwei_sql_statements_total{service="rank"}' in (await rank.get("/metrics")).text
    label = "test-" + uuid.uuid4().hex[:8]
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'count.db'}")
    other = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'other.db'}")
    try:
        for warm in (engine, other):  # the dialect's first-connect queries are not the test's
            async with warm.connect() as conn:
                await conn.execute(text("SELECT 1"))
        count_statements(label, engine, other, engine)  # an engine given twice is counted once
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (x INTEGER)"))
            await conn.execute(text("INSERT INTO t VALUES (:x)"), [{"x": 1}, {"x": 2}, {"x": 3}])
        async with other.connect() as conn:
            await conn.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
        await other.dispose()
    assert REGISTRY.get_sample_value("youwei_sql_statements_total", {"service": label}) == 3


async def test_readiness_reports_a_broken_database(rank):
    runtime = rank.app.state.runtime
    original = runtime.db.ping

    async def broken() -> None:
        raise OSError("disk gone")

    runtime.db.ping = broken
    try:
        response = await rank.get("/health/ready")
        assert response.status_code == 503 and response.json()["checks"]["database"]["ok"] is False
    finally:
        runtime.db.ping = original


class _Secretive(ServiceSettings):
    vault_key: str = "changethis"

    def secret_fields(self) -> dict[str, str | None]:
        return {"vault_key": self.vault_key}


def test_placeholder_secrets_are_refused_outside_dev(tmp_path):
    jwks = tmp_path / "jwks.json"
    jwks.write_text('{"keys": []}')
    _Secretive(_env_file=None)  # dev: fine
    with pytest.raises(ValidationError, match="vault_key"):
        _Secretive(_env_file=None, environment="production", auth_jwks_file=jwks)
    with pytest.raises(ValidationError, match="jwks"):
        _Secretive(_env_file=None, environment="production", vault_key="a-real-key-of-some-length")
    settings = _Secretive(
        _env_file=None, environment="production", vault_key="a-real-key-of-some-length", auth_jwks_file=jwks
    )
    assert not settings.docs_enabled
