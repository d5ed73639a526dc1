"""The walking skeleton through the gateway: register, list and read cadres in the real rank service over HTTP."""

from __future__ import annotations

import uuid

import pytest

from gateway.main import create_app
from kernel.testing.helpers import running

CADRE = {
    "name": "Li Si",
    "gender": "FEMALE",
    "birth_date": "1988-04-05",
    "entry_date": "2010-07-01",
    "org_unit_id": "city",
}


def idem() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


@pytest.fixture
async def gateway(rank_service, gateway_settings):
    async with running(create_app(gateway_settings(rank_url=rank_service))) as client:
        yield client


@pytest.fixture
def admin(test_auth):
    return test_auth.headers("org_admin", unit="city", subject="admin-1")


async def _seed_city(gateway, admin) -> None:
    response = await gateway.post(
        "/api/v1/org-units",
        headers={**admin, **idem()},
        json={"code": "city", "name": "Example City", "agency_level": "CITY_LEADERSHIP"},
    )
    assert response.status_code == 201, response.text


async def test_a_cadre_registered_through_the_gateway_can_be_listed_and_read(gateway, admin):
    await _seed_city(gateway, admin)
    response = await gateway.post("/api/v1/cadres", headers={**admin, **idem()}, json=CADRE)
    assert response.status_code == 201, response.text
    cadre_id = response.json()["id"]

    listed = await gateway.get("/api/v1/cadres", headers=admin, params={"limit": 10})
    assert listed.status_code == 200
    assert [c["id"] for c in listed.json()["items"]] == [cadre_id]
    assert listed.json()["next_cursor"] is None

    read = await gateway.get(f"/api/v1/cadres/{cadre_id}", headers=admin)
    assert read.status_code == 200
    assert read.json()["name"] == "Li Si" and read.json()["org_unit_id"] == "city"
    assert read.headers["content-type"] == "application/json"
    assert read.headers["cache-control"] == "no-store"


async def test_a_retried_registration_with_the_same_key_answers_the_same_cadre(gateway, admin):
    await _seed_city(gateway, admin)
    key = idem()
    first = await gateway.post("/api/v1/cadres", headers={**admin, **key}, json=CADRE)
    second = await gateway.post("/api/v1/cadres", headers={**admin, **key}, json=CADRE)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    listed = await gateway.get("/api/v1/cadres", headers=admin)
    assert len(listed.json()["items"]) == 1


async def test_the_same_key_with_another_body_is_refused_with_a_problem(gateway, admin):
    await _seed_city(gateway, admin)
    key = idem()
    assert (await gateway.post("/api/v1/cadres", headers={**admin, **key}, json=CADRE)).status_code == 201
    other = await gateway.post("/api/v1/cadres", headers={**admin, **key}, json={**CADRE, "name": "Wang Wu"})
    assert other.status_code == 422
    assert other.headers["content-type"] == "application/problem+json"
    assert other.json()["field"] == "Idempotency-Key"


async def test_a_registration_without_idempotency_key_names_the_header(gateway, admin):
    response = await gateway.post("/api/v1/cadres", headers=admin, json=CADRE)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({**CADRE, "status": "ACTIVE"}, 422, "status"),
        ({**CADRE, "birth_date": "yesterday"}, 422, "birth_date"),
        ({k: v for k, v in CADRE.items() if k != "name"}, 422, "name"),
        ({**CADRE, "gender": 3}, 422, "gender"),
    ],
    ids=["unknown-field", "wrong-date", "missing-name", "wrong-type"],
)
async def test_bad_registrations_answer_problems_naming_the_field(gateway, admin, body, status, field):
    response = await gateway.post("/api/v1/cadres", headers={**admin, **idem()}, json=body)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}


async def test_malformed_json_answers_400(gateway, admin):
    response = await gateway.post(
        "/api/v1/cadres", headers={**admin, **idem(), "Content-Type": "application/json"}, content=b'{"name": "Li Si",'
    )
    assert response.status_code == 400
    assert response.json()["type"].endswith("/malformed-json")


async def test_an_oversized_body_is_refused_by_the_gateway_before_it_reaches_rank(gateway, admin):
    big = {**CADRE, "name": "x" * (1024 * 1024 + 10)}
    response = await gateway.post("/api/v1/cadres", headers={**admin, **idem()}, json=big)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_an_unknown_cadre_answers_404(gateway, admin):
    response = await gateway.get(f"/api/v1/cadres/{uuid.uuid4()}", headers=admin)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_cadre_outside_the_callers_subtree_answers_404(gateway, admin, test_auth):
    await _seed_city(gateway, admin)
    county = await gateway.post(
        "/api/v1/org-units",
        headers={**admin, **idem()},
        json={"code": "county-a", "name": "County A", "agency_level": "COUNTY_LEADERSHIP", "parent_id": "city"},
    )
    assert county.status_code == 201, county.text
    cadre_id = (await gateway.post("/api/v1/cadres", headers={**admin, **idem()}, json=CADRE)).json()["id"]
    county_admin = test_auth.headers("org_admin", unit="county-a", subject="admin-2")
    assert (await gateway.get(f"/api/v1/cadres/{cadre_id}", headers=county_admin)).status_code == 404
    assert (await gateway.get("/api/v1/cadres", headers=county_admin)).json()["items"] == []


async def test_without_a_token_the_gateway_answers_401_and_never_calls_rank(gateway):
    response = await gateway.get("/api/v1/cadres")
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_subscriber_may_not_read_cadres(gateway, test_auth):
    response = await gateway.get("/api/v1/cadres", headers=test_auth.headers("subscriber"))
    assert response.status_code == 403


async def test_readiness_reports_each_upstream(gateway):
    response = await gateway.get("/health/ready")
    # Only rank runs in this test: the gateway is not ready and says which upstreams do not answer.
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["upstream:rank"] is True
    assert checks["upstream:appraisal"] is False
    assert (await gateway.get("/health/live")).status_code == 200
    metrics = await gateway.get("/metrics")
    assert "youwei_gateway_upstream_calls_total" in metrics.text
