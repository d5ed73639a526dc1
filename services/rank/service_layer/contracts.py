"""Contract use cases (docs/rules.md §4.6): sign, file, the renewal sweep, decide the renewal, terminate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.auth import Principal
from kernel.calendar import add_months
from kernel.errors import Conflict, NotFound, RuleViolation
from kernel.ids import new_id
from services.rank.adapters.process_repo import due_contract_ids
from services.rank.domain.contract import Contract, suggest
from services.rank.domain.rules.ladders import CATEGORY_SERIES
from services.rank.domain.rules.policies import ContractPolicy
from services.rank.service_layer import commands
from services.rank.service_layer.handlers import in_scope, load_cadre
from services.rank.service_layer.unit_of_work import RankUnitOfWork


async def sign_contract(cmd: commands.SignContract, uow: RankUnitOfWork, *, principal: Principal) -> str:
    """Signs a contract for a cadre of the caller's subtree (one open contract per kind)."""
    policy = uow.context.policies.contract
    async with uow:
        cadre = await load_cadre(uow, principal, cmd.cadre_id)
        if cmd.starts_on < cadre.entry_date:
            raise RuleViolation("a contract cannot start before the entry date", rule="contract.before_entry")
        ends_on = cmd.ends_on
        if ends_on is None:
            if cmd.kind != "ROLE_TERM":
                raise RuleViolation("ends_on is required for this kind of contract", rule="contract.term")
            ends_on = add_months(cmd.starts_on, 12 * policy.role_term_years) - dt.timedelta(days=1)
        if await uow.contracts.open_for(cadre.id, cmd.kind):
            raise Conflict(f"the cadre already has an open {cmd.kind} contract", rule="contract.overlap")
        contract = Contract.sign(
            contract_id=new_id(),
            cadre_id=cadre.id,
            category=cadre.category,
            kind=cmd.kind,
            starts_on=cmd.starts_on,
            ends_on=ends_on,
            probation_months=cmd.probation_months,
            tier=cmd.tier,
            first=not await uow.contracts.any_for(cadre.id, cmd.kind),
            policy=policy,
        )
        await uow.contracts.add(contract)
        return await uow.commit(contract.id)


async def _load(uow: RankUnitOfWork, principal: Principal, contract_id: str) -> Contract:
    contract = await uow.contracts.get(contract_id)
    cadre = await uow.cadres.get(contract.cadre_id) if contract else None
    if contract is None or cadre is None or not in_scope(principal, cadre.org_path):
        raise NotFound("contract not found", field="contract_id", rule="contract.exists")
    return contract


async def term_grades(uow: RankUnitOfWork, contract: Contract) -> list[str]:
    """Returns the annual grades of the years the contract's term covers (latest finalized per year)."""
    facts = (await uow.facts([contract.cadre_id])).get(contract.cadre_id)
    if facts is None:
        return []
    known = facts.grades_known_on(dt.date.max)
    return [known[y].grade for y in range(contract.starts_on.year, contract.ends_on.year + 1) if y in known]


async def act_on_contract(
    cmd: commands.ContractAction, uow: RankUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Files, decides the renewal of, or terminates a contract."""
    policy = uow.context.policies.contract
    async with uow:
        contract = await _load(uow, principal, cmd.contract_id)
        p = cmd.params
        new: Contract | None = None
        if cmd.action == "file":
            contract.file(filed_on=p.get("filed_on") or today, today=today)
            contract.advance(today=today, policy=policy)
        elif cmd.action == "renewal-decision":
            facts = (await uow.facts([contract.cadre_id]))[contract.cadre_id]
            on_hold = any(i.open_on(today) for i in facts.investigations)
            outcome, new = contract.decide_renewal(
                outcome=p.get("outcome"),
                decided_on=today,
                term_grades=await term_grades(uow, contract),
                policy=policy,
                on_hold=on_hold,
                new_contract_id=new_id(),
                ends_on=p.get("ends_on"),
            )
            if new is not None:
                await uow.contracts.add(new)
            if contract.kind == "ROLE_TERM" and outcome in ("PROMOTE", "DEMOTE"):
                await _move_level(uow, contract, outcome, today)
        elif cmd.action == "terminate":
            contract.terminate(ground=p["ground"], terminated_on=p.get("terminated_on") or today, today=today)
        else:  # pragma: no cover - the router only routes known actions
            raise RuleViolation("unknown action", rule="contract.action", field="action")
        await uow.contracts.save_checked(contract)
        return await uow.commit(
            {
                "id": contract.id,
                "status": contract.status,
                "version": contract.version,
                "new_contract_id": new.id if new else None,
            }
        )


async def _move_level(uow: RankUnitOfWork, contract: Contract, outcome: str, today: dt.date) -> None:
    """A role term adjusted up or down moves the cadre's level (级别) one step, within the rank's range."""
    cadre = await uow.cadres.get(contract.cadre_id)
    assert cadre is not None
    if cadre.level is None:
        raise Conflict("the cadre has no level recorded to adjust", rule="contract.no_level")
    series = CATEGORY_SERIES.get(cadre.category)
    ladder = (await uow.ladders(today))[series] if series else None
    level = cadre.level - 1 if outcome == "PROMOTE" else cadre.level + 1
    rank = ladder.get(cadre.rank_code) if ladder and cadre.rank_code else None
    if rank is not None and not rank.level_in_range(level):
        raise Conflict(f"level {level} is outside {rank.code}'s range", rule="level.out_of_range")
    cadre.add_level(
        level=level,
        step=None,
        since=cadre.effective_after_current(today),
        basis="CONTRACT",
        ladder=ladder,
        today=max(today, cadre.effective_after_current(today)),
        source_ref=f"contract/{contract.id}",
        system=True,
    )
    await uow.cadres.save(cadre)
    await uow.mark_dirty([cadre.id])


async def sweep_contracts(uow_factory: Any, *, today: dt.date, policy: ContractPolicy, limit: int = 200) -> int:
    """Opens due renewal reviews and ends probations; safe with several replicas (version-checked updates)."""
    changed = 0
    async with uow_factory() as uow:
        due = await due_contract_ids(
            uow.conn,
            review_opens_by=today + dt.timedelta(days=policy.review_days_before_end),
            probation_before=today,
            limit=limit,
        )
    for contract_id in due:
        async with uow_factory() as uow:
            contract = await uow.contracts.get(contract_id)
            if contract is None or not contract.advance(today=today, policy=policy):
                continue
            if await uow.contracts.save(contract):  # another replica may have moved it first
                await uow.commit()
                changed += 1
    return changed


def suggestion(contract: Contract, grades: list[str], policy: ContractPolicy) -> dict[str, str]:
    """Returns the outcome the rules suggest for a contract under review (one a decision can carry out); at the end
    of the government-employee tier ladder also the rule that changed it, its warning and its source."""
    outcome, why, edge = suggest(contract.kind, grades, policy, contract.tier)
    answer = {"outcome": outcome, "reason": why}
    if edge is not None:
        answer.update(rule=edge.code, warning=edge.warning, source=edge.source)
    return answer
