"""What appraisal's use cases are configured with, built once per process (kernel.service_context)."""

from __future__ import annotations

from dataclasses import dataclass

from kernel.service_context import ServiceContext
from services.appraisal.settings import AppraisalSettings


@dataclass(frozen=True)
class AppraisalContext(ServiceContext):
    settings: AppraisalSettings

    @classmethod
    def build(cls, settings: AppraisalSettings) -> AppraisalContext:
        """Loads the calendar for the settings."""
        return cls(settings=settings, calendar=cls.load_calendar(settings))
