"""End to end with the real rank service: tolerance's restrictions are what bars a promotion there (invariant 6)."""

from __future__ import annotations

import datetime as dt
import uuid
from contextlib import AsyncExitStack

from kernel.contracts import petitions_v1
from kernel.contracts.vocabulary import AppealResult, AppealStage, AppealTarget
from kernel.testing.harness import ServiceHarness, serve
from kernel.testing.helpers import eventually, settings_for
from services.rank.main import create_app as rank_app
from services.rank.settings import RankSettings
from services.tolerance.main import create_app as tolerance_app
from services.tolerance.settings import ToleranceSettings
from tests.tolerance.integration.conftest import TODAY


async def test_a_sanctioned_or_investigated_cadre_is_blocked_in_rank_until_the_bar_is_lifted(
    fresh_db, nats_url, events_ns, test_auth
):
    async with AsyncExitStack() as stack:
        rank_settings = settings_for(
            RankSettings, database_url=await fresh_db("rank"), nats_url=nats_url, namespace=events_ns, auth=test_auth
        )
        tol_settings = settings_for(
            ToleranceSettings,
            database_url=await fresh_db("tolerance"),
            nats_url=nats_url,
            namespace=events_ns,
            auth=test_auth,
            expiry_sweep_enabled=False,
            tolerance_window_days=0,
        )
        rank_client = (await stack.enter_async_context(serve(rank_app, rank_settings))).client
        served = await stack.enter_async_context(serve(tolerance_app, tol_settings, today=TODAY))
        tol_client = served.client
        bus = ServiceHarness.of(served, test_auth)  # publishes petitions' events as its relay would

        admin = test_auth.headers("org_admin", unit="city")
        officer = test_auth.headers("discipline_officer", unit="city")

        def key():
            return {"Idempotency-Key": uuid.uuid4().hex}

        r = await rank_client.post(
            "/api/v1/org-units",
            headers={**admin, **key()},
            json={"code": "city", "name": "City", "agency_level": "CITY_LEADERSHIP"},
        )
        assert r.status_code == 201, r.text
        cadres = []
        for name in ("Wang Wu", "Zhao Liu"):
            r = await rank_client.post(
                "/api/v1/cadres",
                headers={**admin, **key()},
                json={
                    "name": name,
                    "gender": "MALE",
                    "birth_date": "1984-02-03",
                    "entry_date": "2006-07-01",
                    "org_unit_id": "city",
                },
            )
            assert r.status_code == 201, r.text
            cadres.append(r.json()["id"])
            r = await rank_client.post(
                f"/api/v1/cadres/{cadres[-1]}/rank-holdings",
                headers={**admin, **key()},
                json={"rank_code": "C10", "since": "2016-07-01", "basis": "INITIAL"},
            )
            assert r.status_code == 201, r.text
        sanctioned, investigated = cadres

        async def in_tolerance_directory():
            r = await tol_client.post(
                "/api/v1/incidents",
                headers={**officer, **key()},
                json={"cadre_ids": [sanctioned], "occurred_on": "2026-05-01", "summary": "s"},
            )
            assert r.status_code == 201, r.text
            return r.json()["id"]

        incident = await eventually(in_tolerance_directory, timeout=15)
        r = await tol_client.post(
            "/api/v1/sanctions",
            headers={**officer, **key()},
            json={
                "cadre_id": sanctioned,
                "incident_id": incident,
                "system": "GOV",
                "type": "WARNING",
                "proposed_on": "2026-05-20",
            },
        )
        sanction_id = r.json()["id"]
        await tol_client.post(
            f"/api/v1/sanctions/{sanction_id}/facts-notice", headers=officer, json={"notified_on": "2026-05-25"}
        )
        r = await tol_client.post(
            f"/api/v1/sanctions/{sanction_id}/decision",
            headers=officer,
            json={"decided_on": "2026-06-10", "publication_scope": "UNIT"},
        )
        assert r.status_code == 200, r.text
        await bus.publish(
            petitions_v1.CaseOpened(
                case_id="case-9", report_id="r-9", cadre_id=investigated, opened_on=dt.date(2026, 6, 1)
            )
        )

        async def eligibility(cadre_id):
            r = await rank_client.get(
                f"/api/v1/eligibility/{cadre_id}", headers=admin, params={"as_of": TODAY.isoformat()}
            )
            assert r.status_code == 200, r.text
            return r.json()["eligibility"]

        async def blocked(cadre_id, word):
            body = await eligibility(cadre_id)
            assert body["blocked"], body
            assert any(r["blocking"] and not r["met"] and word in str(r).upper() for r in body["reasons"]), body[
                "reasons"
            ]

        await eventually(lambda: blocked(sanctioned, "RESTRICTION"), timeout=20)
        await eventually(lambda: blocked(investigated, "INVESTIGATION"), timeout=20)

        # The appeal revokes the sanction: tolerance lifts the restrictions and rank lifts the bar.
        await bus.publish(
            petitions_v1.AppealDecided(
                appeal_id="ap-1",
                appellant_cadre_id=sanctioned,
                target_type=AppealTarget.GOV_SANCTION,
                target_ref=f"sanction/{sanction_id}",
                stage=AppealStage.REVIEW,
                result=AppealResult.REVOKED,
                decided_on=dt.date(2026, 6, 12),
            )
        )

        async def unblocked():
            body = await eligibility(sanctioned)
            assert not any(
                r["blocking"] and not r["met"] and "RESTRICTION" in str(r).upper() for r in body["reasons"]
            ), body["reasons"]

        await eventually(unblocked, timeout=20)
