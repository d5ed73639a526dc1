"""`youwei seed --demo` against the four real services and the gateway (real NATS): a small demo city comes in
through the importer and the API — units, cadres with 5–15 graded years, a sanction with its restrictions, the
inaction checklist, a promotion batch in publicity — and a second run adds nothing.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections import Counter
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest

from gateway.main import create_app as create_gateway
from gateway.testing import gateway_test_settings, serving
from kernel.testing.helpers import settings_for

pytestmark = pytest.mark.slow

YOUWEI = str(Path(sys.executable).with_name("youwei"))
SERVICES = {
    s: (f"services.{s}.main", f"services.{s}.settings", f"{s.capitalize()}Settings")
    for s in ("rank", "appraisal", "petitions", "tolerance")
}


async def _seed(url: str, token: str, verifier: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        YOUWEI,
        "seed",
        "--demo",
        "--cadres",
        "60",
        "--gateway",
        url,
        "--token",
        token,
        "--verifier-token",
        verifier,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=240)
    return process.returncode, out.decode()


async def _all(client: httpx.AsyncClient, url: str, **params: object) -> list[dict]:
    items, cursor = [], None
    while True:
        response = await client.get(url, params={**params, "limit": 100, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page.get("next_cursor")
        if not cursor:
            return items


async def _census(client: httpx.AsyncClient) -> dict[str, int]:
    return {
        url: len(await _all(client, f"/api/v1/{url}"))
        for url in (
            "org-units",
            "cadres",
            "assessments",
            "sanctions",
            "restrictions",
            "inaction-items",
            "performance-records",
            "talks",
            "awards",
            "reports",
            "incidents",
            "tolerance-cases",
            "contracts",
            "promotion-batches",
        )
    }


async def test_the_demo_city_comes_in_through_the_gateway_and_a_second_run_adds_nothing(
    fresh_db, nats_url, events_ns, test_auth
):
    async with AsyncExitStack() as stack:
        urls = {}
        for service, (main, settings_module, settings_cls) in SERVICES.items():
            settings = settings_for(
                getattr(importlib.import_module(settings_module), settings_cls),
                database_url=await fresh_db(service),
                nats_url=nats_url,
                namespace=events_ns,
                auth=test_auth,
            )
            urls[service] = await stack.enter_async_context(serving(importlib.import_module(main).create_app(settings)))
        gateway = await stack.enter_async_context(
            serving(
                create_gateway(
                    gateway_test_settings(
                        test_auth,
                        part_timeout=5.0,
                        rate_limit_per_minute=100_000,  # the gateway's limit is not tested here
                        **{f"{s}_url": u for s, u in urls.items()},
                    )
                )
            )
        )
        token = test_auth.token("org_admin", "discipline_officer", "petitions_staff", unit="city", subject="demo-seed")
        verifier = test_auth.token("assessor", unit="city", subject="demo-verifier")
        client = await stack.enter_async_context(
            httpx.AsyncClient(
                base_url=gateway, headers={"Authorization": f"Bearer {token}", "X-Purpose": "DEMO_CHECK"}, timeout=30
            )
        )

        code, out = await _seed(gateway, token, verifier)
        assert code == 0, out

        units = await _all(client, "/api/v1/org-units")
        assert len(units) == 21 and {u["agency_level"] for u in units} == {
            "CITY_LEADERSHIP",
            "MUNICIPAL_AGENCY",
            "DIVISION",
            "COUNTY_LEADERSHIP",
            "COUNTY_AGENCY",
            "TOWNSHIP",
        }
        cadres = await _all(client, "/api/v1/cadres")
        assert len(cadres) == 60
        grades = await _all(client, "/api/v1/assessments")
        per_cadre = Counter(g["cadre_id"] for g in grades)
        assert set(per_cadre) == {c["id"] for c in cadres}
        assert all(5 <= n <= 15 for n in per_cadre.values()), per_cadre
        excellent = [g for g in grades if g["final_grade"] == "EXCELLENT"]
        assert excellent and all(
            g["publicity_from"] and g["publicity_to"] and g["decided_on"] > g["publicity_to"] for g in excellent
        )
        assert len(excellent) <= 0.2 * len(grades)
        sanctions = await _all(client, "/api/v1/sanctions")
        assert len(sanctions) >= 3
        restrictions = await _all(client, "/api/v1/restrictions")
        assert {r["cadre_id"] for r in restrictions} & {s["cadre_id"] for s in sanctions}
        assert any(r["status"] == "ACTIVE" for r in restrictions)  # the recent 记过 still applies
        assert len(await _all(client, "/api/v1/inaction-items")) == 12
        batches = await _all(client, "/api/v1/promotion-batches")
        assert [b["status"] for b in batches] == ["PUBLICITY"], out
        assert any(
            c["status"] == "PUBLICISED"
            for c in await _all(client, f"/api/v1/promotion-batches/{batches[0]['id']}/candidates")
        )
        records = await _all(client, "/api/v1/performance-records")
        assert records and all(r["status"] == "VERIFIED" for r in records)  # by a second person (four-eyes)
        before = await _census(client)
        assert all(before[k] for k in ("performance-records", "talks", "reports", "incidents", "tolerance-cases")), (
            before
        )

        first = out
        code, out = await _seed(gateway, token, verifier)
        # The first run's report too: once a second run created a sanction (a flake seen in CI, cause not found).
        assert code == 0, f"{out}\n--- first run ---\n{first}"
        assert "created" not in out.split("api:")[0].replace("unchanged", ""), f"{out}\n--- first run ---\n{first}"
        assert await _census(client) == before, f"{out}\n--- first run ---\n{first}"
