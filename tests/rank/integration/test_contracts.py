"""Contracts: signing rules, filing, the renewal-review sweep (safe with replicas), decisions by the grades."""

from __future__ import annotations

import asyncio

import pytest

from kernel.contracts import appraisal_v1, tolerance_v1
from kernel.contracts.vocabulary import Grade
from services.rank.service_layer.contracts import sweep_contracts
from tests.rank.integration.conftest import D


async def sign(api, cadre: str, **body) -> str:
    return (await api.ok("POST", "/api/v1/contracts", status=201, json={"cadre_id": cadre, **body}))["id"]


async def grades(api, cadre: str, *values: tuple[int, Grade]) -> None:
    # The runner's counts add up over the test: wait for these grades on top of those handled before.
    stats = next(r for r in api.runtime.runners if r.subscription.producer == "appraisal").stats
    before = stats.applied + stats.stale + stats.duplicates + stats.dead_lettered
    for year, value in values:
        await api.publish(
            appraisal_v1.GradeFinalized(
                assessment_id=f"aa-{year}-{cadre}",
                cadre_id=cadre,
                org_unit_id="finance",
                year=year,
                grade=value,
                finalized_on=D(year + 1, 1, 20),
            )
        )
    await api.applied(before + len(values), "appraisal")


async def file(api, contract: str, on: D) -> None:
    """Files the contract on the day it is filed (the API's today moves there and back)."""
    back = api.clock["today"]
    api.at(on)
    await api.ok("POST", f"/api/v1/contracts/{contract}/file", json={"filed_on": on.isoformat()})
    api.at(back)


async def sweep(api, *, times: int = 1) -> list[int]:
    policy = api.runtime.context.policies.contract
    return list(
        await asyncio.gather(
            *(sweep_contracts(api.runtime.uow, today=api.clock["today"], policy=policy) for _ in range(times))
        )
    )


async def test_a_role_term_is_reviewed_before_it_ends_and_renewed_one_level_up_by_its_grades(api):
    cadre = await api.register("Termed")
    await api.rank(cadre, "C07", D(2019, 1, 1), level=19)
    contract = await sign(api, cadre, kind="ROLE_TERM", starts_on="2023-07-01")
    read = await api.ok("GET", f"/api/v1/contracts/{contract}")
    assert (read["ends_on"], read["status"]) == ("2026-06-30", "SIGNED")  # 3 years by default
    assert read["cadre_name"] == "Termed"  # contracts name their cadre, in the list too
    assert [
        c["cadre_name"] for c in (await api.ok("GET", "/api/v1/contracts", params={"cadre_id": cadre}))["items"]
    ] == ["Termed"]
    await file(api, contract, D(2023, 7, 3))
    assert (await api.ok("GET", f"/api/v1/contracts/{contract}"))["status"] == "ACTIVE"
    await grades(api, cadre, (2023, Grade.EXCELLENT), (2024, Grade.EXCELLENT), (2025, Grade.COMPETENT))
    assert await sweep(api, times=2) in ([1, 0], [0, 1])  # two replicas: the review opens once
    read = await api.ok("GET", f"/api/v1/contracts/{contract}")
    assert read["status"] == "RENEWAL_REVIEW" and read["suggestion"]["outcome"] == "PROMOTE"
    ending = await api.outbox("contract_term_ending")
    assert len(ending) == 1 and ending[0]["endsOn"] == "2026-06-30"
    decided = await api.ok("POST", f"/api/v1/contracts/{contract}/renewal-decision", json={})
    assert decided["status"] == "ADJUSTED_UP" and decided["new_contract_id"]
    new = await api.ok("GET", f"/api/v1/contracts/{decided['new_contract_id']}")
    assert (new["starts_on"], new["ends_on"], new["status"], new["renewed_from"]) == (
        "2026-07-01",
        "2029-06-30",
        "SIGNED",
        contract,
    )
    assert (await api.cadre(cadre))["level"] == 18
    event = (await api.outbox("contract_renewal_decided"))[-1]
    assert (event["outcome"], event["newContractId"]) == ("PROMOTE", decided["new_contract_id"])
    assert len(await api.outbox("contract_signed")) == 2


async def test_a_renewed_role_term_runs_the_configured_term_unless_the_decision_names_its_end(api):
    """RANK_CONTRACT_ROLE_TERM_YEARS (3) is the next term's length, not the 5 years of the term renewed."""
    terms = []
    for name, decision in (("Five Years", {}), ("Named End", {"ends_on": "2030-06-30"})):
        cadre = await api.register(name)
        contract = await sign(api, cadre, kind="ROLE_TERM", starts_on="2021-07-01", ends_on="2026-06-30")
        await file(api, contract, D(2021, 7, 1))
        await sweep(api)
        decided = await api.ok("POST", f"/api/v1/contracts/{contract}/renewal-decision", json=decision)
        new = await api.ok("GET", f"/api/v1/contracts/{decided['new_contract_id']}")
        terms.append((new["starts_on"], new["ends_on"]))
    assert terms == [("2026-07-01", "2029-06-30"), ("2026-07-01", "2030-06-30")]
    event = (await api.outbox("contract_renewal_decided"))[-1]
    assert event["newEndsOn"] == "2030-06-30"


async def test_the_outcome_may_not_be_more_favourable_than_the_grades_allow(api):
    cadre = await api.register("Basic Year")
    await api.rank(cadre, "C07", D(2019, 1, 1), level=19)
    contract = await sign(api, cadre, kind="ROLE_TERM", starts_on="2023-07-01")
    await file(api, contract, D(2023, 7, 3))
    await grades(api, cadre, (2024, Grade.BASIC))
    await sweep(api)
    refused = await api.client.post(
        f"/api/v1/contracts/{contract}/renewal-decision", headers=api.h(), json={"outcome": "RENEW"}
    )
    assert refused.status_code == 422 and refused.json()["rule"] == "contract.outcome_exceeds_rule"
    assert refused.json()["allowed"] == "DEMOTE"
    done = await api.ok("POST", f"/api/v1/contracts/{contract}/renewal-decision", json={"outcome": "NOT_RENEW"})
    assert done["status"] == "NOT_RENEWED" and done["new_contract_id"] is None


async def test_a_renewal_is_on_hold_while_an_investigation_is_open(api):
    cadre = await api.register("Held")
    contract = await sign(api, cadre, kind="ROLE_TERM", starts_on="2023-07-01")
    await file(api, contract, D(2023, 7, 3))
    await sweep(api)
    await api.publish(
        tolerance_v1.InvestigationOpened(
            investigation_id="inv-3", cadre_id=cadre, case_id="case-3", opened_on=D(2026, 6, 1)
        )
    )
    await api.applied(1, "tolerance")
    held = await api.client.post(f"/api/v1/contracts/{contract}/renewal-decision", headers=api.h(), json={})
    assert held.status_code == 409 and held.json()["rule"] == "contract.renewal_on_hold"


async def test_government_employee_tiers_move_with_the_outcome(api):
    cadre = await api.register("Employee", category="GOV_EMPLOYEE")
    contract = await sign(
        api,
        cadre,
        kind="GOV_EMPLOYEE",
        tier="GENERAL",
        starts_on="2024-01-01",
        ends_on="2026-08-31",
        probation_months=3,
    )
    await file(api, contract, D(2024, 1, 2))
    assert (await api.ok("GET", f"/api/v1/contracts/{contract}"))["status"] == "PROBATION"
    await grades(api, cadre, (2024, Grade.EXCELLENT), (2025, Grade.EXCELLENT))
    assert await sweep(api) == [1]  # probation over and the review open, in one step
    assert (await api.ok("GET", f"/api/v1/contracts/{contract}"))["status"] == "RENEWAL_REVIEW"
    decided = await api.ok("POST", f"/api/v1/contracts/{contract}/renewal-decision", json={})
    assert (await api.ok("GET", f"/api/v1/contracts/{decided['new_contract_id']}"))["tier"] == "INTERMEDIATE"


async def test_a_government_employee_at_the_lowest_tier_with_a_basic_year_is_kept_as_suggested(api):
    """At GENERAL there is no tier below: the suggestion is KEEP (contract.lowest_tier_fallback, with its warning),
    the default decision and an explicit KEEP go through; DEMOTE stays refused."""
    for name, decision in (("Lowest Default", {}), ("Lowest Keep", {"outcome": "KEEP"})):
        cadre = await api.register(name, category="GOV_EMPLOYEE")
        contract = await sign(
            api, cadre, kind="GOV_EMPLOYEE", tier="GENERAL", starts_on="2024-01-01", ends_on="2026-08-31"
        )
        await file(api, contract, D(2024, 1, 2))
        await grades(api, cadre, (2024, Grade.COMPETENT), (2025, Grade.BASIC))
        await sweep(api)
        suggestion = (await api.ok("GET", f"/api/v1/contracts/{contract}"))["suggestion"]
        assert (suggestion["outcome"], suggestion["rule"]) == ("KEEP", "contract.lowest_tier_fallback")
        assert "lowest tier" in suggestion["warning"]
        demote = await api.client.post(
            f"/api/v1/contracts/{contract}/renewal-decision", headers=api.h(), json={"outcome": "DEMOTE"}
        )
        assert demote.status_code == 422 and demote.json()["rule"] == "contract.tier"
        decided = await api.ok("POST", f"/api/v1/contracts/{contract}/renewal-decision", json=decision)
        assert decided["status"] == "KEPT"
        assert (await api.ok("GET", f"/api/v1/contracts/{decided['new_contract_id']}"))["tier"] == "GENERAL"


async def test_probation_ends_by_the_sweep(api):
    cadre = await api.register("Probationer", category="APPOINTED")
    contract = await sign(
        api, cadre, kind="APPOINTED_CS", starts_on="2026-03-01", ends_on="2029-02-28", probation_months=3
    )
    await file(api, contract, D(2026, 3, 2))
    api.at(D(2026, 5, 1))
    assert await sweep(api) == [0]
    assert (await api.ok("GET", f"/api/v1/contracts/{contract}"))["status"] == "PROBATION"
    api.at(D(2026, 6, 1))
    assert await sweep(api) == [1]
    assert (await api.ok("GET", f"/api/v1/contracts/{contract}"))["status"] == "ACTIVE"


@pytest.mark.parametrize(
    ("body", "status", "rule"),
    [
        ({"kind": "APPOINTED_CS", "starts_on": "2026-01-01", "ends_on": "2032-12-31"}, 422, "contract.term"),
        ({"kind": "APPOINTED_CS", "starts_on": "2026-01-01", "ends_on": "2026-06-30"}, 422, "contract.term"),
        (
            {"kind": "APPOINTED_CS", "starts_on": "2026-01-01", "ends_on": "2027-12-31", "probation_months": 7},
            422,
            "contract.probation",
        ),
        ({"kind": "APPOINTED_CS", "starts_on": "2026-01-01"}, 422, "contract.term"),
        ({"kind": "GOV_EMPLOYEE", "starts_on": "2026-01-01", "ends_on": "2027-12-31"}, 422, "contract.category"),
        ({"kind": "APPOINTED_CS", "starts_on": "2026-01-01", "ends_on": "2025-12-31"}, 422, "contract.term"),
        (
            {"kind": "APPOINTED_CS", "starts_on": "2026-01-01", "ends_on": "2027-12-31", "status": "ACTIVE"},
            422,
            "status",
        ),
        ({"kind": "LIFETIME", "starts_on": "2026-01-01", "ends_on": "2027-12-31"}, 422, "kind"),
    ],
)
async def test_contracts_against_the_rules_of_their_kind_are_refused(api, body, status, rule):
    cadre = await api.register("Appointee", category="APPOINTED")
    response = await api.client.post("/api/v1/contracts", headers=api.hk(), json={"cadre_id": cadre, **body})
    assert response.status_code == status, response.text
    problem = response.json()
    assert problem.get("rule") == rule or any(e["field"] == rule for e in problem.get("errors", [])), problem
    assert (await api.ok("GET", "/api/v1/contracts", params={"cadre_id": cadre}))["items"] == []


async def test_one_open_contract_per_kind_and_transitions_are_state_checked(api):
    cadre = await api.register("Twice", category="APPOINTED")
    body = {"kind": "APPOINTED_CS", "starts_on": "2026-01-01", "ends_on": "2027-12-31"}
    contract = await sign(api, cadre, **body)
    overlap = await api.client.post("/api/v1/contracts", headers=api.hk(), json={"cadre_id": cadre, **body})
    assert overlap.status_code == 409 and overlap.json()["rule"] == "contract.overlap"
    early = await api.client.post(f"/api/v1/contracts/{contract}/renewal-decision", headers=api.h(), json={})
    assert early.status_code == 409 and early.json()["rule"] == "contract.transition"
    unfit = await api.client.post(
        f"/api/v1/contracts/{contract}/terminate", headers=api.h(), json={"ground": "UNFIT_IN_PROBATION"}
    )
    assert unfit.status_code == 409 and unfit.json()["rule"] == "contract.ground"
