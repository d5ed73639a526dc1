"""Settings of the appraisal service (environment prefix APPRAISAL_)."""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings


class AppraisalSettings(ServiceSettings):
    """Appraisal service settings; the [R]/[D] figures of docs/rules.md §1 are configurable here."""

    model_config = SettingsConfigDict(env_prefix="APPRAISAL_", env_file=".env", env_ignore_empty=True, extra="ignore")

    service_name: str = "appraisal"
    port: int = 8001

    # 优秀 quota (docs/rules.md §1.1 [S-]): 20 % by default, up to 25 % with the civil-service authority's approval.
    excellent_quota_pct: float = 20.0
    excellent_quota_max_pct: float = 25.0
    # Rounding of staff × percentage to whole places (domain/rules/quota.py ROUNDING_RULES): FLOOR keeps the
    # statute's ceiling; an agency of at least `excellent_quota_min_one_from` assessed staff gets at least one
    # place (provincial implementing rules [D]; 0 disables the minimum). docs/appraisal.md explains the default.
    excellent_quota_rounding: str = Field(default="FLOOR", pattern="^(FLOOR|HALF_UP|CEIL)$")
    excellent_quota_min_one_from: int = Field(default=3, ge=0)
    # Publicity of an 优秀 proposal, in working days ([R]: duration not retrieved; docs/rules.md §1.8).
    publicity_working_days: int = 5
    # 复核 request window after written notification (公务员法 §95 [V]: 30 days).
    review_request_days: int = 30
    # Weights of the assessment form; 担当有为 (DANDANG) must carry the heaviest weight (issue 4, item 2) [D].
    form_weights: dict[str, float] = Field(
        default_factory=lambda: {"DE": 0.15, "NENG": 0.15, "QIN": 0.10, "JI": 0.20, "LIAN": 0.10, "DANDANG": 0.30}
    )
    # Reply deadlines of talks in working days (函询 15 WD [R]; written self-examination after 诫勉 [D]).
    talk_reply_working_days: dict[str, int] = Field(
        default_factory=lambda: {"INQUIRY_LETTER": 15, "ADMONISHMENT": 10, "ORG_INTERVIEW": 10}
    )
    # Year-end bonus coefficients per final grade (§1.2: 称职 or better paid; 基本称职/不称职 none) [D].
    bonus_coefficients: dict[str, float] = Field(
        default_factory=lambda: {
            "EXCELLENT": 1.5,
            "COMPETENT": 1.0,
            "BASIC": 0.0,
            "INCOMPETENT": 0.0,
            "UNDETERMINED": 0.0,
        }
    )
    # Age bands of the incentive-coverage breakdown (upper bounds, exclusive) [D].
    coverage_age_bands: list[int] = Field(default_factory=lambda: [35, 45, 55])
    index_formula_version: str = "2026.1"
    index_job_interval_s: float = 1.0
    index_batch_size: int = 2000
    talk_schedule_job_interval_s: float = 3600.0
    # Serious sanctions that open an award revocation review (公务员法 §56(三)) [D].
    serious_sanction_types: list[str] = Field(
        default_factory=lambda: [
            "MAJOR_DEMERIT",
            "LEVEL_DEMOTION",
            "DISMISSAL_FROM_POST",
            "EXPULSION",
            "PARTY_SERIOUS_WARNING",
            "PARTY_POST_REMOVAL",
            "PARTY_PROBATION",
            "PARTY_EXPULSION",
        ]
    )

    @model_validator(mode="after")
    def _check_figures(self) -> AppraisalSettings:
        if not 0 < self.excellent_quota_pct <= self.excellent_quota_max_pct <= 100:
            raise ValueError("need 0 < excellent_quota_pct <= excellent_quota_max_pct <= 100")
        weights = self.form_weights
        if "DANDANG" not in weights or abs(sum(weights.values()) - 1.0) > 1e-6:
            raise ValueError("form_weights must include DANDANG and sum to 1")
        if any(w >= weights["DANDANG"] for k, w in weights.items() if k != "DANDANG"):
            raise ValueError("the DANDANG (担当有为) weight must be strictly the heaviest")
        if sorted(self.coverage_age_bands) != self.coverage_age_bands:
            raise ValueError("coverage_age_bands must be ascending")
        return self
