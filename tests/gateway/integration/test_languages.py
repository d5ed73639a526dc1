"""Chinese labels and problems end to end: the real rank service (used directly and through the gateway).

Under `Accept-Language: zh-CN` a JSON answer carries `<field>_label` next to its coded fields and a problem+json
its `title` and `detail` in Chinese; the English default is unchanged; `GET /api/v1/vocabulary` answers on the
service and on the gateway.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from gateway.main import create_app
from kernel.testing.helpers import running

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
CADRE = {
    "name": "李四",
    "gender": "FEMALE",
    "birth_date": "1988-04-05",
    "entry_date": "2010-07-01",
    "org_unit_id": "city",
    "category": "COMPREHENSIVE",
    "education": "MASTER",
}


def idem() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


@pytest.fixture
async def gateway(rank_service, gateway_settings):
    # The dashboard's parts share this process's event loop with rank: a loaded CI machine can take more than the
    # default test part timeout (1 s) to answer, which this test, about labels, does not mean to measure.
    async with running(create_app(gateway_settings(rank_url=rank_service, part_timeout=5.0))) as client:
        yield client


@pytest.fixture
async def service(rank_service):
    async with httpx.AsyncClient(base_url=rank_service) as client:
        yield client


@pytest.fixture
def admin(test_auth):
    return test_auth.headers("org_admin", unit="city", subject="admin-1")


async def _seed(client, admin) -> str:
    unit = await client.post(
        "/api/v1/org-units",
        headers={**admin, **idem()},
        json={"code": "city", "name": "示例市", "agency_level": "CITY_LEADERSHIP"},
    )
    assert unit.status_code == 201, unit.text
    cadre = await client.post("/api/v1/cadres", headers={**admin, **idem()}, json=CADRE)
    assert cadre.status_code == 201, cadre.text
    cadre_id = cadre.json()["id"]
    holding = await client.post(
        f"/api/v1/cadres/{cadre_id}/rank-holdings",
        headers={**admin, **idem()},
        json={"rank_code": "C07", "since": "2020-01-01", "basis": "INITIAL", "level": 19},
    )
    assert holding.status_code == 201, holding.text
    return cadre_id


def _check_labelled_cadre(response: httpx.Response) -> None:
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["gender"], body["gender_label"]) == ("FEMALE", "女")
    assert (body["category"], body["category_label"]) == ("COMPREHENSIVE", "综合管理类")
    assert (body["education"], body["education_label"]) == ("MASTER", "硕士研究生")
    assert response.headers["content-language"] == "zh-CN"
    assert "Accept-Language" in response.headers["vary"]


def _check_english_cadre(response: httpx.Response) -> None:
    assert response.status_code == 200
    body = response.json()
    assert body["gender"] == "FEMALE" and not [k for k in body if k.endswith("_label")]
    assert "content-language" not in response.headers


async def _check_chinese_problems(client, admin) -> None:
    future = await client.post(
        "/api/v1/cadres", headers={**admin, **idem(), **ZH}, json={**CADRE, "name": "王五", "birth_date": "2100-01-01"}
    )
    assert future.status_code == 422 and future.headers["content-type"] == "application/problem+json"
    problem = future.json()
    assert problem["title"] == "无法处理的内容" and problem["detail"] == "出生日期须早于今天"
    assert problem["rule"] == "cadre.birth_date" and problem["type"].endswith("/rule-violation")
    invalid = await client.post("/api/v1/cadres", headers={**admin, **idem(), **ZH}, json={**CADRE, "nickname": "x"})
    assert invalid.status_code == 422
    assert invalid.json()["detail"] == "输入无效：nickname"
    assert invalid.json()["errors"][0]["message"] == "不接受的字段"
    english = await client.post(
        "/api/v1/cadres", headers={**admin, **idem()}, json={**CADRE, "name": "王五", "birth_date": "2100-01-01"}
    )
    assert english.json()["title"] == "Unprocessable content"
    assert english.json()["detail"] == "birth_date must be in the past"


async def test_the_service_used_directly_labels_its_answers_and_speaks_chinese(service, admin):
    cadre_id = await _seed(service, admin)
    _check_labelled_cadre(await service.get(f"/api/v1/cadres/{cadre_id}", headers={**admin, **ZH}))
    _check_english_cadre(await service.get(f"/api/v1/cadres/{cadre_id}", headers=admin))
    listed = await service.get("/api/v1/cadres", headers={**admin, **ZH})
    assert listed.json()["items"][0]["category_label"] == "综合管理类"
    await _check_chinese_problems(service, admin)
    unknown = await service.get("/api/v1/cadres/zz-unknown", headers={**admin, **ZH})
    assert unknown.status_code == 404 and unknown.json()["title"] == "未找到"
    assert unknown.json()["detail"] == "未找到所请求的对象" and unknown.json()["field"] == "cadre_id"


async def test_the_gateway_relays_labelled_answers_and_labels_its_own(gateway, admin, test_auth):
    cadre_id = await _seed(gateway, admin)
    relayed = await gateway.get(f"/api/v1/cadres/{cadre_id}", headers={**admin, **ZH})
    _check_labelled_cadre(relayed)
    assert list(relayed.json()).count("gender_label") == 1
    _check_english_cadre(await gateway.get(f"/api/v1/cadres/{cadre_id}", headers=admin))
    await _check_chinese_problems(gateway, admin)
    # The gateway's own answers: a dashboard it composes, and its own problems.
    dashboard = await gateway.get("/api/v1/dashboards/city", headers={**admin, **ZH})
    assert dashboard.status_code == 200, dashboard.text
    assert dashboard.json()["org_unit"]["agency_level_label"] == "市级领导班子"
    assert dashboard.headers["content-language"] == "zh-CN"
    nowhere = await gateway.get("/api/v1/no-such-segment", headers={**admin, **ZH})
    assert nowhere.status_code == 404 and nowhere.json()["title"] == "未找到"
    anonymous = await gateway.get("/api/v1/vocabulary", headers=ZH)
    assert anonymous.status_code == 401 and anonymous.json()["title"] == "未认证"


@pytest.mark.parametrize("role", ["org_admin", "cadre", "subscriber"])
async def test_the_vocabulary_on_the_gateway_and_on_the_service(gateway, service, test_auth, role):
    headers = test_auth.headers(role, unit="city", cadre_id="c-1" if role == "cadre" else None)
    for client in (gateway, service):
        zh = await client.get("/api/v1/vocabulary", params={"lang": "zh-CN"}, headers=headers)
        assert zh.status_code == 200, zh.text
        assert zh.headers["content-language"] == "zh-CN"
        vocabularies = zh.json()["vocabularies"]
        assert vocabularies["rank"]["C07"]["label"] == "一级主任科员"
        assert vocabularies["sanction_type"]["DEMERIT"]["statute"].startswith("《公务员法》第六十二条")
        assert vocabularies["rule"]["cadre.birth_date"]["label"] == "出生日期须早于今天"
        en = await client.get("/api/v1/vocabulary", params={"lang": "en"}, headers={**headers, **ZH})
        assert en.json()["lang"] == "en" and en.json()["vocabularies"]["grade"]["BASIC"]["label"] == "Basic"
        negotiated = await client.get("/api/v1/vocabulary", headers={**headers, **ZH})
        assert negotiated.json()["lang"] == "zh-CN"
        bad = await client.get("/api/v1/vocabulary", params={"lang": "fr"}, headers=headers)
        assert bad.status_code == 422
