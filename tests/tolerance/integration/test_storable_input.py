"""Values the database cannot hold are client mistakes (issue 11 item 8): 422 naming the field, never a 500."""

from __future__ import annotations

import pytest

from services.tolerance.adapters import orm
from tests.tolerance.integration.test_bad_input import problem

INCIDENT = {"cadre_ids": ["c-a"], "occurred_on": "2026-05-01", "summary": "permit issued late"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"loss_amount": 9223372036854775808}, "loss_amount"),  # one above int64
        ({"loss_amount": 10**30}, "loss_amount"),
        ({"summary": "permit\u0000issued late"}, "summary"),  # PostgreSQL text cannot hold NUL
        ({"cadre_ids": ["c-a\u0000"]}, "cadre_ids"),
        ({"occurred_on": "1800-01-01"}, "occurred_on"),
        ({"occurred_on": "9999-12-31"}, "occurred_on"),
    ],
)
async def test_unstorable_values_are_refused_by_name(world, change, field):
    response = await world.post("/incidents", {**INCIDENT, **change}, create=True)
    problem(response, 422, field=field)
    assert await world.count(orm.incident) == 0


async def test_the_largest_int64_is_still_accepted(world):
    response = await world.post("/incidents", {**INCIDENT, "loss_amount": 9223372036854775807}, create=True)
    assert response.status_code == 201, response.text


async def test_a_nul_in_a_path_id_or_a_query_parameter_is_refused(world):
    problem(await world.get("/incidents/abc%00def"), 422, field="path")
    problem(
        await world.client.get("/api/v1/incidents", params={"cadre_id": "c-a\u0000"}, headers=world.as_("org_admin")),
        422,
        field="query",
    )


async def test_a_nul_in_a_token_claim_is_a_401_not_a_500(world):
    # The cadre_id and unit claims reach SQL (scope lookups): a token carrying NUL there is invalid.
    for claims in ({"cadre_id": "c-a\u0000"}, {"unit": "ci\u0000ty"}):
        response = await world.client.get("/api/v1/incidents", headers=world.as_("org_admin", **claims))
        problem(response, 401)
