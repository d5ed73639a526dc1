"""Every write endpoint: unknown fields, wrong types and malformed JSON are 4xx problems naming the field."""

from __future__ import annotations

from tests.rank.integration.conftest import D

WRITES = [
    ("POST", "/api/v1/org-units", {"code": "x", "name": "x", "agency_level": "DIVISION", "parent_id": "city"}),
    ("PATCH", "/api/v1/org-units/finance", {"version": 1}),
    ("POST", "/api/v1/org-units/finance/move", {"version": 1, "new_parent_id": "city"}),
    ("POST", "/api/v1/org-units/finance/close", {"version": 1}),
    (
        "POST",
        "/api/v1/cadres",
        {"name": "n", "gender": "MALE", "birth_date": "1990-01-01", "entry_date": "2012-01-01", "org_unit_id": "city"},
    ),
    ("PATCH", "/api/v1/cadres/{cadre}", {"version": 1}),
    ("POST", "/api/v1/cadres/{cadre}/transfer", {"version": 1, "to_org_unit_id": "health"}),
    ("POST", "/api/v1/cadres/{cadre}/exit", {"version": 1, "reason": "RETIRED"}),
    ("PUT", "/api/v1/cadres/{cadre}/relatives", {"relatives": []}),
    ("POST", "/api/v1/cadres/{cadre}/rank-holdings", {"rank_code": "C10", "since": "2020-01-01", "basis": "INITIAL"}),
    ("POST", "/api/v1/cadres/{cadre}/post-holdings", {"post_code": None, "since": "2020-01-01", "basis": "INITIAL"}),
    ("POST", "/api/v1/cadres/{cadre}/level-holdings", {"level": 20, "since": "2020-01-01", "basis": "INITIAL"}),
    ("POST", "/api/v1/cadres/{cadre}/demotions/d-1/execute", {"effective_date": "2026-01-01"}),
    (
        "POST",
        "/api/v1/ladders/COMPREHENSIVE/versions",
        {"version": "v", "effective_from": "2026-01-01", "source": "s", "ranks": []},
    ),
    (
        "POST",
        "/api/v1/points-schemes",
        {
            "org_unit_id": "city",
            "version": "v",
            "effective_from": "2026-01-01",
            "items": {"tenure_year": {"points": 1}},
        },
    ),
    (
        "POST",
        "/api/v1/quotas",
        {"org_unit_id": "city", "bucket": "B", "rank_codes": ["C04"], "max_count": 1, "effective_from": "2026-01-01"},
    ),
    ("POST", "/api/v1/promotion-batches", {"org_unit_id": "city", "title": "t", "target_ranks": ["C04"]}),
    ("POST", "/api/v1/promotion-batches/{batch}/compute-candidates", {}),
    ("POST", "/api/v1/promotion-batches/{batch}/recommend", {"cadre_ids": ["x"]}),
    ("POST", "/api/v1/promotion-batches/{batch}/publicize", {}),
    ("POST", "/api/v1/promotion-batches/{batch}/approve", {}),
    ("POST", "/api/v1/promotion-batches/{batch}/cancel", {"reason": "r"}),
    (
        "POST",
        "/api/v1/promotion-batches/{batch}/candidates/{cadre}/votes",
        {"votes_for": 1, "votes_against": 0, "abstain": 0},
    ),
    ("POST", "/api/v1/promotion-batches/{batch}/candidates/{cadre}/investigation", {"passed": True}),
    ("POST", "/api/v1/promotion-batches/{batch}/candidates/{cadre}/objection/resolve", {"upheld": True}),
    ("POST", "/api/v1/contracts", {"cadre_id": "{cadre}", "kind": "ROLE_TERM", "starts_on": "2026-01-01"}),
    (
        "POST",
        "/api/v1/contracts/history",
        {
            "cadre_id": "{cadre}",
            "kind": "ROLE_TERM",
            "starts_on": "2017-07-01",
            "ends_on": "2020-06-30",
            "outcome": "RENEW",
            "decided_on": "2020-05-20",
            "source": "PAPER_RECORD",
        },
    ),
    ("POST", "/api/v1/contracts/k-1/file", {}),
    ("POST", "/api/v1/contracts/k-1/renewal-decision", {}),
    ("POST", "/api/v1/contracts/k-1/terminate", {"ground": "MUTUAL_AGREEMENT"}),
]
FIXED = ("id", "status", "created_at", "org_unit_path", "approved_by")


async def test_unknown_fields_wrong_types_and_malformed_json_are_refused(api):
    cadre = await api.register("Target")
    await api.rank(cadre, "C05", D(2020, 1, 1), level=17)
    batch = (
        await api.ok(
            "POST",
            "/api/v1/promotion-batches",
            status=201,
            json={"org_unit_id": "finance", "title": "b", "target_ranks": ["C04"]},
        )
    )["id"]
    for method, template, good in WRITES:
        url = template.format(cadre=cadre, batch=batch)
        body = {k: (v.format(cadre=cadre) if isinstance(v, str) else v) for k, v in good.items()}
        for field in FIXED:
            response = await api.client.request(method, url, json={**body, field: "client-chosen"}, headers=api.hk())
            assert response.status_code == 422, (url, field, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert field in {e["field"] for e in response.json()["errors"]}, (url, field)
        malformed = await api.client.request(
            method, url, content=b'{"version": ', headers={**api.hk(), "Content-Type": "application/json"}
        )
        assert malformed.status_code == 400 and malformed.json()["type"].endswith("malformed-json"), url
        if body:
            name = next(iter(body))
            wrong = await api.client.request(method, url, json={**body, name: {"nested": [1]}}, headers=api.hk())
            assert wrong.status_code == 422 and name in {e["field"].split(".")[0] for e in wrong.json()["errors"]}, (
                url,
                wrong.text,
            )


async def test_unknown_objects_are_not_found_and_never_a_server_error(api):
    for method, url, body in [
        ("GET", "/api/v1/cadres/nope/history", None),
        ("GET", "/api/v1/eligibility/nope", None),
        ("GET", "/api/v1/promotion-batches/nope", None),
        ("GET", "/api/v1/contracts/nope", None),
        ("POST", "/api/v1/contracts/nope/file", {}),
        ("POST", "/api/v1/promotion-batches/nope/close", {}),
        ("POST", "/api/v1/cadres/nope/rank-holdings", {"rank_code": "C10", "since": "2020-01-01", "basis": "INITIAL"}),
        ("GET", "/api/v1/dossier-parts/rank/nope", None),
        ("GET", "/api/v1/points-schemes/nope", None),
        ("GET", "/api/v1/ladders/COMPREHENSIVE?version=9.9", None),
    ]:
        response = await api.client.request(method, url, json=body, headers=api.hk())
        assert response.status_code == 404, (url, response.text)
    invalid = await api.client.get("/api/v1/ladders/MILITARY", headers=api.h())
    assert invalid.status_code == 422


async def test_problems_name_the_field_and_never_echo_what_the_client_typed(api):
    # An id typed by mistake may be a phone number or an ID-card number: the answer names the field only.
    typed = "13800005555"
    for method, url, body, field in [
        (
            "POST",
            "/api/v1/cadres",
            {
                "name": "Wang Wu",
                "gender": "MALE",
                "birth_date": "1985-03-02",
                "entry_date": "2008-07-01",
                "org_unit_id": typed,
            },
            "org_unit_id",
        ),
        ("GET", f"/api/v1/cadres/{typed}", None, "cadre_id"),
        ("GET", f"/api/v1/org-units/{typed}", None, "unit_id"),
        ("GET", f"/api/v1/contracts/{typed}", None, "contract_id"),
        ("GET", f"/api/v1/contracts?cadre_id={typed}", None, "cadre_id"),
        ("POST", "/api/v1/org-units", {"code": "city", "name": "again", "agency_level": "CITY_LEADERSHIP"}, "code"),
    ]:
        response = await api.client.request(method, url, json=body, headers=api.hk())
        assert response.status_code in (404, 409), (url, response.text)
        problem = response.json()
        assert typed not in problem["title"] + problem["detail"], (url, problem)
        assert problem.get("field") == field, (url, problem)
