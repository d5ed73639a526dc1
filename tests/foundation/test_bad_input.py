"""Bad input on the skeleton's write path: 4xx problem+json naming the field, never a 500, nothing half-written."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select

from services.rank.adapters import orm

NEXT_YEAR = (dt.date.today() + dt.timedelta(days=400)).isoformat()
GOOD = {
    "name": "Wang Wu",
    "gender": "MALE",
    "birth_date": "1990-02-03",
    "entry_date": "2012-08-01",
    "org_unit_id": "city",
}


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def counts(client) -> tuple[int, int]:
    runtime = client.app.state.runtime
    async with runtime.db.reader.connect() as conn:
        cadres = (await conn.execute(select(func.count()).select_from(orm.cadre))).scalar_one()
        events = (
            await conn.execute(
                select(func.count())
                .select_from(orm.kernel_tables.outbox)
                .where(orm.kernel_tables.outbox.c.subject == "rank.cadre_registered.v1")
            )
        ).scalar_one()
    return cadres, events


def assert_problem(response, status: int, *fields: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    named = {e["field"] for e in body.get("errors", [])} | {body.get("field"), body.get("rule")}
    for field in fields:
        wanted = field.lower()
        assert any(wanted in (n or "").lower() for n in named) or wanted in body["detail"].lower(), (field, body)
    return body


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({**GOOD, "org_unit_id": "city", "status": "APPROVED"}, 422, "status"),
        ({**GOOD, "id": "chosen-by-client"}, 422, "id"),
        ({**GOOD, "birth_date": "03/02/1990"}, 422, "birth_date"),
        ({**GOOD, "gender": "X"}, 422, "gender"),
        ({**GOOD, "party_member": "maybe"}, 422, "party_member"),
        ({k: v for k, v in GOOD.items() if k != "name"}, 422, "name"),
        ({**GOOD, "name": ""}, 422, "name"),
        ({**GOOD, "entry_date": "2999-01-01"}, 422, "entry_date"),  # implausible: refused by the request model
        ({**GOOD, "entry_date": NEXT_YEAR}, 422, "cadre.entry_date"),  # plausible but in the future: the domain rule
        ({**GOOD, "birth_date": "1800-01-01"}, 422, "birth_date"),
        ({**GOOD, "name": "Wang\u0000Wu"}, 422, "name"),  # PostgreSQL text cannot hold NUL
        ({**GOOD, "entry_date": "1995-01-01"}, 422, "cadre.entry_age"),
        ({**GOOD, "org_unit_id": "nowhere"}, 404, "cadre.org_unit"),
    ],
)
async def test_invalid_registrations_are_refused_and_write_nothing(rank, test_auth, body, status, field):
    before = await counts(rank)
    response = await rank.post(
        "/api/v1/cadres", json=body, headers={**test_auth.headers("org_admin", unit="city"), **key()}
    )
    assert_problem(response, status, field)
    assert await counts(rank) == before


async def test_malformed_json_is_a_400_problem(rank, test_auth):
    response = await rank.post(
        "/api/v1/cadres",
        content=b'{"name": "x",',
        headers={**test_auth.headers("org_admin", unit="city"), **key(), "Content-Type": "application/json"},
    )
    assert_problem(response, 400)


async def test_an_oversized_body_is_refused_before_it_is_read(rank, test_auth):
    response = await rank.post(
        "/api/v1/cadres",
        content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
        headers={**test_auth.headers("org_admin", unit="city"), **key(), "Content-Type": "application/json"},
    )
    assert_problem(response, 413)


async def test_a_missing_idempotency_key_is_named(rank, test_auth):
    response = await rank.post("/api/v1/cadres", json=GOOD, headers=test_auth.headers("org_admin", unit="city"))
    assert_problem(response, 422, "idempotency-key")
    assert await counts(rank) == (0, 0)


async def test_a_retry_with_the_same_key_gets_the_same_answer_and_writes_once(rank, test_auth):
    headers = {**test_auth.headers("org_admin", unit="city"), "Idempotency-Key": "retry-key-0001"}
    first = await rank.post("/api/v1/cadres", json=GOOD, headers=headers)
    second = await rank.post("/api/v1/cadres", json=GOOD, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert await counts(rank) == (1, 1)


async def test_a_reused_key_with_a_different_body_is_refused(rank, test_auth):
    headers = {**test_auth.headers("org_admin", unit="city"), "Idempotency-Key": "reused-key-0001"}
    assert (await rank.post("/api/v1/cadres", json=GOOD, headers=headers)).status_code == 201
    response = await rank.post("/api/v1/cadres", json={**GOOD, "name": "Someone Else"}, headers=headers)
    assert_problem(response, 422, "Idempotency-Key")
    assert await counts(rank) == (1, 1)


async def test_a_duplicate_registration_is_a_conflict(rank, test_auth):
    admin = test_auth.headers("org_admin", unit="city")
    assert (await rank.post("/api/v1/cadres", json=GOOD, headers={**admin, **key()})).status_code == 201
    response = await rank.post("/api/v1/cadres", json=GOOD, headers={**admin, **key()})
    assert_problem(response, 409, "cadre.duplicate")
    assert await counts(rank) == (1, 1)


async def test_credentials_and_roles_are_checked(rank, test_auth):
    no_token = await rank.post("/api/v1/cadres", json=GOOD, headers=key())
    assert_problem(no_token, 401)
    in_query = await rank.get("/api/v1/cadres?access_token=" + test_auth.token("org_admin", unit="city"))
    assert_problem(in_query, 401)
    auditor = await rank.post(
        "/api/v1/cadres", json=GOOD, headers={**test_auth.headers("auditor", unit="city"), **key()}
    )
    assert_problem(auditor, 403)
    assert await counts(rank) == (0, 0)


async def test_invalid_cursor_and_page_size_are_client_errors(rank, test_auth):
    admin = test_auth.headers("org_admin", unit="city")
    assert_problem(await rank.get("/api/v1/cadres?cursor=%%%", headers=admin), 400, "cursor")
    assert_problem(await rank.get("/api/v1/cadres?limit=1000", headers=admin), 422, "limit")


async def test_an_integer_above_int64_is_a_422_not_a_500(rank, test_auth):
    admin = test_auth.headers("org_admin", unit="city")
    response = await rank.patch("/api/v1/org-units/city", json={"version": 2**63, "name": "City"}, headers=admin)
    assert_problem(response, 422, "version")
    response = await rank.patch("/api/v1/org-units/city", json={"version": 2**63 - 1, "name": "City"}, headers=admin)
    assert response.status_code == 409, response.text  # in range: judged by the service (a stale version)


async def test_a_nul_in_a_path_id_or_a_query_is_a_422_not_a_500(rank, test_auth):
    admin = test_auth.headers("org_admin", unit="city")
    assert_problem(await rank.get("/api/v1/cadres/abc%00def", headers=admin), 422, "path")
    assert_problem(await rank.get("/api/v1/org-units/city%00", headers=admin), 422, "path")
    assert_problem(await rank.get("/api/v1/cadres", params={"org_unit_id": "ci\u0000ty"}, headers=admin), 422, "query")
