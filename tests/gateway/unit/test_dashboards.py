"""Organization dashboards against fake upstreams: roles, own-unit rule for assessors, degradation."""

from __future__ import annotations

import httpx
import pytest


@pytest.mark.parametrize("role", ["org_admin", "discipline_officer", "auditor"])
async def test_subtree_roles_read_any_units_dashboard(mock_gateway, fakes, test_auth, role):
    async with mock_gateway() as gw:
        response = await gw.get("/api/v1/dashboards/county-a", headers=test_auth.headers(role, unit="city"))
    assert response.status_code == 200
    body = response.json()
    assert body["org_unit"]["id"] == "county-a" and body["degraded"] == []
    assert {s: p["org_unit_id"] for s, p in body["parts"].items()} == dict.fromkeys(fakes.requests, "county-a")


async def test_an_assessor_reads_only_their_own_units_dashboard(mock_gateway, fakes, test_auth):
    assessor = test_auth.headers("assessor", unit="county-a")
    async with mock_gateway() as gw:
        own = await gw.get("/api/v1/dashboards/county-a", headers=assessor)
        other = await gw.get("/api/v1/dashboards/county-b", headers=assessor)
    assert own.status_code == 200
    assert other.status_code == 404
    assert sum(len(calls) for calls in fakes.requests.values()) == 5


@pytest.mark.parametrize("role", ["petitions_staff", "cadre", "subscriber"])
async def test_other_roles_are_refused(mock_gateway, fakes, test_auth, role):
    async with mock_gateway() as gw:
        response = await gw.get("/api/v1/dashboards/city", headers=test_auth.headers(role, unit="city", cadre_id="c-1"))
    assert response.status_code == 403
    assert all(not calls for calls in fakes.requests.values())


async def test_a_unit_outside_the_scope_is_404(mock_gateway, fakes, test_auth):
    fakes.handlers["rank"] = lambda request: httpx.Response(
        404,
        json={"type": "x", "title": "Not found", "status": 404},
        headers={"content-type": "application/problem+json"},
    )
    async with mock_gateway() as gw:
        response = await gw.get("/api/v1/dashboards/elsewhere", headers=test_auth.headers("org_admin", unit="county-a"))
    assert response.status_code == 404


async def test_a_service_down_degrades_its_part(mock_gateway, fakes, test_auth):
    def down(request):
        raise httpx.ConnectError("refused")

    fakes.handlers["petitions"] = down
    async with mock_gateway() as gw:
        body = (await gw.get("/api/v1/dashboards/city", headers=test_auth.headers("org_admin", unit="city"))).json()
    assert body["degraded"] == [{"service": "petitions", "part": "dashboard-part", "reason": "unavailable"}]
    assert body["parts"]["petitions"] is None and body["parts"]["tolerance"] is not None
