"""The append-only record of past awards, talks and performance records (docs/appraisal.md, "Recording past ...").

Each recording that changes something is a row of `past_fact_record` naming the row it supersedes; the current
values live on the object itself (award, talk, performance_record, with `source` set and `history_key` unique).
"""

from __future__ import annotations

from typing import Any

from kernel.auth import Principal
from kernel.ids import new_id
from services.appraisal.service_layer.unit_of_work import AppraisalUnitOfWork


def unchanged(recorded: dict[str, Any] | None, values: dict[str, Any], key_fields: tuple[str, ...]) -> bool:
    """The same values again: every value but the key's parts (those are compared through the key, normalized)."""
    if recorded is None:
        return False
    return all(recorded.get(k) == v for k, v in values.items() if k not in key_fields)


async def append(
    uow: AppraisalUnitOfWork,
    *,
    kind: str,
    object_id: str,
    cadre_id: str,
    org_path: str,
    key: str,
    values: dict[str, Any],
    source: str,
    document_no: str | None,
    principal: Principal,
    supersedes: str | None,
    outcome: str,
    object_type: str,
) -> str:
    """Appends the record of one recording, sets the provenance on the object and writes the audit row."""
    record_id = new_id()
    await uow.past_facts.append(
        record_id,
        kind=kind,
        object_id=object_id,
        cadre_id=cadre_id,
        org_path=org_path,
        key=key,
        values=values,
        source=source,
        document_no=document_no,
        recorded_by=principal.subject,
        supersedes=supersedes,
    )
    await uow.audit(principal, f"HISTORY_{outcome}", object_type, object_id)
    return record_id
