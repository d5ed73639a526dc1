"""The periodic jobs inside the running service: standings refreshed, renewal reviews opened by the sweep."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from kernel.deps import china_today, today
from kernel.testing.helpers import eventually, running, settings_for
from services.rank.adapters import orm
from services.rank.main import create_app
from services.rank.settings import RankSettings


async def test_the_jobs_refresh_standings_and_open_renewal_reviews(fresh_db, nats_url, events_ns, test_auth):
    settings = settings_for(
        RankSettings,
        database_url=await fresh_db("rank"),
        nats_url=nats_url,
        namespace=events_ns,
        auth=test_auth,
        standing_interval_s=0.2,
        contract_sweep_interval_s=0.2,
    )
    app = create_app(settings)
    real_today = china_today()
    clock = {"today": real_today - dt.timedelta(days=365)}

    async def fixed() -> dt.date:
        return clock["today"]

    app.dependency_overrides[today] = fixed
    admin = test_auth.headers("org_admin", unit="city")

    def key() -> dict[str, str]:
        return {**admin, "Idempotency-Key": uuid.uuid4().hex}

    async with running(app) as client:
        runtime = app.state.runtime
        await runtime.wait_ready()
        assert (
            await client.post(
                "/api/v1/org-units",
                headers=key(),
                json={"code": "city", "name": "City", "agency_level": "CITY_LEADERSHIP"},
            )
        ).status_code == 201
        cadre = (
            await client.post(
                "/api/v1/cadres",
                headers=key(),
                json={
                    "name": "Job Runner",
                    "gender": "FEMALE",
                    "birth_date": "1980-01-01",
                    "entry_date": "2002-01-01",
                    "org_unit_id": "city",
                },
            )
        ).json()["id"]
        contract = (
            await client.post(
                "/api/v1/contracts",
                headers=key(),
                json={
                    "cadre_id": cadre,
                    "kind": "ROLE_TERM",
                    "starts_on": (real_today - dt.timedelta(days=700)).isoformat(),
                    "ends_on": (real_today + dt.timedelta(days=30)).isoformat(),
                },
            )
        ).json()["id"]
        assert (await client.post(f"/api/v1/contracts/{contract}/file", headers=admin, json={})).json()[
            "status"
        ] == "ACTIVE"

        async def reviewed() -> None:
            read = (await client.get(f"/api/v1/contracts/{contract}", headers=admin)).json()
            assert read["status"] == "RENEWAL_REVIEW"

        await eventually(reviewed, timeout=15)

        async def computed() -> None:
            async with runtime.db.reader.connect() as conn:
                row = (
                    await conn.execute(
                        select(orm.cadre_standing.c.dirty, orm.cadre_standing.c.track_step).where(
                            orm.cadre_standing.c.cadre_id == cadre
                        )
                    )
                ).first()
            assert row is not None and row.dirty is False and row.track_step is not None

        await eventually(computed, timeout=15)
