"""The configurable figures the use cases need, gathered in one value (built from settings at startup)."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.tolerance.domain.rules.catalogue import Catalogue, build_catalogue
from services.tolerance.domain.rules.tolerance import DecisionRules


@dataclass(frozen=True)
class Policy:
    """Regulation figures in force; [R]/[D] ones come from configuration."""

    catalogue: Catalogue = field(default_factory=build_catalogue)
    decision_rules: DecisionRules = field(default_factory=DecisionRules)
    defence_working_days: int = 5  # [D] no national figure; the facts notice gives the cadre this many working days
    tolerance_window_days: int = 15  # [D] window to apply for tolerance once an incident is opened
    upper_consultation_enabled: bool = True  # [S-] docs/rules.md §3.3
    dashboard_horizon_days: int = 90
