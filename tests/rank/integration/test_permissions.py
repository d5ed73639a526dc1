"""Every cell of the rank part of docs/permissions.md: 403 by role, S = own records only, 404 outside scope."""

from __future__ import annotations

import uuid

import pytest

from tests.rank.integration.conftest import D

ROLES = ("org_admin", "discipline_officer", "petitions_staff", "assessor", "cadre", "auditor", "subscriber")
W, R, S, X = "W", "R", "S", "·"


async def world(api) -> dict[str, str]:
    """A cadre in finance (the 'own' cadre), another in finance, one in health, a batch and a contract."""
    own = await api.register("Own Cadre")
    await api.rank(own, "C05", D(2020, 1, 1), level=17)
    other = await api.register("Other Cadre", born=D(1980, 1, 1))
    await api.rank(other, "C05", D(2020, 1, 1), level=17)
    health = await api.register("Health Cadre", unit="health", born=D(1981, 1, 1))
    batch = (
        await api.ok(
            "POST",
            "/api/v1/promotion-batches",
            status=201,
            json={"org_unit_id": "finance", "title": "b", "target_ranks": ["C04"]},
        )
    )["id"]
    await api.ok("POST", f"/api/v1/promotion-batches/{batch}/compute-candidates", json={})
    await api.ok("POST", f"/api/v1/promotion-batches/{batch}/open-recommendation", json={})
    contract = (
        await api.ok(
            "POST",
            "/api/v1/contracts",
            status=201,
            json={"cadre_id": own, "kind": "ROLE_TERM", "starts_on": "2025-01-01"},
        )
    )["id"]
    other_contract = (
        await api.ok(
            "POST",
            "/api/v1/contracts",
            status=201,
            json={"cadre_id": other, "kind": "ROLE_TERM", "starts_on": "2025-01-01"},
        )
    )["id"]
    return {
        "own": own,
        "other": other,
        "health": health,
        "batch": batch,
        "contract": contract,
        "other_contract": other_contract,
    }


def headers(api, role: str, w: dict[str, str], *, write: bool) -> dict[str, str]:
    extra = {"Idempotency-Key": uuid.uuid4().hex} if write else {}
    if role == "cadre":
        return api.h("cadre", None, w["own"], **extra)
    return api.h(role, "city", **extra)


# capability → (cells per role in ROLES order, list of (method, url template, json body or None)).
MATRIX = {
    "org units: create, change": (
        "W······",
        [
            (
                "POST",
                "/api/v1/org-units",
                lambda w: {
                    "code": f"u-{uuid.uuid4().hex[:8]}",
                    "name": "New",
                    "agency_level": "DIVISION",
                    "parent_id": "finance",
                },
            ),
            ("PATCH", "/api/v1/org-units/finance-div1", lambda w: {"version": 1, "name": "Renamed"}),
        ],
    ),
    "org units: read": ("RRRRRR·", [("GET", "/api/v1/org-units", None), ("GET", "/api/v1/org-units/city", None)]),
    "register: register, change, relations, holdings": (
        "W······",
        [
            (
                "POST",
                "/api/v1/cadres",
                lambda w: {
                    "name": f"N{uuid.uuid4().hex[:6]}",
                    "gender": "MALE",
                    "birth_date": "1990-01-01",
                    "entry_date": "2012-01-01",
                    "org_unit_id": "finance",
                },
            ),
            ("PATCH", "/api/v1/cadres/{other}", lambda w: {"version": 2, "party_member": False}),
            ("PUT", "/api/v1/cadres/{other}/relatives", lambda w: {"relatives": []}),
            (
                "POST",
                "/api/v1/cadres/{other}/level-holdings",
                lambda w: {"level": 16, "since": "2024-01-01", "basis": "CORRECTION"},
            ),
        ],
    ),
    "register: read": (
        "RRRRSR·",
        [
            ("GET", "/api/v1/cadres/{own}", None),
            ("GET", "/api/v1/cadres", None),
            ("GET", "/api/v1/cadres/{own}/history", None),
        ],
    ),
    "ladders, points schemes, quotas: change": (
        "W······",
        [
            (
                "POST",
                "/api/v1/quotas",
                lambda w: {
                    "org_unit_id": "finance",
                    "bucket": f"B{uuid.uuid4().hex[:6].upper()}",
                    "rank_codes": ["C04"],
                    "max_count": 5,
                    "effective_from": "2026-01-01",
                },
            ),
            (
                "POST",
                "/api/v1/points-schemes",
                lambda w: {
                    "org_unit_id": "finance",
                    "version": uuid.uuid4().hex[:8],
                    "effective_from": "2026-01-01",
                    "items": {"tenure_year": {"points": 1}},
                },
            ),
        ],
    ),
    "ladders, points schemes, quotas: read": (
        "RR·RRR·",
        [("GET", "/api/v1/ladders", None), ("GET", "/api/v1/points-schemes", None), ("GET", "/api/v1/quotas", None)],
    ),
    "eligibility and points of a cadre": ("RR·RSR·", [("GET", "/api/v1/eligibility/{own}", None)]),
    "promotion batches: plan, advance, approve": (
        "W······",
        [
            (
                "POST",
                "/api/v1/promotion-batches",
                lambda w: {"org_unit_id": "finance", "title": "p", "target_ranks": ["C04"]},
            ),
            ("POST", "/api/v1/promotion-batches/{batch}/cancel", lambda w: {"reason": "matrix"}),
        ],
    ),
    "promotion batches: recommendation votes": (
        "W··W···",
        [
            (
                "POST",
                "/api/v1/promotion-batches/{batch}/candidates/{own}/votes",
                lambda w: {"votes_for": 3, "votes_against": 0, "abstain": 0},
            )
        ],
    ),
    "promotion batches: read": (
        "RR·R·R·",
        [
            ("GET", "/api/v1/promotion-batches", None),
            ("GET", "/api/v1/promotion-batches/{batch}", None),
            ("GET", "/api/v1/promotion-batches/{batch}/candidates", None),
        ],
    ),
    "contracts: sign, review, terminate": (
        "W······",
        [
            ("POST", "/api/v1/contracts/{other_contract}/file", lambda w: {"filed_on": "2025-01-02"}),
            ("POST", "/api/v1/contracts/{other_contract}/terminate", lambda w: {"ground": "MUTUAL_AGREEMENT"}),
        ],
    ),
    "contracts: read": ("R··RSR·", [("GET", "/api/v1/contracts/{contract}", None), ("GET", "/api/v1/contracts", None)]),
    "development track": ("R··R·R·", [("GET", "/api/v1/development-track", None)]),
    "dossier part": ("RR·RSR·", [("GET", "/api/v1/dossier-parts/rank/{own}", None)]),
    "dashboard part": ("RR·R·R·", [("GET", "/api/v1/dashboard-parts/rank", None)]),
}


@pytest.mark.parametrize("capability", list(MATRIX))
async def test_every_role_gets_exactly_its_cell(api, capability):
    cells, calls = MATRIX[capability]
    w = await world(api)
    for role, cell in zip(ROLES, cells, strict=True):
        for method, template, body in calls:
            url = template.format(**w)
            write = method != "GET"
            response = await api.client.request(
                method, url, json=body(w) if body else None, headers=headers(api, role, w, write=write)
            )
            if cell == X:
                assert response.status_code == 403, (capability, role, url, response.text)
                assert response.json()["type"].endswith("forbidden")
            else:
                assert response.status_code < 300, (capability, role, url, response.status_code, response.text)


SELF_ONLY = [
    ("GET", "/api/v1/cadres/{x}"),
    ("GET", "/api/v1/cadres/{x}/history"),
    ("GET", "/api/v1/eligibility/{x}"),
    ("GET", "/api/v1/dossier-parts/rank/{x}"),
    ("GET", "/api/v1/contracts/{other_contract}"),
]


async def test_the_cadre_role_sees_only_its_own_records(api):
    w = await world(api)
    mine = api.h("cadre", None, w["own"])
    for method, template in SELF_ONLY:
        url = template.format(x=w["other"], **w)
        response = await api.client.request(method, url, headers=mine)
        assert response.status_code == 404, (url, response.text)
    listed = await api.ok("GET", "/api/v1/cadres", headers=mine)
    assert [c["id"] for c in listed["items"]] == [w["own"]]
    contracts = await api.ok("GET", "/api/v1/contracts", headers=mine)
    assert [c["id"] for c in contracts["items"]] == [w["contract"]]


OUTSIDE = [
    ("GET", "/api/v1/cadres/{health}"),
    ("GET", "/api/v1/cadres/{health}/history"),
    ("GET", "/api/v1/eligibility/{health}"),
    ("GET", "/api/v1/dossier-parts/rank/{health}"),
    ("GET", "/api/v1/org-units/finance"),
    ("GET", "/api/v1/promotion-batches/{batch}"),
    ("GET", "/api/v1/promotion-batches/{batch}/candidates"),
    ("GET", "/api/v1/contracts/{contract}"),
]


async def test_objects_outside_the_callers_subtree_are_not_found_and_lists_are_filtered(api):
    w = await world(api)
    for role in ("org_admin", "discipline_officer", "assessor", "auditor"):
        for method, template in OUTSIDE:
            viewer = "finance" if "{health}" in template else "health"  # the object is in the other bureau
            response = await api.client.request(method, template.format(**w), headers=api.h(role, viewer))
            if response.status_code == 403:
                continue  # the role lacks the capability altogether (checked in the matrix)
            assert response.status_code == 404, (role, template, response.status_code)
    health_admin = api.h("org_admin", "health")
    assert [c["id"] for c in (await api.ok("GET", "/api/v1/cadres", headers=health_admin))["items"]] == [w["health"]]
    assert (await api.ok("GET", "/api/v1/promotion-batches", headers=health_admin))["items"] == []
    assert (await api.ok("GET", "/api/v1/contracts", headers=health_admin))["items"] == []
    assert [u["id"] for u in (await api.ok("GET", "/api/v1/org-units", headers=health_admin))["items"]] == ["health"]
    writes = [
        ("PATCH", f"/api/v1/cadres/{w['own']}", {"version": 2, "party_member": False}),
        ("POST", f"/api/v1/promotion-batches/{w['batch']}/cancel", {"reason": "x"}),
        ("POST", f"/api/v1/contracts/{w['contract']}/file", {}),
        ("POST", "/api/v1/promotion-batches", {"org_unit_id": "finance", "title": "t", "target_ranks": ["C04"]}),
    ]
    for method, url, body in writes:
        response = await api.client.request(
            method, url, json=body, headers={**health_admin, "Idempotency-Key": uuid.uuid4().hex}
        )
        assert response.status_code == 404, (url, response.text)


async def test_no_token_is_401_and_a_token_in_the_query_string_is_refused(api):
    assert (await api.client.get("/api/v1/ladders")).status_code == 401
    token = api.auth.token("org_admin", unit="city")
    assert (await api.client.get(f"/api/v1/ladders?access_token={token}")).status_code == 401
