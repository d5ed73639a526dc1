"""Periodic jobs of the rank service; each is safe when several replicas run it."""

from __future__ import annotations

from kernel.deps import china_today
from kernel.runtime import PeriodicJob, ServiceRuntime
from services.rank.service_layer.contracts import sweep_contracts
from services.rank.service_layer.standing import expire_standings, recompute_dirty
from services.rank.settings import RankSettings


async def refresh_standings(runtime: ServiceRuntime) -> int:
    """Recomputes the standings made dirty by changes or by the passing of time."""
    settings: RankSettings = runtime.settings  # type: ignore[assignment]
    assert runtime.db is not None
    today = china_today()
    await expire_standings(runtime.uow, today=today)
    return await recompute_dirty(
        runtime.uow,
        runtime.db.reader,
        today=today,
        policies=runtime.context.policies,
        chunk=settings.standing_batch_size,
    )


async def sweep_contract_terms(runtime: ServiceRuntime) -> int:
    """Opens renewal reviews N days before terms end (contract_term_ending) and ends probations."""
    return await sweep_contracts(runtime.uow, today=china_today(), policy=runtime.context.policies.contract)


def jobs(settings: RankSettings) -> list[PeriodicJob]:
    """Returns the rank service's periodic jobs."""
    if not settings.jobs_enabled:
        return []
    return [
        PeriodicJob("rank-standings", settings.standing_interval_s, refresh_standings),
        PeriodicJob("rank-contract-sweep", settings.contract_sweep_interval_s, sweep_contract_terms),
    ]
