"""Periodic jobs of the tolerance service."""

from __future__ import annotations

import logging

from kernel.deps import china_today as today
from kernel.runtime import PeriodicJob, ServiceRuntime
from services.tolerance.service_layer.restrictions import sweep

log = logging.getLogger("tolerance.jobs")


def expiry_job(*, interval_s: float, batch: int) -> PeriodicJob:
    """Expires restrictions and sanctions due today (China time); safe with several replicas."""

    async def run(runtime: ServiceRuntime) -> dict[str, int]:
        """Runs one sweep for today; returns the counts (youwei_job_items_total)."""
        result = await sweep(runtime.uow, today=today(), batch=batch)
        if result.restrictions_expired or result.sanctions_expired:
            log.info(
                "expiry sweep",
                extra={
                    "restrictions": result.restrictions_expired,
                    "sanctions": result.sanctions_expired,
                    "reinstatements": result.reinstatements_opened,
                },
            )
        return {
            "restrictions": result.restrictions_expired,
            "sanctions": result.sanctions_expired,
            "reinstatements": result.reinstatements_opened,
        }

    return PeriodicJob(name="tolerance-expiry", interval_s=interval_s, run=run)
