"""The rank app on a real database and a real nats-server, with a seeded org tree and API/event helpers."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from kernel.testing.harness import ServiceHarness, serve
from kernel.testing.helpers import settings_for
from services.rank.adapters import orm
from services.rank.main import create_app
from services.rank.service_layer.standing import recompute_dirty
from services.rank.settings import RankSettings

D = dt.date
TODAY = D(2026, 6, 15)  # a Monday
UNITS = [  # code, name, agency level, parent
    ("city", "Example City", "CITY_LEADERSHIP", None),
    ("finance", "Finance Bureau", "MUNICIPAL_AGENCY", "city"),
    ("finance-div1", "Budget Division", "DIVISION", "finance"),
    ("health", "Health Bureau", "MUNICIPAL_AGENCY", "city"),
    ("county", "County", "COUNTY_LEADERSHIP", "city"),
    ("county-tax", "County Tax Office", "COUNTY_AGENCY", "county"),
    ("town", "Town", "TOWNSHIP", "county"),
]


class Api(ServiceHarness):
    """The rank service under test, called as the city org admin unless told otherwise."""

    def h(
        self, role: str = "org_admin", unit: str | None = "city", cadre_id: str | None = None, **extra: str
    ) -> dict[str, str]:
        return super().h(role, unit, cadre_id, **extra)

    def hk(self, role: str = "org_admin", unit: str | None = "city", cadre_id: str | None = None) -> dict[str, str]:
        return super().hk(role, unit, cadre_id)

    async def ok(self, method: str, url: str, *, status: int = 200, headers: dict | None = None, **kw: Any) -> Any:
        """Calls the API as the city org admin (by default) and checks the status."""
        if headers is None:
            headers = self.hk() if method in ("POST", "PUT", "PATCH") else self.h()
        response = await self.client.request(method, url, headers=headers, **kw)
        assert response.status_code == status, (method, url, response.status_code, response.text)
        return response.json()

    async def register(
        self,
        name: str,
        unit: str = "finance",
        *,
        born: D = D(1985, 3, 2),
        entry: D = D(2008, 7, 1),
        category: str = "COMPREHENSIVE",
        education: str | None = "BACHELOR",
    ) -> str:
        body = {
            "name": name,
            "gender": "MALE",
            "birth_date": born.isoformat(),
            "entry_date": entry.isoformat(),
            "org_unit_id": unit,
            "category": category,
            "party_member": True,
            "education": education,
        }
        return (await self.ok("POST", "/api/v1/cadres", status=201, json=body))["id"]

    async def rank(self, cadre_id: str, code: str, since: D, basis: str = "INITIAL", level: int | None = None) -> str:
        body = {"rank_code": code, "since": since.isoformat(), "basis": basis}
        if level is not None:
            body["level"] = level
        return (await self.ok("POST", f"/api/v1/cadres/{cadre_id}/rank-holdings", status=201, json=body))["id"]

    async def cadre(self, cadre_id: str) -> dict:
        return await self.ok("GET", f"/api/v1/cadres/{cadre_id}")

    async def recompute(self) -> int:
        """Recomputes the dirty standings now (the periodic job does the same in the background)."""
        return await recompute_dirty(
            self.runtime.uow, self.runtime.db.reader, today=self.clock["today"], policies=self.runtime.context.policies
        )

    async def audit_rows(self, object_type: str, object_id: str | None = None) -> list[Any]:
        t = orm.audit_log
        query = select(t.c.action, t.c.object_id, t.c.actor, t.c.purpose).where(t.c.object_type == object_type)
        if object_id is not None:
            query = query.where(t.c.object_id == object_id)
        return await self.rows(query.order_by(t.c.id))


async def seed_units(api: Api) -> None:
    for code, name, level, parent in UNITS:
        body = {"code": code, "name": name, "agency_level": level, "parent_id": parent}
        await api.ok("POST", "/api/v1/org-units", status=201, json=body)


@pytest.fixture
async def api(fresh_db, nats_url, events_ns, test_auth) -> AsyncIterator[Api]:
    settings = settings_for(
        RankSettings,
        database_url=await fresh_db("rank"),
        nats_url=nats_url,
        namespace=events_ns,
        auth=test_auth,
        jobs_enabled=False,
    )
    async with serve(create_app, settings, today=TODAY) as served:
        helper = Api.of(served, test_auth)
        await seed_units(helper)
        yield helper
