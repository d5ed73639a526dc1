"""A standing marked again while the job computes it is not written back (its generation moved) and is released at
once: the same run computes it again from the newer facts, instead of leaving it dirty under a two-minute lease
(docs/rank.md, "Standings")."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select, update

from services.rank.adapters import orm
from services.rank.service_layer.standing import recompute_dirty


def _job_uow(runtime: Any, after: Callable[[], Awaitable[None]]) -> Callable[[], Any]:
    """The job's unit of work, calling `after` once each of its transactions is over."""

    class JobUnitOfWork:
        def __init__(self) -> None:
            self.inner = runtime.uow()

        async def __aenter__(self) -> Any:
            return await self.inner.__aenter__()

        async def __aexit__(self, *exc: Any) -> Any:
            result = await self.inner.__aexit__(*exc)
            await after()
            return result

    return JobUnitOfWork


def _state(api) -> Any:
    t = orm.cadre_standing
    return api.rows(select(t.c.cadre_id, t.c.dirty, t.c.dirty_gen, t.c.lease_until).order_by(t.c.cadre_id))


async def test_a_standing_marked_again_during_its_computation_is_released_and_computed_again(api):
    cadres = sorted([await api.register(f"Marked {n}") for n in range(3)])
    await api.recompute()
    t = orm.cadre_standing
    runtime = api.runtime
    async with runtime.uow() as uow:
        await uow.conn.execute(update(t).values(dirty=True, dirty_gen=t.c.dirty_gen + 1))
        await uow.commit()

    claims = 0

    async def mark_the_middle_again() -> None:
        nonlocal claims
        claims += 1
        if claims == 1:  # the claim's transaction is over: an event marks cadres[1] again
            async with runtime.uow() as uow:
                await uow.mark_dirty([cadres[1]])
                await uow.commit()

    written = await recompute_dirty(
        _job_uow(runtime, mark_the_middle_again),
        runtime.db.reader,
        today=api.clock["today"],
        policies=runtime.context.policies,
    )
    # Three written by the first chunk minus the one skipped, then that one by the next chunk of the same run.
    assert written == 3
    rows = await _state(api)
    assert [(r[0], r[1], r[3]) for r in rows] == [(c, False, None) for c in cadres]
    assert dict((r[0], r[2]) for r in rows)[cadres[1]] == dict((r[0], r[2]) for r in rows)[cadres[0]] + 1
    assert await api.recompute() == 0


async def test_a_run_ends_after_a_chunk_that_was_not_full_and_leaves_what_changed_meanwhile_to_the_next(api):
    """Under a steady stream of changes a run would otherwise never end, one small chunk after another."""
    first = await api.register("Before the run")
    runtime = api.runtime
    during: list[str] = []

    async def register_one() -> None:  # a registration lands right after each of the job's transactions
        if len(during) < 3:
            during.append(await api.register(f"During the run {len(during)}"))

    written = await recompute_dirty(
        _job_uow(runtime, register_one), runtime.db.reader, today=api.clock["today"], policies=runtime.context.policies
    )
    assert written == 1, "the run went on to the cadres registered during it"
    dirty = dict((r[0], r[1]) for r in await _state(api))
    assert dirty[first] is False and all(dirty[c] is True for c in during) and during
    assert await api.recompute() == len(during)  # the next run takes them
