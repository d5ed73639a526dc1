"""Recording past performance records as verified past facts (docs/appraisal.md, "Recording past performance
records").

One performance record per natural key (cadre, category, occurred_on, title), VERIFIED on its real verification
date; every recording that changes something is appended to `past_fact_record`. The same values again change
nothing; other values are a correction. The index counts it in the quarter it occurred in.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.auth import Principal
from kernel.ids import new_id
from services.appraisal.domain.past_records import PastRecord
from services.appraisal.domain.periods import quarter_pair
from services.appraisal.domain.records import PerformanceRecord
from services.appraisal.service_layer import past_facts
from services.appraisal.service_layer.scope import visible_cadre
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork


async def record_past_record(
    fact: PastRecord, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Records (or corrects) a past performance record, verified; answers the record's id (of the recording), the
    performance record's and the outcome (RECORDED, CORRECTED, UNCHANGED)."""
    async with uow:
        cadre = await visible_cadre(uow, principal, fact.cadre_id)
        fact.check(today=today)
        cadre.dated_fact(fact.occurred_on, field="occurred_on", rule="record_history.occurred_on")
        key, values = fact.key, fact.values()
        record_id, previous, recorded = await uow.past_facts.find("PERFORMANCE_RECORD", key)
        if record_id is not None and past_facts.unchanged(recorded, values, fact.KEY_FIELDS):
            return await uow.commit({"id": previous, "performance_record_id": record_id, "outcome": "UNCHANGED"})
        if record_id is None:
            record = PerformanceRecord.recorded(
                record_id=new_id(), org_unit_id=cadre.org_unit_id, fact=fact, by=principal.subject, today=today
            )
            await uow.records.add(record, org_path=cadre.org_path)
            outcome = "RECORDED"
        else:
            found = await uow.records.get(record_id, lock=True)
            assert found is not None
            record = found
            record.correct_record(fact=fact)
            await uow.records.save(record)
            outcome = "CORRECTED"
        await uow.mark_dirty(quarter_pair(record.cadre_id, record.occurred_on))
        fact_id = await past_facts.append(
            uow,
            kind="PERFORMANCE_RECORD",
            object_id=record.id,
            cadre_id=record.cadre_id,
            org_path=cadre.org_path,
            key=key,
            values=values,
            source=fact.source,
            document_no=fact.document_no,
            principal=principal,
            supersedes=previous,
            outcome=outcome,
            object_type="performance_record",
        )
        return await uow.commit({"id": fact_id, "performance_record_id": record.id, "outcome": outcome})
