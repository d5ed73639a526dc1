"""Recording past contracts and role terms as past facts (docs/rank.md, "Recording past contracts and role terms").

One contract per natural key (cadre, kind, starts_on) carries the current values (`source` set); every recording
that changes something is appended to `contract_record`. The same values again change nothing; other values are a
correction: the contract is rebuilt from the corrected fact on its real dates and its events are sent again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from kernel.auth import Principal
from kernel.errors import Conflict, RuleViolation
from kernel.ids import new_id
from services.rank.domain.contract import OPEN, recorded_contract
from services.rank.domain.past_contracts import PastContract as PastContract  # the routes' command
from services.rank.service_layer.handlers import load_cadre
from services.rank.service_layer.unit_of_work import RankUnitOfWork

OBJECT = "contract"


def history_key(fact: PastContract) -> str:
    return hashlib.sha256(f"CONTRACT\x1f{fact.cadre_id}\x1f{fact.kind}\x1f{fact.starts_on}".encode()).hexdigest()


def _overlaps(fact: PastContract, others: list[Any]) -> bool:
    end = fact.decided_on if fact.outcome == "TERMINATED" else fact.ends_on
    return any(o.starts_on <= end and fact.starts_on <= (o.terminated_on or o.ends_on) for o in others)


async def record_past_contract(
    fact: PastContract, uow: RankUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Records (or corrects) a past contract or role term with its real dates and provenance; answers the record's
    id, the contract's, its status today and the outcome (RECORDED, CORRECTED, UNCHANGED)."""
    policy = uow.context.policies.contract
    async with uow:
        cadre = await load_cadre(uow, principal, fact.cadre_id)
        fact.check(today=today)
        if fact.starts_on < cadre.entry_date:
            raise RuleViolation(
                "a contract cannot start before the entry date", rule="contract.before_entry", field="starts_on"
            )
        key, values = history_key(fact), fact.values()
        contract_id = await uow.contract_records.contract_for(key)
        previous = last = None
        if contract_id is not None:
            previous, last = await uow.contract_records.last(contract_id) or (None, None)
        existing = await uow.contracts.get(contract_id) if contract_id is not None else None
        if existing is not None and last == values:
            return await uow.commit(
                {"id": previous, "contract_id": existing.id, "status": existing.status, "outcome": "UNCHANGED"}
            )
        if existing is not None and last is not None and last["outcome"] is None and existing.status not in OPEN:
            raise Conflict(
                "this term was decided or terminated live after it was recorded: it is no longer a "
                "past fact to correct",
                rule="contract_history.live_decision",
                field="outcome",
            )
        others = await uow.contract_records.others(fact.cadre_id, fact.kind, contract_id)
        if _overlaps(fact, others):
            raise Conflict(
                f"the cadre has another {fact.kind} term over these dates", rule="contract.overlap", field="starts_on"
            )
        first = not any(o.starts_on < fact.starts_on for o in others)
        built = recorded_contract(
            contract_id=contract_id or new_id(),
            fact=fact,
            category=cadre.category,
            first=first,
            policy=policy,
            today=today,
        )
        if existing is None:
            await uow.contracts.add(built)
            outcome = "RECORDED"
        else:
            if existing.status == "TERMINATION_REQUIRED" and built.status in ("ACTIVE", "PROBATION", "RENEWAL_REVIEW"):
                # an annual 不称职 marked it meanwhile: the corrected term stays marked
                built.status_before_hold, built.status = built.status, "TERMINATION_REQUIRED"
            built.version = existing.version
            uow.track(built)
            await uow.contracts.save_checked(built)
            outcome = "CORRECTED"
        record_id = new_id()
        await uow.contract_records.append(
            record_id=record_id,
            contract_id=built.id,
            cadre_id=fact.cadre_id,
            history_key=key,
            fact=values,
            source=fact.source,
            document_no=fact.document_no,
            recorded_by=principal.subject,
            supersedes=previous,
        )
        await uow.audit(principal, f"HISTORY_{outcome}", OBJECT, built.id)
        await uow.mark_dirty([fact.cadre_id])
        return await uow.commit({"id": record_id, "contract_id": built.id, "status": built.status, "outcome": outcome})
