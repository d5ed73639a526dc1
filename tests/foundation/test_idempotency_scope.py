"""Idempotency keys belong to the caller (issue 11 item 5): one principal's key never answers or blocks another's."""

from __future__ import annotations

from tests.foundation.test_bad_input import GOOD, assert_problem

KEY = "shared-key-0001"


def caller(test_auth, subject: str, **extra: str) -> dict[str, str]:
    return {**test_auth.headers("org_admin", unit="city", subject=subject), "Idempotency-Key": KEY, **extra}


async def test_two_principals_with_the_same_key_each_get_their_own_result(rank, test_auth):
    first = await rank.post("/api/v1/cadres", json=GOOD, headers=caller(test_auth, "alice"))
    assert first.status_code == 201, first.text
    # The same request from someone else is judged on its own (a duplicate cadre): before, the first caller's
    # answer (the cadre id) was replayed to them.
    same = await rank.post("/api/v1/cadres", json=GOOD, headers=caller(test_auth, "bob"))
    assert_problem(same, 409, "cadre.duplicate")
    # A different request from a third caller: before, a squatted key made it fail with 422.
    other = await rank.post("/api/v1/cadres", json={**GOOD, "name": "Li Si"}, headers=caller(test_auth, "carol"))
    assert other.status_code == 201, other.text
    assert other.json()["id"] != first.json()["id"]
    listed = await rank.get(f"/api/v1/cadres/{other.json()['id']}", headers=test_auth.headers("org_admin", unit="city"))
    assert listed.status_code == 200 and listed.json()["name"] == "Li Si"


async def test_the_same_principal_replays_its_own_request(rank, test_auth):
    first = await rank.post("/api/v1/cadres", json=GOOD, headers=caller(test_auth, "alice"))
    again = await rank.post("/api/v1/cadres", json=GOOD, headers=caller(test_auth, "alice"))
    assert first.status_code == 201 and again.status_code in (200, 201), again.text
    assert again.json()["id"] == first.json()["id"]
    # The replay names the first answer's events: a client whose first answer was lost can still present them.
    assert first.headers["X-Consistency-Token"]
    assert again.headers.get("X-Consistency-Token") == first.headers["X-Consistency-Token"]


async def test_the_same_key_on_another_endpoint_is_refused(rank, test_auth):
    first = await rank.post("/api/v1/cadres", json=GOOD, headers=caller(test_auth, "alice"))
    assert first.status_code == 201, first.text
    reused = await rank.post(
        "/api/v1/org-units",
        headers=caller(test_auth, "alice"),
        json={"code": "county", "name": "County", "agency_level": "COUNTY_LEADERSHIP", "parent_id": "city"},
    )
    body = assert_problem(reused, 422, "Idempotency-Key")
    assert body["type"].endswith("idempotency-key-reused")
