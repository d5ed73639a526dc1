"""The dossier and dashboards through the gateway against the four real services (real NATS, SQLite/PostgreSQL).

Proves the gateway rows of the permission matrix with real tokens and org scopes, the audit row each service
writes for its part of a dossier read (same request id, purpose), and the dossier with one service stopped.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from gateway.main import create_app
from gateway.testing import gateway_test_settings, serving
from kernel.testing.helpers import eventually, running, settings_for

SERVICES = {
    "rank": ("services.rank.main", "services.rank.settings", "RankSettings"),
    "appraisal": ("services.appraisal.main", "services.appraisal.settings", "AppraisalSettings"),
    "petitions": ("services.petitions.main", "services.petitions.settings", "PetitionsSettings"),
    "tolerance": ("services.tolerance.main", "services.tolerance.settings", "ToleranceSettings"),
}
CADRE = {"gender": "FEMALE", "birth_date": "1984-04-05", "entry_date": "2006-07-01"}


def _idem() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


@pytest.fixture
async def suite(fresh_db, nats_url, events_ns, test_auth) -> AsyncIterator[Any]:
    """The four services under uvicorn on loopback, the gateway in front, and a seeded org tree with two cadres."""
    apps: dict[str, Any] = {}
    stops: dict[str, AsyncExitStack] = {}
    urls: dict[str, str] = {}
    async with AsyncExitStack() as outer:
        for service, (main, settings_module, settings_cls) in SERVICES.items():
            settings = settings_for(
                getattr(importlib.import_module(settings_module), settings_cls),
                database_url=await fresh_db(service),
                nats_url=nats_url,
                namespace=events_ns,
                auth=test_auth,
            )
            app = importlib.import_module(main).create_app(settings)
            stack = AsyncExitStack()
            urls[service] = await stack.enter_async_context(serving(app))
            outer.push_async_callback(stack.aclose)
            apps[service], stops[service] = app, stack
        settings = gateway_test_settings(test_auth, part_timeout=5.0, **{f"{s}_url": u for s, u in urls.items()})
        gateway = await outer.enter_async_context(running(create_app(settings)))
        admin = test_auth.headers("org_admin", unit="city", subject="admin-city")
        for unit, level, parent in (("city", "CITY_LEADERSHIP", None), ("county-a", "COUNTY_LEADERSHIP", "city")):
            response = await gateway.post(
                "/api/v1/org-units",
                headers={**admin, **_idem()},
                json={"code": unit, "name": unit, "agency_level": level, "parent_id": parent},
            )
            assert response.status_code == 201, response.text
        ids = {}
        for name, unit in (("Zhao Yi", "city"), ("Qian Er", "county-a")):
            response = await gateway.post(
                "/api/v1/cadres", headers={**admin, **_idem()}, json={**CADRE, "name": name, "org_unit_id": unit}
            )
            assert response.status_code == 201, response.text
            ids[unit] = response.json()["id"]

        async def everyone_knows_the_cadres() -> None:
            for cadre_id in ids.values():
                body = (await gateway.get(f"/api/v1/cadres/{cadre_id}/dossier", headers=admin)).json()
                # Any other answer (a 429 while a loaded machine keeps the consumers behind for long) is retried too,
            # and shown if it lasts.
            assert body.get("degraded") == [], body

        await eventually(everyone_knows_the_cadres, timeout=90, interval=0.2)
        yield SimpleNamespace(gateway=gateway, apps=apps, stops=stops, ids=ids, admin=admin)


async def test_an_org_admin_reads_a_complete_dossier_and_each_service_audits_its_part(suite):
    cadre_id = suite.ids["county-a"]
    response = await suite.gateway.get(
        f"/api/v1/cadres/{cadre_id}/dossier",
        headers={**suite.admin, "X-Purpose": "APPOINTMENT_REVIEW", "X-Request-ID": "dossier-read-1"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["cadre"]["id"] == cadre_id and body["cadre"]["org_unit_id"] == "county-a"
    assert all(body["parts"][s] is not None for s in SERVICES), body
    assert body["degraded"] == [] and body["withheld"] == []
    for service, app in suite.apps.items():
        table = importlib.import_module(f"services.{service}.adapters.orm").audit_log
        async with app.state.runtime.db.reader.connect() as conn:
            rows = (
                await conn.execute(
                    select(table.c.object_id, table.c.purpose, table.c.actor, table.c.action).where(
                        table.c.request_id == "dossier-read-1"
                    )
                )
            ).all()
        assert any(
            r.object_id == cadre_id and r.purpose == "APPOINTMENT_REVIEW" and r.actor == "admin-city" for r in rows
        ), (service, rows)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("org_admin", 200),
        ("discipline_officer", 200),
        ("assessor", 200),
        ("auditor", 200),
        ("petitions_staff", 403),
        ("subscriber", 403),
    ],
)
async def test_the_gateway_rows_of_the_matrix_for_each_role(suite, test_auth, role, expected):
    headers = test_auth.headers(role, unit="city", subject=f"{role}-1")
    dossier = await suite.gateway.get(f"/api/v1/cadres/{suite.ids['county-a']}/dossier", headers=headers)
    assert dossier.status_code == expected
    if expected == 200:
        assert dossier.json()["degraded"] == []
    dashboard = await suite.gateway.get("/api/v1/dashboards/county-a", headers=headers)
    if role == "assessor":
        assert dashboard.status_code == 404  # an assessor of the city sees the city's own dashboard only
        assert (await suite.gateway.get("/api/v1/dashboards/city", headers=headers)).status_code == 200
    else:
        assert dashboard.status_code == expected
    events = await suite.gateway.get("/api/v1/events", headers=headers)
    assert events.status_code == 200


async def test_org_scope_a_county_admin_reads_only_their_subtree(suite, test_auth):
    county = test_auth.headers("org_admin", unit="county-a", subject="admin-county")
    own = await suite.gateway.get(f"/api/v1/cadres/{suite.ids['county-a']}/dossier", headers=county)
    above = await suite.gateway.get(f"/api/v1/cadres/{suite.ids['city']}/dossier", headers=county)
    assert own.status_code == 200 and own.json()["degraded"] == []
    assert above.status_code == 404
    assert (await suite.gateway.get("/api/v1/dashboards/city", headers=county)).status_code == 404
    assert (await suite.gateway.get("/api/v1/dashboards/county-a", headers=county)).status_code == 200


async def test_a_cadre_reads_their_own_dossier_without_petitions_and_no_one_elses(suite, test_auth):
    me = suite.ids["county-a"]
    headers = test_auth.headers("cadre", unit="county-a", cadre_id=me, subject=f"cadre-{me}")
    own = await suite.gateway.get(f"/api/v1/cadres/{me}/dossier", headers=headers)
    other = await suite.gateway.get(f"/api/v1/cadres/{suite.ids['city']}/dossier", headers=headers)
    assert own.status_code == 200
    body = own.json()
    assert body["withheld"] == ["petitions"] and body["parts"]["petitions"] is None
    assert body["parts"]["appraisal"] is not None and body["degraded"] == []
    assert other.status_code == 404


async def test_the_historical_view_is_passed_to_every_service(suite):
    response = await suite.gateway.get(
        f"/api/v1/cadres/{suite.ids['county-a']}/dossier", params={"as_of": "2020-06-30"}, headers=suite.admin
    )
    assert response.status_code == 200
    body = response.json()
    assert body["as_of"] == "2020-06-30" and body["degraded"] == []


async def test_with_a_service_stopped_the_dossier_lists_it_as_degraded(suite):
    await suite.stops["tolerance"].aclose()
    response = await suite.gateway.get(f"/api/v1/cadres/{suite.ids['county-a']}/dossier", headers=suite.admin)
    assert response.status_code == 200
    body = response.json()
    assert body["degraded"] == [{"service": "tolerance", "part": "dossier-part", "reason": "unavailable"}]
    assert body["parts"]["tolerance"] is None
    assert all(body["parts"][s] is not None for s in ("rank", "appraisal", "petitions"))
    dashboard = (await suite.gateway.get("/api/v1/dashboards/city", headers=suite.admin)).json()
    assert [d["service"] for d in dashboard["degraded"]] == ["tolerance"]
    ready = await suite.gateway.get("/health/ready")
    assert ready.status_code == 503 and ready.json()["checks"]["upstream:tolerance"] is False


async def test_the_dashboard_gathers_every_services_part(suite):
    response = await suite.gateway.get("/api/v1/dashboards/city", headers=suite.admin)
    assert response.status_code == 200
    body = response.json()
    assert body["org_unit"]["id"] == "city"
    assert body["degraded"] == [], body["degraded"]
    assert all(body["parts"][s] is not None for s in SERVICES)
    assert (await suite.gateway.get("/health/ready")).status_code == 200


# Representative cells of each service's matrix (docs/permissions.md), read through the gateway: 200 = R or S,
# 403 = the role lacks the capability. The services enforce them; the gateway adds the subscriber refusal.
ROLES = ("org_admin", "discipline_officer", "petitions_staff", "assessor", "cadre", "auditor", "subscriber")
CELLS = {
    "/api/v1/org-units": (200, 200, 200, 200, 200, 200, 403),
    "/api/v1/cadres": (200, 200, 200, 200, 200, 200, 403),
    "/api/v1/talks": (200, 200, 403, 200, 200, 200, 403),
    "/api/v1/reports": (200, 200, 200, 200, 403, 200, 403),
    "/api/v1/appeals": (200, 200, 200, 403, 200, 200, 403),
    "/api/v1/sanctions": (200, 200, 403, 200, 200, 200, 403),
    "/api/v1/tolerance-cases": (200, 200, 403, 200, 200, 200, 403),
}


async def test_representative_cells_of_each_services_matrix_through_the_gateway(suite, test_auth):
    cadre_id = suite.ids["county-a"]
    mismatches = []
    for path, expected in CELLS.items():
        for role, status in zip(ROLES, expected, strict=True):
            headers = test_auth.headers(
                role, unit="city", cadre_id=cadre_id if role == "cadre" else None, subject=f"{role}-matrix"
            )
            response = await suite.gateway.get(path, headers=headers)
            if response.status_code != status:
                mismatches.append(f"{role} GET {path}: {response.status_code} (expected {status})")
            elif status == 200:
                assert "items" in response.json(), path
    assert not mismatches, "\n".join(mismatches)
