"""The register through the API: holdings as effective-dated history, snapshots and changes as events, bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from services.rank.adapters import orm
from tests.rank.integration.conftest import D


async def counts(api) -> tuple[int, int, int]:
    out = orm.kernel_tables.outbox
    rows = await api.rows(
        select(
            select(func.count()).select_from(orm.rank_holding).scalar_subquery(),
            select(func.count()).select_from(orm.level_holding).scalar_subquery(),
            select(func.count()).select_from(out).scalar_subquery(),
        )
    )
    return tuple(rows[0])


def problem(response, status: int, rule: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body.get("rule") == rule or any(rule in (e.get("field") or "") for e in body.get("errors", [])), body
    return body


async def test_rank_history_answers_what_was_held_on_a_date_and_each_change_is_announced(api):
    cadre = await api.register("Zhang San")
    await api.rank(cadre, "C10", D(2018, 3, 1), level=22)
    await api.rank(cadre, "C09", D(2021, 5, 1), basis="PROMOTION")
    history = await api.ok("GET", f"/api/v1/cadres/{cadre}/history", params={"as_of": "2020-06-30"})
    assert history["rank_code"] == "C10" and history["level"] == 22
    assert [h["rank_code"] for h in history["rank_holdings"]] == ["C10"]
    now = await api.ok("GET", f"/api/v1/cadres/{cadre}/history")
    # Promotion into 三级主任科员 keeps the level (§4.3); into 二级主任科员 it rises one step.
    assert now["rank_code"] == "C09" and now["level"] == 22
    assert now["rank_holdings"][0]["until"] == "2021-05-01"
    await api.rank(cadre, "C08", D(2024, 5, 1), basis="PROMOTION")
    entry = await api.cadre(cadre)
    assert (entry["rank_code"], entry["level"], entry["version"]) == ("C08", 21, 4)
    changes = await api.outbox("rank_changed")
    assert [(c["fromRank"], c["toRank"], c["basis"]) for c in changes] == [
        (None, "C10", "INITIAL"),
        ("C10", "C09", "PROMOTION"),
        ("C09", "C08", "PROMOTION"),
    ]
    levels = await api.outbox("level_changed")
    assert [(lv["fromLevel"], lv["toLevel"]) for lv in levels] == [(None, 22), (22, 21)]
    snapshots = await api.outbox("cadre_updated")
    assert snapshots[-1]["rankCode"] == "C08" and snapshots[-1]["level"] == 21


async def test_posts_and_levels_are_effective_dated_too(api):
    cadre = await api.register("Li Si")
    await api.rank(cadre, "C08", D(2019, 1, 1), level=20)
    body = {"post_code": "TOWNSHIP_CHIEF", "since": "2020-01-01", "basis": "INITIAL", "hardship": True}
    await api.ok("POST", f"/api/v1/cadres/{cadre}/post-holdings", status=201, json=body)
    await api.ok(
        "POST",
        f"/api/v1/cadres/{cadre}/level-holdings",
        status=201,
        json={"level": 19, "step": 3, "since": "2024-01-01", "basis": "PROMOTION"},
    )
    await api.ok(
        "POST",
        f"/api/v1/cadres/{cadre}/post-holdings",
        status=201,
        json={"post_code": None, "since": "2025-01-01", "basis": "TRANSFER"},
    )
    on = await api.ok("GET", f"/api/v1/cadres/{cadre}/history", params={"as_of": "2023-12-31"})
    assert (on["post_code"], on["level"]) == ("TOWNSHIP_CHIEF", 20)
    entry = await api.cadre(cadre)
    assert entry["post_code"] is None and entry["leadership"] is False and entry["level"] == 19
    posts = await api.outbox("post_changed")
    assert [(p["fromPost"], p["toPost"], p["postLevel"]) for p in posts] == [
        (None, "TOWNSHIP_CHIEF", 2),
        ("TOWNSHIP_CHIEF", None, None),
    ]


@pytest.mark.parametrize(
    ("body", "status", "rule"),
    [
        ({"rank_code": "C99", "since": "2020-01-01", "basis": "INITIAL"}, 422, "rank.unknown_code"),
        ({"rank_code": "P05", "since": "2020-01-01", "basis": "INITIAL"}, 422, "rank.unknown_code"),
        ({"rank_code": "c10", "since": "2020-01-01", "basis": "INITIAL"}, 422, "rank_code"),
        ({"rank_code": "C10", "since": "2005-01-01", "basis": "INITIAL"}, 422, "holding.before_entry"),
        ({"rank_code": "C10", "since": "2027-01-01", "basis": "INITIAL"}, 422, "holding.future"),
        ({"rank_code": "C10", "since": "2020-01-01", "basis": "PROMOTION"}, 422, "holding.first_basis"),
        ({"rank_code": "C10", "since": "2020-01-01", "basis": "INITIAL", "level": 12}, 422, "level.out_of_range"),
        ({"rank_code": "C10", "since": "2020-01-01", "basis": "RESTORATION"}, 422, "basis"),
        ({"rank_code": "C10", "since": "2020-13-01", "basis": "INITIAL"}, 422, "since"),
        ({"rank_code": "C10", "since": "2020-01-01", "basis": "INITIAL", "holding_id": "x"}, 422, "holding_id"),
    ],
)
async def test_bad_rank_holdings_are_refused_naming_the_rule_and_write_nothing(api, body, status, rule):
    cadre = await api.register("Wang Wu")
    before = await counts(api)
    response = await api.client.post(f"/api/v1/cadres/{cadre}/rank-holdings", json=body, headers=api.hk())
    problem(response, status, rule)
    assert await counts(api) == before


async def test_overlapping_and_skipping_holdings_are_refused(api):
    cadre = await api.register("Zhao Liu")
    await api.rank(cadre, "C10", D(2018, 1, 1), level=22)
    before = await counts(api)
    overlap = await api.client.post(
        f"/api/v1/cadres/{cadre}/rank-holdings",
        headers=api.hk(),
        json={"rank_code": "C09", "since": "2017-06-01", "basis": "PROMOTION"},
    )
    problem(overlap, 422, "holding.overlap")
    skip = await api.client.post(
        f"/api/v1/cadres/{cadre}/rank-holdings",
        headers=api.hk(),
        json={"rank_code": "C08", "since": "2020-06-01", "basis": "PROMOTION"},
    )
    problem(skip, 422, "rank.step_by_step")
    again = await api.client.post(
        f"/api/v1/cadres/{cadre}/rank-holdings",
        headers=api.hk(),
        json={"rank_code": "C10", "since": "2020-06-01", "basis": "CORRECTION"},
    )
    problem(again, 409, "holding.no_change")
    level = await api.client.post(
        f"/api/v1/cadres/{cadre}/level-holdings",
        headers=api.hk(),
        json={"level": 10, "since": "2020-06-01", "basis": "CORRECTION"},
    )
    problem(level, 422, "level.out_of_range")
    post = await api.client.post(
        f"/api/v1/cadres/{cadre}/post-holdings",
        headers=api.hk(),
        json={"post_code": "MAYOR", "since": "2020-06-01", "basis": "INITIAL"},
    )
    problem(post, 422, "post_code")
    assert await counts(api) == before


async def test_a_holding_retried_with_the_same_key_is_written_once(api):
    cadre = await api.register("Sun Qi")
    headers = api.h(**{"Idempotency-Key": "holding-retry-01"})
    body = {"rank_code": "C10", "since": "2018-01-01", "basis": "INITIAL"}
    first = await api.client.post(f"/api/v1/cadres/{cadre}/rank-holdings", json=body, headers=headers)
    second = await api.client.post(f"/api/v1/cadres/{cadre}/rank-holdings", json=body, headers=headers)
    assert first.status_code == second.status_code == 201 and first.json() == second.json()
    assert len((await api.ok("GET", f"/api/v1/cadres/{cadre}/history"))["rank_holdings"]) == 1


async def test_an_update_checks_the_version_and_sends_a_full_snapshot(api):
    cadre = await api.register("Qian Ba")
    updated = await api.ok(
        "PATCH", f"/api/v1/cadres/{cadre}", json={"version": 1, "education": "MASTER", "reserve_cadre": True}
    )
    assert updated["version"] == 2
    stale = await api.client.patch(f"/api/v1/cadres/{cadre}", json={"version": 1, "name": "X"}, headers=api.h())
    problem(stale, 409, "cadre.version")
    moved = await api.client.patch(
        f"/api/v1/cadres/{cadre}", json={"version": 2, "org_unit_id": "health"}, headers=api.h()
    )
    problem(moved, 422, "org_unit_id")
    entry = await api.cadre(cadre)
    assert entry["education"] == "MASTER" and entry["reserve_cadre"] is True
    snapshot = (await api.outbox("cadre_updated"))[-1]
    assert snapshot["education"] == "MASTER" and snapshot["orgPath"] == ["city", "finance"]


async def test_relatives_are_mirrored_and_carried_in_both_snapshots(api):
    a = await api.register("Zhou Jiu")
    b = await api.register("Wu Shi", unit="health", born=D(1987, 1, 1))
    result = await api.ok(
        "PUT", f"/api/v1/cadres/{a}/relatives", json={"relatives": [{"cadre_id": b, "relation": "SPOUSE"}]}
    )
    assert result["relative_ids"] == [b]
    assert (await api.cadre(b))["relative_ids"] == [a]
    snapshots = {s["cadreId"]: s for s in await api.outbox("cadre_updated")}
    assert snapshots[a]["relativeIds"] == [b] and snapshots[b]["relativeIds"] == [a]
    await api.ok("PUT", f"/api/v1/cadres/{a}/relatives", json={"relatives": []})
    assert (await api.cadre(b))["relative_ids"] == []
    self_relative = await api.client.put(
        f"/api/v1/cadres/{a}/relatives", headers=api.h(), json={"relatives": [{"cadre_id": a, "relation": "SIBLING"}]}
    )
    problem(self_relative, 422, "cadre.relative_self")
    outside = await api.client.put(
        f"/api/v1/cadres/{a}/relatives",
        headers=api.h(unit="finance"),
        json={"relatives": [{"cadre_id": b, "relation": "SIBLING"}]},
    )
    problem(outside, 404, "cadre.relative")


async def test_a_transfer_records_the_unit_history_and_announces_the_new_path(api):
    cadre = await api.register("Zheng Shiyi")
    await api.ok(
        "POST",
        f"/api/v1/cadres/{cadre}/transfer",
        json={"version": 1, "to_org_unit_id": "finance-div1", "moved_on": "2024-03-01"},
    )
    history = await api.ok("GET", f"/api/v1/cadres/{cadre}/history", params={"as_of": "2023-01-01"})
    assert history["org_unit_id"] == "finance"
    assert [a["org_unit_id"] for a in (await api.ok("GET", f"/api/v1/cadres/{cadre}/history"))["assignments"]] == [
        "finance",
        "finance-div1",
    ]
    assert (await api.outbox("cadre_updated"))[-1]["orgPath"] == ["city", "finance", "finance-div1"]
    nowhere = await api.client.post(
        f"/api/v1/cadres/{cadre}/transfer",
        headers=api.h(unit="finance"),
        json={"version": 2, "to_org_unit_id": "health"},
    )
    problem(nowhere, 404, "cadre.org_unit")


async def test_renaming_and_moving_a_unit_announce_every_descendant_and_the_cadres_below(api):
    cadre = await api.register("Feng Shier", unit="finance-div1")
    await api.ok("PATCH", "/api/v1/org-units/finance", json={"version": 1, "name": "Finance and Budget Bureau"})
    renamed = await api.outbox("org_unit_changed")
    assert {e["orgUnitId"] for e in renamed[-2:]} == {"finance", "finance-div1"}
    await api.ok("POST", "/api/v1/org-units/finance/move", json={"version": 2, "new_parent_id": "county"})
    moved = {e["orgUnitId"]: e["path"] for e in (await api.outbox("org_unit_changed"))[-2:]}
    assert moved == {
        "finance": ["city", "county", "finance"],
        "finance-div1": ["city", "county", "finance", "finance-div1"],
    }
    assert (await api.outbox("cadre_updated"))[-1] == {
        **(await api.outbox("cadre_updated"))[-1],
        "cadreId": cadre,
        "orgPath": ["city", "county", "finance", "finance-div1"],
    }
    cycle = await api.client.post(
        "/api/v1/org-units/county/move", headers=api.h(), json={"version": 1, "new_parent_id": "finance"}
    )
    problem(cycle, 422, "org_unit.cycle")
    not_empty = await api.client.post("/api/v1/org-units/finance-div1/close", headers=api.h(), json={"version": 3})
    problem(not_empty, 409, "org_unit.not_empty")
    closed = await api.ok("POST", "/api/v1/org-units/health/close", json={"version": 1})
    assert closed["version"] == 2 and (await api.outbox("org_unit_changed"))[-1]["active"] is False


async def test_an_exit_deactivates_the_entry(api):
    cadre = await api.register("Chu Shisan")
    await api.ok("POST", f"/api/v1/cadres/{cadre}/exit", json={"version": 1, "reason": "RETIRED"})
    assert (await api.cadre(cadre))["active"] is False
    again = await api.client.post(
        f"/api/v1/cadres/{cadre}/exit", json={"version": 2, "reason": "RETIRED"}, headers=api.h()
    )
    problem(again, 409, "cadre.inactive")


async def test_a_registration_is_one_lookup_and_one_insert_on_postgresql(api, db_backend):
    """Its org unit and the duplicate check are one SELECT; the cadre, its standing, its first assignment, the event
    and the idempotency record one INSERT on PostgreSQL (docs/architecture.md §6.4); each its own on SQLite."""
    sent: list[str] = []
    engine = api.runtime.db.writer.sync_engine

    def collect(_conn, _cursor, sql, *_args) -> None:
        verb = sql.split(None, 1)[0].upper()
        if verb in ("SELECT", "INSERT", "WITH"):  # not SQLite's BEGIN IMMEDIATE, nor its relay's marks (UPDATE)
            sent.append(verb)

    event.listen(engine, "before_cursor_execute", collect)
    try:
        cadre = await api.register("Round Trips")
    finally:
        event.remove(engine, "before_cursor_execute", collect)
    assert sent == (["SELECT", "WITH"] if db_backend == "postgres" else ["SELECT", *["INSERT"] * 5]), sent
    entry = await api.cadre(cadre)
    assert entry["org_unit_id"] == "finance" and entry["version"] == 1
    standing = await api.rows(select(orm.cadre_standing.c.dirty).where(orm.cadre_standing.c.cadre_id == cadre))
    assert standing == [(True,)]
    assignment = orm.org_assignment
    assert await api.rows(select(assignment.c.org_unit_id).where(assignment.c.cadre_id == cadre)) == [("finance",)]
    assert [e["cadreId"] for e in await api.outbox("cadre_registered")] == [cadre]
    same = {"name": "Round Trips", "gender": "MALE", "birth_date": "1985-03-02", "entry_date": "2010-01-01"}
    refused = await api.ok("POST", "/api/v1/cadres", status=409, json={**same, "org_unit_id": "finance"})
    assert refused["rule"] == "cadre.duplicate"
