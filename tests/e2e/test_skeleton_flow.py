"""The walking skeleton: rank registers a cadre → cadre_registered → the other services' directories."""

from __future__ import annotations

import uuid
from contextlib import AsyncExitStack

from sqlalchemy import select

from kernel.testing.helpers import eventually, running, settings_for
from services.appraisal.main import create_app as appraisal_app
from services.appraisal.settings import AppraisalSettings
from services.petitions.main import create_app as petitions_app
from services.petitions.settings import PetitionsSettings
from services.rank.main import create_app as rank_app
from services.rank.settings import RankSettings
from services.tolerance.main import create_app as tolerance_app
from services.tolerance.settings import ToleranceSettings

CONSUMERS = {
    "appraisal": (appraisal_app, AppraisalSettings),
    "petitions": (petitions_app, PetitionsSettings),
    "tolerance": (tolerance_app, ToleranceSettings),
}


async def test_registered_cadre_reaches_every_directory(fresh_db, nats_url, events_ns, test_auth):
    async with AsyncExitStack() as stack:
        rank = await stack.enter_async_context(
            running(
                rank_app(
                    settings_for(
                        RankSettings,
                        database_url=await fresh_db("rank"),
                        nats_url=nats_url,
                        namespace=events_ns,
                        auth=test_auth,
                    )
                )
            )
        )
        apps = {}
        for name, (factory, settings_cls) in CONSUMERS.items():
            app = factory(
                settings_for(
                    settings_cls,
                    database_url=await fresh_db(name),
                    nats_url=nats_url,
                    namespace=events_ns,
                    auth=test_auth,
                )
            )
            await stack.enter_async_context(running(app))
            apps[name] = app

        admin = test_auth.headers("org_admin", unit="city")
        response = await rank.post(
            "/api/v1/org-units",
            headers={**admin, "Idempotency-Key": uuid.uuid4().hex},
            json={"code": "city", "name": "Example City", "agency_level": "CITY_LEADERSHIP"},
        )
        assert response.status_code == 201, response.text
        response = await rank.post(
            "/api/v1/cadres",
            headers={**admin, "Idempotency-Key": uuid.uuid4().hex},
            json={
                "name": "Li Si",
                "gender": "FEMALE",
                "birth_date": "1988-04-05",
                "entry_date": "2010-07-01",
                "org_unit_id": "city",
            },
        )
        assert response.status_code == 201, response.text
        cadre_id = response.json()["id"]

        for name, app in apps.items():
            runtime = app.state.runtime
            table = __import__(f"services.{name}.adapters.orm", fromlist=["directory"]).directory.cadre

            async def recorded(runtime=runtime, table=table) -> None:
                async with runtime.db.reader.connect() as conn:
                    row = (
                        await conn.execute(select(table.c.name, table.c.org_path).where(table.c.cadre_id == cadre_id))
                    ).first()
                assert row is not None
                assert row.name == "Li Si" and row.org_path == "/city/"

            await eventually(recorded, timeout=15)
