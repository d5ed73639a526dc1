"""Settings of the tolerance service (environment prefix TOLERANCE_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings
from services.tolerance.domain.policy import Policy
from services.tolerance.domain.rules.catalogue import build_catalogue
from services.tolerance.domain.rules.tolerance import DecisionRules


class ToleranceSettings(ServiceSettings):
    """Tolerance service settings; the regulation figures tagged [R]/[D] in docs/rules.md are configurable here."""

    model_config = SettingsConfigDict(env_prefix="TOLERANCE_", env_file=".env", env_ignore_empty=True, extra="ignore")

    service_name: str = "tolerance"
    port: int = 8003

    # Months of the [R] rows (ADMONISHMENT, POST_ADJUSTMENT, DEMOTION), e.g. TOLERANCE_PERIOD_OVERRIDES='{"ADMONISHMENT": 12}'.
    period_overrides: dict[str, int] = Field(default_factory=dict)
    suspension_months_min: int = 3  # 停职检查 [S-]: one local rule says 3–6 months
    suspension_months_max: int = 6
    defence_working_days: int = Field(default=5, ge=1, le=60)  # [D]
    tolerance_window_days: int = Field(default=15, ge=0, le=365)  # [D]
    quorum_fraction: float = Field(default=2 / 3, gt=0, le=1)  # [D]
    collective_min_members: int = Field(default=3, ge=1)  # [D]
    upper_consultation_enabled: bool = True  # [S-]
    dashboard_horizon_days: int = Field(default=90, ge=1, le=366)
    expiry_sweep_enabled: bool = True
    expiry_sweep_interval_s: float = Field(default=300.0, gt=0)
    expiry_sweep_batch: int = Field(default=1000, ge=1, le=10_000)

    def policy(self) -> Policy:
        """Builds the regulation figures in force (refuses an override of a verified figure)."""
        return Policy(
            catalogue=build_catalogue(
                self.period_overrides, suspension_months=(self.suspension_months_min, self.suspension_months_max)
            ),
            decision_rules=DecisionRules(quorum_fraction=self.quorum_fraction, min_members=self.collective_min_members),
            defence_working_days=self.defence_working_days,
            tolerance_window_days=self.tolerance_window_days,
            upper_consultation_enabled=self.upper_consultation_enabled,
            dashboard_horizon_days=self.dashboard_horizon_days,
        )
