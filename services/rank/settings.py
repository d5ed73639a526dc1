"""Settings of the rank service (environment prefix RANK_); rule parameters marked [R]/[D] are configurable here."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings
from services.rank.domain.rules.policies import BatchPolicy, ContractPolicy, RankPolicies, TenurePolicy, TrackPolicy


class RankSettings(ServiceSettings):
    """Rank service settings."""

    model_config = SettingsConfigDict(env_prefix="RANK_", env_file=".env", env_ignore_empty=True, extra="ignore")

    service_name: str = "rank"
    port: int = 8004

    # Tenure (docs/rules.md §4.2): the partial-year policy and the [R] bar after a 基本称职 grade.
    tenure_partial_year_min_months: int = Field(6, ge=1, le=12)
    tenure_excellent_reduction_months: int = Field(6, ge=0, le=12)
    tenure_basic_grade_bar_months: int = Field(0, ge=0, le=24)
    tenure_enforce_education: bool = True
    # Promotion batches: publicity in working days (并行规定 §20: at least 5).
    batch_publicity_min_working_days: int = Field(5, ge=5, le=30)
    # Contracts (docs/rules.md §4.6).
    contract_review_days_before_end: int = Field(90, ge=1, le=365)
    contract_role_term_years: int = Field(3, ge=1, le=10)
    contract_gov_employee_tiers: list[str] = Field(default_factory=lambda: ["GENERAL", "INTERMEDIATE", "SENIOR"])
    contract_gov_employee_max_years: int = Field(5, ge=1, le=10)
    contract_promote_min_excellent: int = Field(2, ge=1, le=5)
    # A government employee at the lowest tier whose term asks for DEMOTE (domain/rules/contracts.py) [D].
    contract_lowest_tier_fallback: Literal["KEEP", "NOT_RENEW"] = "KEEP"
    # Development track thresholds [D].
    track_new_entrant_years: int = Field(2, ge=0, le=10)
    track_young_max_age: int = Field(35, ge=18, le=60)
    track_reserve_max_age: int = Field(45, ge=18, le=65)
    track_rotation_min_years_in_unit: int = Field(3, ge=1, le=20)
    track_mature_min_service_years: int = Field(10, ge=1, le=40)
    # The key of the ID numbers' keyed hash (base64 of >= 32 bytes; services/rank/adapters/identity.py). Required in
    # production; `youwei up` generates one under var/keys.
    id_number_key: str | None = Field(default=None, repr=False)
    # Periodic jobs (tests switch them off and run them with a fixed date).
    jobs_enabled: bool = True
    standing_interval_s: float = Field(2.0, gt=0)
    standing_batch_size: int = Field(500, ge=10, le=5000)
    contract_sweep_interval_s: float = Field(3600.0, gt=0)

    def policies(self) -> RankPolicies:
        """Builds the rule parameters from the settings."""
        return RankPolicies(
            tenure=TenurePolicy(
                partial_year_min_months=self.tenure_partial_year_min_months,
                excellent_reduction_months=self.tenure_excellent_reduction_months,
                basic_grade_bar_months=self.tenure_basic_grade_bar_months,
                enforce_education=self.tenure_enforce_education,
            ),
            track=TrackPolicy(
                new_entrant_years=self.track_new_entrant_years,
                young_max_age=self.track_young_max_age,
                reserve_max_age=self.track_reserve_max_age,
                rotation_min_years_in_unit=self.track_rotation_min_years_in_unit,
                mature_min_service_years=self.track_mature_min_service_years,
            ),
            contract=ContractPolicy(
                review_days_before_end=self.contract_review_days_before_end,
                role_term_years=self.contract_role_term_years,
                gov_employee_tiers=tuple(self.contract_gov_employee_tiers),
                gov_employee_max_years=self.contract_gov_employee_max_years,
                promote_min_excellent=self.contract_promote_min_excellent,
                lowest_tier_fallback=self.contract_lowest_tier_fallback,
            ),
            batch=BatchPolicy(publicity_min_working_days=self.batch_publicity_min_working_days),
        )
