"""Audited reads: every read of a petitions object appends an audit row (ids and purpose only)."""

from __future__ import annotations

from collections.abc import Iterable

from kernel.auth import Principal
from kernel.runtime import ServiceRuntime


async def audit_reads(runtime: ServiceRuntime, principal: Principal, object_type: str, ids: Iterable[str],
                      purpose: str, action: str = "READ") -> None:
    """Records one READ row per object read; returns once the rows are durable (group commit)."""
    await runtime.audit_reads(principal, object_type, ids, purpose, action=action)
