"""A service's configured tools, built once per process by its `create_app` and handed out by `ServiceRuntime`.

Every service extends `ServiceContext` with what its use cases are configured with (rule parameters, rule tables,
a sealer…). The runtime gives it to every unit of work (`uow.context`) and to routes (`kernel.deps.get_context`),
so configuration reaches use cases one way in every service (docs/DEVELOPING.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from kernel.calendar import WorkdayCalendar
from kernel.settings import ServiceSettings


@dataclass(frozen=True)
class ServiceContext:
    """The settings and the working-day calendar; services add their own fields in a subclass."""

    settings: ServiceSettings
    calendar: WorkdayCalendar

    @staticmethod
    def load_calendar(settings: ServiceSettings) -> WorkdayCalendar:
        """The deployment's working-day calendar (statutory holidays, make-up workdays)."""
        return WorkdayCalendar.load(settings.calendar_file)
