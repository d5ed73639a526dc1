"""Recording past awards and their revocations as past facts (docs/appraisal.md, "Recording past awards").

One award per natural key (cadre, type, 文号) carries the current values, GRANTED (or REVOKED) on the real dates;
every recording that changes something is appended to `past_fact_record`. The same values again change nothing;
other values are a correction, announced again with the live events (award_granted, then award_revoked).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.auth import Principal
from kernel.ids import new_id
from services.appraisal.domain.award import Award
from services.appraisal.domain.past_awards import PastAward
from services.appraisal.domain.periods import quarter_pair
from services.appraisal.service_layer import past_facts
from services.appraisal.service_layer.scope import visible_cadre
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork


async def record_past_award(
    fact: PastAward, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Records (or corrects) a past award with its real dates and provenance; answers the record's id, the
    award's and the outcome (RECORDED, CORRECTED, UNCHANGED)."""
    async with uow:
        cadre = await visible_cadre(uow, principal, fact.cadre_id)
        fact.check(today=today)
        cadre.dated_fact(fact.granted_on, field="granted_on", rule="award_history.granted_on")
        key, values = fact.key, fact.values()
        award_id, previous, recorded = await uow.past_facts.find("AWARD", key)
        if award_id is not None and past_facts.unchanged(recorded, values, fact.KEY_FIELDS):
            return await uow.commit({"id": previous, "award_id": award_id, "outcome": "UNCHANGED"})
        touched = quarter_pair(fact.cadre_id, fact.granted_on)
        if award_id is None:
            award = Award.recorded(award_id=new_id(), org_unit_id=cadre.org_unit_id, fact=fact)
            await uow.awards.add(award, org_path=cadre.org_path, auto_key=None)
            outcome = "RECORDED"
        else:
            award = await uow.awards.get(award_id, lock=True)
            assert award is not None
            touched |= quarter_pair(award.cadre_id, award.granted_on)
            award.correct_record(fact=fact)
            await uow.awards.save(award)
            outcome = "CORRECTED"
        await uow.mark_dirty(touched)  # the index counts the award in the quarter of its real grant
        record_id = await past_facts.append(
            uow,
            kind="AWARD",
            object_id=award.id,
            cadre_id=award.cadre_id,
            org_path=cadre.org_path,
            key=key,
            values=values,
            source=fact.source,
            document_no=fact.document_no,
            principal=principal,
            supersedes=previous,
            outcome=outcome,
            object_type="award",
        )
        return await uow.commit({"id": record_id, "award_id": award.id, "outcome": outcome})
