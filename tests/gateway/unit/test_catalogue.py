"""The event catalogue: every registered type with its schema and a valid example, for every role."""

from __future__ import annotations

import jsonschema_rs
import pytest

from kernel.auth import Role
from kernel.contracts.registry import EVENTS


@pytest.mark.parametrize("role", [r.value for r in Role])
async def test_every_role_reads_the_whole_catalogue(mock_gateway, test_auth, role):
    headers = test_auth.headers(role, unit="city")
    async with mock_gateway(events_namespace="cadre", type_prefix="org.example.cadre") as gw:
        first = await gw.get("/api/v1/events", params={"limit": 20}, headers=headers)
        assert first.status_code == 200
        items = first.json()["items"]
        cursor = first.json()["next_cursor"]
        while cursor:
            page = (await gw.get("/api/v1/events", params={"limit": 20, "cursor": cursor}, headers=headers)).json()
            items += page["items"]
            cursor = page["next_cursor"]
    assert [i["key"] for i in items] == sorted(EVENTS)
    grade = next(i for i in items if i["key"] == "appraisal.grade_finalized.v1")
    assert grade["type"] == "org.example.cadre.appraisal.grade_finalized.v1"
    assert grade["subject"] == "cadre.appraisal.grade_finalized.v1" and grade["stream"] == "CADRE_APPRAISAL"


async def test_each_example_validates_against_its_own_schema(mock_gateway, test_auth):
    async with mock_gateway() as gw:
        items = (await gw.get("/api/v1/events", params={"limit": 100}, headers=test_auth.headers("subscriber"))).json()[
            "items"
        ]
    assert len(items) == len(EVENTS)
    for item in items:
        jsonschema_rs.validator_for(item["data_schema"]).validate(item["example"])
        assert item["summary"] and item["dataschema"].startswith("urn:cadre:schema:")


async def test_one_type_by_key_filters_by_producer_and_unknown_types(mock_gateway, test_auth):
    headers = test_auth.headers("auditor", unit="city")
    async with mock_gateway() as gw:
        one = await gw.get("/api/v1/events/rank.cadre_registered.v1", headers=headers)
        unknown = await gw.get("/api/v1/events/rank.nothing.v1", headers=headers)
        tolerance = await gw.get("/api/v1/events", params={"producer": "tolerance"}, headers=headers)
        bad = await gw.get("/api/v1/events", params={"producer": "hr"}, headers=headers)
        bad_cursor = await gw.get("/api/v1/events", params={"cursor": "!!"}, headers=headers)
        anonymous = await gw.get("/api/v1/events")
    assert one.status_code == 200 and one.json()["example"]["cadreId"]
    assert unknown.status_code == 404
    assert {i["producer"] for i in tolerance.json()["items"]} == {"tolerance"}
    assert bad.status_code == 422 and bad_cursor.status_code == 400
    assert anonymous.status_code == 401
