"""Promotion-batch use cases (docs/rules.md §4.3, §4.8): plan, compute candidates, advance, approve; all audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.auth import Principal
from kernel.errors import ConcurrencyError, NotFound, RuleViolation
from kernel.ids import new_id
from kernel.schemas import state_of
from services.rank.adapters import config_repo
from services.rank.adapters.rule_inputs import RuleInputs
from services.rank.domain.batch import Candidate, PromotionBatch, QuotaLimit
from services.rank.domain.points import PointsScheme, RankEntry, rank_entries
from services.rank.service_layer import commands
from services.rank.service_layer.evaluation import eligibility_json, points_json, standing_of
from services.rank.service_layer.handlers import in_scope
from services.rank.service_layer.unit_of_work import RankUnitOfWork

OBJECT = "promotion_batch"


async def _load(uow: RankUnitOfWork, principal: Principal, batch_id: str) -> tuple[PromotionBatch, list[str]]:
    batch = await uow.batches.get(batch_id)
    path = await uow.rule_inputs.unit_path(batch.org_unit_id) if batch else None
    if batch is None or path is None or not in_scope(principal, path):
        raise NotFound("promotion batch not found", field="batch_id", rule="batch.exists")
    return batch, path


async def plan_batch(cmd: commands.PlanBatch, uow: RankUnitOfWork, *, principal: Principal, today: dt.date) -> str:
    """Plans a promotion batch for target ranks in an org unit of the caller's subtree."""
    async with uow:
        unit = await uow.org_units.get(cmd.org_unit_id)
        if unit is None or not in_scope(principal, unit.path):
            raise NotFound("org unit not found", field="org_unit_id", rule="batch.org_unit")
        known = {r.code for ladder in (await uow.ladders(today)).values() for r in ladder.ranks}
        batch = PromotionBatch.plan(
            batch_id=new_id(),
            org_unit_id=unit.id,
            title=cmd.title,
            target_ranks=cmd.target_ranks,
            created_by=principal.subject,
            known_ranks=known,
        )
        await uow.batches.add(batch)
        await uow.audit(principal, "CREATE", OBJECT, batch.id)
        return await uow.commit(batch.id)


def _bucket(target: str, quotas: list[config_repo.QuotaRow], path: list[str]) -> str:
    """Returns the narrowest quota on the batch unit or its ancestors that covers the rank (else the rank itself)."""
    covering = [q for q in quotas if target in q.rank_codes and q.org_unit_id in path]
    if not covering:
        return f"RANK:{target}"
    best = min(covering, key=lambda q: (len(q.rank_codes), -path.index(q.org_unit_id)))
    return best.key


async def compute_candidates(
    cmd: commands.BatchAction, uow: RankUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Evaluates every cadre of the batch's subtree one rank below a target rank and stores the eligible ones.

    The evaluation streams the subtree in chunks on a reader connection, so the write transaction that stores
    the list stays short; a concurrent change of the batch makes the store fail with a version conflict.
    """
    policies = uow.context.policies
    async with RuleInputs.reading(uow.db.reader) as inputs:  # the reader of the unit of work's database
        async with uow:
            batch, path = await _load(uow, principal, cmd.batch_id)
            version = batch.version
        ladders = await inputs.ladders(today)
        below: dict[str, str] = {}
        for code in batch.target_ranks:
            ladder = next(lad for lad in ladders.values() if lad.get(code) is not None)
            lower = ladder.below(code)
            if lower is not None:
                below[lower.code] = code
        scheme: PointsScheme = (await inputs.schemes(today)).for_path(path)
        quotas = await inputs.quotas(today)
        tree = await inputs.tree()
        candidates: list[Candidate] = []
        entries: dict[str, list[RankEntry]] = {}
        async for ids in inputs.holding_ranks(path, list(below)):
            for facts in (await inputs.facts(ids, tree)).values():
                standing = standing_of(facts, ladders=ladders, scheme=scheme, policies=policies, as_of=today)
                e = standing.eligibility
                if not e.eligible or e.target_rank not in batch.target_ranks or standing.points is None:
                    continue
                bucket = _bucket(e.target_rank, quotas, path)
                points = points_json(standing.points)
                candidates.append(
                    Candidate(
                        cadre_id=facts.cadre_id,
                        target_rank=e.target_rank,
                        bucket=bucket,
                        points=standing.points.total,
                        points_breakdown=points["breakdown"],
                        eligibility=eligibility_json(e),
                    )
                )
                entries.setdefault(bucket, []).append(
                    RankEntry(
                        facts.cadre_id,
                        standing.points.total,
                        standing.points.tenure_months,
                        standing.points.excellent_years,
                        facts.entry_date,
                        facts.birth_date,
                    )
                )
    by_id = {c.cadre_id: c for c in candidates}
    for bucket_entries in entries.values():
        for position, entry in enumerate(rank_entries(bucket_entries, scheme.tie_breakers), start=1):
            by_id[entry.cadre_id].rank_in_bucket = position
    async with uow:
        batch, _ = await _load(uow, principal, cmd.batch_id)
        if batch.version != version:
            raise ConcurrencyError("the batch changed while its candidates were computed; retry", rule="batch.version")
        batch.set_candidates(candidates)
        await uow.batches.save(batch)
        await uow.audit(principal, "COMPUTE_CANDIDATES", OBJECT, batch.id)
        return await uow.commit(
            {
                **state_of(batch),
                "candidates": len(candidates),
                "buckets": sorted(entries),
                "scheme_version": scheme.version,
            }
        )


async def _limits(uow: RankUnitOfWork, batch: PromotionBatch, cadre_ids: list[str], today: dt.date) -> list[QuotaLimit]:
    """Vacancies of every quota in force over the units of the batch or of the selected candidates."""
    paths = await uow.rule_inputs.paths_of_cadres(cadre_ids)
    quotas = await uow.rule_inputs.quotas(today)
    limits = []
    for quota in quotas:
        members = frozenset(c for c, p in paths.items() if p.startswith(quota.org_path))
        if not members:
            continue
        occupied = await uow.rule_inputs.holders(quota.org_path, sorted(quota.rank_codes))
        reserved = await uow.batches.reserved(
            exclude_batch=batch.id, rank_codes=sorted(quota.rank_codes), path_prefix=quota.org_path
        )
        limits.append(QuotaLimit(quota.key, quota.rank_codes, quota.max_count - occupied - reserved, members))
    return limits


async def advance_batch(
    cmd: commands.BatchAction, uow: RankUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Applies one transition of the batch state machine (see domain.batch)."""
    calendar = uow.context.calendar
    policies = uow.context.policies
    async with uow:
        batch, _ = await _load(uow, principal, cmd.batch_id)
        p = cmd.params
        if cmd.action == "open-recommendation":
            batch.open_recommendation()
        elif cmd.action == "votes":
            batch.record_votes(
                cmd.cadre_id or "", votes_for=p["votes_for"], votes_against=p["votes_against"], abstain=p["abstain"]
            )
        elif cmd.action == "recommend":
            chosen = list(dict.fromkeys(p["cadre_ids"]))
            for cadre_id in chosen:
                batch.candidate(cadre_id)
            batch.recommend(chosen, limits=await _limits(uow, batch, chosen, today))
        elif cmd.action == "investigation":
            batch.record_investigation(cmd.cadre_id or "", passed=p["passed"], note=p.get("note"))
        elif cmd.action == "shortlist":
            batch.shortlist()
        elif cmd.action == "publicize":
            batch.publicize(
                starts_on=p.get("starts_on") or today,
                working_days=p.get("working_days") or policies.batch.publicity_min_working_days,
                min_working_days=policies.batch.publicity_min_working_days,
                calendar=calendar,
                today=today,
            )
        elif cmd.action == "objections":
            batch.object(cmd.cadre_id or "", today=today)
        elif cmd.action == "resolve-objection":
            batch.resolve_objection(cmd.cadre_id or "", upheld=p["upheld"], today=today)
        elif cmd.action == "submit-for-approval":
            batch.submit_for_approval(today=today)
        elif cmd.action == "approve":
            await _approve(uow, batch, principal=principal, today=today, effective=p.get("effective_date") or today)
        elif cmd.action == "close":
            batch.close()
        elif cmd.action == "cancel":
            batch.cancel(reason=p["reason"])
        else:  # pragma: no cover - the router only routes known actions
            raise RuleViolation("unknown action", rule="batch.action", field="action")
        await uow.batches.save(batch)
        await uow.audit(principal, cmd.action.upper().replace("-", "_")[:32], OBJECT, batch.id)
        return await uow.commit(state_of(batch))


async def _approve(
    uow: RankUnitOfWork, batch: PromotionBatch, *, principal: Principal, today: dt.date, effective: dt.date
) -> None:
    """Re-checks eligibility on the effective date, checks quotas, and appoints (new rank holdings)."""
    policies = uow.context.policies
    publicised = [c.cadre_id for c in batch.candidates.values() if c.status == "PUBLICISED"]
    ladders = await uow.ladders(effective)
    scheme = (await uow.rule_inputs.schemes(effective)).fallback
    recheck: dict[str, tuple[bool, str]] = {}
    for cadre_id, facts in (await uow.facts(publicised)).items():
        standing = standing_of(
            facts,
            ladders=ladders,
            scheme=scheme,
            policies=policies,
            as_of=effective,
            target_rank=batch.candidates[cadre_id].target_rank,
        )
        blocking = [r.rule for r in standing.eligibility.reasons if r.blocking]
        recheck[cadre_id] = (standing.eligibility.eligible, ", ".join(blocking))
    appointed = batch.approve(
        approver=principal.subject,
        effective_date=effective,
        today=today,
        recheck=recheck,
        limits=await _limits(uow, batch, [c for c, (ok, _) in recheck.items() if ok], today),
    )
    cadres = await uow.cadres.get_many([c.cadre_id for c in appointed])
    for candidate in appointed:
        cadre = cadres[candidate.cadre_id]
        series = next(s for s, lad in ladders.items() if lad.get(candidate.target_rank) is not None)
        cadre.promote(
            target_rank=candidate.target_rank,
            effective_date=effective,
            ladder=ladders[series],
            source_ref=f"promotion-batch/{batch.id}",
        )
        await uow.cadres.save(cadre)
    await uow.mark_dirty([c.cadre_id for c in batch.candidates.values()])
