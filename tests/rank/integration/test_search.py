"""Finding people in the register: a name fragment, pinyin (full or initials), rank, post and category, in pinyin
order, never beyond the caller's subtree."""

from __future__ import annotations

from sqlalchemy import select

from services.rank.adapters import orm
from tests.rank.integration.conftest import D


async def names(api, headers: dict | None = None, **params: str) -> list[str]:
    found: list[str] = []
    cursor = None
    while True:
        page = await api.ok(
            "GET",
            "/api/v1/cadres",
            headers=headers,
            params={**params, "limit": 2, **({"cursor": cursor} if cursor else {})},
        )
        found += [c["name"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            return found


async def test_search_by_fragment_pinyin_and_initials_in_pinyin_order(api):
    for name, unit in (
        ("张三丰", "finance"),
        ("张三", "health"),
        ("李四", "finance"),
        ("单雄信", "county-tax"),
        ("曾国藩", "finance"),
        ("赵六", "town"),
    ):
        await api.register(name, unit)
    # Every list is in pinyin order (paging through it keeps that order).
    assert await names(api) == ["李四", "单雄信", "曾国藩", "张三", "张三丰", "赵六"]
    assert await names(api, q="张三") == ["张三", "张三丰"]  # a fragment of the name
    assert await names(api, q="三丰") == ["张三丰"]
    assert await names(api, q="zhangsan") == ["张三", "张三丰"]  # full pinyin
    assert await names(api, q="ZSF") == ["张三丰"]  # initials, any case
    assert await names(api, q="shan") == ["单雄信"]  # 单 read as a family name (shàn), not dān
    assert await names(api, q="zgf") == ["曾国藩"]
    assert await names(api, q="zhangsan", org_unit_id="finance") == ["张三丰"]
    # An assessor of the county sees only the county's subtree, whatever they search for.
    county = api.h("assessor", unit="county")
    assert await names(api, headers=county) == ["单雄信", "赵六"]
    assert await names(api, headers=county, q="zhang") == []


async def test_search_by_rank_post_and_category(api):
    a = await api.register("王五", "finance")
    b = await api.register("王六", "finance", category="PROFESSIONAL")
    await api.rank(a, "C04", D(2020, 1, 1), level=16)
    await api.ok(
        "POST",
        f"/api/v1/cadres/{a}/post-holdings",
        status=201,
        json={"post_code": "DIVISION_CHIEF", "since": "2021-03-01", "basis": "PROMOTION"},
    )
    assert await names(api, rank_code="C04") == ["王五"]
    assert await names(api, post_code="DIVISION_CHIEF") == ["王五"]
    assert await names(api, category="PROFESSIONAL") == ["王六"]
    assert await names(api, q="wang", category="COMPREHENSIVE") == ["王五"]
    assert b


async def test_search_input_is_bounded(api):
    response = await api.client.get("/api/v1/cadres", params={"q": "x" * 101}, headers=api.h())
    assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")


def _id_number(body17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, weights)) % 11]


async def test_an_id_number_is_checked_kept_only_as_a_keyed_hash_and_finds_its_cadre(api):
    number = _id_number("11010519491231002")
    assert number == "11010519491231002X"  # the standard's own example
    body = {
        "name": "周八",
        "gender": "MALE",
        "birth_date": "1949-12-31",
        "entry_date": "1970-07-01",
        "org_unit_id": "county-tax",
        "category": "COMPREHENSIVE",
        "id_number": number.lower(),
    }
    cadre = (await api.ok("POST", "/api/v1/cadres", status=201, json=body))["id"]
    # A mistyped digit, a wrong length, the same number again: refused, naming the rule.
    for bad, status, rule in (
        (number[:-2] + "1X", 422, "cadre.id_number"),
        (number[:17], 422, None),
        (number, 409, "cadre.id_number_taken"),
    ):
        r = await api.client.post("/api/v1/cadres", json={**body, "name": "周九", "id_number": bad}, headers=api.hk())
        assert r.status_code == status, r.text
        assert rule is None or r.json()["rule"] == rule
    found = await api.ok("POST", "/api/v1/cadres/search", status=200, json={"id_number": f" {number} "})
    assert [c["id"] for c in found["items"]] == [cadre]
    # Outside the caller's subtree the number finds nobody, exactly like an unknown one.
    elsewhere = await api.ok(
        "POST", "/api/v1/cadres/search", status=200, headers=api.hk("org_admin", "finance"), json={"id_number": number}
    )
    unknown = await api.ok(
        "POST", "/api/v1/cadres/search", status=200, json={"id_number": _id_number("44030019800101123")}
    )
    assert elsewhere["items"] == [] and unknown["items"] == []
    # The number is nowhere: not in the answer, not in the database, not in any event.
    entry = await api.cadre(cadre)
    assert "id_number" not in entry and number not in str(entry)
    stored = (await api.rows(select(orm.cadre.c.id_number_hash).where(orm.cadre.c.id == cadre)))[0][0]
    assert len(stored) == 64 and number not in stored
    assert number not in str(await api.outbox("cadre_registered"))
    # It can be set later, and then finds the cadre.
    other = await api.register("吴十", "county-tax")
    version = (await api.cadre(other))["version"]
    await api.ok(
        "PATCH",
        f"/api/v1/cadres/{other}",
        status=200,
        json={"version": version, "id_number": _id_number("44030019800101123")},
    )
    again = await api.ok(
        "POST", "/api/v1/cadres/search", status=200, json={"id_number": _id_number("44030019800101123")}
    )
    assert [c["id"] for c in again["items"]] == [other]
