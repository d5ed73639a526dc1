"""A running tolerance service on a fresh database and a real nats-server, fed by contract events over NATS."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from kernel.contracts import rank_v1
from kernel.contracts.vocabulary import AgencyLevel, CadreCategory, Gender
from kernel.testing.harness import ServiceHarness, serve
from kernel.testing.helpers import eventually, settings_for
from services.tolerance.adapters import orm
from services.tolerance.main import create_app
from services.tolerance.settings import ToleranceSettings

TODAY = dt.date(2026, 6, 15)  # a Monday
UNITS = [("city", None, ["city"]), ("finance", "city", ["city", "finance"]), ("health", "city", ["city", "health"])]
# cadre id → (unit, relatives)
CADRES = {
    "c-a": ("finance", ["c-rel"]),
    "c-b": ("finance", []),
    "c-h": ("health", []),
    "c-rel": ("finance", ["c-a"]),
    "c-off": ("city", []),
}


class World(ServiceHarness):
    """The tolerance service under test; `bus` publishes other producers' events (the harness itself)."""

    today: dt.date = TODAY

    @property
    def bus(self) -> World:
        return self

    def as_(self, role: str, unit: str | None = "city", cadre_id: str | None = None, **extra: Any) -> dict[str, str]:
        """Returns headers for a role (unit 'city' sees everything)."""
        return self.h(role, unit, cadre_id, **extra)

    def key(self) -> dict[str, str]:
        return {"Idempotency-Key": uuid.uuid4().hex}

    async def post(
        self,
        path: str,
        body: Any,
        role: str = "discipline_officer",
        *,
        unit: str | None = "city",
        cadre_id: str | None = None,
        create: bool = False,
    ) -> httpx.Response:
        headers = self.as_(role, unit, cadre_id)
        if create:
            headers = {**headers, **self.key()}
        return await self.client.post(f"/api/v1{path}", json=body, headers=headers)

    async def get(
        self,
        path: str,
        role: str = "org_admin",
        *,
        unit: str | None = "city",
        cadre_id: str | None = None,
        **params: Any,
    ) -> httpx.Response:
        return await self.client.get(f"/api/v1{path}", headers=self.as_(role, unit, cadre_id), params=params)

    async def emitted(self, *keys: str) -> list[dict[str, Any]]:
        """Publishes the outbox, then returns the data of the tolerance events of the given kinds."""
        await self.drain()
        wanted = {f"tolerance.{k}.v1" for k in keys}
        return [data for key, data in await self.stream() if not keys or key in wanted]

    async def settle(self, producer: str, applied: int) -> None:
        """Waits until a producer's consumer has handled `applied` events in total (applied, duplicate or stale)."""
        await self.applied(applied, producer)

    # -- fixtures of the domain ------------------------------------------------------------------------------
    async def incident(
        self,
        cadres: list[str] = ("c-a",),
        occurred_on: dt.date = dt.date(2026, 5, 1),
        role: str = "discipline_officer",
        **extra: Any,
    ) -> str:
        r = await self.post(
            "/incidents",
            {
                "cadre_ids": list(cadres),
                "occurred_on": occurred_on.isoformat(),
                "summary": "permit issued late",
                **extra,
            },
            role,
            create=True,
        )
        assert r.status_code == 201, r.text
        return r.json()["id"]

    async def proposal(
        self,
        cadre: str = "c-a",
        type_: str = "DEMERIT",
        system: str = "GOV",
        incident: str | None = None,
        role: str = "discipline_officer",
        **extra: Any,
    ) -> tuple[str, str]:
        incident = incident or await self.incident([cadre])
        r = await self.post(
            "/sanctions",
            {
                "cadre_id": cadre,
                "incident_id": incident,
                "system": system,
                "type": type_,
                "proposed_on": "2026-05-20",
                **extra,
            },
            role,
            create=True,
        )
        assert r.status_code == 201, r.text
        return r.json()["id"], incident

    async def notified(
        self, sanction_id: str, on: str = "2026-05-25", role: str = "discipline_officer", **extra: Any
    ) -> None:
        r = await self.post(f"/sanctions/{sanction_id}/facts-notice", {"notified_on": on, **extra}, role)
        assert r.status_code == 200, r.text

    async def decided(
        self, sanction_id: str, on: str = "2026-06-10", role: str = "discipline_officer", **extra: Any
    ) -> httpx.Response:
        return await self.post(
            f"/sanctions/{sanction_id}/decision", {"decided_on": on, "publication_scope": "UNIT", **extra}, role
        )

    async def effective(
        self,
        cadre: str = "c-a",
        type_: str = "DEMERIT",
        system: str = "GOV",
        role: str = "discipline_officer",
        **extra: Any,
    ) -> str:
        """Proposes, notifies and decides a sanction after its defence window and tolerance window."""
        sanction_id, _ = await self.proposal(cadre, type_, system, role=role, **extra)
        await self.notified(sanction_id, role=role)
        r = await self.decided(sanction_id, role=role)
        assert r.status_code == 200, r.text
        return sanction_id


def org_unit(unit_id: str, parent: str | None, path: list[str]) -> rank_v1.OrgUnitChanged:
    return rank_v1.OrgUnitChanged(
        org_unit_id=unit_id,
        parent_id=parent,
        name=unit_id.title(),
        agency_level=AgencyLevel.MUNICIPAL_AGENCY,
        path=path,
    )


def cadre(cadre_id: str, unit: str, relatives: list[str]) -> rank_v1.CadreRegistered:
    path = next(p for u, _, p in UNITS if u == unit)
    return rank_v1.CadreRegistered(
        cadre_id=cadre_id,
        name=f"Cadre {cadre_id}",
        gender=Gender.FEMALE,
        birth_date=dt.date(1985, 1, 1),
        org_unit_id=unit,
        org_path=path,
        category=CadreCategory.COMPREHENSIVE,
        party_member=True,
        entry_date=dt.date(2008, 7, 1),
        relative_ids=relatives,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "tolerance_settings(**values): settings of the tolerance service under test")


@pytest.fixture
async def world(request, fresh_db, nats_url, events_ns, test_auth) -> AsyncIterator[World]:
    """The tolerance service with the org tree city → finance, health and five cadres in its directory.

    The periodic sweep is off (tests run it with an explicit day) and the tolerance window is 0 days unless a
    `tolerance_settings` marker says otherwise. The directory is fed over NATS, as rank's relay would.
    """
    marker = request.node.get_closest_marker("tolerance_settings")
    overrides = {"expiry_sweep_enabled": False, "tolerance_window_days": 0, **(marker.kwargs if marker else {})}
    settings = settings_for(
        ToleranceSettings,
        database_url=await fresh_db("tolerance"),
        nats_url=nats_url,
        namespace=events_ns,
        auth=test_auth,
        **overrides,
    )
    async with serve(create_app, settings, today=TODAY) as served:
        w = World.of(served, test_auth)
        for unit_id, parent, path in UNITS:
            await w.publish(org_unit(unit_id, parent, path))
        for cadre_id, (unit, relatives) in CADRES.items():
            await w.publish(cadre(cadre_id, unit, relatives))

        async def seeded() -> None:
            assert await w.count(orm.directory.cadre) == len(CADRES)
            assert await w.count(orm.directory.org_unit) == len(UNITS)

        await eventually(seeded, timeout=15)
        yield w
