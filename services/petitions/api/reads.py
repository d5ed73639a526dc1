"""Audited reads: every read of a petitions object appends an audit row (ids and purpose only)."""

from __future__ import annotations

from collections.abc import Iterable

from kernel.auth import Principal
from kernel.runtime import ServiceRuntime
from services.petitions.service_layer.support import record


async def audit_reads(runtime: ServiceRuntime, principal: Principal, object_type: str, ids: Iterable[str],
                      purpose: str, action: str = "READ") -> None:
    """Records one READ row per object read, in a short write transaction."""
    ids = list(ids)
    if not ids:
        return
    async with runtime.uow() as uow:
        for object_id in ids:
            await record(uow.conn, principal, action, object_type, object_id, purpose)
        await uow.commit()
