"""Deadlines: the overdue list, reminders, the breach sweep (once per deadline, also with two replicas and as the
periodic job), pause/resume where the rules allow and extensions within the limit."""

from __future__ import annotations

import asyncio
import datetime as dt
from contextlib import AsyncExitStack

from sqlalchemy import select

from kernel.deps import china_today
from kernel.testing.helpers import eventually, running
from services.petitions.adapters import orm
from services.petitions.main import create_app
from services.petitions.service_layer import deadlines
from tests.petitions.support import TODAY, reporter, rows, seed_directory

LONG_AGO = TODAY - dt.timedelta(days=40)


async def test_the_overdue_list_is_scoped_and_ordered_by_due_date(api):
    old = await api.intake(reporter=reporter(1), received_on=LONG_AGO)
    older = await api.intake(reporter=reporter(2), received_on=LONG_AGO - dt.timedelta(days=5))
    fresh = await api.intake(reporter=reporter(3))
    county = await api.intake(
        reporter=reporter(4), received_on=LONG_AGO + dt.timedelta(days=1), unit="county-a", accused=["c-cty-a"]
    )
    page = await api.ok("GET", "/deadlines", role="auditor")
    assert [d["report_id"] for d in page["items"]] == [older, old, county]
    assert {d["kind"] for d in page["items"]} == {"ACCEPT_NOTICE"}
    assert [d["report_id"] for d in (await api.ok("GET", "/deadlines", role="auditor", unit="county-a"))["items"]] == [
        county
    ]
    assert (await api.ok("GET", "/deadlines?org_unit_id=county-b", role="auditor", unit="county-a"))["items"] == []
    first = await api.ok("GET", "/deadlines?limit=2", role="discipline_officer")
    second = await api.ok("GET", f"/deadlines?limit=2&cursor={first['next_cursor']}", role="discipline_officer")
    assert [d["report_id"] for d in first["items"] + second["items"]] == [older, old, county]
    assert second["next_cursor"] is None
    open_ = await api.ok("GET", "/deadlines?state=OPEN", role="petitions_staff")
    assert fresh in {d["report_id"] for d in open_["items"]}
    bad = await api.get("/deadlines?state=LATE", role="auditor")
    assert bad.status_code == 422
    tampered = await api.get("/deadlines?cursor=not-a-cursor", role="auditor")
    assert tampered.status_code == 400 and tampered.json()["field"] == "cursor"


async def test_the_sweep_breaches_each_overdue_deadline_once_even_when_run_twice_at_once(api):
    ids = [await api.intake(reporter=reporter(i), received_on=LONG_AGO) for i in range(5)]
    await api.intake(reporter=reporter(9))
    runtime = api.app.state.runtime
    results = await asyncio.gather(*(deadlines.sweep(runtime.uow, today=TODAY, batch=2) for _ in range(2)))
    assert sum(r["breached"] for r in results) == 5
    assert (await deadlines.sweep(runtime.uow, today=TODAY, batch=2))["breached"] == 0

    async def told():
        breaches = await api.published("deadline_breached")
        assert sorted(b["reportId"] for b in breaches) == sorted(ids)
        assert {b["deadlineKind"] for b in breaches} == {"ACCEPT_NOTICE"}
        assert all(b["breachedOn"] == TODAY.isoformat() and b["handlingOrgUnitId"] == "city" for b in breaches)

    await eventually(told)
    # A breached deadline stays on the overdue list until its step is done.
    await api.register(ids[0])
    await api.ok("POST", f"/reports/{ids[0]}/acceptance-notice", role="petitions_staff", json={"on": TODAY.isoformat()})
    assert ids[0] not in {d["report_id"] for d in (await api.ok("GET", "/deadlines", role="auditor"))["items"]}


async def test_reminders_go_out_once_before_the_due_date(api):
    soon = await api.intake(reporter=reporter(1), received_on=TODAY - dt.timedelta(days=18))
    await api.intake(reporter=reporter(2))
    [deadline] = (await api.ok("GET", "/deadlines?state=DUE_SOON", role="petitions_staff"))["items"]
    assert deadline["report_id"] == soon and deadline["remind_on"] <= TODAY.isoformat() <= deadline["due_on"]
    runtime = api.app.state.runtime
    assert (await deadlines.sweep(runtime.uow, today=TODAY, batch=10)) == {"breached": 0, "reminded": 1}
    assert (await deadlines.sweep(runtime.uow, today=TODAY, batch=10)) == {"breached": 0, "reminded": 0}

    async def reminded():
        events = await api.published("deadline_approaching")
        assert len(events) == 1, events  # retried by eventually() until the relay has published it
        [event] = events
        assert (event["reportId"], event["deadlineKind"], event["dueOn"]) == (soon, "ACCEPT_NOTICE", deadline["due_on"])

    await eventually(reminded)


async def test_two_replicas_running_the_periodic_sweep_breach_each_deadline_once(petitions_settings, test_auth):
    settings = await petitions_settings(periodic_jobs=True, deadline_sweep_interval_s=0.2)
    today = china_today()
    async with AsyncExitStack() as stack:
        clients = []
        for _ in range(2):
            app = create_app(settings)
            clients.append((app, await stack.enter_async_context(running(app))))
        first, client = clients[0]
        assert [j.name for j in first.state.runtime.jobs] == [
            "petitions-deadline-sweep",
            "petitions-reporter-retention",
        ]
        await seed_directory(first)
        headers = {**test_auth.headers("petitions_staff", unit="city")}
        for i in range(6):
            response = await client.post(
                "/api/v1/reports",
                headers={**headers, "Idempotency-Key": f"sweep-{i:04d}"},
                json={
                    "channel": "LETTER",
                    "content": "facts",
                    "reporter": reporter(i),
                    "received_on": (today - dt.timedelta(days=60)).isoformat(),
                },
            )
            assert response.status_code == 201, response.text

        async def breached():
            rows_ = await rows(first, select(orm.deadline.c.breached_on))
            assert len(rows_) == 6 and all(r[0] == today for r in rows_)
            outbox = orm.kernel_tables.outbox
            assert (
                len(await rows(first, select(outbox.c.seq).where(outbox.c.subject == "petitions.deadline_breached.v1")))
                == 6
            )

        await eventually(breached, timeout=20)
        await asyncio.sleep(0.6)  # more rounds of both replicas: still one event per deadline
        outbox = orm.kernel_tables.outbox
        assert (
            len(await rows(first, select(outbox.c.seq).where(outbox.c.subject == "petitions.deadline_breached.v1")))
            == 6
        )


async def _xinfang_appeal(api) -> str:
    report_id = await api.intake(petition_type="GENERAL", reporter=reporter(5))
    await api.register(report_id)
    await api.to_disposal(report_id)
    await api.close(report_id, "UNFOUNDED")
    review = await api.ok(
        "POST",
        "/appeals",
        201,
        role="petitions_staff",
        create=True,
        json={"target_type": "XINFANG", "target_ref": f"report/{report_id}", "stage": "REVIEW", "grounds": "unfair"},
    )
    await api.ok("POST", f"/appeals/{review['id']}/accept")
    await api.ok("POST", f"/appeals/{review['id']}/decide", json={"result": "UPHELD", "reasons": "r"})
    second = await api.ok(
        "POST",
        "/appeals",
        201,
        role="petitions_staff",
        create=True,
        json={
            "target_type": "XINFANG",
            "target_ref": f"report/{report_id}",
            "stage": "APPEAL",
            "grounds": "still unfair",
            "previous_appeal_id": review["id"],
        },
    )
    await api.ok("POST", f"/appeals/{second['id']}/accept")
    return second["id"]


async def test_a_hearing_in_a_second_review_pauses_its_decision_period(api):
    appeal_id = await _xinfang_appeal(api)
    [deadline] = [
        d
        for d in (await api.ok("GET", "/deadlines?state=OPEN", role="petitions_staff"))["items"]
        if d["object_id"] == appeal_id
    ]
    assert deadline["kind"] == "APPEAL_DECISION" and deadline["pausable"] is True
    paused = await api.ok("POST", f"/deadlines/{deadline['id']}/pause", json={"reason": "hearing held"})
    assert paused["status"] == "PAUSED"
    again = await api.post(f"/deadlines/{deadline['id']}/pause", json={"reason": "x"})
    assert again.status_code == 409
    resumed = await api.ok("POST", f"/deadlines/{deadline['id']}/resume")
    assert resumed["status"] == "OPEN" and resumed["due_on"] == deadline["due_on"]  # paused for no time today


async def test_only_pausable_deadlines_pause_and_extensions_stay_within_the_limit(api):
    report_id = await api.intake(petition_type="GENERAL", reporter=reporter(6))
    await api.register(report_id)
    await api.ok("POST", f"/reports/{report_id}/accept")
    report = await api.ok("GET", f"/reports/{report_id}", role="petitions_staff")
    close = next(d for d in report["deadlines"] if d["kind"] == "GENERAL_CLOSE")
    notice = next(d for d in report["deadlines"] if d["kind"] == "GENERAL_NOTICE")
    refused = await api.post(f"/deadlines/{notice['id']}/pause", json={"reason": "x"})
    assert refused.status_code == 422 and refused.json()["rule"] == "deadline.not_pausable"
    extended = await api.ok(
        "POST",
        f"/deadlines/{close['id']}/extend",
        role="petitions_staff",
        json={"days": 20, "reason": "approved by the director"},
    )
    assert extended["due_on"] == (dt.date.fromisoformat(close["due_on"]) + dt.timedelta(days=20)).isoformat()
    too_long = await api.post(f"/deadlines/{close['id']}/extend", json={"days": 11, "reason": "more"})
    assert too_long.status_code == 422 and too_long.json()["rule"] == "deadline.extension_limit"
    outside = await api.post(f"/deadlines/{close['id']}/extend", unit="county-b", json={"days": 1, "reason": "x"})
    assert outside.status_code == 404
    refused = await api.post(f"/deadlines/{notice['id']}/extend", json={"days": 1, "reason": "x"})
    assert refused.json()["rule"] == "deadline.not_extendable"


async def test_the_rule_tables_are_served_with_their_sources(api):
    rules = await api.ok("GET", "/deadlines/rules", role="auditor")
    by_key = {r["key"]: r for r in rules["deadlines"]}
    assert by_key["ACCEPT_NOTICE"]["period"] == "15WD" and "规则" in by_key["ACCEPT_NOTICE"]["source"]
    appeals = {r["key"]: r for r in rules["appeals"]}
    assert appeals["GOV_SANCTION/APPEAL"]["period"] == "2M" and appeals["GOV_SANCTION/APPEAL"]["confidence"] == "V"
    # Three stages for each civil-service type (3 × 3), two for government sanctions, supervision conduct, party
    # discipline and general petitions, one for accountability and contracts.
    assert len(appeals) == 19
