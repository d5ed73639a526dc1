"""POST /contracts/history: past contracts and role terms recorded as past facts (SQLite and PostgreSQL, real NATS)."""

from __future__ import annotations

from sqlalchemy import select

from services.rank.adapters import orm
from tests.rank.integration.conftest import D
from tests.rank.integration.test_contracts import sweep

URL = "/api/v1/contracts/history"


def term(cadre: str, **over) -> dict:
    values = {
        "cadre_id": cadre,
        "kind": "ROLE_TERM",
        "starts_on": "2017-07-01",
        "ends_on": "2020-06-30",
        "outcome": "RENEW",
        "decided_on": "2020-05-20",
        "document_no": "组任〔2017〕12号",
        "source": "PAPER_RECORD",
    }
    values.update(over)
    return values


async def test_an_ended_past_term_is_recorded_ended_with_the_live_events_and_never_reviewed(api):
    cadre = await api.register("Past Term")
    response = await api.client.post(
        URL,
        json=term(cadre),
        headers={**api.auth.headers("org_admin", unit="city", subject="admin-3"), "Idempotency-Key": "k-term-1"},
    )
    assert response.status_code == 201, response.text
    answer = response.json()
    assert (answer["outcome"], answer["status"]) == ("RECORDED", "RENEWED")
    read = await api.ok("GET", f"/api/v1/contracts/{answer['contract_id']}")
    assert (read["starts_on"], read["ends_on"], read["status"], read["outcome"], read["decided_on"]) == (
        "2017-07-01",
        "2020-06-30",
        "RENEWED",
        "RENEW",
        "2020-05-20",
    )
    assert (read["source"], read["document_no"], read["recorded_by"]) == ("PAPER_RECORD", "组任〔2017〕12号", "admin-3")
    signed = await api.outbox("contract_signed")
    assert [(e["contractId"], e["startsOn"], e["endsOn"]) for e in signed] == [
        (answer["contract_id"], "2017-07-01", "2020-06-30")
    ]
    decided = await api.outbox("contract_renewal_decided")
    assert [(e["outcome"], e["decidedOn"], e["newContractId"]) for e in decided] == [("RENEW", "2020-05-20", None)]
    # the dossier as of a date sees the term from its real start, not from the day it was typed in
    parts = [
        await api.ok("GET", f"/api/v1/dossier-parts/rank/{cadre}", params={"as_of": day})
        for day in ("2017-06-30", "2017-07-01")
    ]
    assert [[c["id"] for c in part["contracts"]] for part in parts] == [[], [answer["contract_id"]]]
    # the sweep treats it as ended: no renewal review for a term that ended years ago
    assert await sweep(api) == [0]
    assert await api.outbox("contract_term_ending") == []
    terminated = await api.client.post(
        URL,
        json=term(
            cadre,
            starts_on="2020-07-01",
            ends_on="2023-06-30",
            outcome="TERMINATED",
            decided_on="2021-03-01",
            termination_ground="BREACH_OF_DUTY",
        ),
        headers=api.hk(),
    )
    assert terminated.status_code == 201, terminated.text
    assert terminated.json()["status"] == "TERMINATED"
    assert [(e["ground"], e["terminatedOn"]) for e in await api.outbox("contract_terminated")] == [
        ("BREACH_OF_DUTY", "2021-03-01")
    ]
    assert await api.audit_rows("contract", answer["contract_id"]) == [
        ("HISTORY_RECORDED", answer["contract_id"], "admin-3", "ROUTINE")
    ]


async def test_a_current_term_runs_by_its_real_dates(api):
    due, later = await api.register("Due Soon"), await api.register("Runs On")
    # today is 2026-06-15: a term ending 2026-06-30 is inside the 90 days of review, as the sweep would have found
    first = await api.ok(
        "POST",
        URL,
        status=201,
        json=term(due, starts_on="2023-07-01", ends_on="2026-06-30", outcome=None, decided_on=None),
    )
    assert first["status"] == "RENEWAL_REVIEW"
    ending = await api.outbox("contract_term_ending")
    assert [(e["contractId"], e["endsOn"], e["reviewDueOn"]) for e in ending] == [
        (first["contract_id"], "2026-06-30", "2026-06-29")
    ]
    running = await api.ok(
        "POST",
        URL,
        status=201,
        json=term(later, starts_on="2025-01-01", ends_on="2027-12-31", outcome=None, decided_on=None),
    )
    assert running["status"] == "ACTIVE"
    assert await sweep(api) == [0]
    api.at(D(2027, 10, 2))  # 90 days before 2027-12-31: the sweep opens its review, once
    assert await sweep(api) == [1]
    assert [e["contractId"] for e in await api.outbox("contract_term_ending")] == [
        first["contract_id"],
        running["contract_id"],
    ]


async def test_the_same_again_changes_nothing_and_a_correction_supersedes_keeping_both(api):
    cadre = await api.register("Corrected Term")
    first = await api.ok("POST", URL, status=201, json=term(cadre))
    again = await api.ok("POST", URL, status=201, json=term(cadre))
    assert again == first | {"outcome": "UNCHANGED"}
    assert len(await api.outbox("contract_signed")) == 1
    corrected = await api.ok("POST", URL, status=201, json=term(cadre, outcome="PROMOTE", decided_on="2020-06-01"))
    assert (corrected["outcome"], corrected["contract_id"], corrected["status"]) == (
        "CORRECTED",
        first["contract_id"],
        "ADJUSTED_UP",
    )
    assert [(e["outcome"], e["decidedOn"]) for e in await api.outbox("contract_renewal_decided")] == [
        ("RENEW", "2020-05-20"),
        ("PROMOTE", "2020-06-01"),
    ]
    assert len(await api.outbox("contract_signed")) == 2  # the corrected term is announced again, whole
    r = orm.contract_record
    records = await api.rows(
        select(r.c.id, r.c.supersedes, r.c.fact)
        .where(r.c.contract_id == first["contract_id"])
        .order_by(r.c.recorded_at)
    )
    assert [(x.id, x.supersedes, x.fact["outcome"]) for x in records] == [
        (first["id"], None, "RENEW"),
        (corrected["id"], first["id"], "PROMOTE"),
    ]
    read = await api.ok("GET", f"/api/v1/contracts/{first['contract_id']}")
    assert (read["status"], read["outcome"], read["decided_on"]) == ("ADJUSTED_UP", "PROMOTE", "2020-06-01")


async def test_future_dates_dates_before_entry_and_open_ended_past_terms_are_refused(api):
    cadre = await api.register("Refused", entry=D(2008, 7, 1))
    cases = [
        (
            term(cadre, starts_on="2026-06-16", ends_on="2029-06-15", outcome=None, decided_on=None),
            422,
            "contract_history.starts_on",
            "starts_on",
        ),
        (term(cadre, decided_on="2026-06-16"), 422, "contract_history.decided_on", "decided_on"),
        (
            term(cadre, starts_on="2008-06-30", ends_on="2011-06-29", decided_on="2011-06-01"),
            422,
            "contract.before_entry",
            "starts_on",
        ),
        (term(cadre, outcome=None, decided_on=None), 422, "contract_history.outcome", "outcome"),
        (term(cadre, outcome="TERMINATED"), 422, "contract.ground", "termination_ground"),
    ]
    for payload, status, rule, field in cases:
        response = await api.client.post(URL, json=payload, headers=api.hk())
        assert response.status_code == status, (rule, response.text)
        assert (response.json()["rule"], response.json()["field"]) == (rule, field)
    await api.ok("POST", URL, status=201, json=term(cadre))
    overlapping = await api.client.post(
        URL, json=term(cadre, starts_on="2019-01-01", ends_on="2021-12-31", decided_on="2021-11-01"), headers=api.hk()
    )
    assert overlapping.status_code == 409 and overlapping.json()["rule"] == "contract.overlap"
    assert len(await api.outbox("contract_signed")) == 1


async def test_only_an_org_admin_records_in_scope_with_a_key(api):
    cadre = await api.register("Guarded")
    for role in ("assessor", "discipline_officer", "auditor", "petitions_staff"):
        assert (await api.client.post(URL, json=term(cadre), headers=api.hk(role))).status_code == 403, role
    assert (await api.client.post(URL, json=term(cadre), headers=api.h())).status_code == 422
    outside = await api.client.post(URL, json=term(cadre), headers=api.hk(unit="health"))
    assert outside.status_code == 404
    assert await api.outbox("contract_signed") == []
