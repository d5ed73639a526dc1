"""Finding people in the register: a name fragment, pinyin (full or initials), rank, post and category, in pinyin
order, never beyond the caller's subtree."""

from __future__ import annotations

from tests.rank.integration.conftest import D


async def names(api, headers: dict | None = None, **params: str) -> list[str]:
    found: list[str] = []
    cursor = None
    while True:
        page = await api.ok("GET", "/api/v1/cadres", headers=headers,
                            params={**params, "limit": 2, **({"cursor": cursor} if cursor else {})})
        found += [c["name"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            return found


async def test_search_by_fragment_pinyin_and_initials_in_pinyin_order(api):
    for name, unit in (("张三丰", "finance"), ("张三", "health"), ("李四", "finance"), ("单雄信", "county-tax"),
                       ("曾国藩", "finance"), ("赵六", "town")):
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
    await api.ok("POST", f"/api/v1/cadres/{a}/post-holdings", status=201,
                 json={"post_code": "DIVISION_CHIEF", "since": "2021-03-01", "basis": "PROMOTION"})
    assert await names(api, rank_code="C04") == ["王五"]
    assert await names(api, post_code="DIVISION_CHIEF") == ["王五"]
    assert await names(api, category="PROFESSIONAL") == ["王六"]
    assert await names(api, q="wang", category="COMPREHENSIVE") == ["王五"]
    assert b


async def test_search_input_is_bounded(api):
    response = await api.client.get("/api/v1/cadres", params={"q": "x" * 101}, headers=api.h())
    assert response.status_code == 422 and response.headers["content-type"].startswith("application/problem+json")
