"""Recording past sanctions (issue 12 item 1): a past fact is answered exactly as the live decision on its date.

Twin cadres: one gets the sanction through POST /sanctions/history, the other through the live workflow with the
service's `today` moved to the real dates; restrictions, dossier parts and events must then be the same but for
ids (both databases, real nats-server).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel import deps
from services.tolerance.adapters import orm
from services.tolerance.service_layer.restrictions import sweep
from tests.tolerance.integration.conftest import TODAY

D = dt.date
IGNORED = {
    "id",
    "cadre_id",
    "source_id",
    "version",
    "restriction_id",
    "sanction_id",
    "incident_id",
    "cadreId",
    "sourceId",
    "restrictionId",
    "sanctionId",
    "incidentId",
}


def set_today(world, day: dt.date) -> None:
    world.app.dependency_overrides[deps.today] = lambda: day


def past(cadre: str, **extra: Any) -> dict[str, Any]:
    return {
        "cadre_id": cadre,
        "system": "GOV",
        "type": "DEMERIT",
        "decided_on": "2024-03-11",
        "effective_from": "2024-03-11",
        "document_number": "市监委〔2024〕7号",
        "source": "IMPORT",
        "publication_scope": "UNIT",
        **extra,
    }


async def live(
    world,
    cadre: str,
    *,
    system: str,
    type_: str,
    incident_on: D,
    proposed_on: D,
    notified_on: D,
    decided_on: D,
    effective_on: D | None = None,
    role: str = "discipline_officer",
) -> str:
    """Runs the live workflow with `today` following the real dates, then restores today."""
    set_today(world, proposed_on)
    incident = await world.incident([cadre], occurred_on=incident_on, role=role)
    r = await world.post(
        "/sanctions",
        {
            "cadre_id": cadre,
            "incident_id": incident,
            "system": system,
            "type": type_,
            "proposed_on": proposed_on.isoformat(),
        },
        role,
        create=True,
    )
    assert r.status_code == 201, r.text
    sanction_id = r.json()["id"]
    set_today(world, notified_on)
    await world.notified(sanction_id, on=notified_on.isoformat(), role=role)
    set_today(world, max(decided_on, effective_on or decided_on))
    body = {"effective_on": effective_on.isoformat()} if effective_on else {}
    r = await world.decided(sanction_id, on=decided_on.isoformat(), role=role, **body)
    assert r.status_code == 200, r.text
    set_today(world, TODAY)
    return sanction_id


def normalized(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = [{k: v for k, v in i.items() if k not in IGNORED} for i in items]
    return sorted(rows, key=lambda r: sorted((k, str(v)) for k, v in r.items()))


async def restrictions(world, cadre: str, **params: Any) -> list[dict[str, Any]]:
    r = await world.get("/restrictions", cadre_id=cadre, limit=100, **params)
    assert r.status_code == 200, r.text
    return normalized(r.json()["items"])


async def part(world, cadre: str, as_of: D) -> dict[str, Any]:
    r = await world.get(f"/dossier-parts/tolerance/{cadre}", as_of=as_of.isoformat())
    assert r.status_code == 200, r.text
    body = r.json()
    return {"effective_bar": body["effective_bar"], "restrictions": normalized(body["restrictions"])}


async def events_of(world, sanction_ids: set[str]) -> list[tuple[str, dict[str, Any]]]:
    """The tolerance events about the given sanctions and their restrictions, normalized, in a stable order."""
    await world.drain()
    out = []
    for key, data in await world.stream():
        if data.get("sanctionId") in sanction_ids or data.get("sourceId") in sanction_ids:
            out.append((key, {k: v for k, v in data.items() if k not in IGNORED}))
    return sorted(out, key=lambda e: (e[0], sorted((k, str(v)) for k, v in e[1].items())))


async def test_a_past_sanction_is_answered_exactly_as_the_live_decision_on_its_real_date(world):
    # A: 记过 decided 2024-03-11 (12 months: over by today), recorded as a past fact.
    r = await world.post("/sanctions/history", past("c-a"), create=True)
    assert r.status_code == 201, r.text
    assert r.json()["outcome"] == "RECORDED"
    a_old = r.json()["id"]
    # B: the same 记过 through the live workflow, today following the real dates; the sweep runs today.
    b_old = await live(
        world,
        "c-b",
        system="GOV",
        type_="DEMERIT",
        incident_on=D(2024, 2, 1),
        proposed_on=D(2024, 3, 1),
        notified_on=D(2024, 3, 1),
        decided_on=D(2024, 3, 11),
    )
    # And an organizational handling still running today, effective a week after its decision (org_admin).
    r = await world.post(
        "/sanctions/history",
        past(
            "c-a",
            system="ORG_HANDLING",
            type="POST_ADJUSTMENT",
            decided_on="2025-12-01",
            effective_from="2025-12-08",
            document_number="组干〔2025〕31号",
            source="PAPER_RECORD",
        ),
        "org_admin",
        create=True,
    )
    assert r.status_code == 201, r.text
    a_new = r.json()["id"]
    b_new = await live(
        world,
        "c-b",
        system="ORG_HANDLING",
        type_="POST_ADJUSTMENT",
        incident_on=D(2025, 11, 1),
        proposed_on=D(2025, 11, 20),
        notified_on=D(2025, 11, 21),
        decided_on=D(2025, 12, 1),
        effective_on=D(2025, 12, 8),
        role="org_admin",
    )
    await sweep(world.runtime.uow, today=TODAY, batch=1000)

    # Restrictions as of dates before, during and after each influence period; and the whole list.
    days = [
        D(2024, 3, 10),
        D(2024, 3, 11),
        D(2024, 12, 31),
        D(2025, 1, 1),
        D(2025, 3, 10),
        D(2025, 3, 11),
        D(2025, 12, 7),
        D(2025, 12, 8),
        TODAY,
        D(2026, 12, 7),
        D(2026, 12, 8),
    ]
    for day in days:
        a = await restrictions(world, "c-a", active_on=day.isoformat())
        b = await restrictions(world, "c-b", active_on=day.isoformat())
        assert a == b, day
        assert await part(world, "c-a", day) == await part(world, "c-b", day), day
    assert await restrictions(world, "c-a", active_on="2024-06-01")  # the proof is not vacuous
    assert not await restrictions(world, "c-a", active_on="2024-03-10")
    everything_a = await restrictions(world, "c-a")
    assert everything_a == await restrictions(world, "c-b")
    assert {r["status"] for r in everything_a} == {"EXPIRED", "ACTIVE"}
    # The sanctions read the same (but for their origin and the live workflow's own steps).
    for a_id, b_id in ((a_old, b_old), (a_new, b_new)):
        sa = (await world.get(f"/sanctions/{a_id}")).json()
        sb = (await world.get(f"/sanctions/{b_id}")).json()
        for k in ("system", "type", "status", "decided_on", "effective_on", "period_months", "ends_on"):
            assert sa[k] == sb[k], k
        assert sa["origin"] == "HISTORY"
    # The same events, with the same payloads but for ids: what rank and appraisal consume.
    a_events = await events_of(world, {a_old, a_new})
    assert a_events == await events_of(world, {b_old, b_new})
    kinds = [k for k, _ in a_events]
    assert kinds.count("tolerance.sanction_effective.v1") == 2 and kinds.count("tolerance.sanction_expired.v1") == 1
    assert (
        kinds.count("tolerance.restriction_activated.v1") == kinds.count("tolerance.restriction_expired.v1") + 3
    )  # 调整职务 bars run on


async def test_recording_again_is_idempotent_and_a_correction_recomputes(world):
    r = await world.post("/sanctions/history", past("c-a"), create=True)
    assert r.status_code == 201, r.text
    first = r.json()
    # The same values again (another key, another source, spacing in the 文号): nothing changes.
    r = await world.post(
        "/sanctions/history", past("c-a", source="DOSSIER", document_number="市监委〔2024〕 7号"), create=True
    )
    assert r.status_code == 200, r.text
    assert r.json() == {**first, "outcome": "UNCHANGED"}
    before = await world.emitted()
    # A correction: the decision in fact covered three violations, with a 36-month period (政务处分法 §15).
    r = await world.post("/sanctions/history", past("c-a", combined_count=3, period_months=36), create=True)
    assert r.status_code == 201, r.text
    corrected = r.json()
    assert corrected["id"] == first["id"] and corrected["revision"] == 2 and corrected["outcome"] == "CORRECTED"
    assert await world.count(orm.sanction_record, orm.sanction_record.c.sanction_id == first["id"]) == 2
    items = (await world.get("/restrictions", cadre_id="c-a", limit=100)).json()["items"]
    void = [i for i in items if i["status"] == "VOID"]
    assert len(void) == 5 and all(i["reason"] == "CORRECTED" for i in void)
    running = [i for i in items if i["status"] == "ACTIVE"]
    assert {i["effect"] for i in running} == {
        "NO_POST_PROMOTION",
        "NO_RANK_PROMOTION",
        "NO_LEVEL_PROMOTION",
        "NO_SALARY_STEP",
    }
    assert {i["ends_on"] for i in running} == {"2027-03-10"}
    # The voided versions apply on no day, the corrected ones from the real date.
    assert {
        i["status"] for i in (await world.get("/restrictions", cadre_id="c-a", active_on="2024-06-01")).json()["items"]
    } == {"ACTIVE", "EXPIRED"}
    sanction = (await world.get(f"/sanctions/{first['id']}")).json()
    assert sanction["period_months"] == 36 and sanction["ends_on"] == "2027-03-10"
    assert sanction["status"] == "EFFECTIVE"
    after = await world.emitted()
    new = [e for e in after if e not in before]
    assert sum(e.get("status") == "VOID" for e in new) == 5
    assert sum("status" in e and e["status"] == "ACTIVE" for e in new) == 4 + 1  # + the 2024 grade year, expired
    assert any(e.get("sanctionId") == first["id"] and e.get("periodMonths") == 36 for e in new)
    # The same corrected values again: nothing more.
    r = await world.post("/sanctions/history", past("c-a", combined_count=3, period_months=36), create=True)
    assert r.status_code == 200 and r.json()["revision"] == 2, r.text
    assert await world.emitted() == after
    # The future, the 1900 floor, the entry into service (2008-07-01) and the effective date's rules.
    for body, field in (
        (past("c-a", decided_on="2027-01-04", effective_from="2027-01-04"), "decided_on"),
        (past("c-a", decided_on="1899-12-30", effective_from="1899-12-30"), "decided_on"),
        (past("c-a", decided_on="2008-06-30", effective_from="2008-06-30"), "decided_on"),
        (past("c-a", effective_from="2024-03-12"), "effective_from"),
        (past("c-a", system="ORG_HANDLING", type="POST_ADJUSTMENT", effective_from="2024-03-01"), "effective_from"),
    ):
        r = await world.post("/sanctions/history", body, create=True)
        assert r.status_code == 422, (field, r.text)
        problem = r.json()
        assert field in ([problem["field"]] if "field" in problem else [e["field"] for e in problem["errors"]]), r.text
        assert body[field] not in r.text


async def test_who_may_record_a_past_fact(world):
    # Party and government sanctions: discipline officers only; organizational handling: org_admin too.
    r = await world.post("/sanctions/history", past("c-a"), "org_admin", create=True)
    assert r.status_code == 403 and r.json()["rule"] == "sanction.role", r.text
    r = await world.post("/sanctions/history", past("c-a"), "assessor", create=True)
    assert r.status_code == 403, r.text
    r = await world.post("/sanctions/history", past("c-a"))  # no Idempotency-Key
    assert r.status_code in (400, 422, 428), r.text
    r = await world.post("/sanctions/history", past("c-h"), unit="finance", create=True)  # outside scope
    assert r.status_code == 404, r.text
    r = await world.post("/sanctions/history", past("c-a", system="ADMONISHMENT", type="ADMONISHMENT"), create=True)
    assert r.status_code == 422, r.text
    r = await world.post("/sanctions/history", {**past("c-a"), "status": "EXPIRED"}, create=True)
    assert r.status_code == 422, r.text


async def test_rank_receives_the_same_restriction_state_for_a_past_and_a_live_sanction(
    fresh_db, nats_url, events_ns, test_auth
):
    """Real rank service, real nats-server: twins sanctioned by the history route and by the live workflow."""
    import uuid
    from contextlib import AsyncExitStack

    from sqlalchemy import select

    from kernel.testing.helpers import eventually, running, settings_for
    from services.rank.adapters import orm as rank_orm
    from services.rank.main import create_app as rank_app
    from services.rank.settings import RankSettings
    from services.tolerance.main import create_app as tolerance_app
    from services.tolerance.settings import ToleranceSettings

    async with AsyncExitStack() as stack:
        rank = rank_app(
            settings_for(
                RankSettings,
                database_url=await fresh_db("rank"),
                nats_url=nats_url,
                namespace=events_ns,
                auth=test_auth,
            )
        )
        tol = tolerance_app(
            settings_for(
                ToleranceSettings,
                database_url=await fresh_db("tolerance"),
                nats_url=nats_url,
                namespace=events_ns,
                auth=test_auth,
                expiry_sweep_enabled=False,
                tolerance_window_days=0,
            )
        )
        today = {"day": TODAY}
        tol.dependency_overrides[deps.today] = lambda: today["day"]
        rank_client = await stack.enter_async_context(running(rank))
        tol_client = await stack.enter_async_context(running(tol))
        await rank.state.runtime.wait_ready()
        await tol.state.runtime.wait_ready()
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
        twins = []
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
            twins.append(r.json()["id"])
            r = await rank_client.post(
                f"/api/v1/cadres/{twins[-1]}/rank-holdings",
                headers={**admin, **key()},
                json={"rank_code": "C10", "since": "2016-07-01", "basis": "INITIAL"},
            )
            assert r.status_code == 201, r.text
        a, b = twins

        async def recorded():
            r = await tol_client.post(
                "/api/v1/sanctions/history",
                headers={**officer, **key()},
                json=past(a, decided_on="2025-09-01", effective_from="2025-09-01"),
            )
            assert r.status_code == 201, r.text  # 404 until rank's cadre reaches tolerance's directory
            return r.json()["id"]

        await eventually(recorded, timeout=15)

        async def at(day, method, path, body=None, headers=officer):
            today["day"] = day
            r = await tol_client.request(method, f"/api/v1{path}", headers={**headers, **key()}, json=body)
            assert r.status_code in (200, 201), r.text
            return r.json()

        incident = (
            await at(
                D(2025, 8, 1), "POST", "/incidents", {"cadre_ids": [b], "occurred_on": "2025-07-15", "summary": "s"}
            )
        )["id"]
        b_id = (
            await at(
                D(2025, 8, 20),
                "POST",
                "/sanctions",
                {
                    "cadre_id": b,
                    "incident_id": incident,
                    "system": "GOV",
                    "type": "DEMERIT",
                    "proposed_on": "2025-08-20",
                },
            )
        )["id"]
        await at(D(2025, 8, 21), "POST", f"/sanctions/{b_id}/facts-notice", {"notified_on": "2025-08-21"})
        await at(
            D(2025, 9, 1),
            "POST",
            f"/sanctions/{b_id}/decision",
            {"decided_on": "2025-09-01", "publication_scope": "UNIT"},
        )
        today["day"] = TODAY
        # The live twin's sweep runs today: the 2025 grade year is over (the history side recorded it as over).
        await sweep(tol.state.runtime.uow, today=TODAY, batch=1000)

        async def state(cadre_id):
            t = rank_orm.tolerance_restriction
            async with rank.state.runtime.db.reader.connect() as conn:
                rows = (
                    await conn.execute(
                        select(t.c.effect, t.c.source_type, t.c.starts_on, t.c.ends_on, t.c.status, t.c.reason).where(
                            t.c.cadre_id == cadre_id
                        )
                    )
                ).all()
            return sorted(tuple(row) for row in rows)

        async def same():
            sa, sb = await state(a), await state(b)
            assert len(sa) == 5 and sa == sb, (sa, sb)

        await eventually(same, timeout=20)
        assert {row[4] for row in await state(a)} == {"ACTIVE", "EXPIRED"}

        async def eligibility(cadre_id, day):
            r = await rank_client.get(
                f"/api/v1/eligibility/{cadre_id}", headers=admin, params={"as_of": day.isoformat()}
            )
            assert r.status_code == 200, r.text
            body = r.json()["eligibility"]
            return body["blocked"], sorted(
                str(x.get("code") or x.get("rule")) for x in body["reasons"] if x["blocking"] and not x["met"]
            )

        for day in (D(2025, 8, 31), D(2025, 9, 1), TODAY, D(2026, 8, 31), D(2026, 9, 1)):
            assert await eligibility(a, day) == await eligibility(b, day), day
        blocked, reasons = await eligibility(a, TODAY)
        assert blocked, reasons
        assert any("RESTRICTION" in r.upper() for r in reasons), reasons
