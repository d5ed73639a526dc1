"""The dossier's fan-out, merge and degradation, against fake upstreams (httpx.MockTransport)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

ADMIN = ("org_admin",)


@pytest.fixture
def admin(test_auth):
    return test_auth.headers("org_admin", unit="city", subject="admin-1")


async def test_a_complete_dossier_merges_the_register_entry_and_every_part(mock_gateway, fakes, admin):
    async with mock_gateway() as gw:
        response = await gw.get("/api/v1/cadres/c-1/dossier", headers=admin)
    assert response.status_code == 200
    body = response.json()
    assert body["cadre"]["id"] == "c-1" and body["as_of"] is None
    # The register entry comes inside rank's part (one call to rank), and is not repeated in the part.
    assert [r.url.path for r in fakes.requests["rank"]] == ["/api/v1/dossier-parts/rank/c-1"]
    assert "cadre" not in body["parts"]["rank"]
    assert {s: p["service"] for s, p in body["parts"].items()} == {s: s for s in fakes.requests}
    assert body["degraded"] == [] and body["withheld"] == []
    assert response.headers["cache-control"] == "no-store"


async def test_the_calls_run_concurrently(mock_gateway, fakes, admin):
    # Every fake answers only once all four calls are in flight: a sequential fan-out would time out.
    arrived = 0
    everyone = asyncio.Event()

    def gate(default):
        async def handle(request):
            nonlocal arrived
            arrived += 1
            if arrived == 4:
                everyone.set()
            await everyone.wait()
            return default(request)

        return handle

    for service in fakes.handlers:
        fakes.handlers[service] = gate(fakes.default(service))
    async with mock_gateway(part_timeout=5.0) as gw:
        response = await gw.get("/api/v1/cadres/c-1/dossier", headers=admin)
    assert response.json()["degraded"] == []


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (httpx.ConnectError("refused"), "unavailable"),
        (httpx.ReadTimeout("slow"), "timeout"),
    ],
)
async def test_a_service_that_fails_is_listed_as_degraded(mock_gateway, fakes, admin, failure, reason):
    def broken(request):
        raise failure

    fakes.handlers["tolerance"] = broken
    async with mock_gateway() as gw:
        response = await gw.get("/api/v1/cadres/c-1/dossier", headers=admin)
    assert response.status_code == 200
    body = response.json()
    assert body["parts"]["tolerance"] is None and body["parts"]["appraisal"] is not None
    assert body["degraded"] == [{"service": "tolerance", "part": "dossier-part", "reason": reason}]


async def test_a_service_slower_than_the_part_timeout_is_degraded_and_the_rest_returned(mock_gateway, fakes, admin):
    release = asyncio.Event()

    async def stuck(request):
        await release.wait()
        return httpx.Response(200, json={})

    fakes.handlers["appraisal"] = stuck
    try:
        async with mock_gateway(part_timeout=0.3) as gw:
            response = await gw.get("/api/v1/cadres/c-1/dossier", headers=admin)
    finally:
        release.set()
    assert response.status_code == 200
    assert response.json()["degraded"] == [{"service": "appraisal", "part": "dossier-part", "reason": "timeout"}]


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (httpx.Response(500, text="Internal Server Error"), "error"),
        (httpx.Response(200, text="<html>"), "bad-response"),
        (httpx.Response(302, headers={"location": "http://127.0.0.2:9/steal"}), "bad-response"),
        (httpx.Response(404, json={"status": 404}), "not-found"),
        (httpx.Response(422, json={"status": 422}), "rejected"),
    ],
)
async def test_unusable_part_answers_are_degraded_without_leaking_them(mock_gateway, fakes, admin, answer, reason):
    fakes.handlers["petitions"] = lambda request: answer
    async with mock_gateway() as gw:
        response = await gw.get("/api/v1/cadres/c-1/dossier", headers=admin)
    assert response.status_code == 200
    assert response.json()["degraded"] == [{"service": "petitions", "part": "dossier-part", "reason": reason}]
    assert "127.0.0.2" not in response.text and "internal" not in response.text


async def test_a_part_the_role_may_not_see_is_withheld_not_degraded(mock_gateway, fakes, admin):
    fakes.handlers["petitions"] = lambda request: httpx.Response(403, json={"status": 403})
    async with mock_gateway() as gw:
        body = (await gw.get("/api/v1/cadres/c-1/dossier", headers=admin)).json()
    assert body["withheld"] == ["petitions"] and body["degraded"] == []
    assert body["parts"]["petitions"] is None


async def test_rank_decides_visibility_an_unknown_cadre_is_404(mock_gateway, fakes, admin):
    fakes.handlers["rank"] = lambda request: httpx.Response(
        404,
        json={"type": "x", "title": "Not found", "status": 404, "detail": "cadre c-9 not found"},
        headers={"content-type": "application/problem+json"},
    )
    async with mock_gateway() as gw:
        response = await gw.get("/api/v1/cadres/c-9/dossier", headers=admin)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_with_rank_down_the_other_parts_are_returned(mock_gateway, fakes, admin):
    def down(request):
        raise httpx.ConnectError("refused")

    fakes.handlers["rank"] = down
    async with mock_gateway() as gw:
        body = (await gw.get("/api/v1/cadres/c-1/dossier", headers=admin)).json()
    assert body["cadre"] is None and body["parts"]["rank"] is None and body["parts"]["appraisal"] is not None
    assert {(d["service"], d["part"]) for d in body["degraded"]} == {("rank", "register"), ("rank", "dossier-part")}


async def test_with_every_service_down_the_dossier_is_503(mock_gateway, fakes, admin):
    def down(request):
        raise httpx.ConnectError("refused")

    for service in fakes.handlers:
        fakes.handlers[service] = down
    async with mock_gateway() as gw:
        response = await gw.get("/api/v1/cadres/c-1/dossier", headers=admin)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "internal" not in response.text


async def test_a_cadre_reads_their_own_dossier_without_petitions(mock_gateway, fakes, test_auth):
    own = test_auth.headers("cadre", unit="city", cadre_id="c-1", subject="c-1")
    async with mock_gateway() as gw:
        body = (await gw.get("/api/v1/cadres/c-1/dossier", headers=own)).json()
        other = await gw.get("/api/v1/cadres/c-2/dossier", headers=own)
    assert body["withheld"] == ["petitions"] and body["parts"]["petitions"] is None
    assert fakes.requests["petitions"] == []
    assert other.status_code == 404


@pytest.mark.parametrize("role", ["petitions_staff", "subscriber"])
async def test_roles_without_the_dossier_are_refused_before_any_call(mock_gateway, fakes, test_auth, role):
    async with mock_gateway() as gw:
        response = await gw.get("/api/v1/cadres/c-1/dossier", headers=test_auth.headers(role, unit="city"))
    assert response.status_code == 403
    assert all(not calls for calls in fakes.requests.values())


@pytest.mark.parametrize("role", ["org_admin", "discipline_officer", "assessor", "auditor"])
async def test_roles_with_the_dossier_read_it(mock_gateway, test_auth, role):
    async with mock_gateway() as gw:
        response = await gw.get("/api/v1/cadres/c-1/dossier", headers=test_auth.headers(role, unit="city"))
    assert response.status_code == 200


async def test_as_of_and_the_purpose_reach_every_part(mock_gateway, fakes, admin):
    async with mock_gateway() as gw:
        response = await gw.get(
            "/api/v1/cadres/c-1/dossier",
            params={"as_of": "2024-12-31"},
            headers={
                **admin,
                "X-Purpose": "APPOINTMENT_REVIEW",
                "X-Request-ID": "req-42",
                "traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
                "X-Forwarded-Host": "evil.example",
                "X-User-Roles": "org_admin",
            },
        )
    assert response.json()["as_of"] == "2024-12-31"
    for service, calls in fakes.requests.items():
        part_calls = [r for r in calls if "/dossier-parts/" in r.url.path]
        assert len(part_calls) == 1, service
        request = part_calls[0]
        assert request.url.params["as_of"] == "2024-12-31"
        assert request.headers["x-purpose"] == "APPOINTMENT_REVIEW"
        assert request.headers["x-request-id"] == "req-42"
        assert request.headers["authorization"] == admin["Authorization"]
        assert request.headers["traceparent"].startswith("00-0af7651916cd43dd8448eb211c80319c")
        assert "x-forwarded-host" not in request.headers and "x-user-roles" not in request.headers
        assert request.url.host == f"{service}.internal"


@pytest.mark.parametrize(
    ("params", "headers", "field"),
    [
        ({"as_of": "2024-13-01"}, {}, "as_of"),
        ({"as_of": "yesterday"}, {}, "as_of"),
        ({"as_of": "2999-01-01"}, {}, "as_of"),
        ({}, {"X-Purpose": "not a code"}, "X-Purpose"),
    ],
)
async def test_bad_dossier_input_names_the_field(mock_gateway, fakes, admin, params, headers, field):
    async with mock_gateway() as gw:
        response = await gw.get("/api/v1/cadres/c-1/dossier", params=params, headers={**admin, **headers})
    assert response.status_code == 422
    body = response.json()
    assert field in {e["field"] for e in body.get("errors", [])} | {body.get("field")}
    assert all(not calls for calls in fakes.requests.values())


async def test_a_malformed_cadre_id_is_refused(mock_gateway, fakes, admin):
    async with mock_gateway() as gw:
        response = await gw.get("/api/v1/cadres/%20bad%20id/dossier", headers=admin)
    assert response.status_code == 422


async def test_a_rank_part_without_the_register_entry_falls_back_to_reading_it(mock_gateway, fakes, admin):
    # A rank replica that predates the embedded entry (a rolling upgrade) answers the part without it.
    default = fakes.default("rank")

    def older(request):
        if request.url.path.startswith("/api/v1/dossier-parts/rank/"):
            return httpx.Response(200, json={"service": "rank", "cadre_id": "c-1", "items": []})
        return default(request)

    fakes.handlers["rank"] = older
    async with mock_gateway() as gw:
        body = (await gw.get("/api/v1/cadres/c-1/dossier", headers=admin)).json()
    assert body["cadre"]["id"] == "c-1" and body["degraded"] == []
    assert [r.url.path for r in fakes.requests["rank"]] == ["/api/v1/dossier-parts/rank/c-1", "/api/v1/cadres/c-1"]


async def test_a_rank_part_refused_as_forbidden_ends_the_read(mock_gateway, fakes, admin):
    fakes.handlers["rank"] = lambda request: httpx.Response(
        403,
        json={"type": "x", "title": "Forbidden", "status": 403},
        headers={"content-type": "application/problem+json"},
    )
    async with mock_gateway() as gw:
        response = await gw.get("/api/v1/cadres/c-1/dossier", headers=admin)
    assert response.status_code == 403


async def test_a_failing_rank_part_still_shows_the_register_entry(mock_gateway, fakes, admin):
    default = fakes.default("rank")

    def part_broken(request):
        if request.url.path.startswith("/api/v1/dossier-parts/rank/"):
            return httpx.Response(500, text="Internal Server Error")
        return default(request)

    fakes.handlers["rank"] = part_broken
    async with mock_gateway() as gw:
        body = (await gw.get("/api/v1/cadres/c-1/dossier", headers=admin)).json()
    assert body["cadre"]["id"] == "c-1" and body["parts"]["rank"] is None
    assert body["degraded"] == [{"service": "rank", "part": "dossier-part", "reason": "error"}]
