"""The gateway's language layer against fake upstreams: it relays Accept-Language, leaves a service's labelled
answer as it is, labels what it composes and what a service answered unlabelled, and speaks Chinese in its own
problems; English answers are relayed byte for byte."""

from __future__ import annotations

import httpx

ZH = {"Accept-Language": "zh-CN"}


async def test_a_labelled_answer_of_a_service_is_relayed_as_it_is(mock_gateway, fakes, test_auth):
    body = b'{"id":"t-1","type":"REMINDER","type_label":"\xe6\x8f\x90\xe9\x86\x92\xe8\xb0\x88\xe8\xaf\x9d"}'
    fakes.handlers["appraisal"] = lambda request: httpx.Response(
        200,
        content=body,
        headers={"content-type": "application/json", "content-language": "zh-CN", "vary": "Accept-Language"},
    )
    async with mock_gateway() as gw:
        response = await gw.get("/api/v1/talks/t-1", headers={**test_auth.headers("org_admin", unit="city"), **ZH})
    assert response.content == body
    assert response.headers["content-language"] == "zh-CN" and response.headers["vary"] == "Accept-Language"
    assert fakes.requests["appraisal"][0].headers["accept-language"] == "zh-CN"


async def test_an_unlabelled_answer_is_labelled_by_the_gateway_and_english_is_untouched(mock_gateway, fakes, test_auth):
    body = b'{"id":"t-1","status":"HELD","type":"REMINDER"}'
    fakes.handlers["appraisal"] = lambda request: httpx.Response(
        200, content=body, headers={"content-type": "application/json"}
    )
    admin = test_auth.headers("org_admin", unit="city")
    async with mock_gateway() as gw:
        chinese = await gw.get("/api/v1/talks/t-1", headers={**admin, **ZH})
        english = await gw.get("/api/v1/talks/t-1", headers=admin)
    assert chinese.json() == {
        "id": "t-1",
        "status": "HELD",
        "status_label": "已谈话",
        "type": "REMINDER",
        "type_label": "提醒谈话",
    }
    assert english.content == body and "content-language" not in english.headers


async def test_the_gateways_own_answers_and_problems_in_chinese(mock_gateway, fakes, test_auth):
    admin = {**test_auth.headers("org_admin", unit="city"), **ZH}
    async with mock_gateway() as gw:
        dashboard = await gw.get("/api/v1/dashboards/city", headers=admin)
        unknown = await gw.get("/api/v1/nowhere", headers=admin)
        refused = await gw.get(
            "/api/v1/dashboards/city", headers={**test_auth.headers("cadre", unit="city", cadre_id="c-1"), **ZH}
        )
        vocabulary = await gw.get("/api/v1/vocabulary", headers={**test_auth.headers("subscriber"), **ZH})
    assert dashboard.json()["org_unit"]["agency_level_label"] == "市级领导班子"
    assert unknown.status_code == 404 and (unknown.json()["title"], unknown.json()["detail"]) == (
        "未找到",
        "未找到所请求的对象",
    )
    assert refused.status_code == 403 and refused.json()["title"] == "无权访问"
    assert refused.json()["detail"] == "您的角色无权执行此操作"
    assert vocabulary.status_code == 200 and vocabulary.json()["vocabularies"]["grade"]["EXCELLENT"]["label"] == "优秀"


async def test_the_default_language_setting_of_the_gateway(mock_gateway, fakes, test_auth):
    async with mock_gateway(default_language="zh-CN") as gw:
        unknown = await gw.get("/api/v1/nowhere", headers=test_auth.headers("org_admin", unit="city"))
        english = await gw.get(
            "/api/v1/nowhere", headers={**test_auth.headers("org_admin", unit="city"), "Accept-Language": "en"}
        )
    assert unknown.json()["title"] == "未找到" and english.json()["title"] == "Not found"
