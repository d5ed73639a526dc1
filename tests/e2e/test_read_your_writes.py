"""Read-your-writes through the gateway (issue 12 item 5): four real services, real NATS, SQLite/PostgreSQL.

A cadre registered through the gateway is acted on at once in appraisal, petitions and tolerance: with the write's
X-Consistency-Token never a 404 (each service waits for rank's events it consumes); without it a 503 with
Retry-After (rule directory.propagating) or a success, never a bare 404 for a cadre rank has registered.
"""

from __future__ import annotations

import importlib
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from types import SimpleNamespace
from typing import Any

import pytest

from gateway.main import create_app
from gateway.testing import gateway_test_settings, serving
from kernel.consistency import HEADER, decode_token
from kernel.testing.helpers import eventually, running, settings_for

SERVICES = {
    "rank": ("services.rank.main", "services.rank.settings", "RankSettings"),
    "appraisal": ("services.appraisal.main", "services.appraisal.settings", "AppraisalSettings"),
    "petitions": ("services.petitions.main", "services.petitions.settings", "PetitionsSettings"),
    "tolerance": ("services.tolerance.main", "services.tolerance.settings", "ToleranceSettings"),
}
CADRE = {"gender": "MALE", "birth_date": "1985-03-04", "entry_date": "2007-07-01", "org_unit_id": "city"}
ROUNDS = 20


def _idem() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


@pytest.fixture
async def suite(fresh_db, nats_url, events_ns, test_auth) -> AsyncIterator[Any]:
    """The four services under uvicorn, the gateway in front, one org unit known everywhere."""
    apps: dict[str, Any] = {}
    urls: dict[str, str] = {}
    async with AsyncExitStack() as stack:
        for service, (main, settings_module, settings_cls) in SERVICES.items():
            settings = settings_for(
                getattr(importlib.import_module(settings_module), settings_cls),
                database_url=await fresh_db(service),
                nats_url=nats_url,
                namespace=events_ns,
                auth=test_auth,
            )
            app = importlib.import_module(main).create_app(settings)
            urls[service] = await stack.enter_async_context(serving(app))
            apps[service] = app
        settings = gateway_test_settings(test_auth, part_timeout=5.0, **{f"{s}_url": u for s, u in urls.items()})
        gateway = await stack.enter_async_context(running(create_app(settings)))
        admin = test_auth.headers("org_admin", unit="city", subject="admin-city")
        response = await gateway.post(
            "/api/v1/org-units",
            headers={**admin, **_idem()},
            json={"code": "city", "name": "city", "agency_level": "CITY_LEADERSHIP"},
        )
        assert response.status_code == 201, response.text
        for app in apps.values():
            await app.state.runtime.wait_ready(timeout=30)
        headers = {
            "appraisal": test_auth.headers("org_admin", unit="city", subject="assessor-city"),
            "petitions": test_auth.headers("petitions_staff", unit="city", subject="petitions-city"),
            "tolerance": test_auth.headers("discipline_officer", unit="city", subject="officer-city"),
        }

        async def the_unit_is_known_everywhere() -> None:
            # The org unit, like a cadre, reaches the other services through rank's events.
            for service in ("appraisal", "petitions", "tolerance"):
                response = await gateway.get("/api/v1/dashboards/city", headers=admin)
                assert response.status_code == 200 and response.json()["degraded"] == [], (service, response.text)

        await eventually(the_unit_is_known_everywhere, timeout=60, interval=0.1)
        yield SimpleNamespace(gateway=gateway, apps=apps, admin=admin, headers=headers)


async def _register(suite: Any, name: str) -> tuple[str, str]:
    response = await suite.gateway.post(
        "/api/v1/cadres", headers={**suite.admin, **_idem()}, json={**CADRE, "name": name}
    )
    assert response.status_code == 201, response.text
    return response.json()["id"], response.headers.get(HEADER, "")


def _acts(cadre_id: str) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        "appraisal": ("/api/v1/assessments", {"cadre_id": cadre_id, "year": 2025}),
        "petitions": (
            "/api/v1/reports",
            {"channel": "LETTER", "content": "facts", "received_on": "2026-01-05", "accused_cadre_ids": [cadre_id]},
        ),
        "tolerance": (
            "/api/v1/incidents",
            {"cadre_ids": [cadre_id], "occurred_on": "2025-05-01", "summary": "late permit"},
        ),
    }


def _waits(suite: Any) -> dict[str, tuple[int, int, float]]:
    return {
        s: (g.waits, g.timeouts, g.waited_s_total)
        for s, app in suite.apps.items()
        for g in [app.state.runtime.consistency]
    }


async def test_with_the_token_a_just_registered_cadre_is_never_not_found(suite):
    latencies: list[float] = []
    for i in range(ROUNDS):
        cadre_id, token = await _register(suite, f"Token Cadre {i}")
        decoded = decode_token(token)
        assert decoded.producer == "rank" and decoded.events, decoded
        for service, (path, body) in _acts(cadre_id).items():
            started = time.perf_counter()
            response = await suite.gateway.post(
                path, headers={**suite.headers[service], **_idem(), HEADER: token}, json=body
            )
            latencies.append(time.perf_counter() - started)
            assert response.status_code == 201, (i, service, response.status_code, response.text)
            # A write answer names its own events (a write that emitted none carries no token), relayed as is.
            if HEADER in response.headers:
                assert decode_token(response.headers[HEADER]).producer == service
    waits = _waits(suite)
    # Each consuming service waited on every round (rank registered the cadre in it) and never ran out of time.
    for service in ("appraisal", "petitions", "tolerance"):
        count, timeouts, _ = waits[service]
        assert count >= ROUNDS and timeouts == 0, (service, waits[service])
    latencies.sort()
    print(
        f"\nwith token: {len(latencies)} writes, median {latencies[len(latencies) // 2] * 1000:.1f} ms, "
        f"max {latencies[-1] * 1000:.1f} ms; waits {waits}"
    )


async def test_without_the_token_the_answer_is_propagating_or_success_never_a_bare_404(suite):
    propagating = 0
    for i in range(ROUNDS):
        cadre_id, _ = await _register(suite, f"Plain Cadre {i}")
        for service, (path, body) in _acts(cadre_id).items():
            headers = {**suite.headers[service], **_idem()}
            response = await suite.gateway.post(path, headers=headers, json=body)
            assert response.status_code in (201, 503), (i, service, response.status_code, response.text)
            if response.status_code == 503:
                propagating += 1
                problem = response.json()
                assert problem["rule"] == "directory.propagating", problem
                assert int(response.headers["retry-after"]) >= 1
                assert cadre_id not in response.text  # never echoes the id

                async def it_goes_through(path=path, body=body, headers=headers) -> None:
                    again = await suite.gateway.post(path, headers=headers, json=body)  # same Idempotency-Key
                    assert again.status_code == 201, again.text

                await eventually(it_goes_through, timeout=10, interval=0.05)
    print(f"\nwithout token: {propagating} of {ROUNDS * 3} first attempts answered 503 directory.propagating")


async def test_once_caught_up_an_unknown_cadre_is_still_the_uniform_404(suite):
    cadre_id, token = await _register(suite, "Settled Cadre")
    path, body = _acts(cadre_id)["tolerance"]
    response = await suite.gateway.post(
        path, headers={**suite.headers["tolerance"], **_idem(), HEADER: token}, json=body
    )
    assert response.status_code == 201, response.text

    async def caught_up() -> None:
        for service in ("appraisal", "petitions", "tolerance"):
            assert not await suite.apps[service].state.runtime.consistency.directory_behind(None), service

    await eventually(caught_up, timeout=10, interval=0.05)
    for service, (path, body) in _acts("zz-unknown-0001").items():
        response = await suite.gateway.post(path, headers={**suite.headers[service], **_idem()}, json=body)
        # Unchanged answers: the uniform 404 (petitions names unknown accused cadres with a 422 of its own).
        expected = (422, "report.accused_unknown") if service == "petitions" else (404, "scope.cadre")
        assert (response.status_code, response.json()["rule"]) == expected, (service, response.text)


async def test_the_dossier_passes_the_token_to_every_part(suite):
    cadre_id, token = await _register(suite, "Dossier Cadre")
    before = _waits(suite)
    dossier = await suite.gateway.get(f"/api/v1/cadres/{cadre_id}/dossier", headers={**suite.admin, HEADER: token})
    assert dossier.status_code == 200, dossier.text
    body = dossier.json()
    assert body["degraded"] == [], body["degraded"]
    assert all(body["parts"][s] is not None for s in SERVICES)
    after = _waits(suite)
    # Each consuming service's part call carried the token and waited for rank's events (rank consumes none of
    # its own, so its register entry does not wait).
    for service in ("appraisal", "petitions", "tolerance"):
        assert after[service][0] == before[service][0] + 1 and after[service][1] == before[service][1], service
    assert after["rank"][0] == before["rank"][0]


async def test_a_malformed_token_is_refused_without_echo(suite):
    response = await suite.gateway.get(
        "/api/v1/assessments", headers={**suite.headers["appraisal"], HEADER: "not a token!"}
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["field"] == HEADER and "not a token" not in response.text


async def test_while_a_consumer_is_behind_the_answers_say_propagating(suite):
    """A consumer of rank's stream held back: without a token 503 directory.propagating, with one 503
    consistency.propagating after the bound; both with Retry-After, and the write goes through once it runs."""
    runner = next(r for r in suite.apps["appraisal"].state.runtime.runners if r.subscription.producer == "rank")
    await runner.stop()
    try:
        cadre_id, token = await _register(suite, "Held Back Cadre")
        path, body = _acts(cadre_id)["appraisal"]
        headers = {**suite.headers["appraisal"], **_idem()}
        plain = await suite.gateway.post(path, headers=headers, json=body)
        assert plain.status_code == 503 and plain.json()["rule"] == "directory.propagating", plain.text
        assert int(plain.headers["retry-after"]) >= 1 and cadre_id not in plain.text
        unknown = await suite.gateway.post(
            path, headers={**suite.headers["appraisal"], **_idem()}, json=_acts("zz-unknown-0001")["appraisal"][1]
        )
        # Unknown ids get the same answer meanwhile (existence is never revealed).
        assert {k: v for k, v in unknown.json().items() if k != "instance"} == {
            k: v for k, v in plain.json().items() if k != "instance"
        }
        waited = await suite.gateway.post(path, headers={**headers, HEADER: token}, json=body)
        assert waited.status_code == 503 and waited.json()["rule"] == "consistency.propagating", waited.text
        assert int(waited.headers["retry-after"]) >= 1
    finally:
        runner.start()
    again = await suite.gateway.post(path, headers={**headers, HEADER: token}, json=body)
    assert again.status_code == 201, again.text
