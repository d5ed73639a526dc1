"""What rank's use cases are configured with, built once per process (kernel.service_context)."""

from __future__ import annotations

from dataclasses import dataclass

from kernel.service_context import ServiceContext
from services.rank.domain.rules.policies import RankPolicies
from services.rank.settings import RankSettings


@dataclass(frozen=True)
class RankContext(ServiceContext):
    settings: RankSettings
    policies: RankPolicies

    @classmethod
    def build(cls, settings: RankSettings) -> RankContext:
        """Builds the rule parameters and loads the calendar from the settings."""
        return cls(settings=settings, calendar=cls.load_calendar(settings), policies=settings.policies())
