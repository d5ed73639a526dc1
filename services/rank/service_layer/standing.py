"""Incremental recomputation of cadre standings: only dirty cadres, in bounded chunks, never the whole register.

A change (an event, a holding, a scheme) marks the cadres it affects dirty in its own transaction; this job
leases a chunk, evaluates it on a reader connection (no write lock held), and writes the results back only for
rows whose generation did not move meanwhile. Work and memory grow with the dirty cadres, not the register.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kernel.db import utcnow
from services.rank.adapters import config_repo
from services.rank.adapters.facts import OrgTree
from services.rank.adapters.rule_inputs import ReaderEngine, RuleInputs
from services.rank.adapters.sql import dumps
from services.rank.domain.ladder import Ladder
from services.rank.domain.rules.policies import RankPolicies
from services.rank.service_layer.evaluation import standing_of


@dataclass
class _Context:
    ladders: dict[str, Ladder]
    schemes: config_repo.SchemeSet
    tree: OrgTree


def _row(cadre_id: str, gen: int, standing: Any, today: dt.date, now: dt.datetime) -> dict[str, Any]:
    e = standing.eligibility
    p = standing.points
    return {
        "b_cadre_id": cadre_id,
        "b_gen": gen,
        "as_of": today,
        "current_rank": e.current_rank,
        "target_rank": e.target_rank,
        "eligible_on": e.earliest_date,
        "blocked": e.blocked,
        "reasons": dumps(
            [
                {"rule": r.rule, "detail": r.detail, "source": r.source, "until": r.until}
                for r in e.reasons
                if r.met is not True
            ]
        ),
        "points": p.total if p else None,
        "points_breakdown": dumps([{"item": x.key, "points": x.points} for x in p.lines if x.points]) if p else None,
        "track_stage": standing.track.stage,
        "track_step": standing.track.step,
        "track_reasons": dumps(list(standing.track.reasons)),
        "valid_until": standing.valid_until,
        "computed_at": now,
    }


async def recompute_dirty(
    uow_factory: Callable[[], Any],
    reader: ReaderEngine,
    *,
    today: dt.date,
    policies: RankPolicies,
    chunk: int = 500,
    max_chunks: int | None = None,
) -> int:
    """Recomputes dirty standings chunk by chunk until none is left (or max_chunks); returns how many were written.

    A standing marked again while it was computed is not written (its generation moved) and is released at once, so
    the next chunk of this run (or another replica) computes it again from the newer facts. A chunk that was not full
    and released none ends the run: the standings marked meanwhile wait for the next run (`standing_interval_s`).
    Under a steady stream of changes a run otherwise never ended, each chunk taking the few cadres changed during the
    last one, and paid its transactions and its reads of the rule inputs for every few cadres: 0.7 ms of rank's CPU
    per registration on the write path (docs/DEVELOPING.md, Benchmarks)."""
    context: _Context | None = None
    done = 0
    rounds = 0
    while max_chunks is None or rounds < max_chunks:
        async with uow_factory() as uow:
            claimed, lease = await uow.standings.claim_dirty(chunk)
            await uow.commit()
        if not claimed:
            break
        rounds += 1
        async with RuleInputs.reading(reader) as inputs:
            if context is None:
                context = _Context(await inputs.ladders(today), await inputs.schemes(today), await inputs.tree())
            facts = await inputs.facts([c for c, _ in claimed], context.tree)
        now = utcnow()
        rows = []
        for cadre_id, gen in claimed:
            item = facts.get(cadre_id)
            if item is None:
                continue
            scheme = context.schemes.for_path(context.tree.path(item.org_unit.org_unit_id))
            standing = standing_of(item, ladders=context.ladders, scheme=scheme, policies=policies, as_of=today)
            rows.append(_row(cadre_id, gen, standing, today, now))
        async with uow_factory() as uow:
            await uow.standings.write(rows)
            await uow.commit()
        again: list[str] = []
        if rows:
            # Its own transaction: after the write-back's, its locks would not be in cadre_id order.
            async with uow_factory() as uow:
                again = await uow.standings.release_unwritten([r["b_cadre_id"] for r in rows], lease)
                await uow.commit()
            done += len(rows) - len(again)
        if len(claimed) < chunk and not again:
            break
    return done


async def expire_standings(uow_factory: Callable[[], Any], *, today: dt.date) -> int:
    """Marks dirty the standings whose answer may have changed with the date (cheap, indexed)."""
    async with uow_factory() as uow:
        count = await uow.standings.mark_expired(today)
        await uow.commit()
    return count
