"""Recording past sanctions and organizational handling (issue 12 item 1): facts with their real dates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.auth import Principal
from kernel.contracts.vocabulary import SanctionSystem
from kernel.ids import new_id
from services.tolerance.domain import events
from services.tolerance.domain.history import (
    HistorySource,
    Outcome,
    PastFact,
    check_past_fact,
    correct_past,
    normalize_document_number,
    record_past,
    same_fact,
)
from services.tolerance.domain.restrictions import Restriction
from services.tolerance.domain.sanction import restriction_source
from services.tolerance.service_layer import commands
from services.tolerance.service_layer.access import cadre_for_action, require_system_role
from services.tolerance.service_layer.restrictions import open_eligible_reinstatements
from services.tolerance.service_layer.unit_of_work import ToleranceUnitOfWork


def _rst_id() -> str:
    return new_id()


def _fact(cmd: commands.RecordPastSanction) -> PastFact:
    return PastFact(
        cadre_id=cmd.cadre_id,
        system=cmd.system,
        type=cmd.type,
        decided_on=cmd.decided_on,
        effective_from=cmd.effective_from,
        document_number=cmd.document_number.strip(),
        source=HistorySource(cmd.source),
        period_months=cmd.period_months,
        combined_count=cmd.combined_count,
        publication_scope=cmd.publication_scope,
        probation_extended_on=cmd.probation_extended_on,
        probation_extension_reason=cmd.probation_extension_reason,
    )


def _recorded_values(row: Any) -> tuple[Any, ...]:
    return (
        row["effective_on"],
        row["period_months"],
        row["combined_count"],
        row["publication_scope"],
        row["probation_extended_on"],
        row["probation_extension_reason"],
    )


async def record_past_sanction(
    cmd: commands.RecordPastSanction, uow: ToleranceUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Records a past sanction or handling with its real dates: the restrictions and events of a live decision on
    that date, then those of the sweep for what is over by today. The same natural key with other values is a
    correction; with the same values nothing changes."""
    policy = uow.context.policy
    require_system_role(principal, cmd.system)
    fact = _fact(cmd)
    async with uow:
        cadre = await cadre_for_action(uow, principal, cmd.cadre_id)
        check_past_fact(policy.catalogue, fact, today=today)
        cadre.dated_fact(fact.decided_on, field="decided_on", rule="sanction_history.before_entry")
        current = await uow.sanctions.by_external_ref(fact.natural_key())
        record = await uow.records.current_sanction(current.id) if current is not None else None
        if current is not None and record is not None and same_fact(current, fact, _recorded_values(record)):
            return await uow.commit(
                {
                    "id": current.id,
                    "record_id": record["id"],
                    "revision": record["revision"],
                    "outcome": Outcome.UNCHANGED.value,
                }
            )
        running = None
        if fact.system is SanctionSystem.CIVIL_SERVICE:  # 行政机关公务员处分条例 §10, as for a live decision
            running = await uow.sanctions.running_until(
                fact.cadre_id, fact.system, fact.decided_on, exclude=current.id if current else ""
            )
        post, rank = await uow.projections.original_levels(fact.cadre_id, fact.effective_from)
        common = dict(
            today=today,
            recorded_by=principal.subject,
            new_id=_rst_id,
            running_until=running,
            original_post_level=post,
            original_rank_code=rank,
        )
        if current is None:
            sanction, restrictions = record_past(policy.catalogue, fact, sanction_id=new_id(), **common)
            await uow.sanctions.add(sanction)
            outcome = Outcome.RECORDED
        else:
            previous = await uow.restrictions.of_source([restriction_source(current.system)], current.id)
            sanction, restrictions = correct_past(policy.catalogue, current, fact, previous=previous, **common)
            await uow.sanctions.save(sanction)
            uow.sanctions.track(sanction)
            await uow.restrictions.save_many([r for r in previous if r.events])
            outcome = Outcome.CORRECTED
        await uow.restrictions.add_many(restrictions)
        await _record_extensions(uow, restrictions, fact, principal)
        revision = (record["revision"] + 1) if record is not None else 1
        record_id = new_id()
        await uow.records.add_sanction(
            id=record_id,
            sanction_id=sanction.id,
            revision=revision,
            cadre_id=fact.cadre_id,
            system=fact.system.value,
            type=fact.type.value,
            decided_on=fact.decided_on,
            document_number=normalize_document_number(fact.document_number),
            effective_on=fact.effective_from,
            period_months=fact.period_months,
            combined_count=fact.combined_count,
            publication_scope=fact.publication_scope,
            probation_extended_on=fact.probation_extended_on,
            probation_extension_reason=fact.values()[-1],
            source=fact.source.value,
            recorded_by=principal.subject,
        )
        # As the sweep would have: a removal whose bars on re-use are over makes the cadre eligible for re-use.
        await open_eligible_reinstatements(uow, cadre_ids={fact.cadre_id}, today=today)
        await uow.audit(
            principal, "RECORD_PAST" if outcome is Outcome.RECORDED else "CORRECT_PAST", "sanction", sanction.id
        )
        return await uow.commit(
            {"id": sanction.id, "record_id": record_id, "revision": revision, "outcome": outcome.value}
        )


async def _record_extensions(
    uow: ToleranceUnitOfWork, restrictions: list[Restriction], fact: PastFact, principal: Principal
) -> None:
    """Keeps the reason of a 留党察看 extension on every restriction it moved, as the live extension does."""
    if fact.probation_extended_on is None or fact.probation_extension_reason is None:
        return
    for r in restrictions:
        activated = next((e for e in r.events if isinstance(e, events.RestrictionActivated)), None)
        if activated is None or not any(isinstance(e, events.RestrictionExtended) for e in r.events):
            continue
        assert activated.state.ends_on is not None and r.ends_on is not None
        await uow.restrictions.record_extension(
            restriction_id=r.id,
            previous_ends_on=activated.state.ends_on,
            new_ends_on=r.ends_on,
            reason=fact.probation_extension_reason.strip(),
            discretionary=False,
            decided_by=principal.subject,
            decided_on=fact.probation_extended_on,
        )


async def count_records(uow: ToleranceUnitOfWork, sanction_id: str) -> int:
    """Returns how many versions of a past fact were recorded (tests and reads)."""
    return await uow.records.count_sanction(sanction_id)
