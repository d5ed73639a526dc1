"""False accusation vs mistaken report, and clarification, end to end (docs/rules.md §2.6, §2.7)."""

from __future__ import annotations

from kernel.testing.helpers import eventually
from tests.petitions.support import TODAY, only, reporter

DAY = TODAY.isoformat()


async def _pending(api, **open_body) -> tuple[str, str]:
    report_id = await api.closed_report(
        "UNFOUNDED", reporter=reporter(1), adverse_effect=True, accusation_spread="SYSTEM"
    )
    case_id = (
        await api.ok(
            "POST",
            "/false-accusations",
            201,
            create=True,
            json={"origin_report_id": report_id, "grounds": "forged minutes", **open_body},
        )
    )["id"]
    await api.ok("POST", f"/false-accusations/{case_id}/investigate", json={})
    await api.ok(
        "POST",
        f"/false-accusations/{case_id}/submit",
        subject="investigator",
        json={"findings": "the minutes were forged", "proposed": "CONFIRMED_FALSE_ACCUSATION"},
    )
    return report_id, case_id


async def test_a_confirmed_false_accusation_is_published_and_the_victim_clarified(api):
    report_id, case_id = await _pending(api, accuser_is_cadre=True, accuser_cadre_id="c-cty-b")
    own = await api.post(
        f"/false-accusations/{case_id}/decide",
        subject="investigator",
        json={"classification": "CONFIRMED_FALSE_ACCUSATION"},
    )
    assert own.status_code == 422 and own.json()["rule"] == "false_accusation.four_eyes"
    low = await api.post(
        f"/false-accusations/{case_id}/decide",
        unit="county-a",
        subject="county-head",
        json={"classification": "CONFIRMED_FALSE_ACCUSATION"},
    )
    assert low.status_code == 404  # the origin report is handled above the county
    await api.ok(
        "POST",
        f"/false-accusations/{case_id}/decide",
        subject="city-head",
        json={"classification": "CONFIRMED_FALSE_ACCUSATION"},
    )

    async def told():
        event = await only(api, "false_accusation_confirmed")
        assert event == {
            "caseId": case_id,
            "originReportId": report_id,
            "victimCadreIds": ["c-fin-1"],
            "accuserIsCadre": True,
            "accuserCadreId": "c-cty-b",
            "confirmedOn": DAY,
        }

    await eventually(told)
    clarifications = (await api.ok("GET", "/clarifications", role="org_admin"))["items"]
    # The unfounded closure already proposed one; confirmation adds no second one for the same report.
    assert [(c["cadre_id"], c["reason"], c["spread"]) for c in clarifications] == [
        ("c-fin-1", "UNFOUNDED_ADVERSE", "SYSTEM")
    ]
    await api.ok("POST", f"/false-accusations/{case_id}/refer", json={"referral": "GOV_SANCTION", "note": "n"})
    closed = await api.ok("POST", f"/false-accusations/{case_id}/close")
    assert closed["status"] == "CLOSED"
    auditor_view = await api.ok("GET", f"/false-accusations/{case_id}", role="auditor")
    assert auditor_view["accuser_cadre_id"] == "c-cty-b"


async def test_the_approval_level_is_configurable(petitions_api):
    async with petitions_api(false_accusation_approval_tier="CITY") as api:
        report_id = await _county_report(api)
        case_id = (
            await api.ok(
                "POST",
                "/false-accusations",
                201,
                create=True,
                unit="county-a",
                json={"origin_report_id": report_id, "grounds": "g"},
            )
        )["id"]
        await api.ok("POST", f"/false-accusations/{case_id}/investigate", unit="county-a", json={})
        await api.ok(
            "POST",
            f"/false-accusations/{case_id}/submit",
            unit="county-a",
            subject="a",
            json={"findings": "f", "proposed": "CONFIRMED_FALSE_ACCUSATION"},
        )
        low = await api.post(
            f"/false-accusations/{case_id}/decide",
            unit="county-a",
            subject="b",
            json={"classification": "CONFIRMED_FALSE_ACCUSATION"},
        )
        assert low.status_code == 422 and low.json()["rule"] == "false_accusation.approval_level"
        assert low.json()["required_tier"] == "CITY"
        assert (
            await api.ok(
                "POST",
                f"/false-accusations/{case_id}/decide",
                unit="city",
                subject="c",
                json={"classification": "CONFIRMED_FALSE_ACCUSATION"},
            )
        )["status"] == "CONFIRMED_FALSE_ACCUSATION"
    async with petitions_api(false_accusation_approval_tier="COUNTY") as api:
        report_id = await _county_report(api)
        case_id = (
            await api.ok(
                "POST",
                "/false-accusations",
                201,
                create=True,
                unit="county-a",
                json={"origin_report_id": report_id, "grounds": "g"},
            )
        )["id"]
        await api.ok("POST", f"/false-accusations/{case_id}/investigate", unit="county-a", json={})
        await api.ok(
            "POST",
            f"/false-accusations/{case_id}/submit",
            unit="county-a",
            subject="a",
            json={"findings": "f", "proposed": "CONFIRMED_FALSE_ACCUSATION"},
        )
        assert (
            await api.ok(
                "POST",
                f"/false-accusations/{case_id}/decide",
                unit="county-a",
                subject="b",
                json={"classification": "CONFIRMED_FALSE_ACCUSATION"},
            )
        )["status"] == "CONFIRMED_FALSE_ACCUSATION"


async def _county_report(api) -> str:
    report_id = await api.intake(unit="county-a", accused=["c-cty-a"])
    await api.register(report_id, accused=["c-cty-a"], unit="county-a")
    await api.to_disposal(report_id, unit="county-a")
    await api.close(report_id, "UNFOUNDED", unit="county-a")
    return report_id


async def test_a_mistaken_report_is_not_a_false_accusation_and_the_suspected_accuser_stays_hidden(api):
    report_id, case_id = await _pending(api, accuser_is_cadre=True, accuser_cadre_id="c-cty-b")
    before = await api.ok("GET", f"/false-accusations/{case_id}", role="auditor")
    assert before["accuser_cadre_id"] is None and before["status"] == "PENDING_APPROVAL"
    await api.ok(
        "POST", f"/false-accusations/{case_id}/decide", subject="city-head", json={"classification": "MISTAKEN_REPORT"}
    )
    assert (await api.ok("GET", f"/false-accusations/{case_id}", role="auditor"))["accuser_cadre_id"] is None
    refer = await api.post(f"/false-accusations/{case_id}/refer", json={"referral": "EDUCATION", "note": "n"})
    assert refer.status_code == 409


async def test_fabrication_suspected_at_closure_opens_a_case_automatically(api):
    report_id = await api.closed_report("UNFOUNDED", fabrication_suspected=True)
    [case] = (await api.ok("GET", "/false-accusations"))["items"]
    assert (case["origin_report_id"], case["status"], case["victim_cadre_ids"]) == (report_id, "OPENED", ["c-fin-1"])
    substantiated = await api.closed_report("SUBSTANTIATED")
    refused = await api.post(
        "/false-accusations", create=True, json={"origin_report_id": substantiated, "grounds": "g"}
    )
    assert refused.status_code == 422 and refused.json()["rule"] == "false_accusation.origin_unfounded"


async def test_clarification_needs_consent_a_wide_enough_scope_and_then_is_published(api):
    report_id = await api.closed_report(
        "UNFOUNDED", accused=["c-cty-a"], adverse_effect=True, accusation_spread="SYSTEM"
    )
    [proposal] = (await api.ok("GET", "/clarifications", role="discipline_officer"))["items"]
    cid = proposal["id"]
    me = {"role": "cadre", "unit": None, "cadre_id": "c-cty-a"}
    early = await api.post(f"/clarifications/{cid}/consent", **me, json={"consent": True})
    assert early.status_code == 409
    await api.ok("POST", f"/clarifications/{cid}/request-consent", role="org_admin")
    someone_else = await api.post(
        f"/clarifications/{cid}/consent", role="cadre", unit=None, cadre_id="c-fin-1", json={"consent": True}
    )
    assert someone_else.status_code == 404
    await api.ok("POST", f"/clarifications/{cid}/consent", **me, json={"consent": True})
    narrow = await api.post(
        f"/clarifications/{cid}/approve", role="org_admin", json={"method": "LETTER", "scope": "UNIT"}
    )
    assert narrow.status_code == 422 and narrow.json()["rule"] == "clarification.scope"
    await api.ok(
        "POST", f"/clarifications/{cid}/approve", role="org_admin", json={"method": "NOTICE", "scope": "SYSTEM"}
    )
    await api.ok(
        "POST",
        f"/clarifications/{cid}/execute",
        role="org_admin",
        json={"executed_on": DAY, "record_ref": "notice-2026-31"},
    )

    async def told():
        event = await only(api, "clarification_executed")
        assert event == {
            "clarificationId": cid,
            "cadreId": "c-cty-a",
            "reportIds": [report_id],
            "method": "NOTICE",
            "scope": "SYSTEM",
            "executedOn": DAY,
        }

    await eventually(told)
    part = await api.ok("GET", "/dossier-parts/petitions/c-cty-a", role="org_admin")
    assert part["clarifications"] == [{"id": cid, "method": "NOTICE", "scope": "SYSTEM", "executed_on": DAY}]
    await api.ok("POST", f"/clarifications/{cid}/close", role="discipline_officer")


async def test_a_declined_clarification_and_a_manual_proposal(api):
    report_id = await api.closed_report("UNFOUNDED", accused=["c-cty-a"])
    substantiated = await api.closed_report("SUBSTANTIATED", accused=["c-cty-a"])
    wrong = await api.post(
        "/clarifications",
        role="org_admin",
        create=True,
        json={"cadre_id": "c-cty-a", "report_ids": [substantiated], "spread": "UNIT"},
    )
    assert wrong.status_code == 422 and wrong.json()["rule"] == "clarification.report_unfounded"
    cid = (
        await api.ok(
            "POST",
            "/clarifications",
            201,
            role="org_admin",
            create=True,
            json={"cadre_id": "c-cty-a", "report_ids": [report_id], "spread": "PUBLIC"},
        )
    )["id"]
    again = await api.post(
        "/clarifications",
        role="org_admin",
        create=True,
        json={"cadre_id": "c-cty-a", "report_ids": [report_id], "spread": "UNIT"},
    )
    assert again.status_code == 422 and again.json()["rule"] == "clarification.duplicate"
    await api.ok("POST", f"/clarifications/{cid}/request-consent", role="org_admin")
    declined = await api.ok(
        "POST", f"/clarifications/{cid}/consent", role="cadre", unit=None, cadre_id="c-cty-a", json={"consent": False}
    )
    assert declined["status"] == "DECLINED"


async def test_reporters_with_a_history_of_unfounded_reports_are_flagged_for_petitions_staff_only(api):
    same_person = {"name": "Repeat Reporter", "phone": "139 0000 1111", "id_number": "110101199003070011"}
    other_contact = {**same_person, "phone": "13800002222"}  # the ID number links the reports, not the phone
    ids = [await api.closed_report("UNFOUNDED", reporter=r) for r in (same_person, other_contact)]
    assert (await api.ok("GET", "/reports/reporter-flags", role="petitions_staff"))["items"] == []
    ids.append(await api.closed_report("UNFOUNDED", reporter=same_person))
    await api.closed_report("UNFOUNDED", reporter=reporter(5))
    [flag] = (await api.ok("GET", "/reports/reporter-flags", role="petitions_staff"))["items"]
    assert flag["unfounded_count"] == 3 and sorted(flag["report_ids"]) == sorted(ids)
    assert "Repeat" not in str(flag) and "1111" not in str(flag)
    for role in ("discipline_officer", "org_admin", "auditor"):
        assert (await api.get("/reports/reporter-flags", role=role)).status_code == 403
