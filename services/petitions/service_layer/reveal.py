"""The only way to learn who reported: an explicit, audited reveal by petitions staff, with a purpose (规则 §47)."""

from __future__ import annotations

from typing import Any

import orjson

from kernel.auth import Principal
from kernel.errors import Conflict
from services.petitions.service_layer import commands
from services.petitions.service_layer.access import require_report
from services.petitions.service_layer.unit_of_work import PetitionsUnitOfWork as UOW


async def reveal(cmd: commands.RevealReporter, uow: UOW, *, principal: Principal) -> dict[str, Any]:
    """Opens the vault row of a report for petitions staff in scope; the audit row commits with the read."""
    tools = uow.context
    report_id, purpose = cmd.report_id, cmd.purpose
    async with uow:
        access = await uow.scope.access(principal)
        await require_report(uow, access, report_id)
        exists, sealed = await uow.vault.sealed(report_id)
        if not exists:
            raise Conflict("the report is anonymous: there is no identity to reveal", rule="reporter.anonymous")
        if sealed is None:
            raise Conflict("the reporter's identity was purged after the retention period", rule="reporter.purged")
        identity = orjson.loads(tools.sealer.open(sealed, context="reporter", record_id=report_id))
        await uow.audit(principal, "REVEAL", "reporter", report_id, purpose)
        await uow.commit()
    return {"report_id": report_id, "reporter": identity}
