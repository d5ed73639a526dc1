"""Recording past investigations (立案审查调查): bars from the real opening date, lifted on the real closing date,
with the live investigation's events; as-of answers see the investigation only during its real dates; append-only
corrections; dates, roles and scope (SQLite and PostgreSQL, real nats-server)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from services.tolerance.adapters import orm

D = dt.date
BARS = {"NO_POST_PROMOTION", "NO_RANK_PROMOTION", "NO_LEVEL_PROMOTION", "GRADE_UNDETERMINED"}


def past(**extra: Any) -> dict[str, Any]:
    return {
        "cadre_id": "c-a",
        "opened_on": "2025-01-10",
        "closed_on": "2025-07-01",
        "conclusion": "NO_SANCTION",
        "document_number": "市纪立〔2025〕3号",
        "source": "PAPER_RECORD",
        **extra,
    }


async def bars(world, day: str, cadre: str = "c-a") -> set[str]:
    r = await world.get("/restrictions", cadre_id=cadre, active_on=day, limit=100)
    assert r.status_code == 200, r.text
    return {i["effect"] for i in r.json()["items"]}


async def test_a_past_investigation_bars_only_during_its_real_dates_and_is_corrected_append_only(world):
    r = await world.post("/investigations/history", past(), create=True)
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["outcome"] == "RECORDED" and first["revision"] == 1
    inv = (await world.get(f"/investigations/{first['id']}", "discipline_officer")).json()
    assert (inv["status"], inv["opened_on"], inv["closed_on"], inv["result"]) == (
        "CLOSED",
        "2025-01-10",
        "2025-07-01",
        "NO_SANCTION",
    )
    # As of a day: the bars apply from the real opening to the day before the real closing, never since.
    for day, expected in (
        ("2025-01-09", set()),
        ("2025-01-10", BARS),
        ("2025-06-30", BARS),
        ("2025-07-01", set()),
        ("2026-06-15", set()),
    ):
        assert await bars(world, day) == expected, day
    part = (await world.get("/dossier-parts/tolerance/c-a", "discipline_officer", as_of="2025-01-09")).json()
    assert part["investigations"] == []
    part = (await world.get("/dossier-parts/tolerance/c-a", "discipline_officer", as_of="2025-03-01")).json()
    assert [i["id"] for i in part["investigations"]] == [first["id"]]
    # The live investigation's events, through the outbox, on the real dates.
    [opened] = await world.emitted("investigation_opened")
    [closed] = await world.emitted("investigation_closed")
    assert (opened["investigationId"], opened["openedOn"]) == (first["id"], "2025-01-10")
    assert (closed["closedOn"], closed["result"]) == ("2025-07-01", "NO_SANCTION")
    activated = await world.emitted("restriction_activated")
    lifted = await world.emitted("restriction_lifted")
    assert {e["effect"] for e in activated} == BARS and {e["startsOn"] for e in activated} == {"2025-01-10"}
    assert len(lifted) == 4 and {(e["status"], e["endsOn"]) for e in lifted} == {("LIFTED", "2025-06-30")}

    # The same values again (another source, spacing in the 文号): nothing changes, nothing is sent.
    sent = await world.emitted()
    r = await world.post(
        "/investigations/history", past(source="IMPORT", document_number="市纪立〔2025〕 3号"), create=True
    )
    assert r.status_code == 200 and r.json() == {**first, "outcome": "UNCHANGED"}, r.text
    assert await world.emitted() == sent
    # A correction: it closed on 1 May. The previous bars are voided, recomputed, and sent again.
    r = await world.post("/investigations/history", past(closed_on="2025-05-01"), create=True)
    assert r.status_code == 201, r.text
    assert (r.json()["id"], r.json()["revision"], r.json()["outcome"]) == (first["id"], 2, "CORRECTED")
    records = await world.records(orm.investigation_record, orm.investigation_record.c.investigation_id == first["id"])
    assert sorted((x["revision"], x["closed_on"]) for x in records) == [(1, D(2025, 7, 1)), (2, D(2025, 5, 1))]
    assert await bars(world, "2025-04-30") == BARS and await bars(world, "2025-06-01") == set()
    items = (await world.get("/restrictions", cadre_id="c-a", limit=100)).json()["items"]
    assert (
        sorted((i["status"], i.get("reason")) for i in items)
        == [("LIFTED", "INVESTIGATION_NO_SANCTION")] * 4 + [("VOID", "CORRECTED")] * 4
    )
    new = [e for e in await world.emitted() if e not in sent]
    assert sum(e.get("status") == "VOID" for e in new) == 4
    assert [e["closedOn"] for e in new if "closedOn" in e] == ["2025-05-01"]


async def test_an_investigation_still_open_bars_until_its_closing_is_recorded(world):
    body = past(
        cadre_id="c-b", opened_on="2026-03-01", closed_on=None, conclusion=None, document_number="市纪立〔2026〕9号"
    )
    r = await world.post("/investigations/history", body, create=True)
    assert r.status_code == 201, r.text
    inv_id = r.json()["id"]
    assert (await world.get(f"/investigations/{inv_id}", "discipline_officer")).json()["status"] == "OPEN"
    assert await bars(world, "2026-06-15", "c-b") == BARS and await bars(world, "2026-02-28", "c-b") == set()
    # Its closing, recorded later as a correction of the same fact: the bars end on the real closing date.
    r = await world.post(
        "/investigations/history", {**body, "closed_on": "2026-04-01", "conclusion": "UNFOUNDED"}, create=True
    )
    assert r.status_code == 201 and r.json()["outcome"] == "CORRECTED", r.text
    assert await bars(world, "2026-03-31", "c-b") == BARS and await bars(world, "2026-04-01", "c-b") == set()
    [closed] = await world.emitted("investigation_closed")
    assert (closed["investigationId"], closed["closedOn"], closed["result"]) == (inv_id, "2026-04-01", "UNFOUNDED")


async def test_the_rules_of_recording_a_past_investigation(world):
    # Dates: not in the future (today is 2026-06-15), not before the entry into service (2008-07-01), in order.
    for extra, rule, field in (
        (
            {"opened_on": "2026-07-01", "closed_on": None, "conclusion": None},
            "investigation_history.future",
            "opened_on",
        ),
        ({"closed_on": "2026-06-16"}, "investigation_history.future", "closed_on"),
        ({"opened_on": "2008-06-01"}, "investigation_history.before_entry", "opened_on"),
        ({"closed_on": "2025-01-09"}, "investigation.closed_on", "closed_on"),
        ({"conclusion": None}, "investigation_history.conclusion", "conclusion"),
    ):
        r = await world.post("/investigations/history", past(**extra), create=True)
        assert r.status_code == 422, (extra, r.text)
        assert (r.json()["rule"], r.json()["field"]) == (rule, field), r.text
    # Out of scope, the caller's relative, an unknown cadre: 404; only discipline officers (as live): 403.
    for kw in ({"unit": "health"}, {"cadre_id": "c-rel"}):
        r = await world.post("/investigations/history", past(), create=True, **kw)
        assert r.status_code == 404, (kw, r.text)
    r = await world.post("/investigations/history", past(cadre_id="c-nobody"), create=True)
    assert r.status_code == 404, r.text
    for role in ("org_admin", "assessor", "auditor"):
        r = await world.post("/investigations/history", past(), role, create=True)
        assert r.status_code == 403, (role, r.text)
    r = await world.post("/investigations/history", past())  # no Idempotency-Key
    assert r.status_code in (400, 422, 428), r.text
    r = await world.post("/investigations/history", {**past(), "status": "OPEN"}, create=True)
    assert r.status_code == 422, r.text
    assert await world.count(orm.investigation) == 0 and await world.count(orm.restriction) == 0
