"""Request and response models of the rank API (requests forbid unknown fields)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from kernel.requests import RequestModel
from kernel.schemas import Created as Created  # the kernel's answers, re-exported for the routes
from kernel.schemas import StateRead as StateRead

AgencyLevelLit = Literal[
    "CITY_LEADERSHIP", "MUNICIPAL_AGENCY", "COUNTY_LEADERSHIP", "COUNTY_AGENCY", "TOWNSHIP", "DIVISION"
]
CategoryLit = Literal["COMPREHENSIVE", "PROFESSIONAL", "ENFORCEMENT", "APPOINTED", "GOV_EMPLOYEE"]
EducationLit = Literal["HIGH_SCHOOL", "JUNIOR_COLLEGE", "BACHELOR", "MASTER", "DOCTORATE"]
BasisLit = Literal["INITIAL", "PROMOTION", "DEMOTION", "TRANSFER", "CORRECTION"]
PostLit = Literal[
    "TOWNSHIP_DEPUTY", "TOWNSHIP_CHIEF", "DIVISION_DEPUTY", "DIVISION_CHIEF", "BUREAU_DEPUTY", "BUREAU_CHIEF"
]
RelationLit = Literal["SPOUSE", "PARENT", "CHILD", "SIBLING", "COLLATERAL", "IN_LAW"]
SeriesLit = Literal["COMPREHENSIVE", "PROFESSIONAL", "ENFORCEMENT"]
KindLit = Literal["APPOINTED_CS", "ROLE_TERM", "GOV_EMPLOYEE"]
OutcomeLit = Literal["PROMOTE", "RENEW", "KEEP", "DEMOTE", "NOT_RENEW"]
GroundLit = Literal[
    "ANNUAL_INCOMPETENT",
    "UNFIT_IN_PROBATION",
    "BREACH_OF_DUTY",
    "UNABLE_TO_PERFORM",
    "ABSENCE",
    "SERIOUS_VIOLATION",
    "CONTRACT_GROUND",
    "MUTUAL_AGREEMENT",
    "APPOINTEE_RESIGNATION",
]
ExitLit = Literal["RETIRED", "RESIGNED", "DISMISSED", "DECEASED", "TRANSFERRED_OUT"]
RANK_CODE = r"^[A-Z][0-9]{2}$"
ID = r"^[A-Za-z0-9._:\-]{1,64}$"


class Request(RequestModel):
    """A request body: unknown fields refused, scalars of their JSON type (kernel.requests)."""


class OrgUnitCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"code": "u-finance", "name": "市财政局", "agency_level": "MUNICIPAL_AGENCY", "parent_id": "u-city"}
            ]
        }
    )
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", description="the unit's code, also its id")
    name: str = Field(min_length=1, max_length=200, description="name (名称/姓名) of the org unit")
    agency_level: AgencyLevelLit = Field(
        description="the unit's agency level (机构层级), e.g. CITY_LEADERSHIP or TOWNSHIP"
    )
    parent_id: str | None = Field(default=None, max_length=64, description="id of the parent unit; null for the root")


class OrgUnitUpdate(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"version": 3, "name": "市财政局", "agency_level": "MUNICIPAL_AGENCY"}]}
    )
    version: int = Field(ge=1, description="the version read; a concurrent change answers 409")
    name: str | None = Field(default=None, min_length=1, max_length=200, description="name (名称/姓名) of the org unit")
    agency_level: AgencyLevelLit | None = Field(
        default=None, description="the unit's agency level (机构层级), e.g. CITY_LEADERSHIP or TOWNSHIP"
    )


class OrgUnitMove(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"version": 3, "new_parent_id": "u-city"}]})
    version: int = Field(ge=1, description="the version last read; a concurrent change answers 409")
    new_parent_id: str = Field(min_length=1, max_length=64, description="id of the unit's new parent")


class OrgUnitClose(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"version": 3}]})
    version: int = Field(ge=1, description="the version last read; a concurrent change answers 409")


class OrgUnitRead(BaseModel):
    id: str = Field(description="id of the org unit")
    name: str = Field(description="name (名称/姓名) of the org unit")
    parent_id: str | None = Field(description="id of the parent unit; null for the root")
    agency_level: str = Field(description="the unit's agency level (机构层级), e.g. CITY_LEADERSHIP or TOWNSHIP")
    path: list[str] = Field(description="ids of the unit's ancestors from the root, ending with the unit")
    active: bool = Field(description="whether the org unit is active (false once closed or retired)")
    version: int | None = Field(
        default=None, description="version of the org unit; send it back with the next change (a stale one answers 409)"
    )


class OrgUnitPage(BaseModel):
    items: list[OrgUnitRead] = Field(description="the org unit items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


class CadreCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "张伟",
                    "gender": "MALE",
                    "birth_date": "1985-03-02",
                    "entry_date": "2008-07-01",
                    "org_unit_id": "u-finance",
                    "category": "COMPREHENSIVE",
                    "party_member": True,
                    "education": "BACHELOR",
                }
            ]
        }
    )
    name: str = Field(min_length=1, max_length=100, description="name (名称/姓名) of the cadre")
    gender: Literal["MALE", "FEMALE"] = Field(description="gender (性别): MALE or FEMALE")
    birth_date: dt.date = Field(description="date of birth (出生日期), ISO 8601")
    entry_date: dt.date = Field(description="date of entry into service (参加工作时间)")
    org_unit_id: str = Field(min_length=1, max_length=64, description="id of the organisation unit (单位)")
    category: CategoryLit = Field(default="COMPREHENSIVE", description="category of the cadre (类别)")
    party_member: bool = Field(default=False, description="whether the cadre is a Communist Party member (中共党员)")
    education: EducationLit | None = Field(default=None, description="highest education (学历), e.g. BACHELOR")
    id_number: str | None = Field(
        default=None,
        min_length=15,
        max_length=24,
        json_schema_extra={"writeOnly": True},
        description="公民身份号码 (18 characters, GB 11643-1999): checked, kept only as a keyed "
        "hash, never returned; finds the cadre through POST /cadres/search",
    )


class CadreUpdate(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"version": 3, "education": "MASTER", "reserve_cadre": True}]}
    )
    version: int = Field(ge=1, description="the version read; a concurrent change answers 409")
    name: str | None = Field(default=None, min_length=1, max_length=100, description="name (名称/姓名) of the cadre")
    gender: Literal["MALE", "FEMALE"] | None = Field(default=None, description="gender (性别): MALE or FEMALE")
    birth_date: dt.date | None = Field(default=None, description="date of birth (出生日期), ISO 8601")
    entry_date: dt.date | None = Field(default=None, description="date of entry into service (参加工作时间)")
    category: CategoryLit | None = Field(default=None, description="category of the cadre (类别)")
    party_member: bool | None = Field(
        default=None, description="whether the cadre is a Communist Party member (中共党员)"
    )
    education: EducationLit | None = Field(default=None, description="highest education (学历), e.g. BACHELOR")
    reserve_cadre: bool | None = Field(default=None, description="registered reserve cadre (后备干部)")
    grassroots_experience: bool | None = Field(default=None, description="has grassroots experience (基层工作经历)")
    id_number: str | None = Field(
        default=None,
        min_length=15,
        max_length=24,
        json_schema_extra={"writeOnly": True},
        description="公民身份号码 (18 characters, GB 11643-1999): checked, kept only as a keyed "
        "hash, never returned; finds the cadre through POST /cadres/search",
    )


class CadreTransfer(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"version": 3, "to_org_unit_id": "u-finance-div1", "moved_on": "2026-03-01"}]}
    )
    version: int = Field(ge=1, description="the version last read; a concurrent change answers 409")
    to_org_unit_id: str = Field(min_length=1, max_length=64, description="id of the unit the cadre moves to")
    moved_on: dt.date | None = Field(default=None, description="effective date (default today)")


class CadreExit(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"version": 3, "reason": "RETIRED"}]})
    version: int = Field(ge=1, description="the version last read; a concurrent change answers 409")
    reason: ExitLit = Field(description="reason given (理由)")


class Versioned(BaseModel):
    id: str = Field(description="id of the record")
    version: int = Field(
        description="version of the record; send it back with the next change (a stale one answers 409)"
    )


class CadreRead(BaseModel):
    id: str = Field(description="id of the cadre")
    name: str = Field(description="name (名称/姓名) of the cadre")
    gender: str = Field(description="gender (性别): MALE or FEMALE")
    birth_date: dt.date = Field(description="date of birth (出生日期), ISO 8601")
    entry_date: dt.date = Field(description="date of entry into service (参加工作时间)")
    org_unit_id: str = Field(description="id of the organisation unit (单位)")
    category: str = Field(description="category of the cadre (类别)")
    party_member: bool = Field(description="whether the cadre is a Communist Party member (中共党员)")
    education: str | None = Field(description="highest education (学历), e.g. BACHELOR")
    active: bool = Field(description="whether the cadre is active (false once closed or retired)")
    version: int = Field(
        description="version of the cadre; send it back with the next change (a stale one answers 409)"
    )
    rank_code: str | None = Field(default=None, description="rank code (职级) from the rank ladder, e.g. C06")
    level: int | None = Field(default=None, description="level (档次) within the rank")
    post_code: str | None = Field(default=None, description="the leadership post code (领导职务), e.g. DIVISION_CHIEF")
    leadership: bool = Field(default=False, description="whether the cadre holds a leadership post (领导职务)")
    relative_ids: list[str] = Field(default=[], description="ids of the cadre's relatives in the register (亲属)")
    reserve_cadre: bool = Field(default=False, description="whether the cadre is a reserve cadre (后备干部)")
    grassroots_experience: bool = Field(
        default=False, description="whether the cadre has grassroots experience (基层工作经历)"
    )


class CadreSearchBody(Request):
    """A register search that names an ID number: in the body, so that the number stays out of URLs and logs."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id_number": "110105198503021234", "org_unit_id": "u-finance", "q": "张"}]}
    )

    id_number: str = Field(min_length=15, max_length=24, description="公民身份号码 (18 characters, GB 11643-1999)")
    org_unit_id: str | None = Field(default=None, max_length=64, description="only this unit and its subunits")
    q: str | None = Field(default=None, min_length=1, max_length=100, description="a name fragment or its pinyin")


class CadrePage(BaseModel):
    items: list[CadreRead] = Field(description="the cadre items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


class RelativeItem(Request):
    cadre_id: str = Field(min_length=1, max_length=64, description="id of the cadre (干部)")
    relation: RelationLit = Field(description="family relation (亲属关系)")


class RelativesPut(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"relatives": [{"cadre_id": "c-4712", "relation": "SPOUSE"}]}]}
    )
    relatives: list[RelativeItem] = Field(
        max_length=50, description="the cadre's relatives in the register and how they are related"
    )


class RelativesRead(BaseModel):
    relative_ids: list[str] = Field(description="ids of the cadre's relatives in the register (亲属)")


class RankHoldingCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "rank_code": "C08",
                    "since": "2026-11-01",
                    "basis": "PROMOTION",
                    "level": 19,
                    "source_ref": "batch/pb-7",
                }
            ]
        }
    )
    rank_code: str = Field(pattern=RANK_CODE, description="rank code (职级) from the rank ladder, e.g. C06")
    since: dt.date = Field(description="date the holding started (任职时间)")
    basis: BasisLit = Field(description="the legal basis of the rank holding (依据), e.g. PROMOTION or INITIAL")
    level: int | None = Field(default=None, ge=1, le=27, description="level (档次) within the rank")
    source_ref: str | None = Field(
        default=None, max_length=128, description="reference of the source document (文件依据)"
    )


class PostHoldingCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "post_code": "TOWNSHIP_DEPUTY",
                    "since": "2026-11-01",
                    "basis": "PROMOTION",
                    "hardship": False,
                    "source_ref": "batch/pb-7",
                }
            ]
        }
    )
    post_code: PostLit | None = Field(description="null: no leadership post from `since`")
    since: dt.date = Field(description="date the holding started (任职时间)")
    basis: BasisLit = Field(description="the legal basis of the post holding (依据), e.g. PROMOTION or INITIAL")
    hardship: bool = Field(default=False, description="基层 / 艰苦边远 / 急难险重 posting")
    source_ref: str | None = Field(
        default=None, max_length=128, description="reference of the source document (文件依据)"
    )


CADRE_BATCH_MAX = 500  # cadres per batch request (the body is bounded as well: the service's max_body_bytes)


class HeldRank(RankHoldingCreate):
    """The rank a batch-registered cadre holds from a date (as POST /cadres/{id}/rank-holdings)."""


class HeldPost(PostHoldingCreate):
    """The post a batch-registered cadre holds from a date (as POST /cadres/{id}/post-holdings)."""


class CadreBatchItem(CadreCreate):
    rank: HeldRank | None = Field(default=None, description="the rank held and since when, if any (职级)")
    post: HeldPost | None = Field(default=None, description="the leadership post held and since when, if any (职务)")


class CadreBatch(Request):
    """Cadres registered in one transaction, each as POST /cadres (then its rank and post holdings) would."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "name": "张伟",
                            "gender": "MALE",
                            "birth_date": "1985-03-02",
                            "entry_date": "2008-07-01",
                            "org_unit_id": "u-finance",
                            "category": "COMPREHENSIVE",
                            "party_member": True,
                            "education": "BACHELOR",
                        }
                    ]
                }
            ]
        }
    )

    items: list[CadreBatchItem] = Field(
        min_length=1, max_length=CADRE_BATCH_MAX, description="the cadre batch items of this page"
    )


class ItemProblem(BaseModel):
    """Why one item of a batch was refused: the problem the single route would have answered."""

    status: int = Field(description="status of the problem")
    type: str = Field(description="type of the problem")
    detail: str = Field(description="explanation of the problem")
    rule: str | None = Field(default=None, description="the rule the item breaks")
    field: str | None = Field(default=None, description="the invalid field, when one is named")
    source: str | None = Field(default=None, description="source of the problem")


class CadreBatchItemRead(BaseModel):
    index: int = Field(description="the item's position in the request")
    id: str | None = Field(default=None, description="the new cadre's id")
    outcome: Literal["REGISTERED"] | None = Field(default=None, description="outcome of the cadre batch item (结果)")
    problem: ItemProblem | None = Field(default=None, description="set when this item was refused (nothing of it kept)")


class CadreBatchRead(BaseModel):
    items: list[CadreBatchItemRead] = Field(description="the cadre batch items of this page")


class LevelHoldingCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"level": 19, "step": 3, "since": "2026-11-01", "basis": "PROMOTION"}]}
    )
    level: int = Field(ge=1, le=27, description="level (档次) within the rank")
    step: int | None = Field(default=None, ge=1, le=14, description="step within the level (档次)")
    since: dt.date = Field(description="date the holding started (任职时间)")
    basis: BasisLit = Field(description="the legal basis of the level holding (依据), e.g. PROMOTION or INITIAL")


class DemotionExecute(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"effective_date": "2026-11-01"}]})
    effective_date: dt.date = Field(description="date the demotion takes effect (生效日期)")


class HoldingRead(BaseModel):
    id: str = Field(description="id of the holding")
    since: dt.date = Field(description="date the holding started (任职时间)")
    until: dt.date | None = Field(description="date the holding ended; null while current")
    basis: str | None = Field(
        default=None, description="the legal basis of the holding (依据), e.g. PROMOTION or INITIAL"
    )
    source_ref: str | None = Field(default=None, description="reference of the source document (文件依据)")
    rank_code: str | None = Field(default=None, description="rank code (职级) from the rank ladder, e.g. C06")
    post_code: str | None = Field(default=None, description="the leadership post code (领导职务), e.g. DIVISION_CHIEF")
    hardship: bool | None = Field(default=None, description="whether the holding is in a hardship area (艰苦边远地区)")
    level: int | None = Field(default=None, description="level (档次) within the rank")
    step: int | None = Field(default=None, description="step within the level (档次)")
    org_unit_id: str | None = Field(default=None, description="id of the organisation unit (单位)")


class HistoryRead(BaseModel):
    cadre_id: str = Field(description="id of the cadre (干部)")
    as_of: dt.date = Field(description="date the figures were computed for (统计截止日期)")
    rank_code: str | None = Field(description="rank code (职级) from the rank ladder, e.g. C06")
    post_code: str | None = Field(description="the leadership post code (领导职务), e.g. DIVISION_CHIEF")
    level: int | None = Field(description="level (档次) within the rank")
    org_unit_id: str | None = Field(description="id of the organisation unit (单位)")
    rank_holdings: list[HoldingRead] = Field(description="the cadre's rank holdings")
    post_holdings: list[HoldingRead] = Field(description="the cadre's post holdings")
    level_holdings: list[HoldingRead] = Field(description="the cadre's level holdings")
    assignments: list[HoldingRead] = Field(description="the cadre's unit assignments over time (任职单位)")


class DemotionRead(BaseModel):
    id: str = Field(description="id of the demotion")
    cadre_id: str = Field(description="id of the cadre (干部)")
    source: str = Field(description="source of the demotion")
    reason: str = Field(description="reason given (理由)")
    status: str = Field(description="status of the demotion")
    from_rank: str | None = Field(description="the rank code before the demotion (原职级)")
    to_rank: str | None = Field(description="rank code after the demotion")
    from_level: int | None = Field(description="the level before the demotion (原职级档次)")
    to_level: int | None = Field(description="level after the demotion")
    effective_date: dt.date | None = Field(description="date the demotion takes effect (生效日期)")
    dismissal_review: bool = Field(description="whether the demotion requires a dismissal review (辞退审查)")


class PathIn(Request):
    kind: Literal["RANK", "POST"] = Field(description="kind of the promotion path")
    code: str = Field(min_length=1, max_length=32, description="the promotion path's code (编码)")
    min_years: int = Field(ge=0, le=10, description="minimum years in the lower rank (任职年限)")


class RankDefIn(Request):
    code: str = Field(pattern=RANK_CODE, description="the rank's code (编码)")
    name: str = Field(min_length=1, max_length=50, description="name (名称/姓名) of the rank")
    order: int = Field(ge=1, le=20, description="position of the rank in the ladder (1 = most senior)")
    scale: int = Field(ge=1, le=12, description="position of the rank on the comprehensive scale")
    level_low: int = Field(ge=1, le=27, description="the rank's lowest level (级别), the largest number")
    level_high: int = Field(ge=1, le=27, description="the rank's highest level (级别), the smallest number")
    equivalent_post: PostLit | None = Field(
        default=None, description="the leadership post the rank is equivalent to (对应职务)"
    )
    promote_from: list[PathIn] = Field(
        default_factory=list,
        max_length=4,
        description="paths into the rank: the rank or post promoted from and its minimum years (晋升路径)",
    )
    education_min: EducationLit | None = Field(default=None, description="minimum education for the rank (学历要求)")
    raises_level_on_promotion: bool = Field(
        default=True, description="whether promotion into the rank raises the level"
    )


class LadderVersionCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "version": "2027.1",
                    "effective_from": "2027-01-01",
                    "source": "公务员职务与职级并行规定（2019）第十条",
                    "confidence": "V",
                    "ranks": [
                        {
                            "code": "C08",
                            "name": "二级主任科员",
                            "order": 8,
                            "scale": 8,
                            "level_low": 22,
                            "level_high": 16,
                            "promote_from": [{"kind": "RANK", "code": "C09", "min_years": 2}],
                        },
                        {
                            "code": "C09",
                            "name": "三级主任科员",
                            "order": 9,
                            "scale": 9,
                            "level_low": 23,
                            "level_high": 17,
                        },
                    ],
                }
            ]
        }
    )
    version: str = Field(pattern=r"^[A-Za-z0-9._-]{1,32}$", description="label of this version, e.g. 2027.1 (版本号)")
    effective_from: dt.date = Field(description="date the ladder version applies from (生效日期)")
    source: str = Field(min_length=1, max_length=2000, description="source of the ladder version")
    confidence: Literal["V", "S", "S-", "R", "D"] = Field(
        default="D", description="how sure the rule table is (confidence of the rule source)"
    )
    ranks: list[RankDefIn] = Field(min_length=2, max_length=20, description="the ranks of the ladder (职级序列)")


class LadderRead(BaseModel):
    series: str = Field(description="the ladder series (职级序列)")
    version: str = Field(description="label of this version, e.g. 2027.1 (版本号)")
    effective_from: dt.date = Field(description="date the ladder applies from (生效日期)")
    source: str = Field(description="source of the ladder")
    confidence: str = Field(description="how sure the rule table is (confidence of the rule source)")
    ranks: list[dict[str, Any]] = Field(description="the ranks of the ladder (职级序列)")
    in_force: bool = Field(default=False, description="whether the ladder version is in force today")


class LadderList(BaseModel):
    items: list[LadderRead] = Field(description="the ladder items of this page")
    posts: dict[str, dict[str, Any]] = Field(description="the leadership posts with their equivalent ranks")


class ItemIn(Request):
    points: float = Field(ge=-100, le=100, description="points (积分) of the item")
    cap: float | None = Field(default=None, ge=0, le=1000, description="maximum points the item can give (上限)")


class PointsSchemeCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "org_unit_id": "u-finance",
                    "version": "2027.1",
                    "effective_from": "2027-01-01",
                    "items": {
                        "tenure_year": {"points": 2, "cap": 20},
                        "excellent_year": {"points": 3, "cap": 15},
                        "award.MERIT_3": {"points": 3, "cap": 9},
                    },
                    "tie_breakers": ["tenure_months", "entry_date"],
                }
            ]
        }
    )
    org_unit_id: str = Field(min_length=1, max_length=64, description="id of the organisation unit (单位)")
    version: str = Field(pattern=r"^[A-Za-z0-9._-]{1,32}$", description="label of this version, e.g. 2027.1 (版本号)")
    effective_from: dt.date = Field(description="date the points scheme applies from (生效日期)")
    items: dict[str, ItemIn] = Field(min_length=1, max_length=40, description="the points scheme items of this page")
    tie_breakers: list[Literal["tenure_months", "excellent_years", "entry_date", "birth_date"]] = Field(
        default_factory=lambda: ["tenure_months", "entry_date", "birth_date"],
        max_length=4,
        description="tie-breakers in order (同分排序规则)",
    )
    award_scope: Literal["CURRENT_RANK", "CAREER"] = Field(
        default="CURRENT_RANK", description="which awards count for points, by level (奖励计分范围)"
    )
    sanction_lookback_years: int = Field(default=5, ge=0, le=20, description="years of sanctions that lower points")


class PointsSchemeRead(BaseModel):
    id: str = Field(description="id of the points scheme")
    org_unit_id: str | None = Field(description="id of the organisation unit (单位)")
    version: str = Field(description="label of this version, e.g. 2027.1 (版本号)")
    effective_from: dt.date | None = Field(description="date the points scheme applies from (生效日期)")
    definition: dict[str, Any] = Field(description="the scheme's items and weights as configured (计分方案)")


class PointsSchemePage(BaseModel):
    items: list[PointsSchemeRead] = Field(description="the points scheme items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


class QuotaCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "org_unit_id": "u-finance",
                    "bucket": "C07_C08",
                    "rank_codes": ["C07", "C08"],
                    "max_count": 6,
                    "effective_from": "2027-01-01",
                    "source": "市编办〔2026〕9号",
                }
            ]
        }
    )
    org_unit_id: str = Field(min_length=1, max_length=64, description="id of the organisation unit (单位)")
    bucket: str = Field(pattern=r"^[A-Z0-9_]{1,64}$", description="the quota bucket (职数分组) the ranks count against")
    rank_codes: list[str] = Field(min_length=1, max_length=12, description="rank codes the quota covers (职级)")
    max_count: int = Field(ge=0, le=100000, description="maximum number of holders (职数)")
    effective_from: dt.date = Field(description="date the quota applies from (生效日期)")
    source: str | None = Field(default=None, max_length=500, description="source of the quota")


class QuotaRead(BaseModel):
    id: str = Field(description="id of the quota")
    org_unit_id: str = Field(description="id of the organisation unit (单位)")
    bucket: str = Field(description="the quota bucket (职数分组) the ranks count against")
    rank_codes: list[str] = Field(description="rank codes the quota covers (职级)")
    max_count: int = Field(description="maximum number of holders (职数)")
    effective_from: dt.date = Field(description="date the quota applies from (生效日期)")
    holders: int = Field(description="number of current holders counted against the quota")
    reserved: int = Field(description="places reserved by pending batches")
    vacancies: int = Field(description="places free")


class QuotaPage(BaseModel):
    items: list[QuotaRead] = Field(description="the quota items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


class BatchCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"org_unit_id": "u-finance", "title": "2026年第二批职级晋升", "target_ranks": ["C08"]}]
        }
    )
    org_unit_id: str = Field(min_length=1, max_length=64, description="id of the organisation unit (单位)")
    title: str = Field(min_length=1, max_length=200, description="title of the batch")
    target_ranks: list[str] = Field(min_length=1, max_length=12, description="rank codes the batch promotes to")


class VotesIn(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"votes_for": 9, "votes_against": 1, "abstain": 1}]})
    votes_for: int = Field(ge=0, le=100000, description="number of votes in favour (赞成票)")
    votes_against: int = Field(ge=0, le=100000, description="number of votes against (反对票)")
    abstain: int = Field(ge=0, le=100000, description="number of abstentions in the vote (弃权票)")


class RecommendIn(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"cadre_ids": ["c-4711", "c-4712"]}]})
    cadre_ids: list[str] = Field(min_length=1, max_length=500, description="ids of the cadres concerned (干部)")


class InvestigationIn(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"passed": True, "note": "考察组意见：政治素质好，工作实绩突出"}]}
    )
    passed: bool = Field(description="whether the investigation was passed (考察通过)")
    note: str | None = Field(default=None, max_length=2000, description="free-text note")


class PublicizeIn(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"starts_on": "2026-11-10", "working_days": 5}]})
    starts_on: dt.date | None = Field(default=None, description="date the publicity starts (开始日期)")
    working_days: int | None = Field(
        default=None, ge=1, le=30, description="length of publicity in working days (公示期)"
    )


class ResolveIn(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"upheld": False}]})
    upheld: bool = Field(description="whether the objection is upheld")


class ApproveIn(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"effective_date": "2026-11-01"}]})
    effective_date: dt.date | None = Field(default=None, description="date the batch takes effect (生效日期)")


class CancelIn(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "机构改革，本批次职数调整"}]})
    reason: str = Field(min_length=1, max_length=200, description="reason given (理由)")


class Empty(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{}]})
    pass


class ComputeResult(StateRead):
    candidates: int = Field(description="number of candidates computed")
    buckets: list[str] = Field(description="the candidates per quota bucket")
    scheme_version: str = Field(description="version of the points scheme used")


class BatchRead(BaseModel):
    id: str = Field(description="id of the batch")
    org_unit_id: str = Field(description="id of the organisation unit (单位)")
    title: str = Field(description="title of the batch")
    target_ranks: list[str] = Field(description="rank codes the batch promotes to")
    status: str = Field(description="status of the batch")
    created_by: str = Field(description="subject of the user who created the batch")
    publicity_from: dt.date | None = Field(description="first day of publicity (公示开始)")
    publicity_to: dt.date | None = Field(description="last day of publicity (公示结束)")
    approved_by: str | None = Field(description="subject of the user who approved the batch")
    approved_on: dt.date | None = Field(description="date the batch was approved (批准日期)")
    effective_date: dt.date | None = Field(description="date the batch takes effect (生效日期)")
    version: int = Field(
        description="version of the batch; send it back with the next change (a stale one answers 409)"
    )
    counts: dict[str, int] = Field(default={}, description="number of candidates by decision in the batch")


class BatchPage(BaseModel):
    items: list[BatchRead] = Field(description="the batch items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


class CandidateRead(BaseModel):
    cadre_id: str = Field(description="id of the cadre (干部)")
    name: str | None = Field(default=None, description="name (名称/姓名) of the candidate")
    target_rank: str = Field(description="rank code the cadre is a candidate for (拟晋升职级)")
    bucket: str = Field(description="the quota bucket (职数分组) the ranks count against")
    status: str = Field(description="status of the candidate")
    points: float = Field(description="points (积分) of the candidate")
    rank_in_bucket: int | None = Field(description="the candidate's position within the bucket")
    points_breakdown: list[dict[str, Any]] = Field(description="points per scheme item")
    eligibility: dict[str, Any] = Field(
        description="eligibility for the next rank with the failed conditions (晋升资格)"
    )
    votes_for: int | None = Field(description="number of votes in favour (赞成票)")
    votes_against: int | None = Field(description="number of votes against (反对票)")
    votes_abstain: int | None = Field(description="number of abstentions")
    investigation_passed: bool | None = Field(description="whether the candidate passed the investigation (考察)")
    objection_open: bool = Field(description="whether an objection during publicity is unresolved")
    decision_reason: str | None = Field(description="why the candidate was or was not promoted")


class CandidatePage(BaseModel):
    items: list[CandidateRead] = Field(description="the candidate items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


class ContractCreate(Request):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cadre_id": "c-4711",
                    "kind": "APPOINTED_CS",
                    "starts_on": "2026-11-10",
                    "ends_on": "2028-12-31",
                    "probation_months": 6,
                }
            ]
        }
    )
    cadre_id: str = Field(min_length=1, max_length=64, description="id of the cadre (干部)")
    kind: KindLit = Field(description="kind of the contract")
    starts_on: dt.date = Field(description="date the contract starts (开始日期)")
    ends_on: dt.date | None = Field(default=None, description="required except for role terms (default 3 years)")
    probation_months: int = Field(default=0, ge=0, le=12, description="probation period in months (试用期)")
    tier: str | None = Field(default=None, max_length=32, description="contract tier")


class ContractFile(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"filed_on": "2026-01-15"}]})
    filed_on: dt.date | None = Field(default=None, description="date the contract was filed (备案/提出日期)")


class RenewalDecision(Request):
    model_config = ConfigDict(json_schema_extra={"examples": [{"outcome": "RENEW", "ends_on": "2028-12-31"}]})
    outcome: OutcomeLit | None = Field(default=None, description="default: what the term's grades allow")
    ends_on: dt.date | None = Field(
        default=None,
        description="last day of the next term; default: a role term runs "
        "the configured term (RANK_CONTRACT_ROLE_TERM_YEARS), the other kinds as long as "
        "the term renewed",
    )


class ContractTerminate(Request):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"ground": "ANNUAL_INCOMPETENT", "terminated_on": "2027-02-01"}]}
    )
    ground: GroundLit = Field(description="the ground of termination (解除事由)")
    terminated_on: dt.date | None = Field(default=None, description="date the contract was terminated (解除日期)")


class ContractState(StateRead):
    new_contract_id: str | None = Field(default=None, description="id of the renewed contract")


class ContractRead(BaseModel):
    id: str = Field(description="id of the contract")
    cadre_id: str = Field(description="id of the cadre (干部)")
    cadre_name: str | None = Field(None, description="the cadre's name (姓名)")
    kind: str = Field(description="kind of the contract")
    tier: str | None = Field(description="contract tier")
    starts_on: dt.date = Field(description="date the contract starts (开始日期)")
    ends_on: dt.date = Field(description="date the contract ends (合同期满)")
    probation_months: int = Field(description="probation period in months (试用期)")
    status: str = Field(description="status of the contract")
    filed_on: dt.date | None = Field(description="date the contract was filed (备案/提出日期)")
    review_due_on: dt.date | None = Field(description="date the contract review is due")
    outcome: str | None = Field(description="outcome of the contract (结果)")
    decided_on: dt.date | None = Field(description="date the contract was decided (决定日期)")
    termination_ground: str | None = Field(description="ground of termination (解除事由)")
    terminated_on: dt.date | None = Field(description="date the contract was terminated (解除日期)")
    renewed_from: str | None = Field(description="id of the contract this one renews")
    version: int = Field(
        description="version of the contract; send it back with the next change (a stale one answers 409)"
    )
    suggestion: dict[str, Any] | None = Field(default=None, description="suggested outcome of the contract review")
    source: str | None = Field(
        default=None, description="source of the contract"
    )  # a past term recorded as a past fact (POST /contracts/history); None: signed live
    document_no: str | None = Field(default=None, description="number of the contract document (文号)")
    recorded_by: str | None = Field(default=None, description="subject of the user who recorded it")
    recorded_at: dt.datetime | None = Field(default=None, description="when the contract was recorded (UTC)")


class ContractPage(BaseModel):
    items: list[ContractRead] = Field(description="the contract items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


class EligibilityRead(BaseModel):
    eligibility: dict[str, Any] = Field(
        description="eligibility for the next rank with the failed conditions (晋升资格)"
    )
    points: dict[str, Any] | None = Field(description="points (积分) of the eligibility")
    development: dict[str, Any] = Field(description="development steps the cadre has taken (培养锻炼)")
    level_step: dict[str, Any] = Field(default_factory=dict, description="the periodic level (级别) step, §4.3")


class StandingRead(BaseModel):
    cadre_id: str = Field(description="id of the cadre (干部)")
    name: str = Field(description="name (名称/姓名) of the standing")
    org_unit_id: str = Field(description="id of the organisation unit (单位)")
    current_rank: str | None = Field(description="the cadre's current rank code (现任职级)")
    target_rank: str | None = Field(description="rank code the cadre is a candidate for (拟晋升职级)")
    eligible_on: dt.date | None = Field(description="date the cadre becomes eligible (符合资格日期)")
    eligible_now: bool = Field(description="whether the cadre meets the promotion conditions today")
    blocked: bool = Field(description="conditions that block promotion now (不得晋升情形)")
    points: float | None = Field(description="points (积分) of the standing")
    reasons: list[dict[str, Any]] = Field(description="the reasons (理由)")
    as_of: dt.date | None = Field(description="date the figures were computed for (统计截止日期)")


class StandingPage(BaseModel):
    items: list[StandingRead] = Field(description="the standing items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


class TrackRead(BaseModel):
    cadre_id: str = Field(description="id of the cadre (干部)")
    name: str = Field(description="name (名称/姓名) of the track")
    org_unit_id: str = Field(description="id of the organisation unit (单位)")
    stage: str | None = Field(description="stage of the track")
    step: str | None = Field(description="step within the level (档次)")
    reasons: list[str] = Field(description="the reasons (理由)")
    as_of: dt.date | None = Field(description="date the figures were computed for (统计截止日期)")


class TrackPage(BaseModel):
    items: list[TrackRead] = Field(description="the track items of this page")
    next_cursor: str | None = Field(description="cursor of the next page; null on the last page")


class DossierPart(BaseModel):
    service: str = Field(default="rank", description="the service the part comes from")
    cadre_id: str = Field(description="id of the cadre (干部)")
    as_of: dt.date = Field(description="date the figures were computed for (统计截止日期)")
    register_entry: dict[str, Any] = Field(description="the cadre's register entry")
    cadre: CadreRead | None = Field(
        default=None,
        description="the register entry exactly as GET /cadres/{id} gives it (the gateway's dossier takes it from "
        "here instead of a second call)",
    )
    history: HistoryRead = Field(description="the cadre's rank, post and level history (任职经历)")
    eligibility: dict[str, Any] = Field(
        description="eligibility for the next rank with the failed conditions (晋升资格)"
    )
    points: dict[str, Any] | None = Field(description="points (积分) of the cadre")
    development: dict[str, Any] = Field(description="development steps the cadre has taken (培养锻炼)")
    level_step: dict[str, Any] = Field(default={}, description="the next level step and when it is due (晋档)")
    demotions: list[DemotionRead] = Field(description="the cadre's demotions (降职)")
    contracts: list[ContractRead] = Field(description="the cadre's appointment contracts (聘任合同)")


class DashboardPart(BaseModel):
    service: str = Field(default="rank", description="the service the part comes from")
    org_unit_id: str = Field(description="id of the organisation unit (单位)")
    as_of: dt.date = Field(description="date the figures were computed for (统计截止日期)")
    cadres: int = Field(description="number of active cadres in the unit's subtree")
    by_rank: dict[str, int] = Field(description="number of cadres by rank code (职级)")
    eligible_now: int = Field(description="whether the cadre meets the promotion conditions today")
    eligible_within_year: int = Field(description="number of cadres eligible within a year")
    blocked: int = Field(description="conditions that block promotion now (不得晋升情形)")
    top_eligible: list[StandingRead] = Field(description="the cadres eligible soonest")
    development_steps: dict[str, int] = Field(description="number of development steps recorded")
    batches_by_status: dict[str, int] = Field(description="number of promotion batches by status (晋升批次)")
    contracts_by_status: dict[str, int] = Field(description="number of contracts by status (聘任合同)")
    demotions_required: int = Field(description="number of demotions awaiting execution")
    dismissal_reviews: int = Field(description="number of dismissal reviews open")
    quotas: list[QuotaRead] = Field(description="quota usage per bucket (职数)")
    standings_pending: int = Field(description="number of standings not yet computed")
