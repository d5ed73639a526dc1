"""Request and response models of the rank API (requests forbid unknown fields)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from kernel.requests import RequestModel

AgencyLevelLit = Literal["CITY_LEADERSHIP", "MUNICIPAL_AGENCY", "COUNTY_LEADERSHIP", "COUNTY_AGENCY", "TOWNSHIP", "DIVISION"]
CategoryLit = Literal["COMPREHENSIVE", "PROFESSIONAL", "ENFORCEMENT", "APPOINTED", "GOV_EMPLOYEE"]
EducationLit = Literal["HIGH_SCHOOL", "JUNIOR_COLLEGE", "BACHELOR", "MASTER", "DOCTORATE"]
BasisLit = Literal["INITIAL", "PROMOTION", "DEMOTION", "TRANSFER", "CORRECTION"]
PostLit = Literal["TOWNSHIP_DEPUTY", "TOWNSHIP_CHIEF", "DIVISION_DEPUTY", "DIVISION_CHIEF", "BUREAU_DEPUTY",
                  "BUREAU_CHIEF"]
RelationLit = Literal["SPOUSE", "PARENT", "CHILD", "SIBLING", "COLLATERAL", "IN_LAW"]
SeriesLit = Literal["COMPREHENSIVE", "PROFESSIONAL", "ENFORCEMENT"]
KindLit = Literal["APPOINTED_CS", "ROLE_TERM", "GOV_EMPLOYEE"]
OutcomeLit = Literal["PROMOTE", "RENEW", "KEEP", "DEMOTE", "NOT_RENEW"]
GroundLit = Literal["ANNUAL_INCOMPETENT", "UNFIT_IN_PROBATION", "BREACH_OF_DUTY", "UNABLE_TO_PERFORM", "ABSENCE",
                    "SERIOUS_VIOLATION", "CONTRACT_GROUND", "MUTUAL_AGREEMENT", "APPOINTEE_RESIGNATION"]
ExitLit = Literal["RETIRED", "RESIGNED", "DISMISSED", "DECEASED", "TRANSFERRED_OUT"]
RANK_CODE = r"^[A-Z][0-9]{2}$"
ID = r"^[A-Za-z0-9._:\-]{1,64}$"


class Request(RequestModel):
    """A request body: unknown fields refused, scalars of their JSON type (kernel.requests)."""


class OrgUnitCreate(Request):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$", description="the unit's code, also its id")
    name: str = Field(min_length=1, max_length=200)
    agency_level: AgencyLevelLit
    parent_id: str | None = Field(default=None, max_length=64)


class OrgUnitUpdate(Request):
    version: int = Field(ge=1, description="the version read; a concurrent change answers 409")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    agency_level: AgencyLevelLit | None = None


class OrgUnitMove(Request):
    version: int = Field(ge=1)
    new_parent_id: str = Field(min_length=1, max_length=64)


class OrgUnitClose(Request):
    version: int = Field(ge=1)


class OrgUnitRead(BaseModel):
    id: str
    name: str
    parent_id: str | None
    agency_level: str
    path: list[str]
    active: bool
    version: int | None = None


class OrgUnitPage(BaseModel):
    items: list[OrgUnitRead]
    next_cursor: str | None


class CadreCreate(Request):
    name: str = Field(min_length=1, max_length=100)
    gender: Literal["MALE", "FEMALE"]
    birth_date: dt.date
    entry_date: dt.date
    org_unit_id: str = Field(min_length=1, max_length=64)
    category: CategoryLit = "COMPREHENSIVE"
    party_member: bool = False
    education: EducationLit | None = None
    id_number: str | None = Field(default=None, min_length=15, max_length=24, json_schema_extra={"writeOnly": True},
                                  description="公民身份号码 (18 characters, GB 11643-1999): checked, kept only as a keyed "
                                              "hash, never returned; finds the cadre through POST /cadres/search")


class CadreUpdate(Request):
    version: int = Field(ge=1, description="the version read; a concurrent change answers 409")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    gender: Literal["MALE", "FEMALE"] | None = None
    birth_date: dt.date | None = None
    entry_date: dt.date | None = None
    category: CategoryLit | None = None
    party_member: bool | None = None
    education: EducationLit | None = None
    reserve_cadre: bool | None = Field(default=None, description="registered reserve cadre (后备干部)")
    grassroots_experience: bool | None = Field(default=None, description="has grassroots experience (基层工作经历)")
    id_number: str | None = Field(default=None, min_length=15, max_length=24, json_schema_extra={"writeOnly": True},
                                  description="公民身份号码 (18 characters, GB 11643-1999): checked, kept only as a keyed "
                                              "hash, never returned; finds the cadre through POST /cadres/search")


class CadreTransfer(Request):
    version: int = Field(ge=1)
    to_org_unit_id: str = Field(min_length=1, max_length=64)
    moved_on: dt.date | None = Field(default=None, description="effective date (default today)")


class CadreExit(Request):
    version: int = Field(ge=1)
    reason: ExitLit


class Created(BaseModel):
    id: str


class Versioned(BaseModel):
    id: str
    version: int


class CadreRead(BaseModel):
    id: str
    name: str
    gender: str
    birth_date: dt.date
    entry_date: dt.date
    org_unit_id: str
    category: str
    party_member: bool
    education: str | None
    active: bool
    version: int
    rank_code: str | None = None
    level: int | None = None
    post_code: str | None = None
    leadership: bool = False
    relative_ids: list[str] = []
    reserve_cadre: bool = False
    grassroots_experience: bool = False


class CadreSearchBody(Request):
    """A register search that names an ID number: in the body, so that the number stays out of URLs and logs."""

    id_number: str = Field(min_length=15, max_length=24, description="公民身份号码 (18 characters, GB 11643-1999)")
    org_unit_id: str | None = Field(default=None, max_length=64, description="only this unit and its subunits")
    q: str | None = Field(default=None, min_length=1, max_length=100, description="a name fragment or its pinyin")


class CadrePage(BaseModel):
    items: list[CadreRead]
    next_cursor: str | None


class RelativeItem(Request):
    cadre_id: str = Field(min_length=1, max_length=64)
    relation: RelationLit


class RelativesPut(Request):
    relatives: list[RelativeItem] = Field(max_length=50)


class RelativesRead(BaseModel):
    relative_ids: list[str]


class RankHoldingCreate(Request):
    rank_code: str = Field(pattern=RANK_CODE)
    since: dt.date
    basis: BasisLit
    level: int | None = Field(default=None, ge=1, le=27)
    source_ref: str | None = Field(default=None, max_length=128)


class PostHoldingCreate(Request):
    post_code: PostLit | None = Field(description="null: no leadership post from `since`")
    since: dt.date
    basis: BasisLit
    hardship: bool = Field(default=False, description="基层 / 艰苦边远 / 急难险重 posting")
    source_ref: str | None = Field(default=None, max_length=128)


CADRE_BATCH_MAX = 500  # cadres per batch request (the body is bounded as well: the service's max_body_bytes)


class HeldRank(RankHoldingCreate):
    """The rank a batch-registered cadre holds from a date (as POST /cadres/{id}/rank-holdings)."""


class HeldPost(PostHoldingCreate):
    """The post a batch-registered cadre holds from a date (as POST /cadres/{id}/post-holdings)."""


class CadreBatchItem(CadreCreate):
    rank: HeldRank | None = None
    post: HeldPost | None = None


class CadreBatch(Request):
    """Cadres registered in one transaction, each as POST /cadres (then its rank and post holdings) would."""

    items: list[CadreBatchItem] = Field(min_length=1, max_length=CADRE_BATCH_MAX)


class ItemProblem(BaseModel):
    """Why one item of a batch was refused: the problem the single route would have answered."""

    status: int
    type: str
    detail: str
    rule: str | None = None
    field: str | None = None
    source: str | None = None


class CadreBatchItemRead(BaseModel):
    index: int = Field(description="the item's position in the request")
    id: str | None = Field(default=None, description="the new cadre's id")
    outcome: Literal["REGISTERED"] | None = None
    problem: ItemProblem | None = Field(default=None, description="set when this item was refused (nothing of it kept)")


class CadreBatchRead(BaseModel):
    items: list[CadreBatchItemRead]


class LevelHoldingCreate(Request):
    level: int = Field(ge=1, le=27)
    step: int | None = Field(default=None, ge=1, le=14)
    since: dt.date
    basis: BasisLit


class DemotionExecute(Request):
    effective_date: dt.date


class HoldingRead(BaseModel):
    id: str
    since: dt.date
    until: dt.date | None
    basis: str | None = None
    source_ref: str | None = None
    rank_code: str | None = None
    post_code: str | None = None
    hardship: bool | None = None
    level: int | None = None
    step: int | None = None
    org_unit_id: str | None = None


class HistoryRead(BaseModel):
    cadre_id: str
    as_of: dt.date
    rank_code: str | None
    post_code: str | None
    level: int | None
    org_unit_id: str | None
    rank_holdings: list[HoldingRead]
    post_holdings: list[HoldingRead]
    level_holdings: list[HoldingRead]
    assignments: list[HoldingRead]


class DemotionRead(BaseModel):
    id: str
    cadre_id: str
    source: str
    reason: str
    status: str
    from_rank: str | None
    to_rank: str | None
    from_level: int | None
    to_level: int | None
    effective_date: dt.date | None
    dismissal_review: bool


class PathIn(Request):
    kind: Literal["RANK", "POST"]
    code: str = Field(min_length=1, max_length=32)
    min_years: int = Field(ge=0, le=10)


class RankDefIn(Request):
    code: str = Field(pattern=RANK_CODE)
    name: str = Field(min_length=1, max_length=50)
    order: int = Field(ge=1, le=20)
    scale: int = Field(ge=1, le=12)
    level_low: int = Field(ge=1, le=27)
    level_high: int = Field(ge=1, le=27)
    equivalent_post: PostLit | None = None
    promote_from: list[PathIn] = Field(default_factory=list, max_length=4)
    education_min: EducationLit | None = None
    raises_level_on_promotion: bool = True


class LadderVersionCreate(Request):
    version: str = Field(pattern=r"^[A-Za-z0-9._-]{1,32}$")
    effective_from: dt.date
    source: str = Field(min_length=1, max_length=2000)
    confidence: Literal["V", "S", "S-", "R", "D"] = "D"
    ranks: list[RankDefIn] = Field(min_length=2, max_length=20)


class LadderRead(BaseModel):
    series: str
    version: str
    effective_from: dt.date
    source: str
    confidence: str
    ranks: list[dict[str, Any]]
    in_force: bool = False


class LadderList(BaseModel):
    items: list[LadderRead]
    posts: dict[str, dict[str, Any]]


class ItemIn(Request):
    points: float = Field(ge=-100, le=100)
    cap: float | None = Field(default=None, ge=0, le=1000)


class PointsSchemeCreate(Request):
    org_unit_id: str = Field(min_length=1, max_length=64)
    version: str = Field(pattern=r"^[A-Za-z0-9._-]{1,32}$")
    effective_from: dt.date
    items: dict[str, ItemIn] = Field(min_length=1, max_length=40)
    tie_breakers: list[Literal["tenure_months", "excellent_years", "entry_date", "birth_date"]] = Field(
        default_factory=lambda: ["tenure_months", "entry_date", "birth_date"], max_length=4)
    award_scope: Literal["CURRENT_RANK", "CAREER"] = "CURRENT_RANK"
    sanction_lookback_years: int = Field(default=5, ge=0, le=20)


class PointsSchemeRead(BaseModel):
    id: str
    org_unit_id: str | None
    version: str
    effective_from: dt.date | None
    definition: dict[str, Any]


class PointsSchemePage(BaseModel):
    items: list[PointsSchemeRead]
    next_cursor: str | None


class QuotaCreate(Request):
    org_unit_id: str = Field(min_length=1, max_length=64)
    bucket: str = Field(pattern=r"^[A-Z0-9_]{1,64}$")
    rank_codes: list[str] = Field(min_length=1, max_length=12)
    max_count: int = Field(ge=0, le=100000)
    effective_from: dt.date
    source: str | None = Field(default=None, max_length=500)


class QuotaRead(BaseModel):
    id: str
    org_unit_id: str
    bucket: str
    rank_codes: list[str]
    max_count: int
    effective_from: dt.date
    holders: int
    reserved: int
    vacancies: int


class QuotaPage(BaseModel):
    items: list[QuotaRead]
    next_cursor: str | None


class BatchCreate(Request):
    org_unit_id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=200)
    target_ranks: list[str] = Field(min_length=1, max_length=12)


class VotesIn(Request):
    votes_for: int = Field(ge=0, le=100000)
    votes_against: int = Field(ge=0, le=100000)
    abstain: int = Field(ge=0, le=100000)


class RecommendIn(Request):
    cadre_ids: list[str] = Field(min_length=1, max_length=500)


class InvestigationIn(Request):
    passed: bool
    note: str | None = Field(default=None, max_length=2000)


class PublicizeIn(Request):
    starts_on: dt.date | None = None
    working_days: int | None = Field(default=None, ge=1, le=30)


class ResolveIn(Request):
    upheld: bool


class ApproveIn(Request):
    effective_date: dt.date | None = None


class CancelIn(Request):
    reason: str = Field(min_length=1, max_length=200)


class Empty(Request):
    pass


class BatchState(BaseModel):
    id: str
    status: str
    version: int


class ComputeResult(BaseModel):
    status: str
    candidates: int
    buckets: list[str]
    scheme_version: str


class BatchRead(BaseModel):
    id: str
    org_unit_id: str
    title: str
    target_ranks: list[str]
    status: str
    created_by: str
    publicity_from: dt.date | None
    publicity_to: dt.date | None
    approved_by: str | None
    approved_on: dt.date | None
    effective_date: dt.date | None
    version: int
    counts: dict[str, int] = {}


class BatchPage(BaseModel):
    items: list[BatchRead]
    next_cursor: str | None


class CandidateRead(BaseModel):
    cadre_id: str
    name: str | None = None
    target_rank: str
    bucket: str
    status: str
    points: float
    rank_in_bucket: int | None
    points_breakdown: list[dict[str, Any]]
    eligibility: dict[str, Any]
    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    investigation_passed: bool | None
    objection_open: bool
    decision_reason: str | None


class CandidatePage(BaseModel):
    items: list[CandidateRead]
    next_cursor: str | None


class ContractCreate(Request):
    cadre_id: str = Field(min_length=1, max_length=64)
    kind: KindLit
    starts_on: dt.date
    ends_on: dt.date | None = Field(default=None, description="required except for role terms (default 3 years)")
    probation_months: int = Field(default=0, ge=0, le=12)
    tier: str | None = Field(default=None, max_length=32)


class ContractFile(Request):
    filed_on: dt.date | None = None


class RenewalDecision(Request):
    outcome: OutcomeLit | None = Field(default=None, description="default: what the term's grades allow")
    ends_on: dt.date | None = Field(default=None, description="last day of the next term; default: a role term runs "
                                    "the configured term (RANK_CONTRACT_ROLE_TERM_YEARS), the other kinds as long as "
                                    "the term renewed")


class ContractTerminate(Request):
    ground: GroundLit
    terminated_on: dt.date | None = None


class ContractState(BaseModel):
    id: str
    status: str
    version: int
    new_contract_id: str | None = None


class ContractRead(BaseModel):
    id: str
    cadre_id: str
    cadre_name: str | None = Field(None, description="the cadre's name (姓名)")
    kind: str
    tier: str | None
    starts_on: dt.date
    ends_on: dt.date
    probation_months: int
    status: str
    filed_on: dt.date | None
    review_due_on: dt.date | None
    outcome: str | None
    decided_on: dt.date | None
    termination_ground: str | None
    terminated_on: dt.date | None
    renewed_from: str | None
    version: int
    suggestion: dict[str, Any] | None = None
    source: str | None = None  # a past term recorded as a past fact (POST /contracts/history); None: signed live
    document_no: str | None = None
    recorded_by: str | None = None
    recorded_at: dt.datetime | None = None


class ContractPage(BaseModel):
    items: list[ContractRead]
    next_cursor: str | None


class EligibilityRead(BaseModel):
    eligibility: dict[str, Any]
    points: dict[str, Any] | None
    development: dict[str, Any]
    level_step: dict[str, Any] = Field(default_factory=dict, description="the periodic level (级别) step, §4.3")


class StandingRead(BaseModel):
    cadre_id: str
    name: str
    org_unit_id: str
    current_rank: str | None
    target_rank: str | None
    eligible_on: dt.date | None
    eligible_now: bool
    blocked: bool
    points: float | None
    reasons: list[dict[str, Any]]
    as_of: dt.date | None


class StandingPage(BaseModel):
    items: list[StandingRead]
    next_cursor: str | None


class TrackRead(BaseModel):
    cadre_id: str
    name: str
    org_unit_id: str
    stage: str | None
    step: str | None
    reasons: list[str]
    as_of: dt.date | None


class TrackPage(BaseModel):
    items: list[TrackRead]
    next_cursor: str | None


class DossierPart(BaseModel):
    service: str = "rank"
    cadre_id: str
    as_of: dt.date
    register_entry: dict[str, Any]
    history: HistoryRead
    eligibility: dict[str, Any]
    points: dict[str, Any] | None
    development: dict[str, Any]
    level_step: dict[str, Any] = {}
    demotions: list[DemotionRead]
    contracts: list[ContractRead]


class DashboardPart(BaseModel):
    service: str = "rank"
    org_unit_id: str
    as_of: dt.date
    cadres: int
    by_rank: dict[str, int]
    eligible_now: int
    eligible_within_year: int
    blocked: int
    top_eligible: list[StandingRead]
    development_steps: dict[str, int]
    batches_by_status: dict[str, int]
    contracts_by_status: dict[str, int]
    demotions_required: int
    dismissal_reviews: int
    quotas: list[QuotaRead]
    standings_pending: int


class StatusRead(BaseModel):
    id: str
    status: str
