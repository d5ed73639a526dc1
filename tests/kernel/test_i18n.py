"""kernel.i18n: language negotiation, labels next to coded fields, Chinese problems, and the ASGI layer."""

from __future__ import annotations

import copy

import httpx
import orjson
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from kernel import i18n
from kernel.errors import InvalidTransition, RuleViolation
from kernel.web import install

# -- negotiation --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "default", "expected"),
    [
        (None, "en", "en"),
        ("", "en", "en"),
        (None, "zh-CN", "zh-CN"),
        ("zh-CN", "en", "zh-CN"),
        ("zh", "en", "zh-CN"),
        ("zh-Hans-CN", "en", "zh-CN"),
        ("ZH-cn", "en", "zh-CN"),
        ("en-US,en;q=0.9", "zh-CN", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "en", "zh-CN"),
        ("en;q=0.5, zh;q=0.6", "en", "zh-CN"),
        ("zh;q=0.4, en", "zh-CN", "en"),
        ("en, zh", "zh-CN", "en"),
        ("fr-FR, de", "en", "en"),
        ("fr-FR, de", "zh-CN", "zh-CN"),
        ("*", "zh-CN", "zh-CN"),
        ("zh;q=0, en;q=0.1", "zh-CN", "en"),
        ("zh-TW", "en", "en"),
        ("zh;q=abc, en;q=0.2", "en", "en"),
    ],
)
def test_negotiation(header, default, expected):
    assert i18n.negotiate(header, default) == expected


# -- label_document -----------------------------------------------------------------------------------------------
CADRE = {
    "id": "c-1",
    "name": "李四",
    "gender": "FEMALE",
    "category": "COMPREHENSIVE",
    "rank_code": "C07",
    "post_code": "DIVISION_CHIEF",
    "level": 19,
    "active": True,
    "education": None,
    "restrictions": [{"effect": "NO_POST_PROMOTION", "source_type": "SANCTION", "status": "ACTIVE"}],
}


def test_coded_fields_get_their_label_right_after_them():
    labelled = i18n.label_document(CADRE, "zh-CN")
    assert list(labelled)[:8] == [
        "id",
        "name",
        "gender",
        "gender_label",
        "category",
        "category_label",
        "rank_code",
        "rank_code_label",
    ]
    assert (
        labelled["gender_label"],
        labelled["category_label"],
        labelled["rank_code_label"],
        labelled["post_code_label"],
    ) == ("女", "综合管理类", "一级主任科员", "县处级正职")
    assert labelled["restrictions"][0] == {
        "effect": "NO_POST_PROMOTION",
        "effect_label": "不得晋升职务",
        "source_type": "SANCTION",
        "source_type_label": "处分",
        "status": "ACTIVE",
        "status_label": "影响期内",
    }
    assert "name_label" not in labelled and "level_label" not in labelled and "education_label" not in labelled


def test_english_pays_nothing_and_the_input_is_never_changed():
    before = copy.deepcopy(CADRE)
    assert i18n.label_document(CADRE, "en") is CADRE
    i18n.label_document(CADRE, "zh-CN")
    assert CADRE == before


def test_ambiguous_fields_follow_the_object_they_belong_to():
    doc = {
        "status": "PROPOSED",
        "sanctions": [{"status": "PROPOSED", "type": "WARNING"}],
        "awards": [{"status": "PROPOSED", "type": "COMMENDATION"}],
        "talks": [{"type": "REMINDER"}],
        "reports": [{"status": "CLOSED", "category": "integrity"}],
    }
    out = i18n.label_document(doc, "zh-CN", context="assessment")
    assert out["status_label"] == "已提出等次"
    assert (out["sanctions"][0]["status_label"], out["sanctions"][0]["type_label"]) == ("拟处理", "警告")
    assert (out["awards"][0]["status_label"], out["awards"][0]["type_label"]) == ("已提名", "嘉奖")
    assert out["talks"][0]["type_label"] == "提醒谈话"
    assert (out["reports"][0]["status_label"], out["reports"][0]["category_label"]) == ("已办结", "违反廉洁纪律")
    # A dossier's parts: `open_reports` are reports, `grades` assessments, `tolerance_cases` tolerance cases.
    dossier = {
        "parts": {
            "petitions": {"open_reports": [{"status": "VERIFYING"}]},
            "appraisal": {"grades": [{"status": "DECIDED"}]},
            "tolerance": {"tolerance_cases": [{"status": "VERIFYING"}]},
        }
    }
    parts = i18n.label_document(dossier, "zh-CN")["parts"]
    assert parts["petitions"]["open_reports"][0]["status_label"] == "初步核实中"
    assert parts["appraisal"]["grades"][0]["status_label"] == "已确定等次"
    assert parts["tolerance"]["tolerance_cases"][0]["status_label"] == "核实中"
    # The route names the kind of the top-level object.
    assert i18n.context_of_path("/api/v1/tolerance-cases/x/decide") == "tolerance_case"
    assert (
        i18n.label_document({"status": "CLOSED"}, "zh-CN", context=i18n.context_of_path("/api/v1/tolerance-cases/x"))[
            "status_label"
        ]
        == "已办结"
    )
    assert i18n.context_of_path("/health/live") is None


def test_lists_of_codes_unknown_values_and_existing_labels():
    out = i18n.label_document(
        {
            "roles": ["org_admin", "auditor"],
            "grade": "SOMETHING_NEW",
            "final_grade": None,
            "effects": ["NO_POST_PROMOTION", "??"],
            "items": [{"grade": "BASIC"}, 3, "x"],
            "type": "WARNING",
            "type_label": "自定义",
        },
        "zh-CN",
    )
    assert out["roles_label"] == ["组织部门", "审计查阅人员"]
    assert "grade_label" not in out and "final_grade_label" not in out
    assert "effects_label" not in out  # one unknown member: no half-labelled list
    assert out["items"] == [{"grade": "BASIC", "grade_label": "基本称职"}, 3, "x"]
    assert out["type_label"] == "自定义"
    assert i18n.label_document([{"grade": "EXCELLENT"}], "zh-CN") == [{"grade": "EXCELLENT", "grade_label": "优秀"}]


def test_maps_keyed_by_codes_get_a_label_map():
    part = {
        "contracts_by_status": {"ACTIVE": 3, "PROBATION": 1},
        "open_reinstatements_by_status": {"ELIGIBLE": 2},
        "active_restrictions_by_effect": {"NO_POST_PROMOTION": 4, "UNKNOWN": 1},
        "overdue_by_kind": {},
        "grade_distribution": {"EXCELLENT": 2, "PENDING": 5},
        "by_rank": {"C07": 1},
        "parts": {"x": 1},
    }
    out = i18n.label_document(part, "zh-CN")
    assert out["contracts_by_status_label"] == {"ACTIVE": "履约中", "PROBATION": "试用期"}
    assert out["open_reinstatements_by_status_label"] == {"ELIGIBLE": "可启动"}
    assert out["active_restrictions_by_effect_label"] == {"NO_POST_PROMOTION": "不得晋升职务"}
    assert out["grade_distribution_label"] == {"EXCELLENT": "优秀"} and out["by_rank_label"] == {"C07": "一级主任科员"}
    assert "overdue_by_kind_label" not in out and "parts_label" not in out
    assert {k: out[k] for k in part} == part


def test_labelling_twice_changes_nothing():
    once = i18n.label_document(CADRE, "zh-CN")
    assert i18n.label_document(once, "zh-CN") == once


# -- problems -----------------------------------------------------------------------------------------------------
BASE = "https://youwei.example/problems/"


def test_a_rule_violation_in_chinese_keeps_its_rule_field_source_and_values():
    body = {
        "type": BASE + "rule-violation",
        "title": "Unprocessable content",
        "status": 422,
        "detail": "the 优秀 quota of this agency is used up (3 of 3 at 20 % of 15 assessed, Finance)",
        "rule": "assessment.excellent_quota",
        "source": "公务员考核规定",
        "field": "grade",
    }
    out = i18n.translate_problem(body)
    assert out["title"] == "无法处理的内容"
    assert out["detail"] == "本机关优秀等次名额已用完（已确定3名，名额3名，按参加考核15人的20%计算）"
    assert {k: out[k] for k in ("rule", "source", "field", "type", "status")} == {
        k: body[k] for k in ("rule", "source", "field", "type", "status")
    }


def test_values_of_a_detail_without_template_follow_the_message():
    out = i18n.translate_problem(
        {
            "type": BASE + "rule-violation",
            "status": 422,
            "rule": "batch.investigation_pending",
            "detail": "2 recommended candidates have no investigation result",
        }
    )
    assert out["detail"] == "有被推荐人选尚无考察结果（2）"
    plain = i18n.translate_problem(
        {
            "type": BASE + "rule-violation",
            "status": 422,
            "rule": "cadre.birth_date",
            "detail": "birth_date must be in the past",
        }
    )
    assert plain["detail"] == "出生日期须早于今天"
    # Codes in a detail are shown by their label, digits inside a code are not numbers, the message's own words
    # are not repeated.
    step = i18n.translate_problem(
        {
            "type": BASE + "rule-violation",
            "status": 422,
            "rule": "rank.step_by_step",
            "detail": "a PROMOTION moves one rank from C07",
        }
    )
    assert step["detail"] == "职级须逐级调整（晋升，一级主任科员）"
    result = i18n.translate_problem(
        {
            "type": BASE + "rule-violation",
            "status": 422,
            "rule": "appeal.result",
            "detail": "decide UPHELD, VARIED or REVOKED",
        }
    )
    assert result["detail"] == "决定须为维持、变更或撤销"


def test_an_invalid_transition_names_the_object_and_its_state_in_chinese():
    error = InvalidTransition("sanction", "EXPIRED", "be withdrawn", allowed_actions=["vary", "revoke"])
    body = {"type": BASE + "conflict", "status": 409, "detail": error.message, "rule": error.rule, **error.extra}
    out = i18n.translate_problem(body)
    assert out["title"] == "冲突" and out["detail"] == "处分当前状态为「已期满」，不能执行此操作"
    assert out["allowed_actions"] == ["revoke", "vary"] and out["state"] == "EXPIRED"


def test_a_rule_built_at_run_time_is_labelled_by_its_pattern():
    out = i18n.translate_problem(
        {
            "type": BASE + "rule-violation",
            "status": 422,
            "rule": "grade.gov-sanction-12",
            "detail": "a restriction forbids 优秀 for this year",
        }
    )
    assert out["detail"] == "影响期内的限制决定了本年度可确定的等次"


def test_problems_without_a_known_rule_are_translated_by_type_and_status():
    assert (
        i18n.translate_problem(
            {"type": BASE + "not-found", "title": "Not found", "status": 404, "detail": "no such resource"}
        )["detail"]
        == "未找到所请求的对象"
    )
    unknown = i18n.translate_problem(
        {"type": BASE + "something-new", "status": 418, "detail": "teapot", "rule": "no.such_rule"}
    )
    assert unknown["title"] == "错误" and unknown["detail"] == "错误"
    too_big = i18n.translate_problem(
        {"type": BASE + "payload-too-large", "status": 413, "detail": "request body exceeds 1048576 bytes"}
    )
    assert too_big["detail"] == "请求内容超过上限（1048576 字节）"


def test_validation_errors_in_chinese():
    body = {
        "type": BASE + "validation",
        "title": "Unprocessable content",
        "status": 422,
        "detail": "invalid input: birth_date, nickname",
        "errors": [
            {
                "field": "birth_date",
                "in": "body",
                "message": "Input should be a valid date",
                "code": "date_from_datetime_parsing",
            },
            {"field": "nickname", "in": "body", "message": "Extra inputs are not permitted", "code": "extra_forbidden"},
            {"field": "x", "in": "body", "message": "?", "code": "brand_new_code"},
        ],
    }
    out = i18n.translate_problem(body)
    assert out["detail"] == "输入无效：birth_date、nickname、x"
    assert [e["message"] for e in out["errors"]] == ["应为日期（YYYY-MM-DD）", "不接受的字段", "输入无效"]
    assert [e["field"] for e in out["errors"]] == ["birth_date", "nickname", "x"]


# -- the ASGI layer on a small app ----------------------------------------------------------------------------------


class Body(BaseModel):
    year: int


def _app(default: str = "en") -> FastAPI:
    app = FastAPI()

    @app.get("/api/v1/assessments/{aid}")
    async def read(aid: str) -> dict:
        return {"id": aid, "status": "DECIDED", "final_grade": "EXCELLENT"}

    @app.post("/api/v1/assessments")
    async def create(body: Body) -> dict:
        raise RuleViolation("the assessment year must be a year that has started", rule="assessment.year", field="year")

    @app.get("/api/v1/file")
    async def file() -> Response:
        return Response(b"PK\x03\x04", media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    @app.get("/api/v1/broken")
    async def broken() -> dict:
        raise RuntimeError("a bug")

    @app.get("/outside")
    async def outside() -> dict:
        return {"grade": "BASIC"}

    @app.get("/api/v1/varied")
    async def varied() -> JSONResponse:
        return JSONResponse({"grade": "BASIC"}, headers={"Vary": "Origin"})

    install(app, service="t", max_body_bytes=1000)
    app.add_middleware(i18n.LanguageMiddleware, default_language=default)
    return app


async def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://t")


async def test_the_layer_labels_answers_and_translates_problems_under_zh():
    async with await _client(_app()) as client:
        zh = {"Accept-Language": "zh-CN"}
        read = await client.get("/api/v1/assessments/a-1", headers=zh)
        assert read.json() == {
            "id": "a-1",
            "status": "DECIDED",
            "status_label": "已确定等次",
            "final_grade": "EXCELLENT",
            "final_grade_label": "优秀",
        }
        assert read.headers["content-language"] == "zh-CN" and read.headers["vary"] == "Accept-Language"
        assert int(read.headers["content-length"]) == len(read.content)
        refused = await client.post("/api/v1/assessments", headers=zh, json={"year": 2020})
        assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["title"] == "无法处理的内容"
        assert refused.json()["detail"] == "考核年度须为已开始的年度" and refused.json()["rule"] == "assessment.year"
        invalid = await client.post("/api/v1/assessments", headers=zh, json={"year": "x"})
        assert invalid.json()["detail"] == "输入无效：year" and invalid.json()["errors"][0]["message"] == "应为整数"
        too_big = await client.post(
            "/api/v1/assessments",
            headers=zh,
            content=b"{" + b" " * 2000 + b"}",
        )
        assert too_big.status_code == 413 and too_big.json()["title"] == "请求内容过大"
        file = await client.get("/api/v1/file", headers=zh)
        assert file.content == b"PK\x03\x04" and "content-language" not in file.headers
        varied = await client.get("/api/v1/varied", headers=zh)
        assert varied.headers["vary"] == "Origin, Accept-Language"
        outside = await client.get("/outside", headers=zh)
        assert outside.json() == {"grade": "BASIC"} and "content-language" not in outside.headers
        broken = await client.get("/api/v1/broken", headers=zh)
        assert broken.status_code == 500 and broken.json()["title"] == "服务器内部错误"
        assert broken.json()["detail"] == "服务器内部错误，可凭请求编号查询日志"
        assert (await client.get("/api/v1/broken")).json()["title"] == "Internal server error"
        head = await client.head("/api/v1/assessments/a-1", headers=zh)
        assert head.status_code in (200, 405) and head.content == b""


async def test_english_answers_are_unchanged():
    async with await _client(_app()) as client:
        for headers in ({}, {"Accept-Language": "en-US"}, {"Accept-Language": "fr"}):
            read = await client.get("/api/v1/assessments/a-1", headers=headers)
            assert read.json() == {"id": "a-1", "status": "DECIDED", "final_grade": "EXCELLENT"}
            assert "content-language" not in read.headers and "vary" not in read.headers
            refused = await client.post("/api/v1/assessments", headers=headers, json={"year": 2020})
            assert refused.json()["title"] == "Unprocessable content"
            assert refused.json()["detail"] == "the assessment year must be a year that has started"


async def test_the_default_language_setting_applies_when_the_client_names_none():
    async with await _client(_app(default="zh-CN")) as client:
        assert (await client.get("/api/v1/assessments/a-1")).json()["final_grade_label"] == "优秀"
        english = await client.get("/api/v1/assessments/a-1", headers={"Accept-Language": "en"})
        assert "final_grade_label" not in english.json()


def test_the_vocabulary_holds_every_table_with_labels_and_statutes():
    zh = orjson.loads(i18n.vocabulary_body("zh-CN"))
    en = orjson.loads(i18n.vocabulary_body("en"))
    assert zh["lang"] == "zh-CN" and en["lang"] == "en" and set(zh["vocabularies"]) == set(en["vocabularies"])
    v = zh["vocabularies"]
    assert v["grade"]["EXCELLENT"]["label"] == "优秀" and v["grade"]["EXCELLENT"]["statute"].startswith("《公务员法》")
    assert v["sanction_type"]["WARNING"]["statute"] == "《公务员法》第六十二条；《公职人员政务处分法》第七条"
    assert v["rank"]["C01"] == {
        "label": "一级巡视员",
        "statute": "《公务员法》第十九条；《公务员职务与职级并行规定》第八条",
    }
    assert v["role"]["subscriber"] == {"label": "事件订阅部门"}
    assert v["rule"]["cadre.birth_date"] == {"label": "出生日期须早于今天"}
    assert v["report_status"]["CLOSED"]["label"] == "已办结"
    assert en["vocabularies"]["grade"]["EXCELLENT"]["label"] == "Excellent"
    assert en["vocabularies"]["restriction_effect"]["NO_POST_PROMOTION"]["label"] == "No post promotion"
