"""Sanctions through the API: facts notice, defence, decision, restrictions and events through the outbox."""

from __future__ import annotations

import datetime as dt

from services.tolerance.adapters import orm


async def test_a_decided_sanction_activates_its_restrictions_and_announces_them(world):
    sanction_id, _ = await world.proposal("c-a", "DEMERIT")
    await world.notified(sanction_id)
    r = await world.post(
        f"/sanctions/{sanction_id}/defence",
        {"defence_on": "2026-05-27", "statement": "the delay came from the supplier"},
        "cadre",
        unit=None,
        cadre_id="c-a",
    )
    assert r.status_code == 200, r.text
    r = await world.decided(sanction_id)
    assert r.status_code == 200, r.text

    sanction = (await world.get(f"/sanctions/{sanction_id}")).json()
    assert sanction["status"] == "EFFECTIVE" and sanction["effective_on"] == "2026-06-10"
    assert sanction["ends_on"] == "2027-06-09" and sanction["period_months"] == 12
    assert sanction["defence_statement"] == "the delay came from the supplier"
    restrictions = (await world.get("/restrictions", cadre_id="c-a")).json()["items"]
    assert {(r["effect"], r["ends_on"]) for r in restrictions} == {
        ("NO_POST_PROMOTION", "2027-06-09"),
        ("NO_RANK_PROMOTION", "2027-06-09"),
        ("NO_LEVEL_PROMOTION", "2027-06-09"),
        ("NO_SALARY_STEP", "2027-06-09"),
        ("GRADE_UNDETERMINED", "2026-12-31"),
    }

    effective = await world.emitted("sanction_effective")
    assert len(effective) == 1
    assert effective[0]["sanctionId"] == sanction_id and effective[0]["type"] == "DEMERIT"
    assert effective[0]["endsOn"] == "2027-06-09" and "NO_SALARY_STEP" in effective[0]["effects"]
    activated = await world.emitted("restriction_activated")
    assert sorted(a["effect"] for a in activated) == sorted(r["effect"] for r in restrictions)
    assert all(a["status"] == "ACTIVE" and a["sourceId"] == sanction_id for a in activated)


async def test_an_assessor_sees_the_sanction_but_not_the_defence_statement(world):
    sanction_id, _ = await world.proposal("c-a", "WARNING")
    await world.notified(sanction_id)
    await world.post(
        f"/sanctions/{sanction_id}/defence",
        {"defence_on": "2026-05-26", "statement": "private words"},
        "cadre",
        unit=None,
        cadre_id="c-a",
    )
    seen = (await world.get(f"/sanctions/{sanction_id}", "assessor", unit="finance")).json()
    assert seen["defence_on"] == "2026-05-26" and seen["defence_statement"] is None


async def test_organization_department_decides_handling_but_not_government_sanctions(world):
    handling = await world.effective("c-b", "REMOVAL_FROM_POST", "ORG_HANDLING", role="org_admin")
    assert (await world.get(f"/sanctions/{handling}")).json()["status"] == "EFFECTIVE"
    incident = await world.incident(["c-b"])
    r = await world.post(
        "/sanctions",
        {"cadre_id": "c-b", "incident_id": incident, "system": "GOV", "type": "WARNING", "proposed_on": "2026-06-01"},
        "org_admin",
        create=True,
    )
    assert r.status_code == 403 and r.json()["rule"] == "sanction.role"
    restrictions = (await world.get("/restrictions", cadre_id="c-b")).json()["items"]
    above = [r for r in restrictions if r["effect"] == "NO_POST_ABOVE_ORIGINAL"]
    assert len(above) == 1 and above[0]["ends_on"] == "2028-06-09" and above[0]["source_type"] == "ORG_HANDLING"


async def test_party_probation_extension_records_the_reason_and_extends_every_bar(world):
    sanction_id = await world.effective("c-b", "PARTY_PROBATION", "PARTY", period_months=12)
    r = await world.post(
        f"/sanctions/{sanction_id}/probation-extension", {"reason": "no sign of repentance during the probation"}
    )
    assert r.status_code == 200, r.text
    sanction = (await world.get(f"/sanctions/{sanction_id}")).json()
    assert sanction["status"] == "EXTENDED" and sanction["ends_on"] == "2028-06-09"
    extended = await world.emitted("restriction_extended")
    assert {e["effect"]: e["endsOn"] for e in extended} == {
        "NO_POST_PROMOTION": "2028-06-09",
        "NO_RANK_PROMOTION": "2028-06-09",
        "NO_LEVEL_PROMOTION": "2028-06-09",
        "NO_POST_EQUAL_OR_ABOVE": "2030-06-09",
    }
    assert all(
        e["reason"] == "no sign of repentance during the probation" and not e["discretionaryExtension"]
        for e in extended
    )
    assert await world.count(orm.restriction_extension) == 4
    r = await world.post(f"/sanctions/{sanction_id}/probation-extension", {"reason": "a second extension is illegal"})
    assert r.status_code == 409


async def test_a_discretionary_extension_keeps_the_bar_with_the_reason(world):
    sanction_id = await world.effective("c-a", "WARNING")
    restriction = next(
        r
        for r in (await world.get("/restrictions", cadre_id="c-a")).json()["items"]
        if r["effect"] == "NO_RANK_PROMOTION"
    )
    r = await world.post(
        f"/restrictions/{restriction['id']}/extension",
        {"new_ends_on": "2027-06-10", "reason": "期满影响使用: unit reports ongoing complaints"},
        "org_admin",
    )
    assert r.status_code == 200, r.text
    after = (await world.get(f"/restrictions/{restriction['id']}")).json()
    assert after["ends_on"] == "2027-06-10" and after["discretionary_extension"]
    [event] = await world.emitted("restriction_extended")
    assert event["restrictionId"] == restriction["id"] and event["discretionaryExtension"]
    assert event["reason"].startswith("期满影响使用")
    [row] = await world.records(orm.restriction_extension)
    assert row["previous_ends_on"] == dt.date(2026, 12, 10) and row["discretionary"]
    assert sanction_id


async def test_a_withdrawn_proposal_never_restricts(world):
    sanction_id, _ = await world.proposal("c-a", "WARNING")
    r = await world.post(f"/sanctions/{sanction_id}/withdrawal", {"withdrawn_on": "2026-06-01", "reason": "facts"})
    assert r.status_code == 200
    assert (await world.get(f"/sanctions/{sanction_id}")).json()["status"] == "WITHDRAWN"
    assert await world.count(orm.restriction) == 0
    r = await world.decided(sanction_id)
    assert r.status_code == 409 and r.json()["rule"] == "sanction.transition"


async def test_the_catalogue_lists_every_type_with_its_source(world):
    body = (await world.get("/sanction-catalogue", "cadre", unit=None, cadre_id="c-a")).json()
    assert len(body["items"]) == 20 and body["max_combined_months"] == 48
    warning = next(i for i in body["items"] if i["type"] == "WARNING")
    assert warning["period_months"] == 6 and warning["confidence"] == "V" and "§8" in warning["source"]
