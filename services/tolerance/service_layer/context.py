"""What tolerance's use cases are configured with, built once per process (kernel.service_context): the
regulation figures in force (sanction catalogue with the deployment's overrides)."""

from __future__ import annotations

from dataclasses import dataclass

from kernel.service_context import ServiceContext
from services.tolerance.domain.policy import Policy
from services.tolerance.domain.rules.catalogue import MAX_COMBINED_MONTHS as MAX_COMBINED_MONTHS  # the catalogue's
from services.tolerance.settings import ToleranceSettings


@dataclass(frozen=True)
class ToleranceContext(ServiceContext):
    settings: ToleranceSettings
    policy: Policy

    @classmethod
    def build(cls, settings: ToleranceSettings) -> ToleranceContext:
        """Builds the policy (refusing an override of a verified figure) and loads the calendar."""
        return cls(settings=settings, calendar=cls.load_calendar(settings), policy=settings.policy())
