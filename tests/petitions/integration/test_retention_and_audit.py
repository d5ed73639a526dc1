"""Retention (docs/reliability.md S11): reporter identity and receipt codes are purged N days after closure; audit
(S9): every read of a report, every reveal and every change appends a row to the hash chain (ids only)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from kernel import audit
from services.petitions.adapters import orm
from services.petitions.service_layer import deadlines
from tests.petitions.support import TODAY, reporter


async def test_reporter_identity_is_purged_n_days_after_closure_and_not_before(petitions_api):
    async with petitions_api(reporter_retention_days=30) as api:
        closed = await api.closed_report("UNFOUNDED", reporter=reporter(1))
        still_open = await api.intake(reporter=reporter(2))
        anonymous = (await api.post("/public/reports", role=None, json={"org_unit_id": "city", "content": "x"})).json()
        [anon_id] = [r[0] for r in await api.rows(select(orm.receipt.c.report_id))]
        await api.register(anon_id)
        await api.to_disposal(anon_id)
        await api.close(anon_id, "UNFOUNDED")
        runtime = api.app.state.runtime

        assert await deadlines.purge_reporters(runtime.uow, today=TODAY + dt.timedelta(days=30), batch=10) == 0
        assert await deadlines.purge_reporters(runtime.uow, today=TODAY + dt.timedelta(days=31), batch=1) == 2
        vault = {r.report_id: r for r in await api.rows(select(orm.reporter_vault))}
        assert vault[closed].sealed is None and vault[closed].fingerprint is None and vault[closed].purged_at
        assert vault[still_open].sealed is not None
        assert await api.rows(select(orm.receipt.c.report_id)) == []
        status = await api.post("/public/receipts/status", role=None, json=anonymous)
        assert status.status_code == 404
        gone = await api.post(f"/reports/{closed}/reveal", role="petitions_staff", json={"purpose": "CHECK"})
        assert gone.status_code == 409 and gone.json()["rule"] == "reporter.purged"
        assert (
            await api.ok("POST", f"/reports/{still_open}/reveal", role="petitions_staff", json={"purpose": "CHECK"})
        )["reporter"]["name"] == reporter(2)["name"]
        # The report itself, its outcome and the audit trail stay.
        assert (await api.ok("GET", f"/reports/{closed}", role="org_admin"))["outcome"] == "UNFOUNDED"
        purges = await api.scalar(
            select(func.count()).select_from(orm.audit_log).where(orm.audit_log.c.action == "PURGE_REPORTER")
        )
        assert purges == 2


async def test_reads_reveals_and_changes_are_audited_and_the_chain_verifies(api):
    report_id = await api.intake(reporter=reporter(3))
    await api.ok("GET", f"/reports/{report_id}", role="discipline_officer", headers={"X-Purpose": "CASE_REVIEW"})
    await api.ok("GET", "/reports", role="petitions_staff")
    await api.ok(
        "POST",
        f"/reports/{report_id}/reveal",
        role="petitions_staff",
        subject="clerk-7",
        json={"purpose": "VERIFY_REAL_NAME"},
    )
    denied = await api.get(f"/reports/{report_id}", role="discipline_officer", unit="county-b")
    assert denied.status_code == 404
    log = orm.audit_log
    entries = await api.rows(
        select(log.c.actor, log.c.action, log.c.object_type, log.c.object_id, log.c.purpose).order_by(log.c.id)
    )
    assert entries == [
        ("petitions_staff@city", "INTAKE", "report", report_id, "ROUTINE"),
        ("discipline_officer@city", "READ", "report", report_id, "CASE_REVIEW"),
        ("petitions_staff@city", "READ_LIST", "report", report_id, "ROUTINE"),
        ("clerk-7", "REVEAL", "reporter", report_id, "VERIFY_REAL_NAME"),
    ]
    async with api.app.state.runtime.db.reader.connect() as conn:
        assert await audit.verify_chain(conn, log) is None
    bad = await api.get(f"/reports/{report_id}", role="discipline_officer", headers={"X-Purpose": "not a code"})
    assert bad.status_code == 422
    reveal = await api.post(f"/reports/{report_id}/reveal", role="petitions_staff", json={})
    assert reveal.status_code == 422 and reveal.json()["errors"][0]["field"] == "purpose"
    anonymous = await api.intake()
    refused = await api.post(f"/reports/{anonymous}/reveal", role="petitions_staff", json={"purpose": "CHECK"})
    assert refused.status_code == 409 and refused.json()["rule"] == "reporter.anonymous"
