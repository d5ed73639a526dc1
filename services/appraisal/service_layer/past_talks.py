"""Recording past talks as past facts (docs/appraisal.md, "Recording past talks").

One talk per natural key (cadre, type, held_on), HELD on its real date; every recording that changes something is
appended to `past_fact_record`. The same values again change nothing; other values are a correction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.auth import Principal
from kernel.ids import new_id
from services.appraisal.domain.past_talks import PastTalk
from services.appraisal.domain.talk import Talk
from services.appraisal.service_layer import past_facts
from services.appraisal.service_layer.scope import visible_cadre
from services.appraisal.service_layer.talks import _may_admonish
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork


async def record_past_talk(
    fact: PastTalk, uow: AppraisalUnitOfWork, *, principal: Principal, today: dt.date
) -> dict[str, Any]:
    """Records (or corrects) a past talk held on its real date; answers the record's id, the talk's and the outcome
    (RECORDED, CORRECTED, UNCHANGED). A 诫勉 only by the roles that may hold one live."""
    if fact.type == "ADMONISHMENT":
        _may_admonish(principal)
    async with uow:
        cadre = await visible_cadre(uow, principal, fact.cadre_id)
        fact.check(today=today)
        cadre.dated_fact(fact.held_on, field="held_on", rule="talk_history.held_on")
        key, values = fact.key, fact.values()
        talk_id, previous, recorded = await uow.past_facts.find("TALK", key)
        if talk_id is not None and past_facts.unchanged(recorded, values, fact.KEY_FIELDS):
            return await uow.commit({"id": previous, "talk_id": talk_id, "outcome": "UNCHANGED"})
        if talk_id is None:
            talk = Talk.recorded(
                talk_id=new_id(), org_unit_id=cadre.org_unit_id, fact=fact, by=principal.subject, today=today
            )
            await uow.talks.add(talk, org_path=cadre.org_path)
            outcome = "RECORDED"
        else:
            found = await uow.talks.get(talk_id, lock=True)
            assert found is not None
            talk = found
            talk.correct_record(fact=fact)
            await uow.talks.save(talk)
            outcome = "CORRECTED"
        record_id = await past_facts.append(
            uow,
            kind="TALK",
            object_id=talk.id,
            cadre_id=talk.cadre_id,
            org_path=cadre.org_path,
            key=key,
            values=values,
            source=fact.source,
            document_no=fact.document_no,
            principal=principal,
            supersedes=previous,
            outcome=outcome,
            object_type="talk",
        )
        return await uow.commit({"id": record_id, "talk_id": talk.id, "outcome": outcome})
